"""The billing API: permissions, bad input, query counts, aging, journal export, bank import."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from billing import services
from billing.models import BankStatementLine, ClosingRun, Invoice, PayerName, Payment
from tests.billing.conftest import ship
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def invoices(admin_user, per_shipment_customer, other_customer):
    other_customer.invoice_mode = "per_shipment"
    other_customer.save()
    ship(admin_user, per_shipment_customer, [(10000, 10), (3000, 8)], dt.date(2026, 8, 10))
    ship(admin_user, per_shipment_customer, [(20000, 10)], dt.date(2026, 11, 10))
    ship(admin_user, other_customer, [(5000, 10)], dt.date(2026, 11, 10))
    return list(Invoice.objects.order_by("pk"))


def test_only_sales_admins_run_closings_and_record_payments(rep_api, manager_api, per_shipment_customer):
    for client in (rep_api, manager_api):
        assert client.post("/api/v1/closings/", {"closing_date": "2026-11-30"}).status_code == 403
        payment = {"customer": per_shipment_customer.pk, "received_on": "2026-11-20", "amount": "1000"}
        assert client.post("/api/v1/payments/", payment).status_code == 403
    assert not ClosingRun.objects.exists() and not Payment.objects.exists()


def test_rep_sees_only_their_customers_invoices_and_manager_reads_all(rep_api, manager_api, invoices):
    assert rep_api.get("/api/v1/invoices/").json()["count"] == 2
    assert manager_api.get("/api/v1/invoices/").json()["count"] == 3
    other = invoices[-1]
    assert rep_api.get(f"/api/v1/invoices/{other.pk}/").status_code == 404


def test_invoice_detail_has_the_contract_fields(admin_api, invoices):
    data = admin_api.get(f"/api/v1/invoices/{invoices[0].pk}/").json()

    assert data["number"] == "INV-2026-000001"
    assert (data["sales_amount"], data["tax_total"], data["total"]) == ("13000", "1240", "14240")
    assert data["tax_breakdown"] == [
        {"rate": 10, "subtotal": "10000", "tax": "1000"},
        {"rate": 8, "subtotal": "3000", "tax": "240"},
    ]
    assert data["status"] == "issued" and data["due_date"] == "2026-09-30"
    assert len(data["lines"]) == 2 and len(data["shipments"]) == 1


LIST_URLS = ["/api/v1/invoices/", "/api/v1/payments/", "/api/v1/credit-notes/", "/api/v1/reports/receivables/"]


def test_list_endpoints_query_counts_do_not_grow(admin_api, admin_user, invoices, per_shipment_customer,
                                                 django_assert_num_queries):  # fmt: skip
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def pay():
        services.payment_record(
            customer=per_shipment_customer, received_on=dt.date(2026, 11, 20), amount=Decimal(5000), user=admin_user
        )

    pay()
    counts = {}
    for url in LIST_URLS:
        with CaptureQueriesContext(connection) as captured:
            assert admin_api.get(url).status_code == 200
        counts[url] = len(captured)
    assert counts["/api/v1/invoices/"] <= 5 and counts["/api/v1/reports/receivables/"] <= 7
    for day in (11, 12, 13):
        ship(admin_user, per_shipment_customer, [(1000, 10), (2000, 8)], dt.date(2026, 11, day))
        ship(admin_user, CustomerFactory(invoice_mode="per_shipment"), [(1000, 10)], dt.date(2026, 11, day))
        pay()

    for url in LIST_URLS:
        with django_assert_num_queries(counts[url]):
            assert admin_api.get(url).status_code == 200


def test_closing_api_and_a_future_date(admin_api, admin_user, customer):
    ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 5))

    bad = admin_api.post("/api/v1/closings/", {"closing_date": "2026-12-31"})
    assert bad.status_code == 400 and "closing_date" in bad.json()
    assert not ClosingRun.objects.exists()

    response = admin_api.post("/api/v1/closings/", {"closing_date": "2026-11-30"})
    assert response.status_code == 201
    assert response.json()["invoices_created"] == 1 and response.json()["status"] == "done"
    again = admin_api.post("/api/v1/closings/", {"closing_date": "2026-11-30"})
    assert again.status_code == 201 and Invoice.objects.count() == 1


def test_closing_in_the_background_answers_202(admin_api, admin_user, customer, django_capture_on_commit_callbacks):
    ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 5))

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post("/api/v1/closings/", {"closing_date": "2026-11-30", "in_background": True})

    assert response.status_code == 202
    run = ClosingRun.objects.get()
    assert (run.status, run.invoices_created, run.customers_done) == ("done", 1, 1)


def test_payment_api_with_bank_fee_and_bad_input(admin_api, invoices, per_shipment_customer):
    invoice = invoices[0]
    body = {"customer": per_shipment_customer.pk, "received_on": "2026-11-20", "method": "transfer"}

    assert admin_api.post("/api/v1/payments/", {**body, "amount": "-5"}).status_code == 400
    assert admin_api.post("/api/v1/payments/", {**body, "amount": "100", "bank_fee": "200"}).status_code == 400
    over = {**body, "amount": "20000", "allocations": [{"invoice": invoice.pk, "amount": "20000"}]}
    assert admin_api.post("/api/v1/payments/", over, format="json").status_code == 400
    assert not Payment.objects.exists()

    ok = {
        **body,
        "amount": "13800",
        "bank_fee": "440",
        "allocations": [{"invoice": invoice.pk, "amount": "13800", "bank_fee": "440"}],
    }
    response = admin_api.post("/api/v1/payments/", ok, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["allocations"] == [
        {"invoice": invoice.pk, "invoice_number": invoice.number, "amount": "13800", "bank_fee": "440"}
    ]
    invoice.refresh_from_db()
    assert invoice.status == "paid"


def test_paying_a_cancelled_invoice_over_the_api_is_409(admin_api, invoices, per_shipment_customer):
    invoice = invoices[0]
    assert admin_api.post(f"/api/v1/invoices/{invoice.pk}/cancel/", {"reason": "誤発行"}).status_code == 200

    body = {"customer": per_shipment_customer.pk, "received_on": "2026-11-20", "amount": "14240",
            "allocations": [{"invoice": invoice.pk, "amount": "14240"}]}  # fmt: skip
    assert admin_api.post("/api/v1/payments/", body, format="json").status_code == 409
    assert not Payment.objects.exists()


def test_credit_note_api_refuses_more_than_the_original(admin_api, invoices):
    line = invoices[2].lines.get()
    body = {"invoice": invoices[2].pk, "kind": "price_reduction", "reason": "値引",
            "lines": [{"invoice_line": line.pk, "amount": "5001"}]}  # fmt: skip

    assert admin_api.post("/api/v1/credit-notes/", body, format="json").status_code == 400

    body["lines"][0]["amount"] = "1000"
    response = admin_api.post("/api/v1/credit-notes/", body, format="json")
    assert response.status_code == 201
    assert (response.json()["total"], response.json()["invoice_number"]) == ("1100", invoices[2].number)


def test_receivables_aging_buckets_and_totals(admin_api, rep_api, invoices, per_shipment_customer):
    # invoices[0]: 14,240 due 2026-09-30 → 62 days overdue on 12/01; the others due 12/30
    response = admin_api.get("/api/v1/reports/receivables/")

    data = response.json()
    assert data["as_of"] == "2026-12-01" and data["count"] == 2
    mine = next(row for row in data["results"] if row["customer"] == per_shipment_customer.pk)
    assert (mine["current"], mine["days_30"], mine["days_60"], mine["days_90"], mine["days_90_plus"]) == (
        "22000", "0", "0", "14240", "0",
    )  # fmt: skip
    assert mine["total"] == "36240"
    assert data["totals"]["total"] == "41740" and data["totals"]["days_90"] == "14240"
    assert rep_api.get("/api/v1/reports/receivables/").json()["count"] == 1
    later = admin_api.get("/api/v1/reports/receivables/", {"as_of": "2027-01-15"}).json()
    assert later["totals"]["days_30"] == "27500" and later["totals"]["days_90_plus"] == "14240"


def test_journal_export_generic_and_yayoi(admin_api, admin_user, invoices, per_shipment_customer, rep_api):
    services.payment_record(
        customer=per_shipment_customer, received_on=dt.date(2026, 11, 20), amount=Decimal(13800), bank_fee=Decimal(440),
        user=admin_user,
    )  # fmt: skip
    params = {"date_from": "2026-11-01", "date_to": "2026-11-30"}

    generic = admin_api.get("/api/v1/reports/journal/", params)
    assert generic.status_code == 200
    text = generic.content.decode("utf-8-sig").splitlines()
    assert text[0].startswith("date,entry_no,kind")
    # Sales are booked when goods ship (出荷基準), at the delivery note's figures.
    assert text[3].startswith("2026-11-10,1,sale,DN-2026-000002,credit,仮受消費税等,,2000,10,2000,対象外,C002,")
    yayoi = admin_api.get("/api/v1/reports/journal/", {**params, "layout": "yayoi"})
    rows = yayoi.content.decode("cp932").splitlines()
    debit = ["2000", "", "", "2026/11/10", "売掛金", "株式会社田中商店", "", "対象外", "22000", ""]
    credit = ["売上高", "", "", "課税売上込10%", "22000", "2000"]
    assert rows[0].split(",")[:16] == debit + credit
    # The payment settles 14,240: 13,800 received and a 440 fee, in one two-row entry.
    payment = [row.split(",") for row in rows if row.split(",")[3] == "2026/11/20"]
    assert [row[0] for row in payment] == ["2110", "2101"]
    assert payment[0][4:16] == [
        "普通預金",
        "",
        "",
        "対象外",
        "13800",
        "",
        "売掛金",
        "株式会社田中商店",
        "",
        "対象外",
        "14240",
        "",
    ]
    assert payment[1][4:16] == ["支払手数料", "", "", "課対仕入込10%適格", "440", "40", "", "", "", "", "", ""]
    assert rep_api.get("/api/v1/reports/journal/", params).status_code == 403
    assert admin_api.get("/api/v1/reports/journal/", {**params, "layout": "bugyo"}).status_code == 400


def test_bank_statement_import_matches_known_payers_and_learns_on_confirm(admin_api, invoices, per_shipment_customer):
    PayerName.objects.create(customer=per_shipment_customer, name="タナカシヨウテン")
    csv_text = (
        "日付,金額,振込依頼人名\n"
        "2026-11-25,13800,ﾀﾅｶｼﾖｳﾃﾝ\n"  # 14,240 less a 440 fee: matched, fee recorded
        "2026-11-26,5500,ｻﾄｳｺｳｷﾞﾖｳ\n"  # unknown payer: to review
    )
    upload = {"file": _file(csv_text.encode("cp932"))}

    response = admin_api.post("/api/v1/bank-statements/", upload, format="multipart")

    assert response.status_code == 201, response.json()
    statuses = [line["status"] for line in response.json()["lines"]]
    assert statuses == ["matched", "unmatched"]
    invoices[0].refresh_from_db()
    assert invoices[0].status == "paid"
    assert Payment.objects.get().bank_fee == Decimal(440)
    again = admin_api.post("/api/v1/bank-statements/", {"file": _file(csv_text.encode("cp932"))}, format="multipart")
    assert again.status_code == 409

    review = admin_api.get("/api/v1/bank-statement-lines/", {"status": "unmatched"}).json()["results"]
    other = invoices[2].customer
    confirmed = admin_api.post(f"/api/v1/bank-statement-lines/{review[0]['id']}/confirm/", {"customer": other.pk})
    assert confirmed.status_code == 200
    invoices[2].refresh_from_db()
    assert invoices[2].status == "paid"
    assert PayerName.objects.get(name="サトウコウギヨウ").customer == other
    assert BankStatementLine.objects.filter(status="confirmed").count() == 1


def test_bank_statement_bad_file_writes_nothing(admin_api):
    response = admin_api.post(
        "/api/v1/bank-statements/", {"file": _file(b"date,amount\n2026-11-01,100\n")}, format="multipart"
    )
    assert response.status_code == 400 and "file" in response.json()
    response = admin_api.post(
        "/api/v1/bank-statements/", {"file": _file(b"date,amount,payer_name\n2026-11-01,-100,X\n")}, format="multipart"
    )
    assert response.status_code == 400
    assert not BankStatementLine.objects.exists()


def test_credit_check_counts_open_invoices(admin_user, invoices, per_shipment_customer):
    from orders.models import Order
    from orders.services import credit_check

    def receivables(customer):  # as the credit check of a new order of this customer sees them
        return credit_check(Order(customer=customer, total=Decimal(0))).receivables

    assert receivables(per_shipment_customer) == Decimal(36240)
    assert CustomerFactory().pk  # a customer without invoices has none
    assert receivables(CustomerFactory()) == 0


def _file(content: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("statement.csv", content, content_type="text/csv")


def test_journal_exports_neutralise_formulas_in_names(admin_api, admin_user, company):
    attacker = CustomerFactory(code="=C9", name="=cmd|' /C calc'!A0", invoice_mode="per_shipment")
    ship(admin_user, attacker, [(1000, 10)], dt.date(2026, 11, 10))
    params = {"date_from": "2026-11-01", "date_to": "2026-11-30"}

    generic = admin_api.get("/api/v1/reports/journal/", params).content.decode("utf-8-sig")
    yayoi = admin_api.get("/api/v1/reports/journal/", {**params, "layout": "yayoi"}).content.decode("cp932")

    rows = list(csv.reader(io.StringIO(generic)))[1:]
    assert {(row[-3], row[-2]) for row in rows} == {("'=C9", "'=cmd|' /C calc'!A0")}
    assert "1100" in rows[0]  # amounts stay plain numbers
    assert ",=" not in yayoi and not any(row.startswith("=") for row in yayoi.splitlines())
