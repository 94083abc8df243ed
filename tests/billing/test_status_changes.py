"""Invoices, closing runs and bank statement lines change status through the one status
machine (backoffice.status): each move is in the model's map, leaves a StatusEvent and an
audit event, and many invoices settled at once move in bulk."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice.exceptions import StateConflict
from backoffice.models import AuditEvent, StatusEvent
from backoffice.status import status_history
from billing import services
from billing.models import BankStatementImport, BankStatementLine, ClosingRun, Invoice
from tests.billing.conftest import ship

pytestmark = pytest.mark.django_db


def moves(obj) -> list[tuple[str, str]]:
    return list(status_history(obj).values_list("from_status", "to_status"))


def test_a_cancelled_invoice_keeps_the_reason_in_its_history(admin_user, per_shipment_customer):
    ship(admin_user, per_shipment_customer, [(1000, 10)], dt.date(2026, 11, 20))
    invoice = Invoice.objects.get()

    services.invoice_cancel(invoice=invoice, user=admin_user, reason="宛先誤り")

    event = status_history(invoice).get()
    assert (event.from_status, event.to_status, event.comment, event.actor) == (
        "issued",
        "cancelled",
        "宛先誤り",
        admin_user,
    )
    assert AuditEvent.objects.get(action="invoice.cancelled").changes["comment"] == "宛先誤り"
    with pytest.raises(StateConflict):
        services.invoice_cancel(invoice=invoice, user=admin_user, reason="again")
    assert status_history(invoice).count() == 1


def _invoices(user, customer, count):
    for day in range(1, count + 1):
        ship(user, customer, [(10000, 10)], dt.date(2026, 11, day))  # 11,000 each
    return list(Invoice.objects.filter(customer=customer).order_by("pk"))


def _pay(user, customer, amount):
    services.payment_record(customer=customer, received_on=dt.date(2026, 11, 20), amount=Decimal(amount), user=user)


def test_a_payment_over_many_invoices_moves_them_in_bulk(admin_user, per_shipment_customer):
    first, second, third = _invoices(admin_user, per_shipment_customer, 3)

    _pay(admin_user, per_shipment_customer, 25000)  # 11,000 + 11,000 + 3,000

    assert [i.status for i in Invoice.objects.order_by("pk")] == ["paid", "paid", "partially_paid"]
    assert moves(first) == moves(second) == [("issued", "paid")]
    assert moves(third) == [("issued", "partially_paid")]
    assert AuditEvent.objects.filter(action="invoice.paid").count() == 2

    _pay(admin_user, per_shipment_customer, 8000)

    assert moves(third) == [("issued", "partially_paid"), ("partially_paid", "paid")]


def test_settling_more_invoices_takes_no_more_queries(admin_user, per_shipment_customer, other_customer):
    other_customer.invoice_mode = "per_shipment"
    other_customer.save()
    _invoices(admin_user, per_shipment_customer, 2)
    _invoices(admin_user, other_customer, 5)

    with CaptureQueriesContext(connection) as two:
        _pay(admin_user, per_shipment_customer, 22000)
    with CaptureQueriesContext(connection) as five:
        _pay(admin_user, other_customer, 55000)

    assert len(five) == len(two)
    assert StatusEvent.objects.filter(to_status="paid").count() == 7


def test_a_closing_run_again_moves_done_to_running_and_back(admin_user, customer):
    ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 5))
    services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)
    run = ClosingRun.objects.get()
    assert run.status == "done" and moves(run) == [("running", "done")]

    services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)

    assert moves(run) == [("running", "done"), ("done", "running"), ("running", "done")]


def test_a_failed_closing_is_failed_and_runs_again(admin_user, customer, monkeypatch):
    ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 5))

    def broken(*args, **kwargs):
        raise RuntimeError("printer on fire")

    monkeypatch.setattr("billing.services.closing.apply_customer_credit", broken)
    with pytest.raises(RuntimeError):
        services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)
    run = ClosingRun.objects.get()
    assert (run.status, run.error, moves(run)) == ("failed", "printer on fire", [("running", "failed")])
    assert not Invoice.objects.exists()

    monkeypatch.undo()
    services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)

    run.refresh_from_db()
    assert (run.status, run.error, run.invoices_created) == ("done", "", 1)
    assert moves(run)[1:] == [("failed", "running"), ("running", "done")]


def test_a_bank_line_ignored_can_still_be_confirmed_once(admin_user, customer):
    statement = BankStatementImport.objects.create(sha256="0" * 64, imported_by=admin_user)
    line = BankStatementLine.objects.create(
        statement=statement,
        row_number=2,
        transaction_date=dt.date(2026, 11, 30),
        amount=Decimal(5000),
        payer_name="ヤマダ",
        status=BankStatementLine.Status.UNMATCHED,
    )

    services.bank_line_ignore(line=line, user=admin_user)
    services.bank_line_confirm(line=line, customer=customer, user=admin_user)

    line.refresh_from_db()
    assert line.status == "confirmed" and line.customer == customer and line.payment.amount == Decimal(5000)
    assert moves(line) == [("unmatched", "ignored"), ("ignored", "confirmed")]
    with pytest.raises(StateConflict):
        services.bank_line_ignore(line=line, user=admin_user)
    with pytest.raises(StateConflict):
        services.bank_line_confirm(line=line, customer=customer, user=admin_user)
    assert status_history(line).count() == 2
