"""Stock that people move: a count (棚卸), an adjustment, goods returned by a customer, a
transfer between warehouses. Each writes its stock moves; what a gain brings is allocated
to the waiting demands at once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.exceptions import InvalidInput

from ..locking import ensure_stock_levels
from ..models import Product, StockAllocation, StockLevel, StockMove, Warehouse
from .allocation import LockedStock, ledger_move, serve_waiting_and_save, served_summary
from .checks import check_quantity, check_reference, check_tracked
from .results import StockChangeResult


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the stock changes."), field="reason")
    if len(reason) > 200:
        raise InvalidInput(_("At most 200 characters."), field="reason")
    return reason


def _holders_message(level: StockLevel, counted: int) -> str:
    holders = (
        StockAllocation.objects.filter(
            warehouse_id=level.warehouse_id, demand__product_id=level.product_id, quantity__gt=0
        )
        .select_related("demand")
        .order_by("demand__priority_date", "demand__priority_number", "demand_id")
    )
    listed = ", ".join(f"{a.demand} ({a.quantity})" for a in holders[:20])
    return _(
        "On hand would be %(counted)d, below the %(allocated)d allocated to: %(holders)s. Release or ship those first."
    ) % {"counted": counted, "allocated": level.allocated, "holders": listed}


def _change_on_hand(
    *,
    product: Product,
    warehouse: Warehouse,
    delta_for: Callable[[StockLevel], int],
    kind: str,
    reference: str,
    note: str,
    user,
    quantity_field: str,
) -> StockChangeResult:
    """Lock, compute the change from the locked level (`delta_for(level)`), refuse to go
    below what is allocated, write the move and serve waiting demands with any gain."""
    check_tracked(product)
    ensure_stock_levels([(product.pk, warehouse.pk)])
    stock = LockedStock([product.pk])
    level = stock.level(product.pk, warehouse.pk)
    delta = delta_for(level)
    if level.on_hand + delta < level.allocated:
        raise InvalidInput(_holders_message(level, level.on_hand + delta), field=quantity_field)
    if delta == 0:
        return StockChangeResult(level=level)
    move = ledger_move(product.pk, warehouse.pk, delta, kind, reference=reference, note=note, user=user)
    move.save()
    stock.change(level, on_hand=delta)
    served = serve_waiting_and_save(stock, [product.pk] if delta > 0 else [])
    return StockChangeResult(level=level, moves=(move,), served=served)


@transaction.atomic
def stock_take(
    *, product: Product, warehouse: Warehouse, counted_quantity: int, reason: str, user
) -> StockChangeResult:
    """Record a count (棚卸): a stock-take move for the difference from on hand."""
    check_quantity(counted_quantity, "counted_quantity", minimum=0)
    reason = _check_reason(reason)
    result = _change_on_hand(
        product=product,
        warehouse=warehouse,
        delta_for=lambda level: counted_quantity - level.on_hand,
        kind=StockMove.Kind.STOCK_TAKE,
        reference=f"stock_take:{timezone.localdate().isoformat()}",
        note=reason,
        user=user,
        quantity_field="counted_quantity",
    )
    audit.record(
        actor=user,
        action="stock.take",
        obj=result.level,
        changes={
            "counted_quantity": counted_quantity,
            "difference": sum(m.quantity for m in result.moves),
            "reason": reason,
            "served": served_summary(result.served),
        },
    )
    return result


def _stock_add(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    kind: str,
    reference: str,
    note: str,
    user,
    action: str,
    why: dict[str, Any],
) -> StockChangeResult:
    """The body of an adjustment and a return: `quantity` (signed) into the warehouse with
    one move, and the audit event saying why (`why`) and whom the gain served."""
    result = _change_on_hand(
        product=product,
        warehouse=warehouse,
        delta_for=lambda level: quantity,
        kind=kind,
        reference=reference,
        note=note,
        user=user,
        quantity_field="quantity",
    )
    audit.record(
        actor=user,
        action=action,
        obj=result.level,
        changes={"quantity": quantity, **why, "served": served_summary(result.served)},
    )
    return result


@transaction.atomic
def stock_adjust(*, product: Product, warehouse: Warehouse, quantity: int, reason: str, user) -> StockChangeResult:
    """A correction by a signed quantity (breakage, samples, found goods)."""
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity == 0:
        raise InvalidInput(_("Enter a whole number other than 0."), field="quantity")
    check_quantity(abs(quantity), "quantity")
    reason = _check_reason(reason)
    return _stock_add(
        product=product,
        warehouse=warehouse,
        quantity=quantity,
        kind=StockMove.Kind.ADJUSTMENT,
        reference="adjustment",
        note=reason,
        user=user,
        action="stock.adjust",
        why={"reason": reason},
    )


@transaction.atomic(savepoint=False)
def stock_return(
    *, product: Product, warehouse: Warehouse, quantity: int, reference: str, user, note: str = ""
) -> StockChangeResult:
    """Goods back from a customer (返品) into stock; `reference` names the cause
    (e.g. "billing.CreditNote:7"). Runs inside the credit note's transaction."""
    check_quantity(quantity, "quantity")
    check_reference(reference)
    return _stock_add(
        product=product,
        warehouse=warehouse,
        quantity=quantity,
        kind=StockMove.Kind.RETURN,
        reference=reference,
        note=note[:200],
        user=user,
        action="stock.return",
        why={"reference": reference},
    )


