"""Quote pipeline (見積パイプライン): open quotes and the won rate per rep."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from backoffice.roles import restrict_to_own_customers
from orders.selectors import QuoteStatus, all_quotes

from .aggregation import NO_FILTERS, SalesFilters
from .figures import ZERO, fraction
from .labels import labels_for


@dataclass
class PipelineRow:
    rep_id: int | None
    rep: str
    open_count: int
    open_amount: Decimal
    accepted_count: int
    accepted_amount: Decimal
    declined_count: int
    expired_count: int

    @property
    def won_rate(self) -> Decimal | None:
        decided = self.accepted_count + self.declined_count + self.expired_count
        return fraction(Decimal(self.accepted_count), Decimal(decided)) if decided else None


@dataclass
class PipelineReport:
    date_from: dt.date
    date_to: dt.date
    rows: list[PipelineRow]
    total: PipelineRow


def pipeline_report(
    *, user, date_from: dt.date, date_to: dt.date, filters: SalesFilters = NO_FILTERS
) -> PipelineReport:
    """Per rep (the customer's rep): quotes issued and still open, with their amount
    excluding tax, and of the quotes issued in the period, how many were won:
    accepted / (accepted + declined + expired). Two queries."""
    quotes = restrict_to_own_customers(all_quotes(), user)
    if filters.customer is not None:
        quotes = quotes.filter(customer=filters.customer)
    if filters.rep is not None:
        quotes = quotes.filter(customer__sales_rep=filters.rep)
    in_period = Q(issue_date__range=(date_from, date_to))
    is_open = Q(status=QuoteStatus.ISSUED)
    decided = Q(status__in=[QuoteStatus.ACCEPTED, QuoteStatus.DECLINED, QuoteStatus.EXPIRED])
    figures = list(
        quotes.filter(is_open | (in_period & decided))
        .values("customer__sales_rep")
        .annotate(
            open_count=Count("pk", filter=is_open),
            open_amount=Sum("subtotal", filter=is_open),
            accepted_count=Count("pk", filter=in_period & Q(status=QuoteStatus.ACCEPTED)),
            accepted_amount=Sum("subtotal", filter=in_period & Q(status=QuoteStatus.ACCEPTED)),
            declined_count=Count("pk", filter=in_period & Q(status=QuoteStatus.DECLINED)),
            expired_count=Count("pk", filter=in_period & Q(status=QuoteStatus.EXPIRED)),
        )
    )
    labels = labels_for("rep", (row["customer__sales_rep"] for row in figures))
    rows = [
        PipelineRow(
            rep_id=row["customer__sales_rep"],
            rep=labels.get(row["customer__sales_rep"], ""),
            open_count=row["open_count"],
            open_amount=row["open_amount"] or ZERO,
            accepted_count=row["accepted_count"],
            accepted_amount=row["accepted_amount"] or ZERO,
            declined_count=row["declined_count"],
            expired_count=row["expired_count"],
        )
        for row in figures
    ]
    rows.sort(key=lambda r: (r.rep_id is None, r.rep))
    total = PipelineRow(
        rep_id=None,
        rep=_("Total"),
        open_count=sum(r.open_count for r in rows),
        open_amount=sum((r.open_amount for r in rows), ZERO),
        accepted_count=sum(r.accepted_count for r in rows),
        accepted_amount=sum((r.accepted_amount for r in rows), ZERO),
        declined_count=sum(r.declined_count for r in rows),
        expired_count=sum(r.expired_count for r in rows),
    )
    return PipelineReport(date_from=date_from, date_to=date_to, rows=rows, total=total)
