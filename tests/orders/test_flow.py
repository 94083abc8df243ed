"""The sales admin's day, through the services: order → confirm → ship, quotes, inquiries."""

import datetime as dt
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from backoffice.exceptions import InvalidInput, NotAllowed, StateConflict
from backoffice.models import StatusEvent
from documents.models import IssuedDocument
from inventory import services as inventory_services
from inventory.models import StockLevel, StockMove
from orders import services
from orders.models import Order, Quote, Shipment
from orders.services import LineInput
from tests.orders.conftest import open_purchase_order, stock

pytestmark = pytest.mark.django_db


def make_order(user, customer, lines, **data):
    return services.order_create(user=user, data={"customer": customer, **data}, lines=lines)


def test_seed_case_50_ordered_30_on_hand_20_backordered_with_po_date(
    admin_user, company, warehouse, customer, product_a
):
    # Given 30 on hand and an open purchase order of 40 expected on 12/3
    stock(product_a, warehouse, 30)
    open_purchase_order(product_a, 40, dt.date(2026, 12, 3))
    order = make_order(admin_user, customer, [LineInput(product=product_a, quantity=50)])

    result = services.order_confirm(order=order, user=admin_user)

    (line,) = result.lines
    assert (line.ordered, line.allocated_now, line.backordered) == (50, 30, 20)
    assert line.expected_date == dt.date(2026, 12, 3)
    assert result.message == "A-100 ステンレスボルト M8: 30 箱 即日出荷、残り 20 箱は 12/03 出荷予定"
    assert result.order.status == Order.Status.CONFIRMED
    assert result.order.number == "SO-2026-000001"
    level = StockLevel.objects.get(product=product_a, warehouse=warehouse)
    assert (level.on_hand, level.allocated) == (30, 30)


def test_backorder_without_purchase_order_waits_for_the_lead_time(admin_user, company, warehouse, customer, product_a):
    stock(product_a, warehouse, 10)
    order = make_order(admin_user, customer, [LineInput(product=product_a, quantity=15)])

    result = services.order_confirm(order=order, user=admin_user)

    # Fri 11/20 + 5 business days (11/23 is a holiday): 11/24, 25, 26, 27, 30
    assert result.lines[0].expected_date == dt.date(2026, 11, 30)
    assert result.lines[0].backordered == 5


def test_order_prices_and_tax_once_per_rate(admin_user, company, warehouse, customer, product_a, food, service_fee):
    customer.price_rate = Decimal("0.85")
    customer.save()
    order = make_order(
        admin_user,
        customer,
        [
            LineInput(product=product_a, quantity=3),  # 1,980 x 0.85 = 1,683 -> 5,049
            LineInput(product=food, quantity=7),  # 1,680 x 0.85 = 1,428 -> 9,996 (8%)
            LineInput(product=service_fee, quantity=1, unit_price=Decimal("1500")),
        ],
    )

    lines = list(order.lines.all())
    assert [(line.unit_price, line.amount, line.tax_rate) for line in lines] == [
        (Decimal("1683"), Decimal("5049"), 10),
        (Decimal("1428"), Decimal("9996"), 8),
        (Decimal("1500"), Decimal("1500"), 10),
    ]
    assert order.subtotal == Decimal("16545")
    # 10%: 6,549 -> 654 (round down); 8%: 9,996 -> 799 (799.68 down)
    assert order.tax_total == Decimal("1453")
    assert order.total == Decimal("17998")
    assert order.tax_breakdown[0] == {"rate": 10, "subtotal": "6549", "tax": "654", "total": "7203"}


def test_service_lines_need_no_stock(admin_user, company, warehouse, customer, service_fee):
    order = make_order(admin_user, customer, [LineInput(product=service_fee, quantity=1)])
    result = services.order_confirm(order=order, user=admin_user)
    assert (result.lines[0].allocated_now, result.lines[0].backordered) == (1, 0)
    assert not StockLevel.objects.filter(product=service_fee).exists()


