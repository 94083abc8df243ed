import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.models import AuditEvent
from backoffice.status import status_history
from inventory import services
from inventory.models import PurchaseOrder, PurchaseOrderLine, StockLevel, StockMove
from inventory.selectors import stock_ledger_problems
from tests.inventory.factories import ProductFactory, SupplierFactory, make_demand, refreshed

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(product, main_wh, admin_user):
    return services.purchase_order_create(
        supplier=product.supplier,
        expected_date=dt.date(2026, 12, 3),
        lines=[{"product": product, "quantity": 10, "unit_cost": Decimal("550")}],
        user=admin_user,
    )


def receive(purchase_order, *pairs, **kwargs):
    lines = [{"line": line, "quantity": quantity} for line, quantity in pairs]
    return services.purchase_order_receive(purchase_order=purchase_order, lines=lines, user=None, **kwargs)


def on_hand(product):
    return sum(StockLevel.objects.filter(product=product).values_list("on_hand", flat=True))


def test_create_fills_defaults_from_product_and_supplier(main_wh, admin_user):
    supplier = SupplierFactory(lead_time_days=5)
    product = ProductFactory(supplier=supplier, cost=Decimal("600"))

    # Friday 11/20 + 5 business days, skipping the weekend and 11/23 (勤労感謝の日) = 11/30
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, tzinfo=dt.UTC)):
        po = services.purchase_order_create(
            supplier=supplier, lines=[{"product": product, "quantity": 3}], user=admin_user
        )

    line = po.lines.get()
    assert (po.status, po.number, po.warehouse, po.expected_date) == ("draft", "", main_wh, dt.date(2026, 11, 30))
    assert (line.unit_cost, line.expected_date, line.position) == (Decimal("600"), dt.date(2026, 11, 30), 1)
    assert list(status_history(po).values_list("from_status", "to_status")) == [("", "draft")]


def test_issue_takes_gapless_numbers_per_fiscal_year(product, main_wh, admin_user):
    def new_po():
        return services.purchase_order_create(
            supplier=product.supplier, lines=[{"product": product, "quantity": 1}], user=admin_user
        )

    with time_machine.travel(dt.datetime(2027, 3, 31, 3, tzinfo=dt.UTC)):
        first = services.purchase_order_issue(purchase_order=new_po(), user=admin_user)
        second = services.purchase_order_issue(purchase_order=new_po(), user=admin_user)
    with time_machine.travel(dt.datetime(2027, 4, 1, 3, tzinfo=dt.UTC)):
        third = services.purchase_order_issue(purchase_order=new_po(), user=admin_user)

    assert [first.number, second.number, third.number] == ["PO-2026-000001", "PO-2026-000002", "PO-2027-000001"]
    assert first.order_date == dt.date(2027, 3, 31)
    assert list(status_history(first).values_list("from_status", "to_status")) == [("", "draft"), ("draft", "issued")]
    assert AuditEvent.objects.filter(action="purchase_order.issue").count() == 3


def test_issue_twice_is_a_conflict(draft, admin_user):
    services.purchase_order_issue(purchase_order=draft, user=admin_user)

    with pytest.raises(StateConflict):
        services.purchase_order_issue(purchase_order=draft, user=admin_user)


def test_partial_then_full_receipt(draft, product, admin_user):
    draft = services.purchase_order_issue(purchase_order=draft, user=admin_user)
    line = draft.lines.get()

    result = receive(draft, (line, 4))
    assert result.purchase_order.status == "partially_received"
    assert [(m.quantity, m.kind, m.reference, m.note) for m in result.moves] == [
        (4, "receipt", f"inventory.PurchaseOrder:{draft.pk}", draft.number)
    ]
    assert on_hand(product) == 4

    result = receive(draft, (line.pk, 6))
    assert result.purchase_order.status == "received"
    assert PurchaseOrderLine.objects.get(pk=line.pk).received_quantity == 10
    assert on_hand(product) == 10
    assert list(status_history(draft).values_list("to_status", flat=True)) == [
        "draft",
        "issued",
        "partially_received",
        "received",
    ]
    assert stock_ledger_problems() == []


def test_over_receipt_is_refused_unless_allowed(draft, product, admin_user):
    services.purchase_order_issue(purchase_order=draft, user=admin_user)
    line = draft.lines.get()

    with pytest.raises(InvalidInput) as error:
        receive(draft, (line, 11))
    assert error.value.field == "lines"
    assert on_hand(product) == 0
    assert StockMove.objects.count() == 0

    result = receive(draft, (line, 11), allow_over_receipt=True)
    assert result.purchase_order.status == "received"
    assert on_hand(product) == 11


