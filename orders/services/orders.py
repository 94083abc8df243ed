"""Orders (受注): entered (by hand, from a quote, from a CSV file), confirmed against the
credit limit with stock allocated line by line, cancelled, and confirmed to the customer
with the 注文請書."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.roles import Role, require_role
from backoffice.selectors import company_profile
from backoffice.services import model_create
from backoffice.status import change_status, change_status_many, require_status
from documents.services import document_issue, number_take
from documents.types import DocumentKind
from inventory.selectors import demands_by_reference, expected_dates
from inventory.services import DemandRequest, demand_cancel, demands_create_and_allocate

from ..locking import lock_customer, lock_draft_shipments, lock_order
from ..models import Customer, Order, OrderLine, Shipment
from .credit import credit_check
from .document_parts import sales_document
from .pricing import LineInput, priced_with_totals, update_with_lines, write_lines

ORDER_FIELDS = ("customer", "customer_po_number", "order_date", "requested_date", "ship_to", "note")


def _check_ship_to(data: dict[str, Any], customer: Customer) -> None:
    ship_to = data.get("ship_to")
    if ship_to is not None and ship_to.customer_id != customer.pk:
        raise InvalidInput(_("This ship-to address belongs to another customer."), field="ship_to")


@transaction.atomic
def order_create(*, user, data: dict[str, Any], lines: Sequence[LineInput]) -> Order:
    """Enter an order (phone, fax, mail): a draft until confirmed."""
    return _order_create(user=user, data=data, lines=lines, mode=company_profile().rounding_mode)


@transaction.atomic
def orders_create(*, user, orders: Sequence[tuple[dict[str, Any], Sequence[LineInput]]]) -> list[Order]:
    """Enter several orders, all or nothing (a CSV file): [(data, lines)] as order_create takes them."""
    mode = company_profile().rounding_mode
    return [_order_create(user=user, data=data, lines=lines, mode=mode) for data, lines in orders]


def _order_create(*, user, data: dict[str, Any], lines: Sequence[LineInput], mode: str) -> Order:
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins enter orders."))
    customer = data.get("customer")
    if customer is None:
        raise InvalidInput(_("Choose a customer."), field="customer")
    if not customer.is_active:
        raise InvalidInput(_("Customer %(code)s is inactive.") % {"code": customer.code}, field="customer")
    _check_ship_to(data, customer)
    values = {k: v for k, v in data.items() if k in ORDER_FIELDS}
    values.setdefault("order_date", timezone.localdate())
    # Priced first: the order row is written once, with its totals, and bad lines write nothing.
    priced, totals = priced_with_totals(customer, lines, user, require_prices=True, mode=mode)
    order = model_create(
        model=Order, user=user, data={**values, **totals, "entered_by": user}, action="order.create", validate=False
    )
    write_lines(OrderLine, "order", order, priced, user=user, replace=False)
    return order


@transaction.atomic
def order_update(*, order: Order, user, data: dict[str, Any], lines: Sequence[LineInput] | None = None) -> Order:
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins change orders."))
    order = lock_order(order.pk)
    require_status(order, Order.Status.DRAFT, message=_("Only a draft order can be edited."))
    _check_ship_to(data, data.get("customer", order.customer))
    update_with_lines(order, user=user, data=data, fields=ORDER_FIELDS, lines=lines, require_prices=True)
    return order


@dataclass(frozen=True)
class LineStockAnswer:
    """What the admin tells the customer, per line: "30 today, the other 20 on 12/11"."""

    line_id: int
    position: int
    sku: str
    description: str
    ordered: int
    allocated_now: int
    backordered: int
    expected_date: dt.date | None
    unit: str = ""
    on_hold: bool = False

    @classmethod
    def for_line(
        cls,
        line: OrderLine,
        *,
        allocated_now: int = 0,
        backordered: int = 0,
        expected_date: dt.date | None = None,
        on_hold: bool = False,
    ) -> LineStockAnswer:
        return cls(
            line_id=line.pk,
            position=line.position,
            sku=line.sku,
            description=line.description,
            ordered=line.quantity,
            allocated_now=allocated_now,
            backordered=backordered,
            expected_date=expected_date,
            unit=line.unit,
            on_hold=on_hold,
        )

    @property
    def message(self) -> str:
        """The answer in words, in the user's language (Japanese by default), naming the
        product by code and name with the quantities in its unit:
        「A-100 ステンレスボルト M8: 30 箱 即日出荷、残り 20 箱は 12/11 出荷予定」.
        Empty for an order held for credit (nothing is allocated yet)."""
        if self.on_hold:
            return ""
        values = {
            "item": " ".join(part for part in (self.sku, self.description) if part),
            "unit": self.unit,
            "quantity": self.ordered,
            "now": self.allocated_now,
            "rest": self.backordered,
            "date": self.expected_date.strftime("%m/%d") if self.expected_date else _("a date not yet known"),
        }
        if not self.backordered:
            return _("%(item)s: %(quantity)d %(unit)s, all ship today") % values
        if self.allocated_now:
            return _("%(item)s: %(now)d %(unit)s ship today, the other %(rest)d %(unit)s ship on %(date)s") % values
        return _("%(item)s: %(rest)d %(unit)s await stock, ship on %(date)s") % values


@dataclass(frozen=True)
class ConfirmResult:
    order: Order
    lines: tuple[LineStockAnswer, ...]
    on_hold: bool
    message: str


def _take_order_number(order: Order) -> str:
    return number_take(
        kind=DocumentKind.ORDER_CONFIRMATION,
        document_date=order.order_date,
        start_month=company_profile().fiscal_year_start_month,
    )


def _demand_label(order: Order, line: OrderLine) -> str:
    """How inventory's messages and lists name the line's demand: 「受注 SO-2026-000007 の 2
    行目」. Stored with the demand: call it in the company's language, not the user's."""
    return _("Order %(number)s, line %(position)d") % {"number": order.number, "position": line.position}


@transaction.atomic
def order_confirm(*, order: Order, user, release_hold: bool = False, comment: str = "") -> ConfirmResult:
    """Confirm an order: check the credit limit (over it, the order waits on hold for a
    manager), take its SO number, allocate stock line by line through inventory/, and
    answer per line what ships now and when the rest comes. `comment`: why a manager
    released the hold, kept with the status change."""
    if release_hold:  # a manager's decision: no credit check
        order = lock_order(order.pk)
        require_role(user, Role.MANAGER, message=_("Only managers release orders held for credit."))
        require_status(order, Order.Status.ON_HOLD, message=_("This order is not on hold."))
    else:
        # The credit check counts the customer's other open orders: two orders of one
        # customer confirmed at the same time would each pass without counting the other.
        # So the customer row is locked, explicitly and first (customer before order).
        customer = lock_customer(order.customer_id)
        order = lock_order(order.pk)
        if order.customer_id != customer.pk:  # the draft was given to another customer meanwhile
            raise StateConflict(_("The order changed meanwhile: reload and try again."))
        order.customer = customer
        require_role(user, Role.SALES_ADMIN, message=_("Only sales admins confirm orders."))
        require_status(order, Order.Status.DRAFT, message=_("Only a draft order can be confirmed."))
    lines = list(order.lines.select_related("product").filter(cancelled=False))
    if not lines:
        raise InvalidInput(_("Enter at least one line."), field="lines")
    inactive = [line.sku for line in lines if line.product_id and not line.product.is_active]
    if inactive:
        raise InvalidInput(_("Inactive products: %(skus)s.") % {"skus": ", ".join(inactive)}, field="lines")
    numbered = []  # saved with the status change below
    if not order.number:
        order.number = _take_order_number(order)
        numbered = ["number"]

    if not release_hold and order.customer.credit_limit is not None:
        check = credit_check(order)
        if check.exceeded:
            order.hold_reason = check.message()
            change_status(
                order,
                Order.Status.ON_HOLD,
                user=user,
                comment=order.hold_reason,
                fields=["hold_reason", *numbered],
            )
            answers = tuple(LineStockAnswer.for_line(line, on_hold=True) for line in lines)
            return ConfirmResult(order=order, lines=answers, on_hold=True, message=order.hold_reason)

    answers = _allocate(order, lines, user)
    order.confirmed_at = timezone.now()
    order.hold_reason = ""
    change_status(
        order, Order.Status.CONFIRMED, user=user, comment=comment, fields=["confirmed_at", "hold_reason", *numbered]
    )
    return ConfirmResult(order=order, lines=tuple(answers), on_hold=False, message=_confirm_message(answers))


def _allocate(order: Order, lines: Sequence[OrderLine], user) -> list[LineStockAnswer]:
    """Stock for the order's lines through inventory (a demand per stock line, allocated
    now as far as it goes, in the order's priority), and the answer for each line."""
    stock_lines = [line for line in lines if line.tracks_stock]
    with translation.override(settings.LANGUAGE_CODE):
        requests = [
            DemandRequest(
                reference=line.demand_reference,
                product=line.product,
                quantity=line.quantity,
                priority_date=order.order_date,
                priority_number=order.number,
                label=_demand_label(order, line),
            )
            for line in stock_lines
        ]
    results = demands_create_and_allocate(requests=requests, user=user)
    by_line = {line.pk: result for line, result in zip(stock_lines, results, strict=True)}
    dates = expected_dates([result.demand for result in results])
    answers = []
    for line in lines:
        result = by_line.get(line.pk)
        if result is None:  # a service line: nothing to allocate, ready now
            answers.append(LineStockAnswer.for_line(line, allocated_now=line.quantity, expected_date=order.order_date))
            continue
        backordered = result.demand.backordered
        answers.append(
            LineStockAnswer.for_line(
                line,
                allocated_now=result.allocated_now,
                backordered=backordered,
                expected_date=dates.get(result.demand.pk) if backordered else timezone.localdate(),
            )
        )
    return answers


