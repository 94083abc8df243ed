"""The billing admin: its pages open, and its actions run the services row by row."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from billing import services
from billing.models import BankStatementImport, BankStatementLine, ClosingRun, Invoice
from tests.billing.conftest import ship

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def _line(statement, row, status):
    return BankStatementLine.objects.create(
        statement=statement,
        row_number=row,
        transaction_date=dt.date(2026, 11, 30),
        amount=Decimal(1000),
        payer_name="ﾘｿｸ",
        status=status,
    )


def test_billing_pages_open(admin_client, admin_user, per_shipment_customer):
    ship(admin_user, per_shipment_customer, [(1000, 10)], dt.date(2026, 11, 20))
    invoice = Invoice.objects.get()
    for url in [
        "/admin/billing/invoice/",
        f"/admin/billing/invoice/{invoice.pk}/change/",
        "/admin/billing/payment/",
        "/admin/billing/closingrun/",
        "/admin/billing/bankstatementline/",
        "/admin/billing/creditnote/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_ignore_action_ignores_what_waits_and_warns_about_the_rest(admin_client, admin_user):
    statement = BankStatementImport.objects.create(sha256="1" * 64, imported_by=admin_user)
    waiting = _line(statement, 2, BankStatementLine.Status.UNMATCHED)
    matched = _line(statement, 3, BankStatementLine.Status.MATCHED)

    response = admin_client.post(
        "/admin/billing/bankstatementline/", {"action": "ignore", "_selected_action": [waiting.pk, matched.pk]}
    )

    assert response.status_code == 302
    assert dict(BankStatementLine.objects.values_list("pk", "status")) == {
        waiting.pk: "ignored",
        matched.pk: "matched",
    }
    (warning,) = [m for m in get_messages(response.wsgi_request) if m.level_tag == "warning"]
    assert str(warning.message).startswith(str(matched))


def test_allocate_action_matches_what_is_left_of_a_payment(admin_client, admin_user, per_shipment_customer):
    ship(admin_user, per_shipment_customer, [(1000, 10)], dt.date(2026, 11, 20))
    invoice = Invoice.objects.get()  # 1,100
    payment = services.payment_record(
        customer=per_shipment_customer,
        received_on=dt.date(2026, 11, 21),
        amount=Decimal(2000),
        allocations=[services.AllocationInput(invoice=invoice, amount=Decimal(500))],
        user=admin_user,
    )

    admin_client.post("/admin/billing/payment/", {"action": "allocate_oldest_first", "_selected_action": [payment.pk]})

    invoice.refresh_from_db()
    payment.refresh_from_db()
    assert (invoice.status, payment.allocated_amount) == ("paid", Decimal(1100))


def test_run_again_action_runs_the_closing(admin_client, admin_user, customer):
    ship(admin_user, customer, [(1000, 10)], dt.date(2026, 11, 5))
    run = services.closing_run(closing_date=dt.date(2026, 11, 30), user=admin_user)

    admin_client.post("/admin/billing/closingrun/", {"action": "run_again", "_selected_action": [run.pk]})

    assert ClosingRun.objects.get().status == "done" and Invoice.objects.count() == 1
