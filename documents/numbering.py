"""Gapless document numbers: `INV-2026-000123`, revisions `Q-2026-000042-2`.

A number is the prefix of the kind, the fiscal year of the document date and the next
value of the counter row for that prefix and year. The counter row is locked by the
UPDATE that increments it, inside the issuing transaction and held until it commits, so
numbers are taken in commit order, and a rollback returns the number: no gap, no
duplicate. Never a database sequence or a primary key (they leave gaps on rollback).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from .models import DocumentCounter, NumberPrefix
from .types import DocumentKind

DEFAULT_PREFIXES = {
    DocumentKind.QUOTE: "Q",
    DocumentKind.ORDER_CONFIRMATION: "SO",
    DocumentKind.DELIVERY_NOTE: "DN",
    DocumentKind.INVOICE: "INV",
    DocumentKind.CONSOLIDATED_INVOICE: "INV",
    DocumentKind.CREDIT_NOTE: "CN",
    DocumentKind.PURCHASE_ORDER: "PO",
    DocumentKind.CONTRACT: "CT",
}
SEQUENCE_DIGITS = 6


def default_prefix(kind: str) -> str:
    """The installation's prefix of a kind: `settings.DOCUMENTS_NUMBER_PREFIXES` ({kind:
    prefix}) over the defaults. It applies until a NumberPrefix row changes it."""
    overrides = getattr(settings, "DOCUMENTS_NUMBER_PREFIXES", {}) or {}
    return overrides.get(str(kind), DEFAULT_PREFIXES[DocumentKind(kind)])


def series_kinds(kind: str) -> tuple[str, ...]:
    """The kinds that share one sequence with `kind` (their default prefixes are the same:
    invoices and consolidated invoices share INV). They change prefix together, so a
    sequence is never split between two prefixes in a year, nor shared by accident."""
    prefix = default_prefix(kind)
    return tuple(str(k) for k in DocumentKind if default_prefix(k) == prefix)


def prefix_for(kind: str, fiscal_year: int | None = None) -> str:
    """The prefix of `kind` in `fiscal_year` (default: the current one): the latest change
    in force from that year (NumberPrefix), else the default. Kinds sharing a prefix share
    one sequence, so their numbers never collide."""
    if fiscal_year is None:
        fiscal_year = current_fiscal_year()
    changed = (
        NumberPrefix.objects.filter(kind=str(kind), from_fiscal_year__lte=fiscal_year, cancelled_at__isnull=True)
        .order_by("-from_fiscal_year")
        .values_list("prefix", flat=True)
        .first()
    )
    return changed or default_prefix(kind)


def current_fiscal_year() -> int:
    from backoffice.selectors import company_profile

    return fiscal_year_of(timezone.localdate(), company_profile().fiscal_year_start_month)


def fiscal_year_of(date: dt.date, start_month: int) -> int:
    """年度: the calendar year in which the fiscal year starts (April start: 2027-03-31 is 2026)."""
    return date.year if date.month >= start_month else date.year - 1


def format_number(prefix: str, fiscal_year: int, value: int, revision: int = 1) -> str:
    number = f"{prefix}-{fiscal_year}-{value:0{SEQUENCE_DIGITS}d}"
    return number if revision == 1 else f"{number}-{revision}"


def parse_number(number: str) -> tuple[str, int, int]:
    """(prefix, fiscal year, sequence value) of a base number such as `SO-2026-000007`;
    ValueError if it is not one."""
    prefix, year, value = number.rsplit("-", 2)
    if not (prefix and year.isdigit() and len(year) == 4 and value.isdigit() and len(value) == SEQUENCE_DIGITS):
        raise ValueError(number)
    return prefix, int(year), int(value)


def was_taken(prefix: str, fiscal_year: int, value: int) -> bool:
    """Whether the sequence of this prefix and year has already handed out `value`."""
    return DocumentCounter.objects.filter(prefix=prefix, fiscal_year=fiscal_year, last_value__gte=value).exists()


def take_next_value(prefix: str, fiscal_year: int) -> int:
    """The next value of the sequence; call inside the issuing transaction, as late as
    possible: the row stays locked until that transaction ends. One statement: the UPDATE
    takes the row lock and returns the new value (PostgreSQL and SQLite both RETURN)."""
    table = connection.ops.quote_name(DocumentCounter._meta.db_table)
    sql = f"UPDATE {table} SET last_value = last_value + 1 WHERE prefix = %s AND fiscal_year = %s RETURNING last_value"  # noqa: S608 - our table name
    with connection.cursor() as cursor:
        cursor.execute(sql, [prefix, fiscal_year])
        row = cursor.fetchone()
        if row is None:
            # The first number of a year: create the row race-free, then take it.
            DocumentCounter.objects.bulk_create(
                [DocumentCounter(prefix=prefix, fiscal_year=fiscal_year)], ignore_conflicts=True
            )
            cursor.execute(sql, [prefix, fiscal_year])
            row = cursor.fetchone()
    return row[0]


def give_back(prefix: str, fiscal_year: int) -> None:
    """Return the value just taken (the caller holds the counter row's lock, so it is the
    last one handed out): used when the prefix changed while the value was being taken."""
    DocumentCounter.objects.filter(prefix=prefix, fiscal_year=fiscal_year).update(last_value=F("last_value") - 1)


def take_number(kind: str, fiscal_year: int) -> tuple[str, int]:
    """(prefix, value) of the next number of `kind` in `fiscal_year`. The prefix is read
    before the counter is locked; a prefix change for that year can only have committed
    meanwhile if the year had no number yet (number_prefix_schedule locks the counter row
    and refuses a year with numbers), so the first value of a year is checked against the
    prefix read again, and given back if the prefix changed: the new sequence starts at 1
    and the old one keeps no number of that year."""
    prefix = prefix_for(kind, fiscal_year)
    value = take_next_value(prefix, fiscal_year)
    if value == 1:
        current = prefix_for(kind, fiscal_year)
        if current != prefix:
            give_back(prefix, fiscal_year)
            prefix, value = current, take_next_value(current, fiscal_year)
    return prefix, value
