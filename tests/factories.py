"""Shared factories for every app's tests. Apps with more put theirs in tests/<app>/factories.py."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from backoffice.kana import kana_key
from backoffice.models import BankAccount, CompanyProfile
from backoffice.roles import Role
from inventory.models import Product, Supplier, Warehouse
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


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Supplier

    code = factory.Sequence(lambda n: f"S{n:04d}")
    name = factory.Sequence(lambda n: f"仕入先{n}株式会社")
    name_kana = ""
    name_kana_key = factory.LazyAttribute(lambda row: kana_key(row.name_kana))
    lead_time_days = 5


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Warehouse

    code = factory.Sequence(lambda n: f"WH{n:02d}")
    name = factory.Sequence(lambda n: f"倉庫{n}")
    is_default = False


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    sku = factory.Sequence(lambda n: f"P-{n:05d}")
    name = factory.Sequence(lambda n: f"商品{n}")
    name_kana = ""
    name_kana_key = factory.LazyAttribute(lambda row: kana_key(row.name_kana))
    unit = "個"
    list_price = Decimal("1000")
    cost = Decimal("600")
    tax_category = "standard"
    track_stock = True
    supplier = factory.SubFactory(SupplierFactory)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    code = factory.Sequence(lambda n: f"C{n:04d}")
    name = factory.Sequence(lambda n: f"株式会社顧客{n}")
    name_kana = ""
    name_kana_key = factory.LazyAttribute(lambda row: kana_key(row.name_kana))
    honorific = "御中"
    closing_day = 31
    payment_month_offset = 1
    payment_day = 31
    tax_mode = "exclusive"
    invoice_mode = "consolidated"
    price_rate = Decimal("1")
