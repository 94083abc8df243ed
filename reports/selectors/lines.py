"""The lines behind a sales figure (売上明細): every shipped line and credit note line that a
report adds up for a period and a rep, customer, product or category, with the order each
came from. Read through the same sources and filters as the figures (aggregation.py), so
the lines' total is the figure, to the yen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Sum

from .aggregation import CREDIT_NOTES, MONEY, NO_FILTERS, SHIPMENTS, SalesFilters, _visible_lines
from .figures import ZERO
from .labels import user_label

MAX_LINES = 2000


@dataclass
class SalesLine:
    day: dt.date
    kind: str  # "shipment" or "credit_note"
    document_id: int  # the shipment's or the credit note's invoice
    document_number: str  # the delivery note's (shipment's) or the credit note's number
    order_id: int | None
    order_number: str
    customer: str
    product: str
    rep: str
    quantity: int  # negative for a return
    amount: Decimal  # excluding tax; negative for a credit note


@dataclass
class SalesLines:
    date_from: dt.date
    date_to: dt.date
    lines: list[SalesLine]  # at most MAX_LINES, by date
    count: int  # all of them
    quantity: int
    amount: Decimal

    @property
    def truncated(self) -> bool:
        return self.count > len(self.lines)

    @property
    def order_ids(self) -> list[int]:
        return sorted({line.order_id for line in self.lines if line.order_id is not None})


SHIPMENT_FIELDS = {
    "day": "shipment__shipped_on",
    "document_id": "shipment_id",
    "document_number": "shipment__number",
    "order_id": "shipment__order_id",
    "order_number": "shipment__order__number",
    "customer_code": "shipment__customer__code",
    "customer_name": "shipment__customer__name",
    "sku": "order_line__product__sku",
    "description": "order_line__description",
    "rep_id": "shipment__sales_rep",
    "rep_last": "shipment__sales_rep__last_name",
    "rep_first": "shipment__sales_rep__first_name",
    "rep_username": "shipment__sales_rep__username",
    "quantity": "quantity",
    "amount": "net_amount",
}
CREDIT_NOTE_FIELDS = {
    "day": "credit_note__issue_date",
    "document_id": "credit_note__invoice_id",
    "document_number": "credit_note__number",
    "order_id": "invoice_line__shipment_line__shipment__order_id",
    "order_number": "invoice_line__shipment_line__shipment__order__number",
    "customer_code": "credit_note__customer__code",
    "customer_name": "credit_note__customer__name",
    "sku": "invoice_line__product__sku",
    "description": "invoice_line__description",
    "rep_id": CREDIT_NOTES.rep,
    "rep_last": f"{CREDIT_NOTES.rep}__last_name",
    "rep_first": f"{CREDIT_NOTES.rep}__first_name",
    "rep_username": f"{CREDIT_NOTES.rep}__username",
    "quantity": "quantity",
    "amount": "net_amount",
}


def _rep(row: dict) -> str:
    if row["rep_id"] is None:
        return user_label(None)
    return f"{row['rep_last'] or ''} {row['rep_first'] or ''}".strip() or row["rep_username"]


def sales_lines(*, user, date_from: dt.date, date_to: dt.date, filters: SalesFilters = NO_FILTERS) -> SalesLines:
    """The period's shipped lines (plus) and credit note lines (minus) this user may see,
    matching the filters, oldest first. Four queries: the lines and the totals per source."""
    period = (date_from, date_to)
    lines: list[SalesLine] = []
    count, quantity, amount = 0, 0, ZERO
    for source, fields, kind, sign in (
        (SHIPMENTS, SHIPMENT_FIELDS, "shipment", 1),
        (CREDIT_NOTES, CREDIT_NOTE_FIELDS, "credit_note", -1),
    ):
        queryset = _visible_lines(source, user=user, filters=filters, periods=[period])
        sums = queryset.aggregate(
            n=Count("pk"),
            quantity=Sum("quantity", default=0),
            amount=Sum("net_amount", output_field=MONEY, default=ZERO),
        )
        count += sums["n"]
        quantity += sign * sums["quantity"]
        amount += sign * sums["amount"]
        names = list(fields)
        values = queryset.order_by(fields["day"], "pk").values_list(*fields.values())[:MAX_LINES]
        for row in (dict(zip(names, value, strict=True)) for value in values):
            lines.append(
                SalesLine(
                    day=row["day"],
                    kind=kind,
                    document_id=row["document_id"],
                    document_number=row["document_number"] or "",
                    order_id=row["order_id"],
                    order_number=row["order_number"] or "",
                    customer=f"{row['customer_code']} {row['customer_name']}",
                    product=" ".join(part for part in (row["sku"], row["description"]) if part),
                    rep=_rep(row),
                    quantity=sign * row["quantity"],
                    amount=sign * row["amount"],
                )
            )
    lines.sort(key=lambda line: (line.day, line.kind != "shipment"))
    return SalesLines(
        date_from=date_from,
        date_to=date_to,
        lines=lines[:MAX_LINES],
        count=count,
        quantity=quantity,
        amount=amount,
    )
