"""The invoice screens: search, the 入金予定表 totals per day and week, the invoice page, the
請求一覧, and who sees what."""

import datetime as dt

import pytest

from billing import services
from billing.models import Invoice
from tests.billing.conftest import ship
from tests.factories import CustomerFactory
from tests.web.pages import client_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def invoices(company, admin_user, rep_user, other_rep):
    """Per-shipment customers (末締め翌月末払い, due dates move to the previous business day):
    August 14,240 due 9/30 (overdue); November 22,000 and 5,500 due 12/30 (a Wednesday);
    October 3,300 due 11/30, paid."""
    mine = CustomerFactory(
        code="C002",
        name="株式会社田中商店",
        name_kana="タナカシヨウテン",
        invoice_mode="per_shipment",
        sales_rep=rep_user,
    )
    other = CustomerFactory(code="C003", name="株式会社佐藤工業", invoice_mode="per_shipment", sales_rep=other_rep)
    ship(admin_user, mine, [(10000, 10), (3000, 8)], dt.date(2026, 8, 10))
    ship(admin_user, mine, [(3000, 10)], dt.date(2026, 10, 5))
    ship(admin_user, mine, [(20000, 10)], dt.date(2026, 11, 10))
    ship(admin_user, other, [(5000, 10)], dt.date(2026, 11, 12))
    october = Invoice.objects.get(issue_date=dt.date(2026, 10, 5))
    services.payment_record(
        customer=mine,
        received_on=dt.date(2026, 11, 30),
        amount=october.sales_total,
        user=admin_user,
        allocations=[services.AllocationInput(invoice=october, amount=october.sales_total)],
    )
    return {"mine": mine, "other": other}


def test_the_payment_schedule_totals_per_day_and_week(invoices, admin_user):
    response = client_for(admin_user).get("/billing/invoices/", {"view": "schedule"})

    assert response.status_code == 200
    rows = response.context["rows"]
    summary = [(kind, row.number if kind == "invoice" else (row.start, row.count, row.amount)) for kind, row in rows]
    assert summary == [
        ("invoice", "INV-2026-000001"),
        ("day", (dt.date(2026, 9, 30), 1, 14240)),
        ("week", (dt.date(2026, 9, 28), 1, 14240)),
        ("invoice", "INV-2026-000003"),
        ("invoice", "INV-2026-000004"),
        ("day", (dt.date(2026, 12, 30), 2, 27500)),
        ("week", (dt.date(2026, 12, 28), 2, 27500)),
    ]
    assert response.context["schedule_total"] == 41740
    text = response.content.decode()
    assert "¥41,740" in text and "¥27,500" in text and "badge-danger" in text  # 9/30 is overdue


def test_filters_by_customer_kana_status_and_due_date(invoices, admin_user):
    client = client_for(admin_user)

    def numbers(**params):
        return [i.number for i in client.get("/billing/invoices/", params).context["invoices"]]

    assert numbers(customer="たなか") == ["INV-2026-000003", "INV-2026-000002", "INV-2026-000001"]
    assert numbers(customer="ｻﾄｳ") == [] and numbers(customer="佐藤") == ["INV-2026-000004"]
    assert numbers(status="paid") == ["INV-2026-000002"]
    assert numbers(overdue="on") == ["INV-2026-000001"]
    assert numbers(due_from="2026-12-01", due_to="2026-12-31") == ["INV-2026-000004", "INV-2026-000003"]
    assert numbers(issued_from="2026-11-11") == ["INV-2026-000004"]


def test_a_backwards_range_is_refused_next_to_the_field(invoices, admin_user):
    response = client_for(admin_user).get("/billing/invoices/", {"due_from": "2026-12-31", "due_to": "2026-12-01"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"due_to": ["終了日が開始日より前です。"]}
    text = response.content.decode()
    assert 'value="2026-12-31"' in text and "終了日が開始日より前です。" in text


def test_a_rep_sees_only_their_customers_invoices_read_only(invoices, rep_user):
    client = client_for(rep_user)

    listed = client.get("/billing/invoices/")
    assert {i.customer.code for i in listed.context["invoices"]} == {"C002"}
    assert "/billing/payments/new/" not in listed.content.decode()
    theirs = Invoice.objects.get(customer=invoices["other"])
    assert client.get(f"/billing/invoices/{theirs.pk}/").status_code == 404
    mine = Invoice.objects.get(number="INV-2026-000001")
    page = client.get(f"/billing/invoices/{mine.pk}/")
    assert page.status_code == 200 and "/billing/payments/new/" not in page.content.decode()
    assert client.get("/billing/invoices/99999999999999999999/").status_code == 404


def test_the_invoice_page(invoices, admin_user, manager_user):
    invoice = Invoice.objects.get(number="INV-2026-000002")

    page = client_for(admin_user).get(f"/billing/invoices/{invoice.pk}/")
    text = page.content.decode()
    assert "¥3,300" in text and "2026/11/30" in text  # the payment matched
    assert "10%" in text and "¥300" in text  # tax per rate
    assert "支払済" in text or "入金済" in text  # status badge (existing translation)
    assert [row["label"] for row in page.context["history"]][-1] == Invoice.Status.PAID.label
    assert f"/billing/payments/new/?customer={invoice.customer_id}" not in text  # nothing open
    manager_page = client_for(manager_user).get(f"/billing/invoices/{invoice.pk}/")
    assert manager_page.status_code == 200 and "/billing/payments/new/" not in manager_page.content.decode()


def test_the_printable_invoice_list(invoices, manager_user):
    page = client_for(manager_user).get(
        "/billing/invoices/print/", {"date_from": "2026-10-01", "date_to": "2026-11-30"}
    )

    assert [i.number for i in page.context["invoices"]] == ["INV-2026-000002", "INV-2026-000003", "INV-2026-000004"]
    assert page.context["totals"]["total"] == 3300 + 22000 + 5500
    assert "¥30,800" in page.content.decode()
    missing = client_for(manager_user).get("/billing/invoices/print/", {"date_from": "2026-10-01"})
    assert "date_to" in missing.context["form"].errors


def test_invoice_lists_query_counts_do_not_grow(invoices, admin_user, django_assert_max_num_queries):
    client = client_for(admin_user)
    for params in ({}, {"view": "schedule"}, {"customer": "たなか"}):
        with django_assert_max_num_queries(10):
            client.get("/billing/invoices/", params)
    with django_assert_max_num_queries(10):
        client.get("/billing/invoices/print/", {"date_from": "2026-01-01", "date_to": "2026-11-30"})
    invoice = Invoice.objects.get(number="INV-2026-000002")
    with django_assert_max_num_queries(14):
        client.get(f"/billing/invoices/{invoice.pk}/")
