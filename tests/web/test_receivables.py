"""Receivables on screen and over the API: the aging as it stood on a day (later invoices,
payments and credit notes left out; customers holding credit shown with it), the customer
ledger (売掛金元帳) with its running balance, and who may see what. Exact yen throughout."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from billing import ledger, services
from billing.models import CreditNote, Invoice
from billing.services import CreditLineInput
from tests.billing.conftest import ship
from tests.factories import CustomerFactory
from tests.web.pages import client_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def customer(company, rep_user):
    return CustomerFactory(
        code="C002",
        name="株式会社田中商店",
        name_kana="タナカシヨウテン",
        invoice_mode="per_shipment",
        sales_rep=rep_user,
    )


@pytest.fixture
def others(company, other_rep):
    return CustomerFactory(code="C003", name="株式会社佐藤工業", invoice_mode="per_shipment", sales_rep=other_rep)


@pytest.fixture
def history(admin_user, customer, others):
    """August: 14,240 invoiced, paid 13,800 with a 440 bank fee on 9/30. November: 22,000
    invoiced on the 10th, 25,000 received on the 20th (3,000 left as credit), a 1,100 price
    reduction on the 25th (all credit: the invoice was paid), 5,500 invoiced on the 28th and
    settled by that credit down to 1,400. The other rep's customer owes 5,500."""
    ship(admin_user, customer, [(10000, 10), (3000, 8)], dt.date(2026, 8, 10))
    pay(admin_user, customer, dt.date(2026, 9, 30), 13800, fee=440)
    ship(admin_user, customer, [(20000, 10)], dt.date(2026, 11, 10))
    pay(admin_user, customer, dt.date(2026, 11, 20), 25000)
    second = Invoice.objects.get(customer=customer, issue_date=dt.date(2026, 11, 10))
    services.credit_note_issue(
        invoice=second,
        kind="price_reduction",
        lines=[CreditLineInput(invoice_line=second.lines.get(), amount=Decimal(1000))],
        reason="値引",
        user=admin_user,
        issue_date=dt.date(2026, 11, 25),
    )
    ship(admin_user, customer, [(5000, 10)], dt.date(2026, 11, 28))
    ship(admin_user, others, [(5000, 10)], dt.date(2026, 11, 10))


def pay(user, customer, on, amount, fee=0):
    return services.payment_record(
        customer=customer, received_on=on, amount=Decimal(amount), bank_fee=Decimal(fee), user=user
    )


def test_the_ledger_runs_from_the_opening_to_the_closing_balance(history, customer):
    result = ledger.customer_ledger(customer=customer, date_from=dt.date(2026, 10, 1), date_to=dt.date(2026, 11, 30))

    assert result.opening_balance == 0  # 14,240 − 13,800 − 440
    rows = [(e.date, e.kind, e.number, e.charge, e.received, e.applied, e.balance) for e in result.entries]
    note = CreditNote.objects.get().number
    assert rows == [
        (dt.date(2026, 11, 10), "invoice", "INV-2026-000002", 22000, 0, 0, 22000),
        (dt.date(2026, 11, 20), "payment", "", 0, 25000, 0, -3000),
        (dt.date(2026, 11, 25), "credit_note", note, 0, 1100, 0, -4100),
        (dt.date(2026, 11, 28), "invoice", "INV-2026-000003", 5500, 0, 0, 1400),
        (dt.date(2026, 11, 28), "credit_use", "INV-2026-000003", 0, 0, 3000, 1400),
        (dt.date(2026, 11, 28), "credit_use", "INV-2026-000003", 0, 0, 1100, 1400),
    ]
    assert result.closing_balance == Decimal(1400)
    # invoices − payments − fees − credits, since the beginning
    assert result.closing_balance == (14240 + 22000 + 5500) - (13800 + 25000) - 440 - 1100


def test_the_bank_fee_is_its_own_ledger_line(history, customer):
    result = ledger.customer_ledger(customer=customer, date_from=dt.date(2026, 8, 1), date_to=dt.date(2026, 9, 30))

    assert [(e.date, e.kind, e.charge, e.received, e.balance) for e in result.entries] == [
        (dt.date(2026, 8, 10), "invoice", 14240, 0, 14240),
        (dt.date(2026, 9, 30), "payment", 0, 13800, 440),
        (dt.date(2026, 9, 30), "fee", 0, 440, 0),
    ]
    assert (result.opening_balance, result.closing_balance) == (0, 0)