def _confirm_message(answers: Sequence[LineStockAnswer]) -> str:
    """One line of text per order line, every line (also those that ship in full)."""
    return "\n".join(answer.message for answer in answers)


@transaction.atomic
def order_cancel(*, order: Order, user, reason: str = "") -> Order:
    """Cancel an order that has shipped nothing: allocations are released (and serve
    other waiting orders). Shipped goods come back through a return, not a cancel."""
    require_role(user, Role.SALES_ADMIN, Role.MANAGER, message=_("Only sales admins and managers cancel orders."))
    order = lock_order(order.pk)
    require_status(
        order,
        Order.Status.DRAFT,
        Order.Status.ON_HOLD,
        Order.Status.CONFIRMED,
        message=_("Lines already shipped cannot be cancelled: record a return instead."),
    )
    lines = list(order.lines.all())
    if any(line.shipped_quantity for line in lines):
        raise StateConflict(_("Lines already shipped cannot be cancelled: record a return instead."))
    change_status_many(lock_draft_shipments(order.pk), Shipment.Status.CANCELLED, user=user)
    demands = demands_by_reference([line.demand_reference for line in lines if line.tracks_stock])
    for demand in demands.values():
        demand_cancel(demand=demand, user=user)
    order.lines.update(cancelled=True)
    change_status(order, Order.Status.CANCELLED, user=user, comment=reason)
    return order


