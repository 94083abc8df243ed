"""Issue #12, items 7-9: what the printed invoices tell the customer."""

import datetime as dt
import io
from decimal import Decimal

import pypdf
import pytest

from billing import services
from billing.models import Invoice
from documents.models import IssuedDocument
from documents.services import document_pdf_bytes
from tests.billing.conftest import ship
from tests.billing.credit_notes import paid_then_reduced

pytestmark = pytest.mark.django_db


def pdf_text(document_id: int) -> str:
    pdf = document_pdf_bytes(IssuedDocument.objects.get(pk=document_id))
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)


def test_a_per_shipment_invoice_prints_the_credit_applied_and_asks_for_the_open_amount(
    admin_user, per_shipment_customer, django_capture_on_commit_callbacks
):
    # Given ¥1,025 of customer credit (money received before anything was owed)
    payment = services.payment_record(
        customer=per_shipment_customer, received_on=dt.date(2026, 11, 10), amount=Decimal(1025), user=admin_user
    )
    assert payment.unallocated_amount == 1025
    # When goods of ¥1,234 + 10% = ¥1,357 ship, the invoice is issued and rendered
    with django_capture_on_commit_callbacks(execute=True):
        ship(admin_user, per_shipment_customer, [(1234, 10)], dt.date(2026, 11, 20))

    # Then the credit settles ¥1,025 of it and the PDF asks for the ¥332 still open
    invoice = Invoice.objects.get(customer=per_shipment_customer)
    assert (invoice.sales_total, invoice.paid_amount, invoice.open_amount) == (1357, 1025, 332)
    assert invoice.status == "partially_paid"
    extra = IssuedDocument.objects.get(pk=invoice.document_id).data["document"]["extra"]
    assert extra["credit_applied"] == "1025"
    text = pdf_text(invoice.document_id)
    assert "ご請求金額（税込）\n¥332-" in text  # the amount box
    assert "¥1,357-" not in text
    assert "合計（税込）\n¥1,357\n前回までのお預り金充当\n-¥1,025\nご請求金額（税込）\n¥332" in text


def test_a_per_shipment_invoice_without_credit_asks_for_its_total(
    admin_user, per_shipment_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ship(admin_user, per_shipment_customer, [(1234, 10)], dt.date(2026, 11, 20))

    invoice = Invoice.objects.get(customer=per_shipment_customer)
    assert "credit_applied" not in IssuedDocument.objects.get(pk=invoice.document_id).data["document"]["extra"]
    text = pdf_text(invoice.document_id)
    assert "ご請求金額（税込）\n¥1,357-" in text
    assert "お預り金" not in text


def test_credit_larger_than_the_invoice_settles_it_and_the_pdf_asks_for_nothing(
    admin_user, per_shipment_customer, django_capture_on_commit_callbacks
):
    services.payment_record(
        customer=per_shipment_customer, received_on=dt.date(2026, 11, 10), amount=Decimal(5000), user=admin_user
    )
    with django_capture_on_commit_callbacks(execute=True):
        ship(admin_user, per_shipment_customer, [(1234, 10)], dt.date(2026, 11, 20))

    invoice = Invoice.objects.get(customer=per_shipment_customer)
    assert (invoice.paid_amount, invoice.open_amount, invoice.status) == (1357, 0, "paid")
    text = pdf_text(invoice.document_id)
    assert "前回までのお預り金充当\n-¥1,357\nご請求金額（税込）\n¥0" in text
    assert "ご請求金額（税込）\n¥0-" in text


def test_the_consolidated_invoice_prints_credit_notes_apart_from_the_money_received(
    admin_user, customer, django_capture_on_commit_callbacks
):
    # October: ¥20,000 + 10% = ¥22,000 billed
    # November: ¥5,000 received and a ¥2,742 + tax 274 = ¥3,016 price reduction
    _october, note = paid_then_reduced(admin_user, customer, sales=20000, paid=5000, reduction=2742)
    assert note.total == 3016
    ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 20))

    with django_capture_on_commit_callbacks(execute=True):
        services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)

    november = Invoice.objects.get(period_end=dt.date(2026, 11, 30))
    assert (november.previous_balance, november.payments_received, november.credits) == (22000, 5000, 3016)
    assert (november.carried_over, november.total) == (13984, 15084)  # 22,000 − 5,000 − 3,016; + 1,100
    extra = IssuedDocument.objects.get(pk=november.document_id).data["document"]["extra"]
    assert (extra["payments"], extra["credits"], extra["carried_over"]) == ("5000", "3016", "13984")
    text = pdf_text(november.document_id)
    header = ["前回御請求額", "ご入金額", "返品・値引", "繰越金額", "今回売上額", "消費税額", "今回御請求額"]
    values = ["¥22,000", "¥5,000", "¥3,016", "¥13,984", "¥1,000", "¥100", "¥15,084"]
    assert "\n".join(header + values) in text
    assert "¥8,016" not in text
    assert "今回御請求額（税込）\n¥15,084-" in text


def test_a_per_shipment_invoice_shows_its_transaction_date_and_each_lines_delivery_date(
    admin_user, per_shipment_customer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        shipment = ship(admin_user, per_shipment_customer, [(1234, 10), (1111, 8)], dt.date(2026, 11, 20))

    invoice = Invoice.objects.get(customer=per_shipment_customer)
    assert invoice.issue_date == dt.date(2026, 11, 20)
    snapshot = IssuedDocument.objects.get(pk=invoice.document_id).data["document"]
    assert snapshot["extra"]["transaction_date"] == "2026-11-20"
    assert [line["delivery_date"] for line in snapshot["lines"]] == ["2026-11-20", "2026-11-20"]
    text = pdf_text(invoice.document_id)
    assert "取引年月日\n2026年11月20日" in text
    assert f"作業1\n納品日 2026年11月20日 {shipment.number}" in text
    assert f"作業2 ※\n納品日 2026年11月20日 {shipment.number}" in text


def test_consolidated_invoice_lines_show_the_date_of_their_shipment(
    admin_user, customer, django_capture_on_commit_callbacks
):
    first = ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 5))
    second = ship(admin_user, customer, [(2000, 10)], dt.date(2026, 11, 20))
    with django_capture_on_commit_callbacks(execute=True):
        services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)

    invoice = Invoice.objects.get()
    text = pdf_text(invoice.document_id)
    assert f"作業1\n納品日 2026年11月5日 {first.number}" in text
    assert f"作業1\n納品日 2026年11月20日 {second.number}" in text
    assert "取引年月日" not in text  # the period and each line's date say it
