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

from .models import DocumentCounter
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


def prefix_for(kind: str) -> str:
    """`settings.DOCUMENTS_NUMBER_PREFIXES` ({kind: prefix}) overrides the defaults. Kinds
    sharing a prefix share one sequence, so their numbers never collide."""
    overrides = getattr(settings, "DOCUMENTS_NUMBER_PREFIXES", {}) or {}
    return overrides.get(str(kind), DEFAULT_PREFIXES[DocumentKind(kind)])


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
