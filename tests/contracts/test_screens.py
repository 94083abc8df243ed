"""Contract screens beyond the lifecycle (tests/web/test_contracts.py): the deal an individual
contract is for, the manager's approval inbox, the warning on order and quote pages, the
customer's contracts card."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from contracts import services
from contracts.models import Contract
from orders import services as order_services
from orders.services import LineInput
from tests.contracts.helpers import draft_master, signed
from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from tests.web.pages import client_for, text_of

pytestmark = pytest.mark.django_db


def ja(message: str) -> str:
    with translation.override("ja"):
        return translation.gettext(message)


@pytest.fixture
def confirmed_order(admin_user, customer):
    WarehouseFactory(code="TOKYO", name="東京倉庫", is_default=True)
    product = ProductFactory(sku="A-100", name="ステンレスボルト M8", list_price=Decimal("1980"))
    order = order_services.order_create(
        user=admin_user,
        data={"customer": customer, "order_date": dt.date(2026, 12, 4), "requested_date": dt.date(2027, 1, 15)},
        lines=[LineInput(product=product, quantity=10)],
    )
    order_services.order_confirm(order=order, user=admin_user)
    order.refresh_from_db()
    assert order.number == "SO-2026-000001"
    return order


def individual_form(customer, template, **extra):
    return {
        "customer": customer.pk,
        "template": template.pk,
        "starts_on": "2026-12-07",
        "ends_on": "2027-03-31",
        "auto_renew_months": "0",
        "notice_days": "0",
        "amount": "19800",
        "tax_rate": "10",
        "on_paper": "on",
        **extra,
    }


def test_an_individual_contract_names_its_order_by_number(company, admin_user, customer, templates, confirmed_order):
    client = client_for(admin_user)
    # the order's page offers it to sales admins
    order_page = client.get(f"/orders/{confirmed_order.pk}/").content.decode()
    assert f'href="/contracts/new/?order={confirmed_order.pk}" id="new-contract"' in order_page
    # drafted from the order: the customer, the order and the individual template chosen
    form = client.get(f"/contracts/new/?order={confirmed_order.pk}").content.decode()
    assert 'value="SO-2026-000001"' in form
    assert f'<option value="{templates["individual"].pk}" selected>' in form
    assert f'<option value="{customer.pk}" selected>' in form
    # the deal's amount excluding tax at its one rate, so the stamp duty and the wording start right
    assert 'name="amount" value="19800"' in form
    # its term: from the order's date to the delivery date the customer asked for
    assert 'name="starts_on" value="2026-12-04"' in form and 'name="ends_on" value="2027-01-15"' in form

    refused = client.post("/contracts/new/", individual_form(customer, templates["individual"], order="SO-2026-999999"))
    assert refused.status_code == 400
    assert ja("No order has the number %(number)s.") % {"number": "SO-2026-999999"} in text_of(refused)
    assert not Contract.objects.exists()

    other = CustomerFactory(name="株式会社別会社")
    refused = client.post("/contracts/new/", individual_form(other, templates["individual"], order="so-2026-000001"))
    assert refused.status_code == 400 and "この取引は別の取引先のものです。" in text_of(refused)

    response = client.post(
        "/contracts/new/", individual_form(customer, templates["individual"], order="SO-2026-000001")
    )
    contract = Contract.objects.get()
    assert response.status_code == 302 and contract.order == confirmed_order
    page = text_of(client.get(f"/contracts/{contract.pk}/"))
    assert "甲は乙に対し、SO-2026-000001記載の商品を売り渡し" in page
    assert "契約金額は19,800円（消費税1,980円を除く。税込金額21,780円）とする。" in page
    assert f'href="/orders/{confirmed_order.pk}/"' in client.get(f"/contracts/{contract.pk}/").content.decode()
    # editing the draft shows the order's number again
    assert 'value="SO-2026-000001"' in client.get(f"/contracts/{contract.pk}/edit/").content.decode()


def test_contracts_join_the_managers_approval_inbox_with_their_reason(
    company, admin_user, manager_user, customer, templates
):
    master = templates["master"]
    changed = draft_master(admin_user, customer, master, body=master.body + "\n第9条（特約）", amount=Decimal(500000))
    services.contract_submit(contract=changed, user=admin_user)
    home = client_for(manager_user).get("/").content.decode()
    assert 'id="approvals"' in home and 'hx-get="/contracts/home-queue/"' in home
    fragment = client_for(manager_user).get("/contracts/home-queue/").content.decode()
    assert 'hx-swap-oob="beforeend:#approvals"' in fragment
    text = text_of(client_for(manager_user).get("/contracts/home-queue/"))
    template = "取引基本契約書（標準） 第1版"
    reason = ja("The wording was changed from the template %(template)s.") % {"template": template}
    assert f"承認待ちの契約書 1 取引基本契約書 — 株式会社北斗精機 ¥500,000 admin1 {reason}" in text
    assert f'href="/contracts/{changed.pk}/"' in fragment
    # a sales admin's home gets none of it
    assert "hx-swap-oob" not in client_for(admin_user).get("/contracts/home-queue/").content.decode()


def test_the_warning_on_order_and_quote_pages_once_the_master_agreement_ended(
    company, admin_user, rep_user, customer, templates, confirmed_order, django_capture_on_commit_callbacks
):
    contract = signed(
        draft_master(admin_user, customer, templates["master"]), admin_user, django_capture_on_commit_callbacks
    )
    order_page = client_for(rep_user).get(f"/orders/{confirmed_order.pk}/").content.decode()
    assert 'id="new-contract"' not in order_page  # only sales admins draft contracts
    assert f'hx-get="/contracts/customers/{customer.pk}/master-warning/"' in order_page
    url = f"/contracts/customers/{customer.pk}/master-warning/"
    assert text_of(client_for(rep_user).get(url)) == ""
    services.contract_end(contract=contract, user=admin_user, reason="expired", ended_on=dt.date(2026, 12, 4))
    warning = client_for(rep_user).get(url).content.decode()
    assert 'class="msg msg-warning" role="alert"' in warning
    assert "株式会社北斗精機との取引基本契約書（CT-2026-000001）は有効ではありません。" in text_of(
        client_for(rep_user).get(url)
    )


def test_the_customer_card_offers_a_new_contract_to_sales_admins(company, admin_user, rep_user, customer):
    url = f"/contracts/customers/{customer.pk}/"
    assert f'href="/contracts/new/?customer={customer.pk}"' in client_for(admin_user).get(url).content.decode()
    assert "/contracts/new/" not in client_for(rep_user).get(url).content.decode()


def test_a_contract_amends_or_replaces_only_a_contract_of_its_customer(
    company, admin_user, customer, templates, django_capture_on_commit_callbacks
):
    other = CustomerFactory(code="C900", name="株式会社別会社")
    ours = signed(
        draft_master(admin_user, customer, templates["master"]), admin_user, django_capture_on_commit_callbacks
    )
    theirs = signed(
        draft_master(admin_user, other, templates["master"]), admin_user, django_capture_on_commit_callbacks
    )
    client = client_for(admin_user)

    def choices(response) -> set:
        return {c.pk for c in response.context["form"].fields["amends"].queryset}

    assert choices(client.get("/contracts/new/")) == {ours.pk, theirs.pk}  # no customer chosen yet
    assert choices(client.get(f"/contracts/new/?customer={customer.pk}")) == {ours.pk}
    # choosing the customer refreshes both lists (htmx GET with the customer only)
    fragment = client.get("/contracts/new/", {"customer": other.pk}, headers={"HX-Request": "true"})
    assert choices(fragment) == {theirs.pk}
    assert fragment.context["form"].fields["supersedes"].queryset.get() == theirs
    page = client.get(f"/contracts/new/?customer={customer.pk}").content.decode()
    assert 'hx-select="#amends-choice"' in page and 'id="supersedes-choice"' in page
