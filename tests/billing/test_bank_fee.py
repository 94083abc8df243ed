"""Issue #12 item 12: a payment's bank fee, when its explicit allocations do not say where
it goes, settles the invoice the money leaves open by exactly the fee (the same rule the
bank statement import applies)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from billing.models import Allocation, Invoice, PayerName, Payment
from billing.selectors import customer_balance
from tests.billing.conftest import ship

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoice(admin_user, per_shipment_customer):
    ship(admin_user, per_shipment_customer, [(9880, 10)], dt.date(2026, 11, 10))
    invoice = Invoice.objects.get()
    assert invoice.sales_total == Decimal(10868)  # 9,880 + 988
    return invoice


def _payment(customer, invoice, amount: str, fee: str) -> dict:
    return {
        "customer": customer.pk,
        "received_on": "2026-11-25",
        "amount": amount,
        "bank_fee": fee,
        "allocations": [{"invoice": invoice.pk, "amount": amount}],
    }


def test_bank_fee_settles_the_invoice_an_explicit_allocation_leaves_open_by_the_fee(
    admin_api, per_shipment_customer, invoice
):
    body = _payment(per_shipment_customer, invoice, "10428", "440")

    response = admin_api.post("/api/v1/payments/", body, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["amount"], body["bank_fee"], body["allocated_amount"], body["allocated_fee"]) == (
        "10428", "440", "10428", "440",
    )  # fmt: skip
    assert body["unallocated_amount"] == "0"
    assert body["allocations"] == [
        {"invoice": invoice.pk, "invoice_number": invoice.number, "amount": "10428", "bank_fee": "440"}
    ]
    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_amount, invoice.open_amount) == ("paid", Decimal(10868), Decimal(0))
    assert customer_balance(per_shipment_customer) == Decimal(0)
    detail = admin_api.get(f"/api/v1/invoices/{invoice.pk}/").json()
    assert detail["status"] == "paid"


def test_bank_fee_that_leaves_no_invoice_open_by_that_much_is_refused_and_nothing_written(
    admin_api, per_shipment_customer, invoice
):
    # 10,000 + 440 is 428 short of 10,868: the fee alone does not settle the invoice, and a
    # fee booked against receivables that no invoice shows would split the ledgers.
    body = _payment(per_shipment_customer, invoice, "10000", "440")

    response = admin_api.post("/api/v1/payments/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "allocations": [
            "振込手数料（¥440）と同額の残高が残る請求書がありません。"
            "手数料を充てる請求書の割当に bank_fee で指定するか、金額を見直してください。"
        ]
    }
    assert not Payment.objects.exists() and not Allocation.objects.exists()
    invoice.refresh_from_db()
    assert (invoice.status, invoice.open_amount) == ("issued", Decimal(10868))

    # Saying where the fee goes records it: 428 stays open.
    explicit = _payment(per_shipment_customer, invoice, "10000", "440")
    explicit["allocations"][0]["bank_fee"] = "440"
    response = admin_api.post("/api/v1/payments/", explicit, format="json")
    assert response.status_code == 201, response.json()
    invoice.refresh_from_db()
    assert (invoice.status, invoice.open_amount) == ("partially_paid", Decimal(428))
    assert Payment.objects.get().allocated_fee == Decimal(440)


def test_bank_statement_import_and_payment_entry_settle_alike(admin_api, per_shipment_customer, invoice):
    PayerName.objects.create(customer=per_shipment_customer, name="タナカシヨウテン")
    csv_text = "日付,金額,振込依頼人名\n2026-11-25,10428,ﾀﾅｶｼﾖｳﾃﾝ\n"
    upload = SimpleUploadedFile("statement.csv", csv_text.encode("cp932"), content_type="text/csv")

    response = admin_api.post("/api/v1/bank-statements/", {"file": upload}, format="multipart")

    assert response.status_code == 201, response.json()
    payment = Payment.objects.get()
    assert (payment.amount, payment.bank_fee, payment.allocated_fee) == (Decimal(10428), Decimal(440), Decimal(440))
    invoice.refresh_from_db()
    assert (invoice.status, invoice.open_amount) == ("paid", Decimal(0))
