"""Payments and matching (入金消込): bank fee, partial, over, bad input, concurrency."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from backoffice.exceptions import InvalidInput, StateConflict
from billing import services
from billing.models import Allocation, Invoice, Payment
from billing.selectors import customer_balance
from billing.services import AllocationInput
from tests.billing.conftest import ship

pytestmark = pytest.mark.django_db

NOV_20 = dt.date(2026, 11, 20)


@pytest.fixture
def invoice(admin_user, per_shipment_customer):
    ship(admin_user, per_shipment_customer, [(10000, 10)], dt.date(2026, 11, 2))
    return Invoice.objects.get()  # 11,000


def pay(user, customer, amount, fee=0, allocations=None, **kwargs):
    return services.payment_record(
        customer=customer,
        received_on=NOV_20,
        amount=Decimal(amount),
        bank_fee=Decimal(fee),
        user=user,
        allocations=allocations,
        **kwargs,
    )


def test_payment_short_by_exactly_the_bank_fee_settles_and_records_the_fee(admin_user, per_shipment_customer, invoice):
    payment = pay(admin_user, per_shipment_customer, 10560, fee=440)

    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_amount, invoice.open_amount) == ("paid", Decimal(11000), 0)
    allocation = Allocation.objects.get()
    assert (allocation.amount, allocation.bank_fee) == (Decimal(10560), Decimal(440))
    assert (payment.allocated_amount, payment.allocated_fee, payment.unallocated_amount) == (10560, 440, 0)


def test_partial_payment_leaves_the_rest_open(admin_user, per_shipment_customer, invoice):
    pay(admin_user, per_shipment_customer, 4000)

    invoice.refresh_from_db()
    assert (invoice.status, invoice.open_amount) == ("partially_paid", Decimal(7000))
    assert customer_balance(per_shipment_customer) == Decimal(7000)


def test_oldest_invoice_first_and_overpayment_is_credit_for_the_next_invoice(
    admin_user, per_shipment_customer, invoice
):
    ship(admin_user, per_shipment_customer, [(2000, 10)], dt.date(2026, 11, 10))  # 2,200, due later
    payment = pay(admin_user, per_shipment_customer, 15000)

    assert [(a.invoice.number, a.amount) for a in payment.allocations.order_by("pk")] == [
        ("INV-2026-000001", Decimal(11000)),
        ("INV-2026-000002", Decimal(2200)),
    ]
    assert payment.unallocated_amount == Decimal(1800)
    assert customer_balance(per_shipment_customer) == Decimal(-1800)

    ship(admin_user, per_shipment_customer, [(3000, 10)], dt.date(2026, 11, 25))  # 3,300

    third = Invoice.objects.get(number="INV-2026-000003")
    assert (third.status, third.paid_amount, third.open_amount) == ("partially_paid", Decimal(1800), Decimal(1500))
    payment.refresh_from_db()
    assert payment.unallocated_amount == 0


def test_explicit_allocations(admin_user, per_shipment_customer, invoice):
    second_shipment = ship(admin_user, per_shipment_customer, [(2000, 10)], dt.date(2026, 11, 10))
    second = Invoice.objects.get(shipment_links__shipment=second_shipment)

    payment = pay(
        admin_user, per_shipment_customer, 2200, allocations=[AllocationInput(invoice=second, amount=Decimal(2200))]
    )

    second.refresh_from_db()
    invoice.refresh_from_db()
    assert (second.status, invoice.status) == ("paid", "issued")
    assert payment.unallocated_amount == 0


def test_overdue_is_derived_from_the_due_date(admin_user, per_shipment_customer, invoice, api_as):
    response = api_as(admin_user).get("/api/v1/invoices/", {"overdue": "true"})
    assert response.json()["count"] == 0  # due 2026-12-30

    Invoice.objects.filter(pk=invoice.pk).update(due_date=dt.date(2026, 11, 30))
    response = api_as(admin_user).get("/api/v1/invoices/", {"overdue": "true"})
    assert response.json()["count"] == 1
    assert response.json()["results"][0]["is_overdue"] is True


def _nothing_written(invoice):
    invoice.refresh_from_db()
    return not Payment.objects.exists() and not Allocation.objects.exists() and invoice.paid_amount == 0


def test_paying_a_cancelled_invoice_is_a_conflict(admin_user, per_shipment_customer, invoice):
    services.invoice_cancel(invoice=invoice, user=admin_user, reason="誤発行")

    with pytest.raises(StateConflict):
        pay(
            admin_user,
            per_shipment_customer,
            11000,
            allocations=[AllocationInput(invoice=invoice, amount=Decimal(11000))],
        )
    assert _nothing_written(invoice)


@pytest.mark.parametrize(
    ("amount", "fee", "field"),
    [
        (-100, 0, "amount"),
        (0, 0, "amount"),
        (Decimal("10.5"), 0, "amount"),
        (1000, 1001, "bank_fee"),
        (1000, -1, "bank_fee"),
    ],
)
def test_bad_amounts_are_refused_and_nothing_written(admin_user, per_shipment_customer, invoice, amount, fee, field):
    with pytest.raises(InvalidInput) as error:
        pay(admin_user, per_shipment_customer, amount, fee=fee)

    assert error.value.field == field
    assert _nothing_written(invoice)


@pytest.mark.parametrize(
    ("paid", "allocated", "field"),
    [
        (5000, 6000, "allocations"),  # more than the payment
        (20000, 11001, "allocations[0].amount"),  # more than the invoice's open amount
    ],
)
def test_allocating_too_much_is_refused(admin_user, per_shipment_customer, invoice, paid, allocated, field):
    with pytest.raises(InvalidInput) as error:
        pay(admin_user, per_shipment_customer, paid, allocations=[AllocationInput(invoice=invoice, amount=allocated)])

    assert error.value.field == field
    assert _nothing_written(invoice)


def test_allocating_another_customers_invoice_is_refused(admin_user, customer, invoice):
    with pytest.raises(InvalidInput):
        pay(admin_user, customer, 11000, allocations=[AllocationInput(invoice=invoice, amount=Decimal(11000))])
    assert _nothing_written(invoice)


def test_payment_in_the_future_is_refused(admin_user, per_shipment_customer, invoice):
    with pytest.raises(InvalidInput) as error:
        services.payment_record(
            customer=per_shipment_customer, received_on=dt.date(2026, 12, 2), amount=Decimal(100), user=admin_user
        )
    assert error.value.field == "received_on"


def test_allocate_later_uses_the_unallocated_credit(admin_user, per_shipment_customer, invoice):
    payment = pay(admin_user, per_shipment_customer, 3000, allocations=[])
    assert payment.unallocated_amount == 3000

    services.payment_allocate(payment=payment, user=admin_user)

    invoice.refresh_from_db()
    assert invoice.open_amount == Decimal(8000)
    with pytest.raises(StateConflict):
        services.payment_allocate(payment=payment, user=admin_user)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("explicit", [True, False])
def test_two_parallel_payments_never_over_settle_an_invoice(admin_user, per_shipment_customer, explicit):
    ship(admin_user, per_shipment_customer, [(10000, 10)], dt.date(2026, 11, 2))
    invoice = Invoice.objects.get()
    barrier = threading.Barrier(2)
    outcomes = []

    def worker():
        try:
            barrier.wait()
            allocations = [AllocationInput(invoice=invoice, amount=Decimal(8000))] if explicit else None
            pay(admin_user, per_shipment_customer, 8000, allocations=allocations)
            outcomes.append("ok")
        except (InvalidInput, StateConflict):
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    invoice.refresh_from_db()
    allocated = sum(a.amount + a.bank_fee for a in Allocation.objects.filter(invoice=invoice))
    assert invoice.paid_amount == allocated <= invoice.sales_total
    if explicit:
        assert sorted(outcomes) == ["ok", "refused"]
        assert invoice.paid_amount == Decimal(8000)
    else:
        assert outcomes == ["ok", "ok"]
        assert (invoice.paid_amount, invoice.status) == (Decimal(11000), "paid")
        assert sum(p.unallocated_amount for p in Payment.objects.all()) == Decimal(5000)
