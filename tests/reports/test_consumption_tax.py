"""消費税集計 (GET /api/v1/reports/consumption-tax/): per rate, the period's invoices and
credit notes as they state their amounts and tax (tax once per rate per document), booked
on each document's own issue date; cancelled invoices left out.

January 2026 (today is 2026-02-10):

| document                         | date       | 10%: net / tax | 8%: net / tax | 0%  |
|----------------------------------|------------|----------------|---------------|-----|
| per-shipment C201 (外税)         | 2026-01-14 | 3,579 / 357    | 1,888 / 151   | 500 |
| per-shipment C202 (内税)         | 2026-01-15 | 1,000 / 100    | 3,426 / 274   |     |
| consolidated C203 (末締め, 2 DN) | 2026-01-31 | 2,010 / 201    |               |     |
| cancelled C204                   | 2026-01-16 | (9,999 / 999: left out)        |     |
| credit note on C201's invoice    | 2026-01-20 | −500 / −50     | −300 / −24    |     |
| credit note on C201's December   | 2026-01-25 | −1,000 / −100  |               |     |
| (C201's December invoice)        | 2025-12-26 | (out of the period)            |     |
| (C201's February invoice)        | 2026-02-02 | (out of the period)            |     |

Per line the consolidated invoice's tax would be 100 + 100 = 200 and C202's 8% tax
274.07 → 274 (per line 3,700 = 2,000 + 1,700: 148.14 + 125.92 → 148 + 125 = 273).
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from backoffice.roles import Role
from billing import services as billing_services
from billing.journal import journal_entries
from billing.models import CreditNote, Invoice
from billing.services import CreditLineInput
from tests.billing.conftest import ship
from tests.factories import CustomerFactory, make_user

pytestmark = pytest.mark.django_db

URL = "/api/v1/reports/consumption-tax/"
JANUARY = {"date_from": "2026-01-01", "date_to": "2026-01-31"}


def _reduce(user, invoice, amounts, on):
    """A price reduction (値引) of `amounts` {tax rate: yen} off the invoice's first line of each rate."""
    lines = [
        CreditLineInput(invoice_line=invoice.lines.filter(tax_rate=rate).order_by("pk").first(), amount=Decimal(amount))
        for rate, amount in amounts.items()
    ]
    return billing_services.credit_note_issue(
        invoice=invoice, kind="price_reduction", lines=lines, reason="単価訂正", user=user, issue_date=on
    )


@pytest.fixture
def documents(admin_user, company, rep_user):
    exclusive = CustomerFactory(code="C201", name="外税商事", sales_rep=rep_user, invoice_mode="per_shipment")
    inclusive = CustomerFactory(
        code="C202", name="内税商店", sales_rep=rep_user, invoice_mode="per_shipment", tax_mode="inclusive"
    )
    consolidated = CustomerFactory(code="C203", name="合計百貨店", sales_rep=rep_user)
    cancelled = CustomerFactory(code="C204", name="取消工業", sales_rep=rep_user, invoice_mode="per_shipment")

    ship(admin_user, exclusive, [(3000, 10)], dt.date(2025, 12, 26))
    december = Invoice.objects.get(customer=exclusive)
    ship(admin_user, exclusive, [(1234, 10), (2345, 10), (1111, 8), (777, 8), (500, 0)], dt.date(2026, 1, 14))
    january = Invoice.objects.filter(customer=exclusive).exclude(pk=december.pk).get()
    ship(admin_user, inclusive, [(1100, 10), (2000, 8), (1700, 8)], dt.date(2026, 1, 15))
    ship(admin_user, consolidated, [(1005, 10)], dt.date(2026, 1, 10))
    ship(admin_user, consolidated, [(1005, 10)], dt.date(2026, 1, 20))
    ship(admin_user, cancelled, [(9999, 10)], dt.date(2026, 1, 16))
    billing_services.invoice_cancel(invoice=Invoice.objects.get(customer=cancelled), user=admin_user, reason="誤発行")
    _reduce(admin_user, january, {10: 500, 8: 300}, dt.date(2026, 1, 20))
    _reduce(admin_user, december, {10: 1000}, dt.date(2026, 1, 25))
    billing_services.closing_run(closing_date=dt.date(2026, 1, 31), user=admin_user)
    ship(admin_user, exclusive, [(4000, 10)], dt.date(2026, 2, 2))
    return {"january": january, "december": december}


def test_the_documents_are_what_the_table_says(documents):
    consolidated = Invoice.objects.get(customer__code="C203")
    assert consolidated.kind == "consolidated" and consolidated.issue_date == dt.date(2026, 1, 31)
    assert (consolidated.sales_amount, consolidated.tax_total) == (Decimal(2010), Decimal(201))
    inclusive = Invoice.objects.get(customer__code="C202")
    assert (inclusive.sales_amount, inclusive.tax_total, inclusive.sales_total) == (4426, 374, 4800)
    assert Invoice.objects.get(customer__code="C204").status == "cancelled"
    assert sorted(CreditNote.objects.values_list("tax_total", flat=True)) == [74, 100]


