"""Shared factories for every app's tests, and the few steps many folders take through the
real services (stock counted in, an order shipped). Apps with more put theirs in
tests/<app>/factories.py."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from backoffice.kana import kana_key
from backoffice.models import BankAccount, CompanyProfile
from backoffice.roles import Role
from billing import services as billing_services
from inventory import services as inventory_services
from inventory.models import Product, Supplier, Warehouse
from orders import services as order_services
from orders.models import Customer

VALID_REGISTRATION_NUMBER = "T7000012050002"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.jp")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "pass-Word-123")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=Role(extracted).value))
        if create:
            self.save()


def make_user(role: Role | None, **kwargs):
    return UserFactory(role=role, **kwargs)


def complete_company_profile(**overrides) -> CompanyProfile:
    """Turn the placeholder profile into a complete issuer (registration number, bank)."""
    profile = CompanyProfile.objects.order_by("pk").first() or CompanyProfile()
    values = {
        "name": "株式会社サンプル商事",
        "postal_code": "100-0001",
        "address": "東京都千代田区千代田1-1",
        "phone": "03-1234-5678",
        "email": "info@sample.example.jp",
        "registration_number": VALID_REGISTRATION_NUMBER,
        **overrides,
    }
    for name, value in values.items():
        setattr(profile, name, value)
    profile.save()
    if not profile.bank_accounts.exists():
        BankAccount.objects.create(
            company=profile,
            bank_name="みずほ銀行",
            branch_name="東京営業部",
            account_type=BankAccount.AccountType.ORDINARY,
            account_number="1234567",
            account_holder_kana="カ)サンプルシヨウジ",
        )
    return profile


class _NamedFactory(factory.django.DjangoModelFactory):
    """Masters found by name and kana reading: the search key follows the reading."""

    class Meta:
        abstract = True

    name_kana = ""
    name_kana_key = factory.LazyAttribute(lambda row: kana_key(row.name_kana))


class SupplierFactory(_NamedFactory):
    class Meta:
        model = Supplier

    code = factory.Sequence("S{:04d}".format)
    name = factory.Sequence("仕入先{}株式会社".format)
    lead_time_days = 5


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    code = factory.Sequence("WH{:02d}".format)
    name = factory.Sequence("倉庫{}".format)
    is_default = False


class ProductFactory(_NamedFactory):
    class Meta:
        model = Product

    sku = factory.Sequence("P-{:05d}".format)
    name = factory.Sequence("商品{}".format)
    unit = "個"
    list_price = Decimal("1000")
    cost = Decimal("600")
    tax_category = "standard"
    track_stock = True
    supplier = factory.SubFactory(SupplierFactory)


class CustomerFactory(_NamedFactory):
    class Meta:
        model = Customer

    code = factory.Sequence("C{:04d}".format)
    name = factory.Sequence("株式会社顧客{}".format)
    honorific = "御中"
    closing_day = 31
    payment_month_offset = 1
    payment_day = 31
    tax_mode = "exclusive"
    invoice_mode = "consolidated"
    price_rate = Decimal("1")


def stock(product, warehouse, quantity, user=None) -> None:
    """The warehouse holds `quantity` of the product from now on (a stock take)."""
    inventory_services.stock_take(
        product=product, warehouse=warehouse, counted_quantity=quantity, reason="opening stock", user=user
    )


def ship_order(user, customer, lines, on: dt.date):
    """Order `lines` (LineInputs) for the customer on `on`, confirm it and ship all of it the
    same day: the shipped shipment (a per-shipment customer's invoice is issued with it)."""
    order = order_services.order_create(user=user, data={"customer": customer, "order_date": on}, lines=lines)
    order_services.order_confirm(order=order, user=user)
    shipment = order_services.shipment_create(order=order, user=user)
    return billing_services.shipment_ship_and_bill(shipment=shipment, user=user, shipped_on=on)
