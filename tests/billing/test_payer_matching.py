"""Issue #12 item 13: the bank-statement payer matching sees through the bank's way of
printing names (half width, no small kana, legal-form marks) with the same kana key.
Issue #15: a payer found only by the customer's kana is proposed and waits for an admin;
a learned name is matched at once."""

import datetime as dt
import importlib
from decimal import Decimal
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

import billing
from billing import services
from billing.models import BankStatementLine, Invoice, PayerName, Payment
from billing.services.bank_statements import bank_line_proposals
from tests.billing.conftest import ship
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/bank-statements/"


def _import(admin_api, rows: str):
    content = ("日付,金額,振込依頼人名\n" + rows).encode("cp932")
    file = SimpleUploadedFile("statement.csv", content, content_type="text/csv")
    response = admin_api.post(URL, {"file": file}, format="multipart")
    assert response.status_code == 201, response.json()
    return [(line["payer_name"], line["status"]) for line in response.json()["lines"]]


@pytest.fixture
def yamada(admin_user, company):
    """Stored the bank's way, ヤマダセイサクシヨ, with one open invoice of 11,000."""
    customer = CustomerFactory(
        code="C001", name="株式会社山田製作所", name_kana="ヤマダセイサクシヨ", invoice_mode="per_shipment"
    )
    ship(admin_user, customer, [(10000, 10)], dt.date(2026, 11, 10))
    return customer


def test_a_payer_is_proposed_as_the_customer_by_its_kana_without_the_legal_form(admin_api, admin_user, yamada):
    lines = _import(admin_api, "2026-11-30,10560,ｶ)ﾔﾏﾀﾞｾｲｻｸｼﾖ\n")  # 11,000 less a 440 fee

    assert lines == [("カ)ヤマダセイサクシヨ", "unmatched")]
    assert not Payment.objects.exists()
    line = BankStatementLine.objects.get()
    invoice = Invoice.objects.get(customer=yamada)
    (proposal,) = bank_line_proposals([line]).values()
    assert (proposal.customer, proposal.invoice, proposal.bank_fee) == (yamada, invoice, Decimal(440))

    services.bank_line_confirm(line=line, customer=yamada, invoice=invoice, user=admin_user)

    payment = Payment.objects.get()
    assert (payment.customer, payment.amount, payment.bank_fee) == (yamada, Decimal(10560), Decimal(440))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.open_amount) == ("paid", Decimal(0))
    assert PayerName.objects.get().name == "カ)ヤマダセイサクシヨ"
    assert _import(admin_api, "2026-11-30,5000,ｶ)ﾔﾏﾀﾞｾｲｻｸｼﾖ\n") == [("カ)ヤマダセイサクシヨ", "unmatched")]


def test_a_payer_printed_with_small_kana_is_the_customer_stored_without(admin_api, yamada):
    assert _import(admin_api, "2026-11-30,11000,ﾔﾏﾀﾞ ｾｲｻｸｼｮ\n") == [("ヤマダセイサクシヨ", "unmatched")]
    assert BankStatementLine.objects.get().customer == yamada


def test_a_learned_payer_name_matches_however_the_bank_prints_it(admin_api, admin_user, company):
    other = CustomerFactory(code="C005", name="株式会社田中商店", name_kana="タナカ", invoice_mode="per_shipment")
    ship(admin_user, other, [(10000, 10)], dt.date(2026, 11, 10))
    PayerName.objects.create(customer=other, name="タナカシヨウテン")  # learned from an earlier statement

    assert _import(admin_api, "2026-11-30,11000,ﾀﾅｶｼｮｳﾃﾝ\n") == [("タナカシヨウテン", "matched")]
    assert Payment.objects.get().customer == other


def test_two_customers_with_the_same_reading_leave_the_transfer_for_review(admin_api, yamada):
    CustomerFactory(code="C002", name="山田製作所", name_kana="ﾔﾏﾀﾞｾｲｻｸｼｮ")

    assert _import(admin_api, "2026-11-30,11000,ｶ)ﾔﾏﾀﾞｾｲｻｸｼﾖ\n") == [("カ)ヤマダセイサクシヨ", "unmatched")]
    assert not Payment.objects.exists()
    assert BankStatementLine.objects.get().customer is None


def test_confirming_learns_the_payer_name_as_the_key(admin_api, yamada):
    _import(admin_api, "2026-11-30,5000,ﾔﾏﾀﾞﾀﾛｳ\n")  # a person paying for the company: to review
    line = BankStatementLine.objects.get()

    response = admin_api.post(f"/api/v1/bank-statement-lines/{line.pk}/confirm/", {"customer": yamada.pk})

    assert response.status_code == 200, response.json()
    assert PayerName.objects.get().name == "ヤマダタロウ"
    assert _import(admin_api, "2026-11-30,6000,やまだ たろう\n") == [("ヤマダタロウ", "matched")]


def test_the_data_migration_rekeys_learned_payer_names(yamada):
    PayerName.objects.create(customer=yamada, name="カ)ヤマダセイサクショ")  # the old form kept small kana
    (path,) = (Path(billing.__file__).parent / "migrations").glob("*_rekey_payer_names.py")
    migration = importlib.import_module(f"billing.migrations.{path.stem}")

    migration.rekey(apps, None)

    assert list(PayerName.objects.values_list("name", flat=True)) == ["カ)ヤマダセイサクシヨ"]