def test_credit_limit_puts_order_on_hold_until_a_manager_releases(
    admin_user, manager_user, company, warehouse, customer, product_a
):
    customer.credit_limit = Decimal("100000")
    customer.save()
    stock(product_a, warehouse, 100)
    first = make_order(admin_user, customer, [LineInput(product=product_a, quantity=40)])  # 79,200 + tax 7,920
    services.order_confirm(order=first, user=admin_user)
    second = make_order(admin_user, customer, [LineInput(product=product_a, quantity=10)])  # 21,780 incl. tax

    result = services.order_confirm(order=second, user=admin_user)

    assert result.on_hold
    assert result.order.status == Order.Status.ON_HOLD
    assert "¥100,000" in result.message and "¥87,120" in result.message and "¥21,780" in result.message
    assert StockLevel.objects.get(product=product_a).allocated == 40  # nothing allocated for the held order
    with pytest.raises(NotAllowed):
        services.order_confirm(order=second, user=admin_user, release_hold=True)

    released = services.order_confirm(order=second, user=manager_user, release_hold=True)

    assert released.order.status == Order.Status.CONFIRMED
    assert StockLevel.objects.get(product=product_a).allocated == 50


def test_partial_shipments_each_with_delivery_note(admin_user, company, warehouse, customer, product_a, service_fee):
    stock(product_a, warehouse, 30)
    order = make_order(
        admin_user,
        customer,
        [LineInput(product=product_a, quantity=50), LineInput(product=service_fee, quantity=1)],
        order_date=dt.date(2026, 11, 18),
    )
    services.order_confirm(order=order, user=admin_user)
    a_line, fee_line = order.lines.all()

    first = services.shipment_create(order=order, user=admin_user, lines=[(a_line.pk, 20)])
    first = services.shipment_ship(shipment=first, user=admin_user, shipped_on=dt.date(2026, 11, 19))
    second = services.shipment_create(order=order, user=admin_user)  # everything ready: 10 of A + the fee
    second = services.shipment_ship(shipment=second, user=admin_user)

    assert first.number == "DN-2026-000001" and second.number == "DN-2026-000002"
    assert first.shipped_on == dt.date(2026, 11, 19)
    assert first.total == Decimal("43560")  # 20 x 1,980 = 39,600 + 3,960
    assert [(line.order_line_id, line.quantity) for line in second.lines.all()] == [(a_line.pk, 10), (fee_line.pk, 1)]
    assert second.subtotal == Decimal("21300")
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_SHIPPED
    a_line.refresh_from_db()
    assert a_line.shipped_quantity == 30
    level = StockLevel.objects.get(product=product_a, warehouse=warehouse)
    assert (level.on_hand, level.allocated) == (0, 0)
    assert StockMove.objects.filter(product=product_a, kind="shipment").count() == 2
    note = IssuedDocument.objects.get(number="DN-2026-000001")
    assert note.counterparty_id == customer.pk and note.amount == Decimal("43560")
    with pytest.raises(StateConflict):
        services.shipment_ship(shipment=first, user=admin_user)


def test_receipt_serves_backorder_and_order_completes(admin_user, company, warehouse, customer, product_a):
    stock(product_a, warehouse, 30)
    po = open_purchase_order(product_a, 40, dt.date(2026, 12, 3))
    order = make_order(admin_user, customer, [LineInput(product=product_a, quantity=50)])
    services.order_confirm(order=order, user=admin_user)
    services.shipment_ship(shipment=services.shipment_create(order=order, user=admin_user), user=admin_user)

    inventory_services.purchase_order_receive(
        purchase_order=po, lines=[{"line": po.lines.get(), "quantity": 40}], user=admin_user
    )
    rest = services.shipment_create(order=order, user=admin_user)
    services.shipment_ship(shipment=rest, user=admin_user)

    order.refresh_from_db()
    assert order.status == Order.Status.SHIPPED
    assert StockLevel.objects.get(product=product_a).on_hand == 20


def test_shipping_more_than_allocated_is_refused_and_writes_nothing(
    admin_user, company, warehouse, customer, product_a
):
    stock(product_a, warehouse, 5)
    order = make_order(admin_user, customer, [LineInput(product=product_a, quantity=10)])
    services.order_confirm(order=order, user=admin_user)
    line = order.lines.get()

    with pytest.raises(InvalidInput) as excinfo:
        services.shipment_create(order=order, user=admin_user, lines=[(line.pk, 6)])

    assert excinfo.value.field == "lines[0].quantity"
    assert not Shipment.objects.exists()


def test_cancel_releases_allocations_but_not_after_shipping(admin_user, company, warehouse, customer, product_a):
    stock(product_a, warehouse, 10)
    order = make_order(admin_user, customer, [LineInput(product=product_a, quantity=8)])
    services.order_confirm(order=order, user=admin_user)

    services.order_cancel(order=order, user=admin_user)

    assert StockLevel.objects.get(product=product_a).allocated == 0
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED
    with pytest.raises(StateConflict):
        services.order_confirm(order=order, user=admin_user)

    shipped = make_order(admin_user, customer, [LineInput(product=product_a, quantity=2)])
    services.order_confirm(order=shipped, user=admin_user)
    services.shipment_ship(shipment=services.shipment_create(order=shipped, user=admin_user), user=admin_user)
    with pytest.raises(StateConflict):
        services.order_cancel(order=shipped, user=admin_user)


