"""The closing preview: what the run would invoice, per customer, written nowhere, and the
same figures the run then issues (exact yen), for a 20日締め and a 末締め customer."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.models import AuditEvent
from billing import services
from billing.closing_preview import closing_preview
from billing.models import BillingSettings, ClosingRun, Invoice
from documents.models import DocumentCounter, IssuedDocument
from tests.billing.conftest import ship
from tests.billing.credit_notes import price_reduction
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def figures(row_or_invoice):
    """The amounts as the preview row or the invoice states them."""
    item = row_or_invoice
    payments = item.payments if hasattr(item, "payments") else item.payments_received
    breakdown = (
        [(r.rate, r.subtotal, r.tax) for r in item.rates]
        if hasattr(item, "rates")
        else [(r["rate"], Decimal(r["subtotal"]), Decimal(r["tax"])) for r in item.tax_breakdown]
    )
    return {
        "period": (item.period_start, item.period_end),
        "previous_balance": item.previous_balance,
        "payments": payments,
        "credits": item.credits,
        "carried_over": item.carried_over,
        "sales": item.sales_amount,
        "tax": item.tax_total,
        "total": item.total,
        "due": item.due_date,
        "rates": breakdown,
    }


@pytest.fixture
def twentieth(company, rep_user):
    """20日締め翌月10日払い."""
    return CustomerFactory(code="C020", name="株式会社二十日商事", closing_day=20, payment_day=10, sales_rep=rep_user)


@pytest.fixture
def month_end(company, rep_user):
    """末締め翌月末払い."""
    return CustomerFactory(code="C031", name="株式会社月末工業", closing_day=31, sales_rep=rep_user)


def test_the_twentieth_preview_is_what_the_run_invoices(admin_user, twentieth, month_end):
    # October: 50,000 at 10% closed on 10/20 → 55,000; 20,000 paid and a 1,000 (+10%) reduction since
    ship(admin_user, twentieth, [(50000, 10)], dt.date(2026, 10, 15))
    services.closing_run(closing_date=dt.date(2026, 10, 20), user=admin_user)
    october = Invoice.objects.get(customer=twentieth)
    services.payment_record(
        customer=twentieth, received_on=dt.date(2026, 11, 2), amount=Decimal(20000), user=admin_user
    )
    price_reduction(admin_user, october, [(october.lines.get(), 1000)], issue_date=dt.date(2026, 11, 4))
    # this period: 10% and 8% lines, and one shipment after the closing date (next period)
    ship(admin_user, twentieth, [(1234, 10), (1111, 8)], dt.date(2026, 10, 25))
    ship(admin_user, twentieth, [(2345, 10), (777, 8)], dt.date(2026, 11, 20))
    ship(admin_user, twentieth, [(9999, 10)], dt.date(2026, 11, 21))
    ship(admin_user, month_end, [(5000, 10)], dt.date(2026, 11, 10))  # closes on 11/30, not today

    preview = closing_preview(closing_date=dt.date(2026, 11, 20))

    (row,) = preview.rows
    assert row.customer == twentieth
    assert row.shipment_count == 2
    assert figures(row) == {
        "period": (dt.date(2026, 10, 21), dt.date(2026, 11, 20)),
        "previous_balance": Decimal(55000),
        "payments": Decimal(20000),
        "credits": Decimal(1100),
        "carried_over": Decimal(33900),
        "sales": Decimal(5467),
        "tax": Decimal(508),  # 357 + 151, once per rate
        "total": Decimal(39875),
        "due": dt.date(2026, 12, 10),
        "rates": [(10, Decimal(3579), Decimal(357)), (8, Decimal(1888), Decimal(151))],
    }
    assert preview.totals["total"] == Decimal(39875)

    run = services.closing_run(closing_date=dt.date(2026, 11, 20), user=admin_user)

    invoice = Invoice.objects.get(closing_run=run)
    assert figures(invoice) == figures(row)


def test_the_month_end_preview_is_what_the_run_invoices(admin_user, twentieth, month_end):
    # 末締め: October closed on 10/31, paid in part in November, a return credited, 10% and 8%
    ship(admin_user, month_end, [(80000, 10), (20000, 8)], dt.date(2026, 10, 9))
    services.closing_run(closing_date=dt.date(2026, 10, 31), user=admin_user)
    october = Invoice.objects.get(customer=month_end)
    assert october.total == Decimal(109600)  # 80,000 + 8,000 + 20,000 + 1,600
    services.payment_record(
        customer=month_end, received_on=dt.date(2026, 11, 30), amount=Decimal(100000), user=admin_user
    )
    ten, eight = october.lines.order_by("position")
    price_reduction(admin_user, october, [(ten, 3000), (eight, 500)], issue_date=dt.date(2026, 11, 12))
    ship(admin_user, month_end, [(12345, 10), (6789, 8), (101, 10)], dt.date(2026, 11, 16))
    ship(admin_user, twentieth, [(5000, 10)], dt.date(2026, 11, 10))  # closes on 11/20, not on 11/30
    empty = CustomerFactory(code="C099", name="株式会社取引なし", closing_day=31)

    preview = closing_preview(closing_date=dt.date(2026, 11, 30))

    (row,) = preview.rows
    assert row.customer == month_end
    assert preview.nothing_to_bill == [empty]  # closes that day, nothing to invoice
    assert figures(row) == {
        "period": (dt.date(2026, 11, 1), dt.date(2026, 11, 30)),
        "previous_balance": Decimal(109600),
        "payments": Decimal(100000),
        "credits": Decimal(3840),  # 3,000 + 300 and 500 + 40
        "carried_over": Decimal(5760),
        "sales": Decimal(19235),
        "tax": Decimal(1787),  # 12,446 → 1,244 and 6,789 → 543
        "total": Decimal(26782),
        "due": dt.date(2026, 12, 30),  # 12/31 is a bank holiday: the previous business day
        "rates": [(10, Decimal(12446), Decimal(1244)), (8, Decimal(6789), Decimal(543))],
    }

    services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)

    invoice = Invoice.objects.get(customer=month_end, period_end=dt.date(2026, 11, 30))
    assert figures(invoice) == figures(row)
    # after the run the preview shows the invoice made, and nothing left to invoice
    again = closing_preview(closing_date=dt.date(2026, 11, 30))
    assert again.to_invoice == []
    assert [(r.customer, r.existing, r.total) for r in again.already_invoiced] == [(month_end, invoice, Decimal(26782))]
    assert again.run == ClosingRun.objects.get(closing_date=dt.date(2026, 11, 30))


def test_the_preview_writes_nothing(admin_user, month_end):
    ship(admin_user, month_end, [(1000, 10)], dt.date(2026, 11, 5))
    tables = (Invoice, IssuedDocument, DocumentCounter, BillingSettings, ClosingRun, AuditEvent)
    before = [model.objects.count() for model in tables]

    with CaptureQueriesContext(connection) as queries:
        preview = closing_preview(closing_date=dt.date(2026, 11, 30))

    assert [row.total for row in preview.rows] == [Decimal(1100)]
    assert [model.objects.count() for model in tables] == before
    written = [
        q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE"))
    ]
    assert written == []


def test_the_preview_takes_the_same_number_of_queries_for_any_number_of_customers(admin_user, company):
    def customers(count):
        for _index in range(count):
            customer = CustomerFactory(closing_day=31)
            ship(admin_user, customer, [(1000, 10), (500, 8)], dt.date(2026, 11, 5))

    customers(2)
    with CaptureQueriesContext(connection) as few:
        assert len(closing_preview(closing_date=dt.date(2026, 11, 30)).rows) == 2
    customers(6)
    with CaptureQueriesContext(connection) as many:
        assert len(closing_preview(closing_date=dt.date(2026, 11, 30)).rows) == 8

    assert len(many) == len(few)
    assert len(few) <= 12


def test_a_date_nobody_closes_on_previews_nobody(admin_user, month_end):
    preview = closing_preview(closing_date=dt.date(2026, 11, 29))

    assert (preview.closing_days, preview.rows, preview.nothing_to_bill) == ([], [], [])
