import json
from decimal import Decimal

import pytest

from backoffice.models import AuditEvent
from orders.models import Customer, CustomerPrice
from orders.selectors import unit_price_for
from tests.factories import CustomerFactory, ProductFactory, complete_company_profile

pytestmark = pytest.mark.django_db

URL = "/api/v1/customers/"


def customer_payload(**overrides):
    return {
        "code": "C1001",
        "name": "株式会社山田製作所",
        "name_kana": "ヤマダセイサクシヨ",
        "honorific": "御中",
        "closing_day": 20,
        "payment_month_offset": 1,
        "payment_day": 31,
        "tax_mode": "exclusive",
        "invoice_mode": "consolidated",
        "credit_limit": "3000000",
        "price_rate": "0.85",
        "ship_to_addresses": [{"name": "山田製作所 第二工場", "address": "埼玉県川口市1-2-3", "is_default": True}],
        "contacts": [{"name": "山田太郎", "department": "購買部", "email": "yamada@example.jp"}],
        **overrides,
    }


def test_admin_creates_customer_with_addresses_and_contacts(admin_api, rep_user):
    response = admin_api.post(URL, customer_payload(sales_rep=rep_user.pk))

    assert response.status_code == 201, response.data
    customer = Customer.objects.get(code="C1001")
    assert customer.closing_day == 20
    assert customer.price_rate == Decimal("0.8500")
    assert customer.sales_rep == rep_user
    assert customer.ship_to_addresses.get().name == "山田製作所 第二工場"
    assert customer.contacts.get().department == "購買部"
    assert response.data["credit_limit"] == "3000000"
    assert AuditEvent.objects.filter(action="customer.create", object_id=str(customer.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"closing_day": 0}, "closing_day"),
        ({"closing_day": 32}, "closing_day"),
        ({"closing_day": 29}, "closing_day"),
        ({"payment_day": 30}, "payment_day"),
        ({"payment_month_offset": 4}, "payment_month_offset"),
        ({"credit_limit": "-1"}, "credit_limit"),
        ({"price_rate": "-0.5"}, "price_rate"),
        ({"name": "あ" * 10_000}, "name"),
        ({"name_kana": "やまだ"}, "name_kana"),
        ({"tax_mode": "both"}, "tax_mode"),
        ({"email": "not-an-email"}, "email"),
        ({"sales_rep": 999999}, "sales_rep"),
        ({"contacts": [{"name": ""}]}, "contacts"),
    ],
)
def test_customer_bad_input_names_the_field_and_writes_nothing(admin_api, overrides, field):
    response = admin_api.post(URL, customer_payload(**overrides))

    assert response.status_code == 400
    assert field in response.data, response.data
    assert not Customer.objects.exists()
    assert not AuditEvent.objects.exists()


def test_duplicate_customer_code_is_refused(admin_api):
    CustomerFactory(code="C1001")
    response = admin_api.post(URL, customer_payload())
    assert response.status_code == 400
    assert "code" in response.data
    assert Customer.objects.count() == 1


def test_errors_are_in_japanese_by_default_and_english_on_request(admin_api):
    response = admin_api.post(URL, customer_payload(closing_day=0))
    assert "31" in response.data["closing_day"][0]
    assert "月末" in response.data["closing_day"][0]

    english = admin_api.post(URL, customer_payload(closing_day=0), HTTP_ACCEPT_LANGUAGE="en")
    assert "end of the month" in english.data["closing_day"][0]


def test_rep_sees_only_own_customers_and_cannot_write(rep_api, rep_user, other_rep):
    mine = CustomerFactory(sales_rep=rep_user)
    theirs = CustomerFactory(sales_rep=other_rep)

    listing = rep_api.get(URL)
    assert [row["id"] for row in listing.data["results"]] == [mine.pk]
    assert rep_api.get(f"{URL}{mine.pk}/").status_code == 200
    assert rep_api.get(f"{URL}{theirs.pk}/").status_code == 404
    assert rep_api.patch(f"{URL}{mine.pk}/", {"name": "x"}).status_code == 403
    assert rep_api.post(URL, customer_payload()).status_code == 403


