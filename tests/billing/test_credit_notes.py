"""Credit notes (返品・値引): qualified return invoices that never edit the invoice."""

import datetime as dt
from decimal import Decimal

import pytest

from backoffice.exceptions import InvalidInput
from billing import services
from billing.models import CreditNote, Invoice
from documents.models import IssuedDocument
from inventory.models import StockLevel, StockMove
from tests.billing.conftest import ship, ship_product
from tests.billing.credit_notes import goods_returned, paid_then_reduced, price_reduction

pytestmark = pytest.mark.django_db


def test_return_puts_goods_back_and_credits_amount_and_tax_per_rate(
    admin_user, per_shipment_customer, product, warehouse
):
    ship_product(admin_user, per_shipment_customer, product, 10, dt.date(2026, 11, 10), warehouse)
    invoice = Invoice.objects.get()  # 10 × 1,000 + 10% = 11,000
    line = invoice.lines.get()

    note = goods_returned(admin_user, line, 3, reason="破損")

    assert (note.subtotal, note.tax_total, note.total) == (Decimal(3000), Decimal(300), Decimal(3300))
    assert note.tax_breakdown == [{"rate": 10, "subtotal": "3000", "tax": "300"}]
    level = StockLevel.objects.get(product=product, warehouse=warehouse)
    assert level.on_hand == 3
    assert StockMove.objects.filter(kind="return", quantity=3).exists()
    document = IssuedDocument.objects.get(pk=note.document_id)
    extra = document.data["document"]["extra"]
    assert document.kind == "credit_note" and document.supersedes_id == invoice.document_id
    assert (extra["original_number"], extra["original_date"]) == (invoice.number, "2026-11-10")
    invoice.refresh_from_db()
    assert (invoice.total, invoice.credited_amount, invoice.open_amount, invoice.status) == (
        Decimal(11000),
        Decimal(3300),
        Decimal(7700),
        "partially_paid",
    )


def test_price_reduction_and_a_credit_larger_than_the_original_is_refused(admin_user, per_shipment_customer):
    ship(admin_user, per_shipment_customer, [(10000, 10), (5000, 8)], dt.date(2026, 11, 10))
    invoice = Invoice.objects.get()
    standard, reduced = invoice.lines.order_by("position")

    with pytest.raises(InvalidInput) as error:
        price_reduction(admin_user, invoice, [(reduced, 5001)])
    assert error.value.field == "lines[0].amount"
    assert not CreditNote.objects.exists()

    note = price_reduction(admin_user, invoice, [(standard, 1000), (reduced, 500)], reason="数量値引")
    assert note.tax_breakdown == [
        {"rate": 10, "subtotal": "1000", "tax": "100"},
        {"rate": 8, "subtotal": "500", "tax": "40"},
    ]
    with pytest.raises(InvalidInput):
        price_reduction(admin_user, invoice, [(standard, 9001)])
    assert CreditNote.objects.count() == 1


def test_returning_more_than_was_invoiced_is_refused(admin_user, per_shipment_customer, product, warehouse):
    ship_product(admin_user, per_shipment_customer, product, 2, dt.date(2026, 11, 10), warehouse)
    line = Invoice.objects.get().lines.get()

    with pytest.raises(InvalidInput) as error:
        goods_returned(admin_user, line, 3)
    assert error.value.field == "lines[0].quantity"
    assert StockLevel.objects.get(product=product).on_hand == 0


def test_credit_note_on_a_paid_invoice_becomes_credit_and_shows_on_the_next_closing(admin_user, customer):
    _october, note = paid_then_reduced(admin_user, customer, sales=10000, paid=11000, reduction=2000)
    assert note.allocated_amount == 0  # the invoice was paid: 2,200 is customer credit
    ship(admin_user, customer, [(5000, 10)], dt.date(2026, 11, 20))

    services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)

    november = Invoice.objects.get(period_end=dt.date(2026, 11, 30))
    assert (november.previous_balance, november.payments_received, november.credits) == (11000, 11000, 2200)
    assert november.carried_over == Decimal(-2200)
    assert november.total == Decimal(3300)  # -2,200 + 5,500
    assert (november.credited_amount, november.open_amount) == (Decimal(2200), Decimal(3300))
    extra = IssuedDocument.objects.get(pk=november.document_id).data["document"]["extra"]
    assert {"number": note.number, "date": "2026-11-15", "amount": "-2000"} in extra["delivery_notes"]
    # ご入金額 is the money received; the credit note has its own column (返品・値引).
    assert (extra["payments"], extra["credits"]) == ("11000", "2200")
