"""The closing run (締め処理) and the 合計請求書."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.exceptions import InvalidInput
from billing import services
from billing.models import BillingSettings, ClosingRun, Invoice, Payment
from documents.models import IssuedDocument
from orders import services as order_services
from orders.models import Order, Shipment
from tests.billing.conftest import ship
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_consolidated_invoice_arithmetic_over_two_closings(admin_user, customer):
    # October: 100,000 at 10% → 110,000 billed at the October closing
    ship(admin_user, customer, [(100000, 10)], dt.date(2026, 10, 15))
    october_run = services.closing_run(closing_date=dt.date(2026, 10, 31), user=admin_user)
    october = Invoice.objects.get(period_end=dt.date(2026, 10, 31))
    assert october_run.invoices_created == 1
    assert (october.previous_balance, october.carried_over, october.total) == (0, 0, Decimal(110000))
    assert october.due_date == dt.date(2026, 11, 30)
    # November: 100,000 paid, two deliveries
    services.payment_record(
        customer=customer, received_on=dt.date(2026, 11, 25), amount=Decimal(100000), user=admin_user
    )
    first = ship(admin_user, customer, [(1234, 10), (1111, 8)], dt.date(2026, 11, 5))
    second = ship(admin_user, customer, [(2345, 10), (777, 8)], dt.date(2026, 11, 20))

    services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)

    november = Invoice.objects.get(period_end=dt.date(2026, 11, 30))
    assert november.kind == "consolidated"
    assert (november.period_start, november.issue_date) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert november.previous_balance == Decimal(110000)  # 前回御請求額
    assert november.payments_received == Decimal(100000)  # ご入金額
    assert november.carried_over == Decimal(10000)  # 繰越金額
    assert november.sales_amount == Decimal(5467)  # 今回売上額
    assert november.tax_total == Decimal(508)  # 消費税額, once per rate over the whole period
    assert november.total == Decimal(15975)  # 今回御請求額 = 10,000 + 5,467 + 508
    assert november.tax_breakdown == [
        {"rate": 10, "subtotal": "3579", "tax": "357"},
        {"rate": 8, "subtotal": "1888", "tax": "151"},
    ]
    assert november.due_date == dt.date(2026, 12, 30)
    extra = IssuedDocument.objects.get(pk=november.document_id).data["document"]["extra"]
    assert extra["delivery_notes"] == [
        {"number": first.number, "date": "2026-11-05", "amount": "2345"},
        {"number": second.number, "date": "2026-11-20", "amount": "3122"},
    ]
    assert (extra["previous_balance"], extra["payments"], extra["carried_over"]) == ("110000", "100000", "10000")
    october.refresh_from_db()
    assert (october.status, october.open_amount) == ("partially_paid", Decimal(10000))
    assert set(Shipment.objects.values_list("invoiced", flat=True)) == {True}
    assert set(Order.objects.values_list("status", flat=True)) == {"invoiced"}
    assert Payment.objects.get().reported_on == november


def test_running_the_same_closing_again_creates_nothing(admin_user, customer):
    ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 5))
    services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)
    counts = (Invoice.objects.count(), IssuedDocument.objects.count())

    run = services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)

    assert (Invoice.objects.count(), IssuedDocument.objects.count()) == counts
    assert (run.status, run.invoices_created, run.customers_total) == ("done", 1, 1)
    assert ClosingRun.objects.count() == 1


def test_closing_takes_only_customers_closing_that_day(admin_user, customer):
    twentieth = CustomerFactory(closing_day=20)
    per_shipment = CustomerFactory(invoice_mode="per_shipment")
    for who in (customer, twentieth, per_shipment):
        ship(admin_user, who, [(1000, 10)], dt.date(2026, 11, 5))

    services.closing_run(closing_date=dt.date(2026, 11, 20), user=admin_user)

    assert list(Invoice.objects.filter(kind="consolidated").values_list("customer", flat=True)) == [twentieth.pk]
    assert Invoice.objects.get(customer=twentieth).period_start == dt.date(2026, 10, 21)


def test_month_end_closing_day_closes_on_the_last_day_of_a_short_month():
    assert services.closing_days_for(dt.date(2027, 2, 28)) == [28, 31]
    assert services.closing_days_for(dt.date(2026, 11, 30)) == [31]
    assert services.closing_days_for(dt.date(2026, 11, 29)) == []


def test_closed_period_refuses_back_dated_shipping(admin_user, customer):
    ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 5))
    services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)
    order = order_services.order_create(
        user=admin_user,
        data={"customer": customer, "order_date": dt.date(2026, 11, 20)},
        lines=[order_services.LineInput(quantity=1, description="追加作業", unit_price=Decimal(500), tax_rate=10)],
    )
    order_services.order_confirm(order=order, user=admin_user)
    shipment = order_services.shipment_create(order=order, user=admin_user)

    with pytest.raises(InvalidInput) as error:
        services.shipment_ship_and_bill(shipment=shipment, user=admin_user, shipped_on=dt.date(2026, 11, 28))

    assert error.value.field == "shipped_on"
    shipment.refresh_from_db()
    assert shipment.status == "draft"
    # After the closing date it ships, and waits for the December closing
    services.shipment_ship_and_bill(shipment=shipment, user=admin_user, shipped_on=dt.date(2026, 12, 1))


def test_closing_date_in_the_future_is_refused_and_nothing_written(admin_user, customer):
    with pytest.raises(InvalidInput) as error:
        services.closing_run(closing_date=dt.date(2026, 12, 31), user=admin_user)

    assert error.value.field == "closing_date"
    assert not ClosingRun.objects.exists()


def test_statement_invoice_for_a_balance_without_sales_when_the_setting_asks(admin_user, customer):
    ship(admin_user, customer, [(10000, 10)], dt.date(2026, 10, 15))
    services.closing_run(closing_date=dt.date(2026, 10, 31), user=admin_user)
    services.payment_record(customer=customer, received_on=dt.date(2026, 11, 10), amount=Decimal(4000), user=admin_user)

    services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)
    assert Invoice.objects.count() == 1  # the setting is off by default

    BillingSettings.objects.update_or_create(
        pk=services.billing_settings().pk, defaults={"statement_without_sales": True}
    )
    services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)

    statement = Invoice.objects.get(period_end=dt.date(2026, 11, 30))
    assert (statement.previous_balance, statement.payments_received, statement.carried_over) == (11000, 4000, 7000)
    assert (statement.sales_total, statement.total, statement.status) == (0, Decimal(7000), "paid")


def test_closing_queries_do_not_grow_with_shipments(admin_user, customer, django_assert_num_queries):
    warm_up = CustomerFactory(closing_day=10)
    few = CustomerFactory(closing_day=20)
    ship(admin_user, warm_up, [(1000, 10)], dt.date(2026, 11, 2))
    for day in (3, 4):
        ship(admin_user, few, [(1000, 10), (500, 8)], dt.date(2026, 11, day))
    for day in range(1, 9):
        ship(admin_user, customer, [(1000, 10), (500, 8), (300, 0)], dt.date(2026, 11, day))
    services.closing_run(closing_date=dt.date(2026, 11, 10), user=admin_user)

    with CaptureQueriesContext(connection) as two_shipments:
        services.closing_run(closing_date=dt.date(2026, 11, 20), user=admin_user)
    with django_assert_num_queries(len(two_shipments)):
        services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)

    assert Invoice.objects.get(customer=customer).lines.count() == 24


def test_closing_batches_many_customers_with_a_fixed_number_of_queries(admin_user, company):
    customers = [CustomerFactory() for _ in range(4)]
    for who in customers:
        ship(admin_user, who, [(1000, 10)], dt.date(2026, 11, 2))
    with CaptureQueriesContext(connection) as captured:
        run = services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user, batch_size=2)
    per_invoice = [
        q for q in captured.captured_queries if "documents_issueddocument" in q["sql"] and "INSERT" in q["sql"]
    ]
    assert run.invoices_created == 4 and len(per_invoice) == 4


def test_management_command_runs_the_closing(admin_user, customer, capsys):
    ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 5))

    call_command("run_closing", "2026-11-30", "--user", admin_user.username)

    assert "1 invoices created" in capsys.readouterr().out
    assert Invoice.objects.count() == 1


def test_celery_task_runs_the_closing(admin_user, customer):
    from billing.tasks import run_closing

    ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 5))

    result = run_closing.apply(args=["2026-11-30", admin_user.pk]).get()

    assert result == {"closing_date": "2026-11-30", "status": "done", "invoices_created": 1}