@transaction.atomic
def stock_transfer(
    *, product: Product, from_warehouse: Warehouse, to_warehouse: Warehouse, quantity: int, user, note: str = ""
) -> StockChangeResult:
    """Move available (unallocated) units between warehouses: two transfer moves."""
    check_tracked(product)
    check_quantity(quantity, "quantity")
    if from_warehouse.pk == to_warehouse.pk:
        raise InvalidInput(_("Choose two different warehouses."), field="to_warehouse")
    ensure_stock_levels([(product.pk, from_warehouse.pk), (product.pk, to_warehouse.pk)])
    stock = LockedStock([product.pk])
    source, target = stock.level(product.pk, from_warehouse.pk), stock.level(product.pk, to_warehouse.pk)
    if quantity > source.available:
        raise InvalidInput(
            _("Only %(count)d are available in %(warehouse)s.")
            % {"count": source.available, "warehouse": from_warehouse.code},
            field="quantity",
        )
    reference = f"transfer:{from_warehouse.code}>{to_warehouse.code}"
    moves = StockMove.objects.bulk_create(
        [
            ledger_move(product.pk, w.pk, q, StockMove.Kind.TRANSFER, reference=reference, note=note[:200], user=user)
            for w, q in ((from_warehouse, -quantity), (to_warehouse, quantity))
        ]
    )
    stock.change(source, on_hand=-quantity)
    stock.change(target, on_hand=quantity)
    stock.save()
    audit.record(
        actor=user,
        action="stock.transfer",
        obj=target,
        changes={"quantity": quantity, "from": from_warehouse.code, "to": to_warehouse.code},
    )
    return StockChangeResult(level=target, moves=tuple(moves))


@transaction.atomic
def stock_take_many(
    *, warehouse: Warehouse, counts: list[tuple[Product, int]], reason: str, user
) -> list[StockChangeResult]:
    """A count sheet (棚卸表) for one warehouse: every (product, counted quantity) through
    stock_take, all or nothing. A refusal names the row: `counts[2].counted_quantity`."""
    if not counts:
        raise InvalidInput(_("Enter at least one counted quantity."), field="counts")
    reason = _check_reason(reason)
    results = []
    for index, (product, counted) in enumerate(counts):
        try:
            results.append(
                stock_take(product=product, warehouse=warehouse, counted_quantity=counted, reason=reason, user=user)
            )
        except InvalidInput as exc:
            raise InvalidInput(exc.message, field=f"counts[{index}].counted_quantity", code=exc.code) from exc
    return results