@pytest.mark.parametrize(
    ("as_of", "buckets", "credit", "total"),
    [
        # before the payment of 9/30: August's invoice, due 9/30, not yet due
        (dt.date(2026, 9, 15), {"current": 14240}, 0, 14240),
        # 11/15: November's 22,000 is open; the payment of 11/20 has not come yet
        (dt.date(2026, 11, 15), {"current": 22000}, 0, 22000),
        # 11/22: paid, 3,000 over: the customer holds credit and still appears
        (dt.date(2026, 11, 22), {}, 3000, -3000),
        # 11/26: and the credit note of 11/25; the invoice of 11/28 not issued yet
        (dt.date(2026, 11, 26), {}, 4100, -4100),
        (dt.date(2026, 11, 30), {"current": 1400}, 0, 1400),
        (TODAY, {"current": 1400}, 0, 1400),
    ],
)
def test_the_aging_stands_on_its_day_and_equals_the_ledger(
    admin_user, history, customer, as_of, buckets, credit, total
):
    report = ledger.aging(user=admin_user, as_of=as_of)

    row = next(r for r in report.rows if r.customer == customer.pk)
    expected = {"current": 0, "days_30": 0, "days_60": 0, "days_90": 0, "days_90_plus": 0, **buckets}
    assert {name: getattr(row, name) for name in expected} == expected
    assert (row.credit, row.total) == (credit, total)
    book = ledger.customer_ledger(customer=customer, date_from=dt.date(2026, 1, 1), date_to=as_of)
    assert book.closing_balance == row.total


def test_overdue_amounts_fall_in_their_buckets(admin_user, history, others):
    report = ledger.aging(user=admin_user, as_of=dt.date(2027, 2, 15))  # a day to come: no corrections

    row = next(r for r in report.rows if r.customer == others.pk)
    assert (row.current, row.days_30, row.days_60) == (0, 0, 5500)  # due 12/30: 47 days late
    assert report.totals["total"] == 1400 + 5500


