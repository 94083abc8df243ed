"""Database helpers that Django's ORM makes slow on hot paths."""

from __future__ import annotations

from collections.abc import Sequence

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
