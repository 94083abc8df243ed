"""The payment screens: the suggested matching (the service's oldest-first and bank-fee rule),
adjusting and saving it, bad input kept with the message next to the field, and the roles
(sales admins record, managers read, reps never see the payment entry)."""

import datetime as dt
from decimal import Decimal

import pytest

from billing.models import Allocation, Invoice, Payment
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
def invoices(admin_user, customer):
    """11,000 due 11/30 (issued 10/2) and 2,200 due 12/30 (issued 11/10)."""
    ship(admin_user, customer, [(10000, 10)], dt.date(2026, 10, 2))
    ship(admin_user, customer, [(2000, 10)], dt.date(2026, 11, 10))
    return list(Invoice.objects.order_by("pk"))


def form(customer, amount, fee=0, **extra):
    return {
        "customer": customer.pk,
        "received_on": "2026-11-30",
        "amount": str(amount),
        "bank_fee": str(fee),
        "method": "transfer",
        **extra,
    }


def test_the_suggestion_applies_the_bank_fee_rule_oldest_first(admin_user, customer, invoices):
    response = client_for(admin_user).get("/billing/payments/suggestion/", form(customer, 12760, fee=440))

    allocation = response.context["allocation_form"]
    first, second = invoices
    assert [(i.number, allocation[f"amount_{i.pk}"].initial, allocation[f"fee_{i.pk}"].initial) for i in invoices] == [
        (first.number, 11000, 0),
        (second.number, 1760, 440),  # 440 short of the newer invoice: the customer deducted the fee
    ]
    assert (response.context["suggested_amount"], response.context["suggested_credit"]) == (12760, 0)
    text = response.content.decode()
    assert f'name="amount_{second.pk}" value="1760"' in text


def test_saving_the_suggestion_settles_with_the_fee(admin_user, customer, invoices):
    first, second = invoices
    data = form(customer, 10560, fee=440, **{f"amount_{first.pk}": "10560", f"fee_{first.pk}": "440"})
    data.update({f"amount_{second.pk}": "0", f"fee_{second.pk}": "0"})

    response = client_for(admin_user).post("/billing/payments/new/", data)

    assert response.status_code == 302 and response["Location"] == "/billing/payments/"
    first.refresh_from_db()
    assert (first.status, first.open_amount) == ("paid", 0)
    allocation = Allocation.objects.get()
    assert (allocation.invoice_id, allocation.amount, allocation.bank_fee) == (first.pk, 10560, 440)
    listed = client_for(admin_user).get("/billing/payments/").content.decode()
    assert "¥10,560" in listed and first.number in listed


def test_an_adjusted_allocation_is_what_is_saved(admin_user, customer, invoices):
    first, second = invoices
    data = form(customer, 5000, **{f"amount_{first.pk}": "2800", f"amount_{second.pk}": "2200"})

    client_for(admin_user).post("/billing/payments/new/", data)

    payment = Payment.objects.get()
    assert [(a.invoice_id, a.amount) for a in payment.allocations.order_by("pk")] == [
        (first.pk, Decimal(2800)),
        (second.pk, Decimal(2200)),
    ]


def test_bad_input_stays_in_the_form_with_the_message_next_to_the_field(admin_user, customer, invoices):
    client = client_for(admin_user)

    response = client.post("/billing/payments/new/", form(customer, 1000, fee=2000, note="電話で確認"))
    assert response.status_code == 200
    assert response.context["form"].errors == {"bank_fee": ["振込手数料は入金額を超えられません。"]}
    text = response.content.decode()
    assert 'value="電話で確認"' in text and 'id="id_bank_fee_error"' in text

    empty = client.post("/billing/payments/new/", form(customer, ""))
    assert empty.context["form"].errors == {"amount": ["この項目は必須です。"]}

    future = client.post("/billing/payments/new/", {**form(customer, 1000), "received_on": "2026-12-02"})
    assert future.context["form"].errors == {"received_on": ["未来の日付は指定できません。"]}
    assert not Payment.objects.exists()


def test_the_services_refusal_goes_next_to_the_invoice(admin_user, customer, invoices):
    first, second = invoices
    data = form(customer, 20000, **{f"amount_{first.pk}": "12000", f"amount_{second.pk}": "0"})

    response = client_for(admin_user).post("/billing/payments/new/", data)

    assert response.status_code == 200
    errors = response.context["allocation_form"].errors
    assert list(errors) == [f"amount_{first.pk}"] and "11,000" in errors[f"amount_{first.pk}"][0]
    assert 'value="12000"' in response.content.decode()
    assert not Payment.objects.exists()


def test_roles(admin_user, manager_user, rep_user, customer, invoices):
    assert client_for(admin_user).get("/billing/payments/new/").status_code == 200
    for user in (manager_user, rep_user):
        client = client_for(user)
        assert client.get("/billing/payments/new/").status_code == 403
        assert client.post("/billing/payments/new/", form(customer, 1000)).status_code == 403
        assert client.get("/billing/payments/suggestion/", form(customer, 1000)).status_code == 403
    assert client_for(manager_user).get("/billing/payments/").status_code == 200
    assert client_for(rep_user).get("/billing/payments/").status_code == 403
    assert not Payment.objects.exists()


def test_payment_list_query_count_does_not_grow(admin_user, customer, invoices, django_assert_max_num_queries):
    client = client_for(admin_user)
    for amount in (1000, 2000, 3000):
        client.post("/billing/payments/new/", form(customer, amount))
    with django_assert_max_num_queries(10):
        response = client.get("/billing/payments/", {"customer": "たなか"})
    assert len(response.context["payments"]) == 3
