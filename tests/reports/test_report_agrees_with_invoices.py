"""Issue #12 item 11: a tax-inclusive (内税) customer's sales in the report agree with the
invoices and the journal to the yen. Tax is extracted once per rate per document (the
invoice, the consolidated invoice over its period, the credit note), never per line."""

import datetime as dt
from decimal import Decimal

import pytest

from backoffice.roles import Role
from billing import services as billing_services
from billing.journal import journal_entries
from billing.models import Invoice
from billing.services import CreditLineInput
from tests.billing.conftest import ship
from tests.factories import CustomerFactory, make_user

pytestmark = pytest.mark.django_db

JANUARY = {"date_from": "2026-01-01", "date_to": "2026-01-31"}


@pytest.fixture
def per_shipment(company, rep_user):
    return CustomerFactory(
        code="C101", name="内税商店", sales_rep=rep_user, tax_mode="inclusive", invoice_mode="per_shipment"
    )


@pytest.fixture
def consolidated(company, rep_user):
    return CustomerFactory(code="C102", name="内税百貨店", sales_rep=rep_user, tax_mode="inclusive")


def _report(api, **params) -> dict:
    response = api.get("/api/v1/reports/sales/", {**JANUARY, **params})
    assert response.status_code == 200, response.json()
    return response.json()


def _journal_sales(number: str) -> tuple[Decimal, Decimal]:
    """(net, tax) the journal books for one invoice or credit note, sales booked on the
    invoice date (the company setting; by default they are booked when goods ship)."""
    billing_services.billing_settings_update(user=make_user(Role.SALES_ADMIN), data={"sales_booking_basis": "invoice"})
    entries = journal_entries(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 1, 31))
    lines = [
        line
        for e in entries
        if e.number == number
        for line in e.lines
        if line.account in ("account.sales", "account.sales_returns")
    ]
    assert lines
    return sum((line.amount - line.tax for line in lines), Decimal(0)), sum((line.tax for line in lines), Decimal(0))


def test_per_shipment_invoice_and_credit_note_agree_with_the_report(manager_api, admin_user, per_shipment):
    # 10%: 1,700 + 5,200 + 2,900 = 9,800 → tax 890; 8%: 4,500 + 3,300 + 2,900 = 10,700 → tax 792.
    # Extracting per line (and rounding half up) gave 1,684; the invoice says 1,682.
    ship(
        admin_user,
        per_shipment,
        [(1700, 10), (5200, 10), (2900, 10), (4500, 8), (3300, 8), (2900, 8)],
        dt.date(2026, 1, 14),
    )
    invoice = Invoice.objects.get(customer=per_shipment)
    assert (invoice.sales_amount, invoice.tax_total, invoice.sales_total) == (18818, 1682, 20500)
    assert _journal_sales(invoice.number) == (Decimal(18818), Decimal(1682))

    report = _report(manager_api, group_by="customer")
    assert [(row["key"], row["amount"]) for row in report["rows"]] == [(str(per_shipment.pk), "18818")]
    assert Decimal(20500) - Decimal(report["total"]["amount"]) == invoice.tax_total

    # A price reduction of 1,106 on two 10% lines: 2,212 → tax 201 once on the note (202 per line).
    lines = list(invoice.lines.order_by("position"))
    note = billing_services.credit_note_issue(
        invoice=invoice,
        kind="price_reduction",
        lines=[
            CreditLineInput(invoice_line=lines[1], amount=Decimal(1106)),
            CreditLineInput(invoice_line=lines[2], amount=Decimal(1106)),
        ],
        reason="値引",
        user=admin_user,
        issue_date=dt.date(2026, 1, 20),
    )
    assert (note.subtotal, note.tax_total, note.total) == (2011, 201, 2212)
    assert _journal_sales(note.number) == (Decimal(2011), Decimal(201))

    by_day = _report(manager_api, group_by="day")
    assert [(row["key"], row["amount"]) for row in by_day["rows"]] == [("2026-01-14", "18818"), ("2026-01-20", "-2011")]
    assert by_day["total"]["amount"] == "16807"  # 18,818 − 2,011, as the invoice and the credit note state


def test_consolidated_invoice_restates_the_delivery_notes_and_agrees_with_the_report(
    manager_api, admin_user, consolidated
):
    first = ship(admin_user, consolidated, [(7200, 10), (5800, 10), (3658, 8)], dt.date(2026, 1, 5))
    second = ship(admin_user, consolidated, [(3393, 10), (8340, 8), (5818, 8)], dt.date(2026, 1, 12))
    # Until the closing, each line is what its delivery note states (tax once per note).
    assert (first.subtotal + second.subtotal, first.tax_total + second.tax_total) == (31402, 2807)
    assert _report(manager_api, group_by="customer")["total"]["amount"] == "31402"

    billing_services.closing_run(closing_date=dt.date(2026, 1, 31), user=admin_user)

    # The 合計請求書 extracts once per rate over the period: 10% 16,393 → 1,490; 8% 17,816 → 1,319.
    invoice = Invoice.objects.get(customer=consolidated)
    assert (invoice.sales_amount, invoice.tax_total, invoice.sales_total) == (31400, 2809, 34209)
    assert _journal_sales(invoice.number) == (Decimal(31400), Decimal(2809))
    for group_by in ("customer", "day", "rep,day"):
        report = _report(manager_api, group_by=group_by)
        assert report["total"]["amount"] == "31400", group_by
        assert sum(Decimal(row["amount"]) for row in report["rows"]) == Decimal(31400), group_by
    by_day = _report(manager_api, group_by="day")
    assert [row["key"] for row in by_day["rows"]] == ["2026-01-05", "2026-01-12"]
    assert Decimal(34209) - Decimal(by_day["total"]["amount"]) == invoice.tax_total == 2809
