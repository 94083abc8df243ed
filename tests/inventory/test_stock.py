import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, transaction

from backoffice.exceptions import InvalidInput
from backoffice.models import AuditEvent
from inventory import services
from inventory.models import StockLevel, StockMove
from inventory.selectors import stock_ledger_problems
from tests.inventory.factories import add_stock, make_demand, refreshed

pytestmark = pytest.mark.django_db


def level(product, warehouse):
    row = StockLevel.objects.get(product=product, warehouse=warehouse)
    return row.on_hand, row.allocated


def test_stock_take_writes_the_difference_as_a_move(product, main_wh, admin_user):
    services.stock_take(product=product, warehouse=main_wh, counted_quantity=12, reason="初期在庫", user=admin_user)

    result = services.stock_take(
        product=product, warehouse=main_wh, counted_quantity=9, reason="棚卸 2026-11", user=admin_user
    )

    assert [(m.quantity, m.kind, m.note, m.created_by) for m in result.moves] == [
        (-3, "stock_take", "棚卸 2026-11", admin_user)
    ]
    assert level(product, main_wh) == (9, 0)
    assert list(StockMove.objects.order_by("pk").values_list("quantity", flat=True)) == [12, -3]
    assert AuditEvent.objects.filter(action="stock.take").count() == 2


def test_stock_take_matching_the_count_writes_no_move(product, main_wh):
    add_stock(product, main_wh, 5)

    result = services.stock_take(product=product, warehouse=main_wh, counted_quantity=5, reason="check", user=None)

    assert result.moves == ()
    assert StockMove.objects.count() == 1


def test_stock_take_below_allocated_is_refused_naming_the_demands(product, main_wh):
    add_stock(product, main_wh, 10)
    make_demand(product, 4, reference="orders.OrderLine:11", priority_date=dt.date(2026, 11, 1))
    make_demand(product, 3, reference="orders.OrderLine:12", priority_date=dt.date(2026, 11, 2))

    with pytest.raises(InvalidInput) as error:
        services.stock_take(product=product, warehouse=main_wh, counted_quantity=6, reason="棚卸", user=None)

    assert error.value.field == "counted_quantity"
    message = str(error.value.message)
    assert "orders.OrderLine:11 (4)" in message and "orders.OrderLine:12 (3)" in message
    assert level(product, main_wh) == (10, 7)
    assert StockMove.objects.count() == 1


def test_stock_gain_serves_waiting_demands(product, main_wh):
    waiting = make_demand(product, 3).demand

    result = services.stock_take(product=product, warehouse=main_wh, counted_quantity=2, reason="found", user=None)

    assert [(r.demand.pk, r.allocated_now) for r in result.served] == [(waiting.pk, 2)]
    assert refreshed(waiting).backordered == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"counted_quantity": -1, "reason": "x"}, "counted_quantity"),
        ({"counted_quantity": "3", "reason": "x"}, "counted_quantity"),
        ({"counted_quantity": 3, "reason": "  "}, "reason"),
        ({"counted_quantity": 3, "reason": "x" * 201}, "reason"),
    ],
)
def test_bad_stock_take_input_writes_nothing(product, main_wh, kwargs, field):
    with pytest.raises(InvalidInput) as error:
        services.stock_take(product=product, warehouse=main_wh, user=None, **kwargs)

    assert error.value.field == field
    assert StockMove.objects.count() == 0
    assert StockLevel.objects.count() == 0


def test_service_products_are_never_moved(service_product, main_wh, osaka_wh):
    calls = [
        lambda: services.stock_take(
            product=service_product, warehouse=main_wh, counted_quantity=1, reason="x", user=None
        ),
        lambda: services.stock_adjust(product=service_product, warehouse=main_wh, quantity=1, reason="x", user=None),
        lambda: services.stock_return(
            product=service_product, warehouse=main_wh, quantity=1, reference="R:1", user=None
        ),
        lambda: services.stock_transfer(
            product=service_product, from_warehouse=main_wh, to_warehouse=osaka_wh, quantity=1, user=None
        ),
    ]
    for call in calls:
        # stock_return joins its caller's transaction (a credit note's) without a savepoint
        with pytest.raises(InvalidInput) as error, transaction.atomic():
            call()
        assert error.value.field == "product"
    assert StockMove.objects.count() == 0
    assert StockLevel.objects.count() == 0


def test_adjust_by_a_signed_quantity(product, main_wh):
    add_stock(product, main_wh, 5)

    services.stock_adjust(product=product, warehouse=main_wh, quantity=-2, reason="破損", user=None)

    assert level(product, main_wh) == (3, 0)
    with pytest.raises(InvalidInput) as error:
        services.stock_adjust(product=product, warehouse=main_wh, quantity=0, reason="x", user=None)
    assert error.value.field == "quantity"
    with pytest.raises(InvalidInput):
        services.stock_adjust(product=product, warehouse=main_wh, quantity=-4, reason="x", user=None)
    assert level(product, main_wh) == (3, 0)


def test_return_adds_stock_with_its_reference(product, main_wh):
    result = services.stock_return(
        product=product, warehouse=main_wh, quantity=2, reference="billing.CreditNote:7", user=None
    )

    assert [(m.quantity, m.kind, m.reference) for m in result.moves] == [(2, "return", "billing.CreditNote:7")]
    assert level(product, main_wh) == (2, 0)


def test_transfer_moves_only_available_units(product, main_wh, osaka_wh):
    add_stock(product, main_wh, 10)
    make_demand(product, 6)

    with pytest.raises(InvalidInput) as error:
        services.stock_transfer(product=product, from_warehouse=main_wh, to_warehouse=osaka_wh, quantity=5, user=None)
    assert error.value.field == "quantity"

    services.stock_transfer(product=product, from_warehouse=main_wh, to_warehouse=osaka_wh, quantity=4, user=None)

    assert level(product, main_wh) == (6, 6)
    assert level(product, osaka_wh) == (4, 0)
    assert sorted(StockMove.objects.filter(kind="transfer").values_list("quantity", flat=True)) == [-4, 4]
    assert stock_ledger_problems() == []


def test_check_stock_ledger_command_passes_and_catches_a_tampered_level(product, main_wh):
    add_stock(product, main_wh, 10)
    make_demand(product, 4)
    out = io.StringIO()

    call_command("check_stock_ledger", stdout=out)
    assert "consistent" in out.getvalue() or "整合" in out.getvalue()

    StockLevel.objects.filter(product=product).update(on_hand=11)  # a write that bypassed the services
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("check_stock_ledger", stdout=io.StringIO(), stderr=err)
    assert "expected 10, found 11" in err.getvalue()


def test_stock_level_constraints_hold_in_the_database(product, main_wh):
    add_stock(product, main_wh, 3)
    for values in ({"on_hand": -1, "allocated": 0}, {"allocated": 4}, {"allocated": -1}):
        with pytest.raises(IntegrityError), transaction.atomic():
            StockLevel.objects.filter(product=product).update(**values)
    with pytest.raises(RuntimeError):
        StockMove.objects.first().save()
    with pytest.raises(RuntimeError):
        StockMove.objects.first().delete()
