"""The customer and product pickers: kana typed any way finds the customer; a rep finds only
their own customers; the form field refuses a customer the user may not see."""

import pytest
from django import forms
from django.test import Client

from backoffice.roles import Role
from orders.forms.fields import CustomerField, ProductField
from tests.factories import CustomerFactory, ProductFactory, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def yamada(rep_user):
    return CustomerFactory(code="C0101", name="山田製作所", name_kana="ヤマダセイサクショ", sales_rep=rep_user)


def options(user, url) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode().strip()


@pytest.mark.parametrize("typed", ["やまだ", "ﾔﾏﾀﾞ", "ヤマダ", "山田", "C01"])
def test_the_customer_search_finds_yamada_however_it_is_typed(admin_user, yamada, typed):
    CustomerFactory(code="C0200", name="田中商店", name_kana="タナカショウテン")

    text = options(admin_user, f"/pick/customers/?customer__search={typed}")

    assert text == f'<option value="{yamada.pk}" selected>C0101 山田製作所</option>'


def test_a_rep_finds_only_their_own_customers(other_rep, yamada):
    assert "山田製作所" not in options(other_rep, "/pick/customers/?customer__search=やまだ")


def test_the_product_search_finds_by_sku_and_kana(admin_user):
    product = ProductFactory(sku="A-100", name="ボルト M8", name_kana="ボルト")

    assert (
        options(admin_user, "/pick/products/?q=ぼると")
        == f'<option value="{product.pk}" selected>A-100 ボルト M8</option>'
    )


def test_the_customer_field_refuses_a_customer_the_user_may_not_see(other_rep, yamada):
    class Form(forms.Form):
        def __init__(self, *args, user, **kwargs):
            super().__init__(*args, **kwargs)
            self.fields["customer"] = CustomerField(user=user)
            self.fields["product"] = ProductField(required=False)

    form = Form({"customer": yamada.pk}, user=other_rep)

    assert not form.is_valid()
    assert form.errors["customer"] == ["正しく選択してください。選択したものは候補にありません。"]
    rendered = str(Form(user=make_user(Role.SALES_ADMIN, username="adm7"), initial={"customer": yamada.pk})["customer"])
    assert rendered.count("<option") == 1 and "C0101 山田製作所" in rendered