def test_manager_reads_all_but_cannot_write(manager_api, rep_user, other_rep):
    CustomerFactory(sales_rep=rep_user)
    CustomerFactory(sales_rep=other_rep)
    assert manager_api.get(URL).data["count"] == 2
    assert manager_api.post(URL, customer_payload()).status_code == 403


def test_update_records_before_and_after(admin_api, admin_user):
    customer = CustomerFactory(closing_day=31)

    response = admin_api.patch(f"{URL}{customer.pk}/", {"closing_day": 20})

    assert response.status_code == 200
    event = AuditEvent.objects.get(action="customer.update")
    assert event.changes == {"closing_day": {"before": 31, "after": 20}}
    assert event.actor == admin_user


def test_search_by_kana_filter_and_ordering(admin_api):
    CustomerFactory(code="C1", name="株式会社青葉", name_kana="アオバ")
    CustomerFactory(code="C2", name="株式会社桜", name_kana="サクラ", closing_day=20)

    assert [r["code"] for r in admin_api.get(URL, {"search": "サクラ"}).data["results"]] == ["C2"]
    assert [r["code"] for r in admin_api.get(URL, {"closing_day": 20}).data["results"]] == ["C2"]
    assert [r["code"] for r in admin_api.get(URL, {"ordering": "-code"}).data["results"]] == ["C2", "C1"]


def test_customer_list_query_count_does_not_grow(admin_api, django_assert_max_num_queries):
    for _ in range(20):
        CustomerFactory()
    with django_assert_max_num_queries(6):
        response = admin_api.get(URL, {"page_size": 100})
    assert response.data["count"] == 20


def test_page_size_is_capped_at_500(admin_api):
    CustomerFactory()
    response = admin_api.get(URL, {"page_size": 10_000})
    assert response.status_code == 200


def test_customer_price_resolution(admin_api):
    complete_company_profile()
    customer = CustomerFactory(price_rate=Decimal("0.85"))
    product = ProductFactory(list_price=Decimal("1980"))
    other = ProductFactory(list_price=Decimal("1980"))

    response = admin_api.post(
        "/api/v1/customer-prices/", {"customer": customer.pk, "product": product.pk, "unit_price": "1500"}
    )
    assert response.status_code == 201, response.data
    again = admin_api.post(
        "/api/v1/customer-prices/", {"customer": customer.pk, "product": product.pk, "unit_price": "1450"}
    )
    assert again.status_code == 201
    assert CustomerPrice.objects.get().unit_price == Decimal("1450")

    assert unit_price_for(customer=customer, product=product) == Decimal("1450")  # 得意先別単価 wins
    assert unit_price_for(customer=customer, product=other) == Decimal("1683")  # 1,980 x 0.85 = 1,683


def test_customer_price_rate_rounds_by_company_mode(db):
    complete_company_profile(rounding_mode="up")
    customer = CustomerFactory(price_rate=Decimal("0.83"))
    product = ProductFactory(list_price=Decimal("999"))
    assert unit_price_for(customer=customer, product=product) == Decimal("830")  # 829.17 rounded up


def test_negative_customer_price_is_refused(admin_api):
    customer = CustomerFactory()
    product = ProductFactory()
    response = admin_api.post(
        "/api/v1/customer-prices/", {"customer": customer.pk, "product": product.pk, "unit_price": "-1"}
    )
    assert response.status_code == 400
    assert "unit_price" in json.dumps(response.data)
    assert not CustomerPrice.objects.exists()


def test_the_registration_number_and_peppol_id_are_checked_and_kept(admin_api):
    refused = admin_api.post(
        URL, customer_payload(registration_number="T8010001008844", peppol_id="0188:123"), format="json"
    )

    assert refused.status_code == 400
    body = refused.json()
    assert set(body) >= {"registration_number", "peppol_id"}
    assert "T7" in body["registration_number"][0]  # the check digit it should have
    assert not Customer.objects.exists()

    created = admin_api.post(
        URL, customer_payload(registration_number="T7010001008844", peppol_id="0188:7010001008844"), format="json"
    )
    assert created.status_code == 201, created.json()
    customer = Customer.objects.get()
    assert (customer.registration_number, customer.peppol_id) == ("T7010001008844", "0188:7010001008844")
    assert (created.json()["registration_number"], created.json()["peppol_id"]) == (
        "T7010001008844",
        "0188:7010001008844",
    )