def test_january_per_rate_to_the_yen(manager_api, documents):
    response = manager_api.get(URL, JANUARY)

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["date_from"], body["date_to"], body["booked_on"]) == ("2026-01-01", "2026-01-31", "issue_date")
    rows = {row["rate"]: row for row in body["rows"]}
    assert [row["rate"] for row in body["rows"]] == [10, 8, 0]
    assert rows[10] == {
        "rate": 10,
        "sales": "6589",  # 3,579 + 1,000 + 2,010
        "sales_tax": "658",  # 357 + 100 + 201
        "returns": "1500",  # 500 + 1,000
        "returns_tax": "150",  # 50 + 100
        "net_sales": "5089",
        "tax": "508",
        "invoices": 3,
        "credit_notes": 2,
    }
    assert rows[8] == {
        "rate": 8,
        "sales": "5314",  # 1,888 + 3,426
        "sales_tax": "425",  # 151 + 274
        "returns": "300",
        "returns_tax": "24",
        "net_sales": "5014",
        "tax": "401",
        "invoices": 2,
        "credit_notes": 1,
    }
    assert rows[0] == {
        "rate": 0,
        "sales": "500",
        "sales_tax": "0",
        "returns": "0",
        "returns_tax": "0",
        "net_sales": "500",
        "tax": "0",
        "invoices": 1,
        "credit_notes": 0,
    }
    assert body["total"] == {
        "sales": "12403",
        "sales_tax": "1083",
        "returns": "1800",
        "returns_tax": "174",
        "net_sales": "10603",
        "tax": "909",
        "invoices": 6,
        "credit_notes": 3,
    }


def test_the_report_equals_the_sum_of_the_periods_documents_and_the_journal(manager_api, documents):
    body = manager_api.get(URL, JANUARY).json()

    invoices = Invoice.objects.filter(issue_date__range=(dt.date(2026, 1, 1), dt.date(2026, 1, 31)))
    invoices = invoices.exclude(status="cancelled")
    notes = CreditNote.objects.filter(issue_date__range=(dt.date(2026, 1, 1), dt.date(2026, 1, 31)))
    assert body["total"]["sales"] == str(sum(i.sales_amount for i in invoices))
    assert body["total"]["sales_tax"] == str(sum(i.tax_total for i in invoices))
    assert body["total"]["returns"] == str(sum(n.subtotal for n in notes))
    assert body["total"]["returns_tax"] == str(sum(n.tax_total for n in notes))
    # The accounting export books the same sales and tax per rate when it books sales on the
    # invoice date (on the shipment date it books the same documents' figures a month earlier or later).
    billing_services.billing_settings_update(user=make_user(Role.SALES_ADMIN), data={"sales_booking_basis": "invoice"})
    entries = journal_entries(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 1, 31))
    for row in body["rows"]:

        def taxed(kind, row=row):
            return [
                line
                for e in entries
                if e.kind == kind
                for line in e.lines
                if line.taxed == "sales" and line.rate == row["rate"]
            ]

        sales, returns = taxed("sale"), taxed("credit_note")
        assert row["sales"] == str(sum((line.amount - line.tax for line in sales), Decimal(0)))
        assert row["sales_tax"] == str(sum((line.tax for line in sales), Decimal(0)))
        assert row["returns"] == str(sum((line.amount - line.tax for line in returns), Decimal(0)))
        assert row["returns_tax"] == str(sum((line.tax for line in returns), Decimal(0)))


def test_a_document_counts_on_its_own_date(manager_api, documents):
    december = manager_api.get(URL, {"date_from": "2025-12-01", "date_to": "2025-12-31"}).json()
    february = manager_api.get(URL, {"date_from": "2026-02-01", "date_to": "2026-02-28"}).json()

    assert december["rows"][0]["sales"] == "3000" and december["total"]["returns"] == "0"
    assert february["rows"][0]["sales"] == "4000" and february["rows"][0]["tax"] == "400"


def test_csv_and_xlsx(admin_api, documents):
    response = admin_api.get(URL, {**JANUARY, "format": "csv"})

    assert response.status_code == 200
    assert 'filename="consumption_tax_20260101_20260131.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["税率", "売上金額（税抜）", "売上に係る消費税額"]
    assert rows[1] == ["10%", "6589", "658", "1500", "150", "5089", "508", "3", "2"]
    assert rows[2][0] == "8%（軽減税率）" and rows[2][6] == "401"
    assert rows[-1][0] == "合計" and rows[-1][6] == "909"
    sheet = load_workbook(io.BytesIO(admin_api.get(URL, {**JANUARY, "format": "xlsx"}).content)).active
    values = list(sheet.values)
    assert values[1][1:7] == (6589, 658, 1500, 150, 5089, 508)
    assert sheet.cell(row=2, column=2).number_format == "#,##0"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_from": "2026-02-01", "date_to": "2026-01-31"}, "date_to"),
        ({"date_from": "0089-01-01", "date_to": "0089-01-31"}, "date_from"),
    ],
)
def test_bad_dates_are_a_400_naming_the_field(manager_api, db, params, field):
    response = manager_api.get(URL, {**params, "format": "csv"})

    assert response.status_code == 400
    assert field in response.json()


def test_reps_may_not_read_it(rep_api, db):
    assert rep_api.get(URL, JANUARY).status_code == 403


def test_the_schema_documents_the_endpoint(admin_api, db):
    schema = admin_api.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/v1/reports/consumption-tax/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"date_from", "date_to", "format"}
    assert "400" in operation["responses"]
    assert "booked_on" in schema["components"]["schemas"]["ConsumptionTaxReport"]["properties"]
