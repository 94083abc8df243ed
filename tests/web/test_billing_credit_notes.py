"""The credit note screens: from an invoice's page a return (goods back into stock) or a price
reduction, issued as a 適格返還請求書; at most what is left of a line; the credit note's page
and its PDF; the invoice's page lists its credits; the roles."""

import datetime as dt
from decimal import Decimal

import pytest

from billing.models import CreditNote, Invoice
from documents.models import IssuedDocument
from inventory.models import StockLevel
from tests.billing.conftest import ship, ship_product
from tests.billing.credit_notes import goods_returned
from tests.documents.factories import pdf_text
from tests.factories import CustomerFactory, ProductFactory
from tests.web.pages import client_for, text_of

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def per_shipment_customer(company, rep_user):
    return CustomerFactory(code="C002", name="株式会社田中商店", invoice_mode="per_shipment", sales_rep=rep_user)


@pytest.fixture
def product(db):
    return ProductFactory(sku="A-100", name="ステンレスボルト M8", unit="箱", list_price=Decimal("1000"))


@pytest.fixture
def invoice(admin_user, per_shipment_customer, product, warehouse):
    """10 箱 of ステンレスボルト M8 at 1,000 + 10% = 11,000, shipped 11/10."""
    ship_product(admin_user, per_shipment_customer, product, 10, dt.date(2026, 11, 10), warehouse)
    return Invoice.objects.get()


def form(invoice, kind="return", reason="破損", **per_line):
    data = {"kind": kind, "reason": reason, "issue_date": "2026-12-01", "warehouse": ""}
    line = invoice.lines.get()
    for name, value in per_line.items():
        data[f"{name}_{line.pk}"] = str(value)
    return data


def test_the_invoice_page_offers_the_credit_note_to_sales_admins_only(admin_user, rep_user, manager_user, invoice):
    url = f"/billing/invoices/{invoice.pk}/"
    assert "返品・値引" in text_of(client_for(admin_user).get(url))
    assert f"/billing/invoices/{invoice.pk}/credit-note/" not in client_for(manager_user).get(url).content.decode()
    assert client_for(manager_user).get(f"/billing/invoices/{invoice.pk}/credit-note/").status_code == 403
    assert client_for(rep_user).get(f"/billing/invoices/{invoice.pk}/credit-note/").status_code == 403


def test_a_return_puts_the_goods_back_and_issues_the_credit_note(
    admin_user, invoice, product, warehouse, per_shipment_customer, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    page = text_of(client.get(f"/billing/invoices/{invoice.pk}/credit-note/"))
    assert "ステンレスボルト M8 10 箱 ¥1,000 10% ¥10,000 10 箱" in page

    with django_capture_on_commit_callbacks(execute=True):  # the PDF is rendered after the commit
        response = client.post(f"/billing/invoices/{invoice.pk}/credit-note/", form(invoice, quantity=3))

    note = CreditNote.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/billing/credit-notes/{note.pk}/"
    assert (note.kind, note.subtotal, note.tax_total, note.total) == ("return", 3000, 300, 3300)
    assert StockLevel.objects.get(product=product, warehouse=warehouse).on_hand == 3
    detail = text_of(client.get(response["Location"]))
    assert f"返品・値引 {note.number} を ¥3,300 で発行しました。" in detail
    assert "ステンレスボルト M8 3 箱 ¥1,000 10% ¥3,000" in detail
    assert "税抜金額 ¥3,000 消費税額 ¥300 合計 ¥3,300 請求書に充当 ¥3,300 前受残 ¥0" in detail
    document = IssuedDocument.objects.get(pk=note.document_id)
    assert document.kind == "credit_note"
    pdf = client.get(f"/documents/{document.pk}/pdf")
    assert pdf.status_code == 200
    assert "¥3,300" in "".join(pdf_text(b"".join(pdf.streaming_content)))
    invoice_page = text_of(client.get(f"/billing/invoices/{invoice.pk}/"))
    assert f"{note.number} 2026/12/01 返品 破損 ¥3,300" in invoice_page
    assert "未入金 ¥7,700" in invoice_page


def test_returning_more_than_is_left_is_refused_next_to_the_line(admin_user, invoice):
    goods_returned(admin_user, invoice.lines.get(), 8)
    client = client_for(admin_user)

    response = client.post(f"/billing/invoices/{invoice.pk}/credit-note/", form(invoice, quantity=3))

    assert response.status_code == 200
    line = invoice.lines.get()
    assert response.context["form"].errors[f"quantity_{line.pk}"] == ["この値は 2 以下でなければなりません。"]
    assert CreditNote.objects.count() == 1


def test_a_price_reduction_credits_the_yen_entered_plus_tax(admin_user, per_shipment_customer):
    ship(admin_user, per_shipment_customer, [(10000, 10)], dt.date(2026, 11, 10))
    invoice = Invoice.objects.get()
    client = client_for(admin_user)

    response = client.post(
        f"/billing/invoices/{invoice.pk}/credit-note/",
        form(invoice, kind="price_reduction", reason="単価訂正", amount=1500),
    )

    note = CreditNote.objects.get()
    assert response.status_code == 302
    assert (note.kind, note.subtotal, note.tax_total, note.total) == ("price_reduction", 1500, 150, 1650)
    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal(9350)


def test_no_line_given_and_no_reason_are_refused(admin_user, invoice):
    client = client_for(admin_user)

    response = client.post(f"/billing/invoices/{invoice.pk}/credit-note/", form(invoice, reason=""))

    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["この項目は必須です。"]
    response = client.post(f"/billing/invoices/{invoice.pk}/credit-note/", form(invoice))
    assert "少なくとも 1 行に返品数量を入力してください。" in text_of(response)
    assert not CreditNote.objects.exists()


def test_a_rep_reads_their_own_customers_credit_note_and_not_anothers(
    admin_user, rep_user, other_rep, invoice, per_shipment_customer
):
    note = goods_returned(admin_user, invoice.lines.get(), 1)
    url = f"/billing/credit-notes/{note.pk}/"

    assert client_for(rep_user).get(url).status_code == 200
    assert client_for(other_rep).get(url).status_code == 404
