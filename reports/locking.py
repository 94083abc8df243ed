"""Row locks for reports: sales targets, by primary key. A lazy queryset takes no lock,
so each helper evaluates with list()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .models import SalesTarget


def lock_targets(*, rep_ids: Iterable[int], months: Iterable[dt.date]) -> list[SalesTarget]:
    """The targets of these reps in these months that exist, locked in primary key order."""
    return list(
        SalesTarget.objects.filter(rep_id__in=set(rep_ids), month__in=set(months))
        .order_by("pk")
        .select_for_update(of=("self",), no_key=True)
    )


def lock_target(*, rep_id: int, month: dt.date) -> SalesTarget | None:
    """The target of one rep for one month, locked; None when there is none yet."""
    locked = lock_targets(rep_ids=[rep_id], months=[month])
    return locked[0] if locked else None