@transaction.atomic
def order_confirmation_issue(*, order: Order, user) -> Order:
    """Issue the 注文請書 (order confirmation) for a confirmed order, under the order's number."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins issue documents."))
    order = lock_order(order.pk)
    require_status(
        order,
        Order.Status.CONFIRMED,
        Order.Status.PARTIALLY_SHIPPED,
        Order.Status.SHIPPED,
        Order.Status.INVOICED,
        message=_("Confirm the order before issuing its confirmation."),
    )
    if order.confirmation_document_id:
        raise StateConflict(_("The order confirmation has already been issued."))
    lines = list(order.lines.select_related("product").filter(cancelled=False))
    data = sales_document(
        kind=DocumentKind.ORDER_CONFIRMATION,
        document_date=timezone.localdate(),
        source=order,
        lines=lines,
        subject=_("Order %(number)s") % {"number": order.number},
        notes=order.note,
        extra={
            **({"order_number": order.customer_po_number} if order.customer_po_number else {}),
            **({"delivery_date": order.requested_date} if order.requested_date else {}),
        },
    )
    # The 注文請書 confirms this order: it carries the order's own number (taken from the
    # SO sequence when the order was confirmed), not a second number from that sequence.
    order.confirmation_document = document_issue(data=data, user=user, source=order, number=order.number)
    order.save(update_fields=["confirmation_document", "updated_at"])
    return order
