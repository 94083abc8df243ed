"""Database helpers that Django's ORM makes slow on hot paths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections, router
from django.db.models import DecimalField, Model, OuterRef, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .money import ZERO

MONEY_FIELD = DecimalField(max_digits=14, decimal_places=0)


def update_rows(model: type[Model], objects: Sequence[Model], fields: Sequence[str], *, batch_size: int = 500) -> int:
    """Write `fields` of already-loaded `objects` back, one UPDATE ... FROM (VALUES ...)
    per batch: what QuerySet.bulk_update does, without building a CASE WHEN per row and
    field (which costs more Python than the statement costs the database). Rows are
    matched by primary key; the values are those on the objects, so the caller holds
    the rows' locks. Returns the number of rows updated."""
    if not objects:
        return 0
    using = router.db_for_write(model)
    connection = connections[using]
    meta = model._meta
    pk = meta.pk
    concrete = [meta.get_field(name) for name in fields]
    for field in concrete:
        if not field.concrete or field.primary_key or field.many_to_many:
            raise ValueError(f"update_rows cannot write {model.__name__}.{field.name}")
    quote = connection.ops.quote_name
    columns = [pk, *concrete]
    table = quote(meta.db_table)
    if connection.vendor == "postgresql":
        # VALUES rows take their types from the first row: cast that one to the columns'.
        alias = "v (" + ", ".join(quote(field.column) for field in columns) + ")"
        refs = [f"v.{quote(field.column)}" for field in columns]
        first = "(" + ", ".join(f"%s::{field.cast_db_type(connection)}" for field in columns) + ")"
    else:  # SQLite names the columns of VALUES column1, column2, ...
        alias = "v"
        refs = [f"v.column{n}" for n in range(1, len(columns) + 1)]
        first = "(" + ", ".join(["%s"] * len(columns)) + ")"
    assignments = ", ".join(f"{quote(field.column)} = {ref}" for field, ref in zip(concrete, refs[1:], strict=True))
    match = f"{table}.{quote(pk.column)} = {refs[0]}"
    other = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updated = 0
    with connection.cursor() as cursor:
        for start in range(0, len(objects), batch_size):
            batch = objects[start : start + batch_size]
            params = []
            for obj in batch:
                params.append(pk.get_db_prep_value(obj.pk, connection))
                params.extend(field.get_db_prep_save(getattr(obj, field.attname), connection) for field in concrete)
            values = ", ".join([first, *[other] * (len(batch) - 1)])
            cursor.execute(
                f"UPDATE {table} SET {assignments} FROM (VALUES {values}) AS {alias} WHERE {match}",  # noqa: S608
                params,
            )
            updated += cursor.rowcount
    return updated


# One statement binds at most 65,535 values (PostgreSQL's protocol; SQLite's default limit
# is higher): batches of rows stay under it whatever the model's width.
MAX_BOUND_VALUES = 60_000


