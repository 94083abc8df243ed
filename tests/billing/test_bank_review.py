"""Issue #15: reviewing a bank transfer. The invoice proposed for a customer the admin picks
(the one the amount settles, with the bank fee), confirming onto a chosen invoice (the
rest kept as credit), and the refusals, which write nothing."""

import datetime as dt
from decimal import Decimal

import pytest

from backoffice.exceptions import InvalidInput, StateConflict
from billing import services
from billing.models import BankStatementLine, Invoice, PayerName, Payment
from billing.services.bank_statements import bank_line_proposal_for
from tests.billing.conftest import ship

pytestmark = pytest.mark.django_db


def _line(admin_user, amount, payer="ﾀﾅｶﾀﾛｳ"):
    content = f"日付,金額,振込依頼人名\n2026-11-30,{amount},{payer}\n".encode("cp932")
    statement = services.bank_statement_import(content=content, file_name="s.csv", user=admin_user)
    return statement.lines.get()


def test_the_invoice_the_amount_settles_is_proposed_for_the_customer_picked(admin_user, per_shipment_customer):
    ship(admin_user, per_shipment_customer, [(10000, 10)], dt.date(2026, 10, 10))  # 11,000
    ship(admin_user, per_shipment_customer, [(5000, 10)], dt.date(2026, 11, 10))  # 5,500
    line = _line(admin_user, 5060)
    assert line.status == "unmatched" and line.customer is None

    proposal = bank_line_proposal_for(line, per_shipment_customer)

    assert (proposal.invoice.total, proposal.bank_fee) == (Decimal(5500), Decimal(440))


def test_confirming_onto_a_chosen_invoice_keeps_the_rest_as_credit(admin_user, per_shipment_customer):
    ship(admin_user, per_shipment_customer, [(10000, 10)], dt.date(2026, 10, 10))
    ship(admin_user, per_shipment_customer, [(5000, 10)], dt.date(2026, 11, 10))
    older, newer = Invoice.objects.order_by("pk")
    line = _line(admin_user, 6000)

    payment = services.bank_line_confirm(line=line, customer=per_shipment_customer, invoice=newer, user=admin_user)

    older.refresh_from_db()
    newer.refresh_from_db()
    assert (newer.status, newer.open_amount, older.open_amount) == ("paid", Decimal(0), Decimal(11000))
    assert (payment.allocated_amount, payment.unallocated_amount) == (Decimal(5500), Decimal(500))
    assert PayerName.objects.get().name == "タナカタロウ"


def test_another_customers_invoice_or_a_paid_one_is_refused_and_nothing_written(
    admin_user, per_shipment_customer, other_customer
):
    other_customer.invoice_mode = "per_shipment"
    other_customer.save(update_fields=["invoice_mode"])
    ship(admin_user, other_customer, [(1000, 10)], dt.date(2026, 11, 10))
    line = _line(admin_user, 1100)
    invoice = Invoice.objects.get()

    with pytest.raises(InvalidInput) as refused:
        services.bank_line_confirm(line=line, customer=per_shipment_customer, invoice=invoice, user=admin_user)
    assert refused.value.field == "invoice"

    services.payment_record(
        customer=other_customer, received_on=dt.date(2026, 11, 20), amount=Decimal(1100), user=admin_user
    )
    invoice.refresh_from_db()
    with pytest.raises(StateConflict):
        services.bank_line_confirm(line=line, customer=other_customer, invoice=invoice, user=admin_user)
    assert Payment.objects.count() == 1
    assert BankStatementLine.objects.get().status == "unmatched"
    assert not PayerName.objects.exists()
