"""Qualified invoices: per shipment as the goods leave, tax once per rate, due dates."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from backoffice.exceptions import NotAllowed, StateConflict
from backoffice.models import CompanyProfile
from backoffice.status import status_history
from billing import services
from billing.models import Invoice, InvoiceShipment
from documents.models import IssuedDocument
from orders import services as order_services
from orders.models import Order
from orders.services import LineInput
from tests.billing.conftest import ship
from tests.factories import ProductFactory, stock

pytestmark = pytest.mark.django_db


def test_per_shipment_customer_gets_the_invoice_as_the_goods_leave(admin_user, per_shipment_customer):
    shipment = ship(
        admin_user, per_shipment_customer, [(1234, 10), (2345, 10), (1111, 8), (777, 8)], dt.date(2026, 11, 20)
    )

    invoice = Invoice.objects.get(customer=per_shipment_customer)
    assert invoice.kind == "per_shipment"
    assert invoice.issue_date == dt.date(2026, 11, 20)
    # FIELD-NOTES: 10% 3,579 → 357, 8% 1,888 → 151; tax once per rate = 508 (per line would be 507)
    assert invoice.tax_breakdown == [
        {"rate": 10, "subtotal": "3579", "tax": "357"},
        {"rate": 8, "subtotal": "1888", "tax": "151"},
    ]
    assert (invoice.sales_amount, invoice.tax_total, invoice.total) == (Decimal(5467), Decimal(508), Decimal(5975))
    assert invoice.status == "issued"
    # 末締め翌月末払い from the invoice date: 12/31 is a bank holiday → 12/30
    assert invoice.due_date == dt.date(2026, 12, 30)
    shipment.refresh_from_db()
    assert shipment.invoiced is True
    assert shipment.order.status == Order.Status.INVOICED
    document = IssuedDocument.objects.get(pk=invoice.document_id)
    assert document.kind == "invoice" and document.number == invoice.number == "INV-2026-000001"
    assert document.data["document"]["extra"]["due_date"] == "2026-12-30"
    assert [line.description for line in invoice.lines.all()] == ["作業1", "作業2", "作業3", "作業4"]


def test_ship_and_bill_reads_the_company_profile_once_and_its_queries_do_not_grow(
    admin_user, per_shipment_customer, warehouse, django_assert_max_num_queries
):
    shipments = []
    for count in (1, 3, 6):
        products = [ProductFactory() for _ in range(count)]
        for product in products:
            stock(product, warehouse, 5, user=admin_user)
        order = order_services.order_create(
            user=admin_user,
            data={"customer": per_shipment_customer, "order_date": dt.date(2026, 11, 20)},
            lines=[LineInput(product=product, quantity=2) for product in products],
        )
        order_services.order_confirm(order=order, user=admin_user)
        shipments.append(order_services.shipment_create(order=order, user=admin_user))

    first, *others = shipments  # the first shipping of the year creates the DN and INV counters
    services.shipment_ship_and_bill(shipment=first, user=admin_user, shipped_on=dt.date(2026, 11, 20))
    for shipment in others:
        # 42 measured on SQLite (its savepoint included): the 納品書 and the 請求書 print
        # the profile read once, and each step's status and audit events go in one INSERT;
        # each of the two documents reads its kind's prefix for the year (NumberPrefix).
        with django_assert_max_num_queries(42) as captured:
            services.shipment_ship_and_bill(shipment=shipment, user=admin_user, shipped_on=dt.date(2026, 11, 20))
        assert sum('FROM "backoffice_companyprofile"' in query["sql"] for query in captured.captured_queries) == 1

    assert Invoice.objects.filter(customer=per_shipment_customer).count() == 3
    assert set(Order.objects.values_list("status", flat=True)) == {Order.Status.INVOICED}


def test_consolidated_customer_is_not_invoiced_per_shipment(admin_user, customer):
    shipment = ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 20))

    assert not Invoice.objects.exists()
    shipment.refresh_from_db()
    assert shipment.invoiced is False
    assert shipment.order.status == Order.Status.SHIPPED


def test_tax_inclusive_customer_gets_tax_extracted_once_per_rate(admin_user, per_shipment_customer):
    per_shipment_customer.tax_mode = "inclusive"
    per_shipment_customer.save()

    ship(admin_user, per_shipment_customer, [(1850, 8), (1850, 8)], dt.date(2026, 11, 20))

    invoice = Invoice.objects.get()
    # 8% total 3,700 × 8/108 = 274.07 → 274
    assert invoice.tax_breakdown == [{"rate": 8, "subtotal": "3426", "tax": "274"}]
    assert invoice.total == Decimal(3700)


def test_a_shipment_is_invoiced_at_most_once(admin_user, per_shipment_customer):
    shipment = ship(admin_user, per_shipment_customer, [(1000, 10)], dt.date(2026, 11, 20))

    with pytest.raises(StateConflict):
        services.invoice_issue_for_shipment(shipment=shipment, user=admin_user)

    other = Invoice.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        InvoiceShipment.objects.create(invoice=other, shipment=shipment)
    assert Invoice.objects.count() == 1


def test_admin_issues_the_invoice_of_a_shipment_by_hand(admin_user, customer):
    shipment = ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 20))

    invoice = services.invoice_issue_for_shipment(shipment=shipment, user=admin_user, issue_date=dt.date(2026, 11, 25))

    assert invoice.issue_date == dt.date(2026, 11, 25)
    assert invoice.total == Decimal(1100)


def test_only_sales_admins_issue_invoices(admin_user, rep_user, customer):
    shipment = ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 20))

    with pytest.raises(NotAllowed):
        services.invoice_issue_for_shipment(shipment=shipment, user=rep_user)
    assert not Invoice.objects.exists()


@pytest.mark.parametrize(("rule", "expected"), [("previous", dt.date(2027, 1, 8)), ("next", dt.date(2027, 1, 12))])
def test_due_date_two_months_later_on_the_10th_moves_off_the_holidays(admin_user, customer, rule, expected):
    CompanyProfile.objects.update(holiday_rule=rule)
    customer.payment_month_offset, customer.payment_day = 2, 10
    customer.save()
    ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 10))

    services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)

    # 2027-01-10 is a Sunday and 01-11 成人の日
    assert Invoice.objects.get().due_date == expected


def test_month_end_closing_due_next_month_end_with_the_next_business_day_rule(admin_user, customer):
    CompanyProfile.objects.update(holiday_rule="next")
    ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 10))

    services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)

    assert Invoice.objects.get().due_date == dt.date(2027, 1, 4)


def test_cancelled_invoice_frees_its_shipment(admin_user, per_shipment_customer):
    shipment = ship(admin_user, per_shipment_customer, [(1000, 10)], dt.date(2026, 11, 20))
    invoice = Invoice.objects.get()

    services.invoice_cancel(invoice=invoice, user=admin_user, reason="宛先誤り")

    invoice.refresh_from_db()
    shipment.refresh_from_db()
    assert invoice.status == "cancelled" and invoice.open_amount == 0
    assert shipment.invoiced is False
    order = shipment.order
    order.refresh_from_db()
    assert order.status == "shipped"  # back to billing, with its history
    assert list(status_history(order).values_list("from_status", "to_status"))[-2:] == [
        ("shipped", "invoiced"),
        ("invoiced", "shipped"),
    ]
    again = services.invoice_issue_for_shipment(shipment=shipment, user=admin_user)
    assert again.number == "INV-2026-000002"
    order.refresh_from_db()
    assert order.status == "invoiced"