def insert_rows(model: type[Model], objects: Sequence[Model]) -> None:
    """bulk_create any number of rows (a closing run writes thousands of audit events), in
    batches that never bind more values than one statement may carry."""
    if objects:
        columns = len(model._meta.concrete_fields)
        model._default_manager.bulk_create(objects, batch_size=max(1, MAX_BOUND_VALUES // columns))


def correlated_sum(queryset: QuerySet, expression, *, link: str = "customer") -> Coalesce:
    """An expression for the outer query: the sum of `expression` over the rows of
    `queryset` whose `link` is the outer row (0 when there are none). Several of them
    read side by side in one query (a customer's open orders, invoices, credit)."""
    per_row = queryset.filter(**{link: OuterRef("pk")}).order_by().values(link)
    summed = Subquery(per_row.annotate(total=Sum(expression)).values("total"))
    return Coalesce(summed, Value(ZERO), output_field=MONEY_FIELD)


# --- queries compiled once ----------------------------------------------------------------------

# Django builds the SQL of a queryset anew on every evaluation. For a read of a few
# subqueries (a credit check, a closed-period check) that costs ~0.5-2.5 ms of Python
# while PostgreSQL answers the prepared statement in ~0.1 ms. `compiled_rows` compiles
# such a read once per process and then only binds the arguments.


def _date_marker(first: dt.date) -> Callable[[int], dt.date]:
    return lambda n: first + dt.timedelta(days=n)


# Two distinct values per argument type, unlike any real one.
_MARKERS: dict[type, tuple[Callable[[int], Any], Callable[[int], Any]]] = {
    int: (lambda n: 1_900_000_001 + n, lambda n: 1_900_500_001 + n),
    dt.date: (_date_marker(dt.date(1901, 1, 1)), _date_marker(dt.date(1902, 6, 1))),
}


@dataclass(frozen=True)
class _Compiled:
    alias: str
    sql: str
    params: tuple
    slots: tuple[tuple[int, str, bool], ...]  # (parameter index, argument, bound as text)
    converters: tuple[tuple[int, tuple, Any], ...]  # (column, converters, expression)


_compiled: dict[Callable[..., QuerySet], _Compiled | None] = {}


def _compile(build: Callable[..., QuerySet], args: dict[str, Any]) -> _Compiled | None:
    """Build the queryset twice, with two sets of marker arguments, and find by comparing
    the two which bound parameters are which argument. None when that is not certain
    (SQL that depends on the values, a constant equal to a marker)."""
    markers = [
        {name: _MARKERS[type(value)][which](n) for n, (name, value) in enumerate(args.items())} for which in (0, 1)
    ]
    compiled = []
    try:
        for values in markers:
            queryset = build(**values)
            compiler = queryset.query.get_compiler(using=queryset.db)
            compiled.append((queryset.db, compiler, *compiler.as_sql()))
    except EmptyResultSet:
        return None
    (alias, compiler, sql, params), (_alias, _compiler, other_sql, other_params) = compiled
    if sql != other_sql or len(params) != len(other_params):
        return None
    forms = {
        (name, as_text): tuple(str(m[name]) if as_text else m[name] for m in markers)
        for name in args
        for as_text in (False, True)
    }
    slots = []
    for index, pair in enumerate(zip(params, other_params, strict=True)):
        if pair[0] == pair[1]:
            if any(pair[0] in form for form in forms.values()):
                return None  # a constant equal to a marker: ambiguous
            continue
        found = [key for key, form in forms.items() if form == pair]
        if len(found) != 1:
            return None
        slots.append((index, *found[0]))
    if {name for _index, name, _text in slots} != set(args):
        return None
    columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
    converters = tuple(
        (index, tuple(functions), expression)
        for index, (functions, expression) in compiler.get_converters(columns).items()
    )
    return _Compiled(alias, sql, tuple(params), tuple(slots), converters)


def compiled_rows(build: Callable[..., QuerySet], **args: Any) -> list[tuple]:
    """The rows of `build(**args)` as tuples. `build` is a module-level function returning
    a values_list() queryset whose SQL depends only on its arguments; its SQL is compiled
    once per process, and each call binds the arguments (ints and dates) and runs it,
    with the queryset's own value conversions. Arguments of other types, and a query
    that cannot be compiled once this way, are evaluated as the queryset, with the same
    result."""
    if any(type(value) not in _MARKERS for value in args.values()):
        return [tuple(row) for row in build(**args)]
    if build not in _compiled:
        _compiled[build] = _compile(build, args)
    entry = _compiled[build]
    if entry is None:
        return [tuple(row) for row in build(**args)]
    params = list(entry.params)
    for index, name, as_text in entry.slots:
        params[index] = str(args[name]) if as_text else args[name]
    connection = connections[entry.alias]
    with connection.cursor() as cursor:
        cursor.execute(entry.sql, params)
        rows = cursor.fetchall()
    if not entry.converters:
        return [tuple(row) for row in rows]
    converted = []
    for row in rows:
        row = list(row)
        for index, functions, expression in entry.converters:
            for function in functions:
                row[index] = function(row[index], expression, connection)
        converted.append(tuple(row))
    return converted
