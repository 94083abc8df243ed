"""Targets vs achievement (目標達成率): per rep, the month and the fiscal year to date."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext as _

from backoffice.roles import Role, sees_all_customers
from backoffice.selectors import company_profile

from ..models import SalesTarget
from .aggregation import SalesFilters, aggregate_sales
from .figures import ZERO, fraction, growth, percent
from .labels import user_label
from .periods import fiscal_year_start, month_end, month_start, year_earlier


@dataclass
class TargetRow:
    rep_id: int
    rep: str
    target: Decimal | None
    actual: Decimal
    ytd_target: Decimal | None
    ytd_actual: Decimal

    @property
    def achievement_rate(self) -> Decimal | None:
        return fraction(self.actual, self.target)

    @property
    def ytd_achievement_rate(self) -> Decimal | None:
        return fraction(self.ytd_actual, self.ytd_target)


@dataclass
class TargetReport:
    month: dt.date
    fiscal_year_from: dt.date
    rows: list[TargetRow]
    total: TargetRow


def _sum_or_none(values: Iterable[Decimal | None]) -> Decimal | None:
    present = [v for v in values if v is not None]
    return sum(present, ZERO) if present else None


def targets_report(*, user, month: dt.date) -> TargetReport:
    """Per rep: the month's target and actual net sales, and the fiscal year to date.
    A rep sees only their own row. Five queries plus the user's roles."""
    month = month_start(month)
    start = fiscal_year_start(month, company_profile().fiscal_year_start_month)
    sees_all = sees_all_customers(user)
    targets = SalesTarget.objects.filter(month__range=(start, month))
    if not sees_all:
        targets = targets.filter(rep=user)
    by_rep: dict[int, dict[str, Decimal | None]] = defaultdict(lambda: {"target": None, "ytd_target": None})
    for rep_id, target_month, amount in targets.values_list("rep_id", "month", "amount"):
        entry = by_rep[rep_id]
        entry["ytd_target"] = (entry["ytd_target"] or ZERO) + amount
        if target_month == month:
            entry["target"] = amount
    figures = aggregate_sales(
        user=user,
        dimensions=["rep"],
        periods={"month": (month, month_end(month)), "ytd": (start, month_end(month))},
        filters=SalesFilters(rep=None if sees_all else user.pk),
    )
    reps = get_user_model().objects.filter(
        Q(pk__in=[*by_rep, *(key[0] for key in figures if key[0] is not None)]) | Q(groups__name=Role.SALES_REP.value)
    )
    if not sees_all:
        reps = reps.filter(pk=user.pk)
    rows = []
    for rep in reps.distinct().order_by("username"):
        actual = figures.get((rep.pk,), {})
        rows.append(
            TargetRow(
                rep_id=rep.pk,
                rep=user_label(rep),
                target=by_rep[rep.pk]["target"],
                actual=actual.get("month", {}).get("amount", ZERO),
                ytd_target=by_rep[rep.pk]["ytd_target"],
                ytd_actual=actual.get("ytd", {}).get("amount", ZERO),
            )
        )
    total = TargetRow(
        rep_id=0,
        rep=_("Total"),
        target=_sum_or_none(r.target for r in rows),
        actual=sum((r.actual for r in rows), ZERO),
        ytd_target=_sum_or_none(r.ytd_target for r in rows),
        ytd_actual=sum((r.ytd_actual for r in rows), ZERO),
    )
    return TargetReport(month=month, fiscal_year_from=start, rows=rows, total=total)


@dataclass
class PeriodTargetRow:
    rep_id: int
    rep: str
    target: Decimal | None
    actual: Decimal
    last_year_actual: Decimal

    @property
    def achievement_pct(self) -> Decimal | None:
        """達成率 as a percentage (87.5); None without a target."""
        return percent(self.actual, self.target) if self.target else None

    @property
    def growth_pct(self) -> Decimal | None:
        return growth(self.actual, self.last_year_actual)


@dataclass
class PeriodTargets:
    date_from: dt.date
    date_to: dt.date
    rows: list[PeriodTargetRow]
    total: PeriodTargetRow


def period_targets(*, user, date_from: dt.date, date_to: dt.date) -> PeriodTargets:
    """Per rep, for any period: the targets of the months the period touches, the actual net
    sales of the period (by the rep recorded on each shipment) and the same period a year
    earlier. A rep sees only their own row. Five queries plus the user's roles."""
    sees_all = sees_all_customers(user)
    targets = SalesTarget.objects.filter(month__range=(month_start(date_from), date_to))
    if not sees_all:
        targets = targets.filter(rep=user)
    by_rep: dict[int, Decimal] = {}
    for rep_id, amount in targets.values_list("rep_id", "amount"):
        by_rep[rep_id] = by_rep.get(rep_id, ZERO) + amount
    figures = aggregate_sales(
        user=user,
        dimensions=["rep"],
        periods={"now": (date_from, date_to), "last_year": (year_earlier(date_from), year_earlier(date_to))},
        filters=SalesFilters(rep=None if sees_all else user.pk),
    )
    reps = get_user_model().objects.filter(
        Q(pk__in=[*by_rep, *(key[0] for key in figures if key[0] is not None)]) | Q(groups__name=Role.SALES_REP.value)
    )
    if not sees_all:
        reps = reps.filter(pk=user.pk)
    rows = []
    for rep in reps.distinct().order_by("username"):
        actual = figures.get((rep.pk,), {})
        rows.append(
            PeriodTargetRow(
                rep_id=rep.pk,
                rep=user_label(rep),
                target=by_rep.get(rep.pk),
                actual=actual.get("now", {}).get("amount", ZERO),
                last_year_actual=actual.get("last_year", {}).get("amount", ZERO),
            )
        )
    total = PeriodTargetRow(
        rep_id=0,
        rep=_("Total"),
        target=_sum_or_none(r.target for r in rows),
        actual=sum((r.actual for r in rows), ZERO),
        last_year_actual=sum((r.last_year_actual for r in rows), ZERO),
    )
    return PeriodTargets(date_from=date_from, date_to=date_to, rows=rows, total=total)