def test_the_receivables_page_the_downloads_and_who_sees_them(history, admin_user, manager_user, rep_user, customer):
    page = client_for(admin_user).get("/billing/receivables/", {"as_of": "2026-11-22"})

    assert page.status_code == 200
    text = page.content.decode()
    assert "株式会社田中商店" in text and "¥3,000" in text and "-¥3,000" in text
    assert "株式会社佐藤工業" in text and "¥5,500" in text
    rep_text = client_for(rep_user).get("/billing/receivables/", {"as_of": "2026-11-22"}).content.decode()
    assert "株式会社田中商店" in rep_text and "株式会社佐藤工業" not in rep_text

    csv = client_for(manager_user).get("/billing/receivables/", {"as_of": "2026-11-22", "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[1] == "C002,株式会社田中商店,0,0,0,0,0,3000,-3000"
    assert lines[2] == "C003,株式会社佐藤工業,5500,0,0,0,0,0,5500"

    xlsx = client_for(admin_user).get("/billing/receivables/", {"as_of": "2026-11-22", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert values[2][:2] == ("C002", "株式会社田中商店") and values[2][7:] == (3000, -3000)
    assert values[-1][-1] == 2500


def test_bad_as_of_is_named_on_the_form(admin_user):
    response = client_for(admin_user).get("/billing/receivables/", {"as_of": "1800-01-01"})

    assert response.status_code == 200
    assert "年" in response.content.decode() and "has-error" in response.content.decode()


def test_the_ledger_page_and_its_xlsx(history, admin_user, customer):
    client = client_for(admin_user)
    url = f"/billing/customers/{customer.pk}/ledger/"

    text = client.get(url, {"date_from": "2026-10-01", "date_to": "2026-11-30"}).content.decode()
    assert "INV-2026-000002" in text and "¥22,000" in text and "-¥4,100" in text and "¥1,400" in text

    xlsx = client.get(url, {"date_from": "2026-10-01", "date_to": "2026-11-30", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert rows[3][0] == dt.datetime(2026, 10, 1) and rows[3][-1] == 0  # opening balance
    assert rows[4][0] == dt.datetime(2026, 11, 10) and rows[4][3] == 22000
    assert rows[-1][-1] == 1400


def test_a_rep_reads_only_their_own_customers_ledger(history, rep_user, customer, others):
    client = client_for(rep_user)

    assert client.get(f"/billing/customers/{customer.pk}/ledger/").status_code == 200
    assert client.get(f"/billing/customers/{others.pk}/ledger/").status_code == 404


def test_the_ledger_api(history, admin_api, rep_api, customer, others):
    url = f"/api/v1/customers/{customer.pk}/ledger/"

    data = admin_api.get(url, {"date_from": "2026-10-01", "date_to": "2026-11-30"}).json()
    assert (data["customer_code"], data["opening_balance"], data["closing_balance"]) == ("C002", "0", "1400")
    assert [(e["kind"], e["charge"], e["received"], e["balance"]) for e in data["entries"][:3]] == [
        ("invoice", "22000", "0", "22000"),
        ("payment", "0", "25000", "-3000"),
        ("credit_note", "0", "1100", "-4100"),
    ]
    assert rep_api.get(url).status_code == 200
    assert rep_api.get(f"/api/v1/customers/{others.pk}/ledger/").status_code == 404

    bad = admin_api.get(url, {"date_from": "2026-13-01"})
    assert bad.status_code == 400 and "date_from" in str(bad.json())
    backwards = admin_api.get(url, {"date_from": "2026-11-30", "date_to": "2026-11-01"})
    assert backwards.status_code == 400 and "date_to" in str(backwards.json())


def test_the_receivables_api_stands_on_as_of(history, admin_api, customer):
    data = admin_api.get("/api/v1/reports/receivables/", {"as_of": "2026-11-15"}).json()

    mine = next(row for row in data["results"] if row["customer"] == customer.pk)
    assert (mine["current"], mine["credit"], mine["total"]) == ("22000", "0", "22000")
    assert data["totals"]["total"] == "27500"


def test_aging_and_ledger_query_counts_do_not_grow(admin_user, history, customer, django_assert_max_num_queries):
    client = client_for(admin_user)
    with django_assert_max_num_queries(12):
        client.get("/billing/receivables/", {"as_of": "2026-11-22"})
    with django_assert_max_num_queries(16):
        client.get(f"/billing/customers/{customer.pk}/ledger/", {"date_from": "2026-01-01"})


@pytest.mark.parametrize("as_of", [dt.date(2026, 9, 15), dt.date(2026, 11, 22), dt.date(2026, 11, 26), TODAY])
def test_the_dashboards_aging_totals_are_the_aging_reports(admin_user, rep_user, history, as_of):
    for user in (admin_user, rep_user):
        assert ledger.aging_totals(user=user, as_of=as_of) == ledger.aging(user=user, as_of=as_of).totals
    assert ledger.aging_totals(user=admin_user, as_of=dt.date(2026, 11, 22))["total"] == -3000 + 5500


def test_the_aging_reads_the_page_shown_with_its_totals(
    admin_user, history, customer, others, django_assert_num_queries
):
    report = ledger.aging(user=admin_user, as_of=dt.date(2026, 11, 22), rows=slice(1, 2))
    assert (len(report.rows), report.totals["credit"], report.totals["current"]) == (2, 3000, 5500)

    with django_assert_num_queries(0):  # the page asked for came with the totals
        page = report.rows[1:2]
    assert [(row.customer_code, row.current, row.credit, row.total) for row in page] == [("C003", 5500, 0, 5500)]
    with django_assert_num_queries(1):  # another one is read when asked for
        assert [row.customer_code for row in report.rows[0:1]] == ["C002"]
    with django_assert_num_queries(1):  # all of them, once
        assert [row.customer_code for row in report.rows] == ["C002", "C003"]
        assert report.rows[-1].customer == others.pk and report.rows[0].total == -3000


def test_the_receivables_page_pages_by_customer_code(admin_user, history, monkeypatch):
    monkeypatch.setattr("billing.views.receivables.PAGE_SIZE", 1)
    client = client_for(admin_user)

    for page in ("2", "99"):  # beyond the last: the last
        text = client.get("/billing/receivables/", {"as_of": "2026-11-22", "page": page}).content.decode()
        assert "株式会社佐藤工業" in text and "株式会社田中商店" not in text
        assert "¥2,500" in text  # the total balance of both: 5,500 − 3,000
    first = client.get("/billing/receivables/", {"as_of": "2026-11-22", "page": "x"}).content.decode()
    assert "株式会社田中商店" in first and "株式会社佐藤工業" not in first