def test_order_confirmation_document(admin_user, company, warehouse, customer, product_a):
    stock(product_a, warehouse, 10)
    order = make_order(admin_user, customer, [LineInput(product=product_a, quantity=2)], customer_po_number="PO-77")
    services.order_confirm(order=order, user=admin_user)

    order = services.order_confirmation_issue(order=order, user=admin_user)

    assert order.confirmation_document.kind == "order_confirmation"
    assert order.confirmation_document.amount == Decimal("4356")
    with pytest.raises(StateConflict):
        services.order_confirmation_issue(order=order, user=admin_user)


# --- quotes ---------------------------------------------------------------------------------


def test_quote_request_to_order(admin_user, rep_user, company, warehouse, customer, product_a):
    # A rep asks for a quote; the admin completes it; within limits it is approved on submit.
    quote = services.quote_create(
        user=rep_user,
        data={"customer": customer, "subject": "ボルト見積"},
        lines=[LineInput(product=product_a, quantity=100), LineInput(description="特注加工費", quantity=1)],
    )
    assert quote.lines.get(position=2).unit_price is None
    quote = services.quote_update(
        quote=quote,
        user=admin_user,
        data={},
        lines=[
            LineInput(product=product_a, quantity=100, discount_rate=Decimal("5")),
            LineInput(description="特注加工費", quantity=1, unit_price=Decimal("30000")),
        ],
    )
    quote = services.quote_submit(quote=quote, user=admin_user)
    assert quote.status == Quote.Status.APPROVED

    quote = services.quote_issue(quote=quote, user=admin_user)

    assert quote.display_number == "Q-2026-000001"
    assert quote.valid_until == dt.date(2026, 12, 20)
    assert quote.subtotal == Decimal("218100")  # 198,000 x 0.95 = 188,100 + 30,000
    assert quote.total == Decimal("239910")
    assert quote.document.amount == Decimal("239910")
    with pytest.raises(StateConflict):
        services.quote_update(quote=quote, user=admin_user, data={"subject": "x"})

    services.quote_accept(quote=quote, user=admin_user)
    order = services.quote_convert(quote=quote, user=admin_user)

    assert order.quote == quote
    assert [(line.quantity, line.unit_price, line.amount) for line in order.lines.all()] == [
        (100, Decimal("1980"), Decimal("188100")),
        (1, Decimal("30000"), Decimal("30000")),
    ]
    assert order.total == quote.total
    with pytest.raises(StateConflict):
        services.quote_convert(quote=quote, user=admin_user)


def test_quote_beyond_limits_needs_a_manager(admin_user, rep_user, manager_user, company, customer, product_a):
    quote = services.quote_create(
        user=admin_user,
        data={"customer": customer, "subject": "大口"},
        lines=[LineInput(product=product_a, quantity=10, discount_rate=Decimal("25"))],
    )

    quote = services.quote_submit(quote=quote, user=admin_user)

    assert quote.status == Quote.Status.PENDING_APPROVAL
    assert "25%" in quote.approval_reasons[0]
    with pytest.raises(NotAllowed):
        services.quote_approve(quote=quote, user=rep_user)
    with pytest.raises(StateConflict):
        services.quote_issue(quote=quote, user=admin_user)
    quote = services.quote_approve(quote=quote, user=manager_user, comment="今回のみ")
    assert quote.status == Quote.Status.APPROVED
    # any edit after approval sends it back to draft
    quote = services.quote_update(quote=quote, user=admin_user, data={"subject": "大口 (改)"})
    assert quote.status == Quote.Status.DRAFT
    assert list(StatusEvent.objects.filter(object_type="orders.quote").values_list("to_status", flat=True)) == [
        "pending_approval",
        "approved",
        "draft",
    ]


def test_quote_reject_requires_a_comment(admin_user, manager_user, company, customer, product_a):
    quote = services.quote_create(
        user=admin_user,
        data={"customer": customer, "subject": "x"},
        lines=[LineInput(product=product_a, quantity=10, discount_rate=Decimal("30"))],
    )
    services.quote_submit(quote=quote, user=admin_user)
    with pytest.raises(InvalidInput):
        services.quote_reject(quote=quote, user=manager_user, comment=" ")
    quote = services.quote_reject(quote=quote, user=manager_user, comment="値引が大きすぎます")
    assert quote.status == Quote.Status.REJECTED