@pytest.mark.parametrize("status", ["draft", "cancelled"])
def test_receiving_on_a_draft_or_cancelled_order_is_refused(draft, product, admin_user, status):
    if status == "cancelled":
        services.purchase_order_issue(purchase_order=draft, user=admin_user)
        services.purchase_order_cancel(purchase_order=draft, user=admin_user, reason="supplier out of stock")

    with pytest.raises(InvalidInput) as error:
        receive(draft, (draft.lines.get(), 1))

    assert error.value.field == "status"
    assert StockMove.objects.count() == 0
    assert StockLevel.objects.count() == 0


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [{"line": 999_999, "quantity": 1}],
        [{"line": "LINE", "quantity": 0}],
        [{"quantity": 1}],
    ],
)
def test_bad_receipt_lines_are_refused(draft, admin_user, lines):
    services.purchase_order_issue(purchase_order=draft, user=admin_user)

    with pytest.raises(InvalidInput) as error:
        services.purchase_order_receive(purchase_order=draft, lines=lines, user=None)

    assert error.value.field == "lines"
    assert StockMove.objects.count() == 0


def test_zero_or_repeated_receipt_line_is_refused(draft, admin_user):
    services.purchase_order_issue(purchase_order=draft, user=admin_user)
    line = draft.lines.get()

    for pairs in [((line, 0),), ((line, -1),), ((line, 2), (line, 3))]:
        with pytest.raises(InvalidInput):
            receive(draft, *pairs)

    assert refreshed_po(draft).status == "issued"
    assert StockMove.objects.count() == 0


def refreshed_po(po):
    return PurchaseOrder.objects.get(pk=po.pk)


def test_receipt_serves_waiting_backorders_oldest_order_first(product, main_wh, admin_user):
    newest = make_demand(product, 5, priority_date=dt.date(2026, 11, 10), priority_number="SO-0009").demand
    oldest = make_demand(product, 4, priority_date=dt.date(2026, 11, 2), priority_number="SO-0002").demand
    same_day_later_number = make_demand(
        product, 3, priority_date=dt.date(2026, 11, 2), priority_number="SO-0003"
    ).demand
    po = services.purchase_order_issue(
        purchase_order=services.purchase_order_create(
            supplier=product.supplier, lines=[{"product": product, "quantity": 10}], user=admin_user
        ),
        user=admin_user,
    )

    result = receive(po, (po.lines.get(), 10))

    assert [(r.demand.pk, r.allocated_now) for r in result.served] == [
        (oldest.pk, 4),
        (same_day_later_number.pk, 3),
        (newest.pk, 3),
    ]
    assert [refreshed(d).backordered for d in (oldest, same_day_later_number, newest)] == [0, 0, 2]
    assert StockLevel.objects.get(product=product).allocated == 10
    event = AuditEvent.objects.get(action="purchase_order.receive")
    assert [s["allocated"] for s in event.changes["served"]] == [4, 3, 3]
    assert stock_ledger_problems() == []


def test_cancel_transitions(draft, admin_user):
    services.purchase_order_cancel(purchase_order=draft, user=admin_user)
    assert refreshed_po(draft).status == "cancelled"

    with pytest.raises(StateConflict):
        services.purchase_order_cancel(purchase_order=draft, user=admin_user)
    with pytest.raises(StateConflict):
        services.purchase_order_issue(purchase_order=draft, user=admin_user)


def test_received_order_cannot_be_cancelled(draft, admin_user):
    services.purchase_order_issue(purchase_order=draft, user=admin_user)
    receive(draft, (draft.lines.get(), 10))

    with pytest.raises(StateConflict):
        services.purchase_order_cancel(purchase_order=draft, user=admin_user)


def test_update_replaces_lines_of_a_draft_only(draft, product, admin_user):
    other = ProductFactory()

    services.purchase_order_update(
        purchase_order=draft,
        user=admin_user,
        data={"notes": "至急", "lines": [{"product": other, "quantity": 2}, {"product": product, "quantity": 1}]},
    )

    po = refreshed_po(draft)
    assert po.notes == "至急"
    assert list(po.lines.values_list("product", "quantity", "position")) == [(other.pk, 2, 1), (product.pk, 1, 2)]
    services.purchase_order_issue(purchase_order=po, user=admin_user)
    with pytest.raises(StateConflict):
        services.purchase_order_update(purchase_order=po, user=admin_user, data={"notes": "x"})


def test_purchase_order_refuses_service_products_and_bad_lines(service_product, product, main_wh, admin_user):
    for lines in (
        [],
        [{"product": service_product, "quantity": 1}],
        [{"product": product, "quantity": 0}],
        [{"product": product, "quantity": 1, "unit_cost": Decimal("-1")}],
    ):
        with pytest.raises(InvalidInput) as error:
            services.purchase_order_create(supplier=product.supplier, lines=lines, user=admin_user)
        assert error.value.field == "lines"
    assert PurchaseOrder.objects.count() == 0
