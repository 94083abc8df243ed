"""The benchmarks' fixtures, built through the models.

Large fixtures are model instances written with `bulk` (QuerySet.bulk_create in large
batches): every field a bench leaves out takes its model default, so a migration that
adds a field with a default needs no change here or in a bench. Small fixtures (the
company profile, a warehouse, stock) go through the services, as an admin would make
them. Import this module after `common.setup_django`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import F, Max
from django.db.models.expressions import DatabaseDefault

from backoffice.db import MAX_BOUND_VALUES
from backoffice.models import BankAccount, CompanyProfile
from documents.models import DocumentCounter
from documents.numbering import fiscal_year_of, format_number, prefix_for
from inventory import services as inventory_services
from inventory.models import Product, Supplier, Warehouse

# Rows per INSERT: PostgreSQL takes them as one UNNEST array per column, so large
# batches cost little planning; small enough to keep each statement's memory modest.
BATCH = 5_000

# The complete issuer the documents need (tests/factories.py complete_company_profile).
ISSUER = {
    "name": "株式会社サンプル商事",
    "postal_code": "100-0001",
    "address": "東京都千代田区千代田1-1",
    "phone": "03-1234-5678",
    "email": "info@sample.example.jp",
    "registration_number": "T7000012050002",
}
BANK_ACCOUNT = {
    "bank_name": "みずほ銀行",
    "branch_name": "東京営業部",
    "account_type": BankAccount.AccountType.ORDINARY,
    "account_number": "1234567",
    "account_holder_kana": "カ)サンプルシヨウジ",
}


def migrate() -> None:
    call_command("migrate", verbosity=0)


# ---------------------------------------------------------------------------
# Writing many rows
# ---------------------------------------------------------------------------


def bulk(model: type[models.Model], objects: Iterable[models.Model], *, batch_size: int = BATCH) -> list:
    """INSERT the instances in batches (never more bound values than one statement carries);
    on PostgreSQL those without a pk get theirs back."""
    batch_size = min(batch_size, MAX_BOUND_VALUES // len(model._meta.concrete_fields))
    return model._default_manager.bulk_create(list(objects), batch_size=batch_size)


# Field types whose Python value psycopg writes as the column wants it, as it stands.
PLAIN_TYPES = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "DateField",
    "DateTimeField",
    "DecimalField",
    "ForeignKey",
    "IntegerField",
    "OneToOneField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SmallIntegerField",
    "TextField",
}


def stream(model: type[models.Model], objects: Iterable[models.Model], *, batch_size: int = BATCH) -> int:
    """Write the instances an iterable makes with COPY (PostgreSQL), one batch of them in
    memory at a time: for hundreds of thousands of rows. Every column's value comes from
    the instance, so the model's defaults fill what the bench leaves out, as with
    bulk_create, at a fraction of its Python cost per row (values of plain types go to
    psycopg as they are; the others, auto_now fields and JSON, through the field as
    Django saves them). A column with a database default that the first instance leaves
    unset is left to the database; instances without a pk get one from the sequence but
    are not told it (rows that others refer to take ids the fixture chooses: `next_id`).
    Returns how many rows were written."""
    iterator = iter(objects)
    batch = list(islice(iterator, batch_size))
    if not batch:
        return 0
    fields = [
        field
        for field in model._meta.concrete_fields
        if not (field.primary_key and batch[0].pk is None)
        and not isinstance(getattr(batch[0], field.attname), DatabaseDefault)
    ]
    as_is = [
        field.get_internal_type() in PLAIN_TYPES
        and not (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
        for field in fields
    ]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    count = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy,
    ):
        while batch:
            for obj in batch:
                copy.write_row(
                    [
                        getattr(obj, field.attname)
                        if plain
                        else field.get_db_prep_save(field.pre_save(obj, True), connection)
                        for field, plain in zip(fields, as_is, strict=True)
                    ]
                )
            count += len(batch)
            batch = list(islice(iterator, batch_size))
    return count


def next_id(model: type[models.Model]) -> int:
    """The first free id, for a fixture that numbers its rows itself (call `reset_sequences` after)."""
    return (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


def reset_sequences(*model_list: type[models.Model]) -> None:
    """After rows written with their own ids: the next id the database hands out follows them."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), model_list):
            cursor.execute(sql)


@contextmanager
def own_timestamps(*model_list: type[models.Model]) -> Iterator[None]:
    """Keep the times a fixture gives its rows (history: days ago) in auto_now and
    auto_now_add fields, which saving would otherwise set to now."""
    fields = [
        field
        for model in model_list
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    flags = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in flags:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def reserve_numbers(kind: str, dates: Sequence[dt.date], start_month: int) -> list[tuple[int, int, str]]:
    """(fiscal year, sequence, number) for documents of `kind` dated `dates`, in order:
    what documents.services.number_take gives one by one, taken from the counters in one
    UPDATE per fiscal year."""
    prefix = prefix_for(kind)
    first = {}
    for year, count in sorted(Counter(fiscal_year_of(d, start_month) for d in dates).items()):
        DocumentCounter.objects.bulk_create([DocumentCounter(prefix=prefix, fiscal_year=year)], ignore_conflicts=True)
        counter = DocumentCounter.objects.filter(prefix=prefix, fiscal_year=year)
        counter.update(last_value=F("last_value") + count)
        first[year] = counter.get().last_value - count + 1
    numbers = []
    for day in dates:
        year = fiscal_year_of(day, start_month)
        numbers.append((year, first[year], format_number(prefix, year, first[year])))
        first[year] += 1
    return numbers


# ---------------------------------------------------------------------------
# The small fixtures
# ---------------------------------------------------------------------------


def company_profile(*, bank: dict | None = None, **values) -> CompanyProfile:
    """Turn the placeholder profile into a complete issuer (`values` and `bank` override
    ISSUER and BANK_ACCOUNT), so documents can be issued."""
    profile = CompanyProfile.objects.order_by("pk").first()
    for name, value in {**ISSUER, **values}.items():
        setattr(profile, name, value)
    profile.save()
    if not profile.bank_accounts.exists():
        BankAccount.objects.create(company=profile, **{**BANK_ACCOUNT, **(bank or {})})
    return profile


def user(username: str, *, role: str | None = None, **fields):
    """A user (no usable password unless `fields` give one), in `role`'s group."""
    created = get_user_model().objects.create_user(username, **fields)
    if role is not None:
        created.groups.add(Group.objects.get(name=role))
    return created


def default_warehouse() -> Warehouse:
    return inventory_services.warehouse_create(user=None, data={"code": "MAIN", "name": "本社倉庫", "is_default": True})


def supplier(name: str = "ベンチ仕入先") -> Supplier:
    return Supplier.objects.create(code="S-BENCH", name=name, lead_time_days=5)


def stock(products: Iterable[Product], warehouse: Warehouse, quantity: int) -> None:
    """`quantity` on hand of each product, counted in (a stock take through the service:
    a level and a ledger move each)."""
    for product in products:
        inventory_services.stock_take(
            product=product, warehouse=warehouse, counted_quantity=quantity, reason="bench stock", user=None
        )