def test_revision_keeps_the_number_and_supersedes(admin_user, company, customer, product_a):
    quote = services.quote_create(
        user=admin_user, data={"customer": customer, "subject": "x"}, lines=[LineInput(product=product_a, quantity=1)]
    )
    services.quote_submit(quote=quote, user=admin_user)
    quote = services.quote_issue(quote=quote, user=admin_user)

    revision = services.quote_revise(quote=quote, user=admin_user)
    services.quote_update(quote=revision, user=admin_user, data={}, lines=[LineInput(product=product_a, quantity=2)])
    services.quote_submit(quote=revision, user=admin_user)
    revision = services.quote_issue(quote=revision, user=admin_user)

    assert revision.display_number == "Q-2026-000001-2"
    assert revision.document.number == "Q-2026-000001-2"
    assert revision.document.supersedes == quote.document
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SUPERSEDED


def test_expiry_never_touches_accepted_or_declined(admin_user, company, customer, product_a):
    def issued(days):
        quote = services.quote_create(
            user=admin_user,
            data={"customer": customer, "subject": "x", "validity_days": days},
            lines=[LineInput(product=product_a, quantity=1)],
        )
        services.quote_submit(quote=quote, user=admin_user)
        return services.quote_issue(quote=quote, user=admin_user, issue_date=dt.date(2026, 10, 1))

    stale, accepted, fresh = issued(10), issued(10), issued(90)
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=9))), tick=False):
        services.quote_accept(quote=accepted, user=admin_user)  # while it was still valid

    assert services.quotes_expire(user=admin_user) == 1

    assert Quote.objects.get(pk=stale.pk).status == Quote.Status.EXPIRED
    assert Quote.objects.get(pk=accepted.pk).status == Quote.Status.ACCEPTED
    assert Quote.objects.get(pk=fresh.pk).status == Quote.Status.ISSUED
    with pytest.raises(StateConflict):
        services.quote_accept(quote=stale, user=admin_user)


def test_rep_cannot_price_below_the_customer_price(rep_user, company, customer, product_a):
    with pytest.raises(NotAllowed):
        services.quote_create(
            user=rep_user,
            data={"customer": customer, "subject": "x"},
            lines=[LineInput(product=product_a, quantity=1, unit_price=Decimal("1000"))],
        )
    assert not Quote.objects.exists()


# --- inquiries ------------------------------------------------------------------------------


def test_inquiry_logged_handed_off_and_turned_into_a_quote_request(admin_user, rep_user, company, customer, product_a):
    inquiry = services.inquiry_create(
        user=admin_user,
        data={
            "customer": customer,
            "channel": "phone",
            "subject": "A-100 100箱の見積依頼",
            "category": "quote_request",
        },
    )
    assert inquiry.status == "open"
    inquiry = services.inquiry_hand_off(inquiry=inquiry, user=admin_user, assigned_to=rep_user)
    assert inquiry.status == "handed_off"

    quote = services.quote_create_from_inquiry(
        inquiry=inquiry, user=rep_user, lines=[LineInput(product=product_a, quantity=100)]
    )

    inquiry.refresh_from_db()
    assert inquiry.related_quote == quote
    assert quote.subject == "A-100 100箱の見積依頼"
    services.inquiry_resolve(inquiry=inquiry, user=rep_user, resolution="見積提出済み")
    with pytest.raises(StateConflict):
        services.inquiry_resolve(inquiry=inquiry, user=rep_user)


def test_import_and_expiry_commands(admin_user, company, customer, product_a, tmp_path):
    good = tmp_path / "orders.csv"
    good.write_text("customer_code,po_number,sku,quantity\nC001,PO-1,A-100,3\n", encoding="utf-8")
    out = StringIO()
    call_command("import_orders", str(good), "--user", admin_user.username, stdout=out)
    assert "1 order(s) imported" in out.getvalue()
    assert Order.objects.get().lines.get().quantity == 3

    bad = tmp_path / "bad.csv"
    bad.write_text("customer_code,po_number,sku,quantity\nC001,PO-2,A-100,0\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_orders", str(bad), "--user", admin_user.username, stderr=err)
    assert "2行目" in err.getvalue()
    assert Order.objects.count() == 1

    out = StringIO()
    call_command("expire_quotes", stdout=out)
    assert out.getvalue().strip() == "0 quote(s) expired."
