"""Changing a kind's number prefix (書類番号の接頭辞) without breaking a sequence.

A number is prefix-fiscal year-sequence, and the sequence of a prefix and year is
gapless. So a new prefix:

- starts with a fiscal year: the current one only while no number of that year has been
  drawn for the kind, else a later one (the current year's numbers keep their prefix to
  its end, and the new one starts at 000001 with its first year);
- never renames an issued document (the number is part of the stored document);
- is never a prefix another kind uses or used (two kinds never share a sequence); the
  kinds that share one sequence by default (invoices and consolidated invoices) change
  together;
- is kept, with who set it and when; a change that has not started can be cancelled
  (kept too, marked cancelled), and every step is an audit event.

Race: the counter rows of the years the change covers are locked and checked in the
change's transaction; an issue that read the old prefix before the change committed
takes the first value of the year and gives it back when it sees the new prefix
(numbering.take_number), so the old sequence keeps no number of that year.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.roles import Role, require_role

from .. import numbering
from ..models import DocumentCounter, NumberPrefix
from ..types import DocumentKind

PREFIX_MAX_LENGTH = 10
PREFIX_FORMAT = re.compile(r"^[A-Z][A-Z0-9]*$")
# How far ahead a change may be scheduled (a typo such as 20227 is refused, not kept).
MAX_YEARS_AHEAD = 5


def clean_prefix(value) -> str:
    """The prefix as stored: full-width letters and digits made half-width, upper case;
    InvalidInput on `prefix` when it cannot be one."""
    prefix = unicodedata.normalize("NFKC", str(value or "")).strip().upper()
    if not prefix:
        raise InvalidInput(_("Enter the prefix."), field="prefix")
    if len(prefix) > PREFIX_MAX_LENGTH:
        raise InvalidInput(
            _("The prefix is at most %(count)d characters.") % {"count": PREFIX_MAX_LENGTH}, field="prefix"
        )
    if not PREFIX_FORMAT.match(prefix):
        raise InvalidInput(
            _(
                "Use only the letters A-Z and the digits 0-9 in the prefix, starting with a letter"
                " (no hyphen or space: the hyphen separates the parts of the number)."
            ),
            field="prefix",
        )
    return prefix


def _clean_kind(kind) -> str:
    if str(kind) not in DocumentKind.values:
        raise InvalidInput(_("Choose a document kind."), field="kind")
    return str(kind)


def _clean_year(value, current: int) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(_("Enter the fiscal year as a number such as 2027."), field="from_fiscal_year") from None
    if year < current:
        raise InvalidInput(
            _("Fiscal year %(year)s has begun before this one: its numbers keep their prefix.") % {"year": year},
            field="from_fiscal_year",
        )
    if year > current + MAX_YEARS_AHEAD:
        raise InvalidInput(
            _("Choose a fiscal year from %(first)s to %(last)s.")
            % {"first": current, "last": current + MAX_YEARS_AHEAD},
            field="from_fiscal_year",
        )
    return year


def _kind_label(kind: str) -> str:
    from ..rendering import KIND_LAYOUTS

    return str(KIND_LAYOUTS[DocumentKind(kind)].title)


def _other_kinds_prefix(prefix: str, kinds: tuple[str, ...]) -> str | None:
    """The kind outside `kinds` that uses or used `prefix` (by default or by a change), if any."""
    for kind in DocumentKind:
        if str(kind) not in kinds and numbering.default_prefix(kind) == prefix:
            return str(kind)
    used = (
        NumberPrefix.objects.filter(prefix=prefix, cancelled_at__isnull=True)
        .exclude(kind__in=kinds)
        .values_list("kind", flat=True)
        .first()
    )
    return used


def _prefixes_of_series(kinds: tuple[str, ...]) -> set[str]:
    prefixes = {numbering.default_prefix(kinds[0])}
    prefixes.update(
        NumberPrefix.objects.filter(kind__in=kinds, cancelled_at__isnull=True).values_list("prefix", flat=True)
    )
    return prefixes


def _lock_years(prefixes: set[str], from_year: int, current: int) -> list[DocumentCounter]:
    """Lock the counter rows of these prefixes from `from_year` on (created empty for the
    years an issue could draw from now, so an issue racing this change waits for it), by
    primary key; returns those that have handed out numbers."""
    last_year = max(from_year, current + 1)
    existing = DocumentCounter.objects.filter(prefix__in=prefixes, fiscal_year__gte=from_year).aggregate(
        last=Max("fiscal_year")
    )["last"]
    last_year = max(last_year, existing or 0)
    DocumentCounter.objects.bulk_create(
        [
            DocumentCounter(prefix=prefix, fiscal_year=year)
            for prefix in sorted(prefixes)
            for year in range(from_year, last_year + 1)
        ],
        ignore_conflicts=True,
    )
    rows = list(
        DocumentCounter.objects.filter(prefix__in=prefixes, fiscal_year__gte=from_year)
        .order_by("pk")
        .select_for_update(of=("self",), no_key=True)
    )
    return sorted((row for row in rows if row.last_value > 0), key=lambda row: (row.fiscal_year, row.prefix))


@transaction.atomic
def number_prefix_schedule(*, kind: str, prefix: str, from_fiscal_year, user) -> list[NumberPrefix]:
    """Give `kind` (and the kinds sharing its sequence) the prefix `prefix` from
    `from_fiscal_year` on. Returns the rows written, one per kind of the sequence."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins change the document number prefixes."))
    kind = _clean_kind(kind)
    prefix = clean_prefix(prefix)
    current = numbering.current_fiscal_year()
    year = _clean_year(from_fiscal_year, current)
    kinds = numbering.series_kinds(kind)
    label = "・".join(_kind_label(k) for k in kinds)
    other = _other_kinds_prefix(prefix, kinds)
    if other is not None:
        raise InvalidInput(
            _("%(prefix)s is the prefix of %(kind)s: two kinds never share a sequence. Choose another prefix.")
            % {"prefix": prefix, "kind": _kind_label(other)},
            field="prefix",
        )
    if (
        prefix not in _prefixes_of_series(kinds)
        and DocumentCounter.objects.filter(prefix=prefix, last_value__gt=0).exists()
    ):
        raise InvalidInput(
            _("Numbers with the prefix %(prefix)s have been issued before: choose another prefix.")
            % {"prefix": prefix},
            field="prefix",
        )
    if numbering.prefix_for(kind, year) == prefix:
        raise InvalidInput(
            _("%(prefix)s is already the prefix of %(kind)s in fiscal year %(year)s.")
            % {"prefix": prefix, "kind": label, "year": year},
            field="prefix",
        )
    if NumberPrefix.objects.filter(kind__in=kinds, from_fiscal_year=year, cancelled_at__isnull=True).exists():
        raise StateConflict(
            _("A change of %(kind)s from fiscal year %(year)s is already scheduled: cancel it first.")
            % {"kind": label, "year": year},
            field="from_fiscal_year",
        )
    used = _lock_years(_prefixes_of_series(kinds) | {prefix}, year, current)
    if used:
        first = used[0]
        raise StateConflict(
            _(
                "Numbers of fiscal year %(year)s have already been issued (%(number)s): a new prefix for"
                " %(kind)s can start with fiscal year %(next)s at the earliest."
            )
            % {
                "year": first.fiscal_year,
                "number": numbering.format_number(first.prefix, first.fiscal_year, first.last_value),
                "kind": label,
                "next": used[-1].fiscal_year + 1,
            },
            field="from_fiscal_year",
        )
    now = timezone.now()
    actor = audit.actor_or_none(user)
    rows = [
        NumberPrefix.objects.create(kind=k, prefix=prefix, from_fiscal_year=year, created_by=actor, created_at=now)
        for k in kinds
    ]
    audit.record_many(
        actor=user,
        action="document.number_prefix.schedule",
        items=[
            (row, {"kind": row.kind, "prefix": row.prefix, "from_fiscal_year": year, "before": None}) for row in rows
        ],
    )
    return rows


@transaction.atomic
def number_prefix_cancel(*, change: NumberPrefix, user) -> list[NumberPrefix]:
    """Withdraw a change that no number uses yet (with the other kinds of its sequence):
    the prefix before it applies again. The rows are kept, marked cancelled."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins change the document number prefixes."))
    kinds = numbering.series_kinds(change.kind)
    rows = list(
        NumberPrefix.objects.filter(
            kind__in=kinds, from_fiscal_year=change.from_fiscal_year, cancelled_at__isnull=True
        ).select_for_update(of=("self",), no_key=True)
    )
    if not rows:
        raise StateConflict(_("This change has already been cancelled."), field="change")
    current = numbering.current_fiscal_year()
    if change.from_fiscal_year < current:
        raise StateConflict(_("This prefix is in use since an earlier fiscal year: it stays."), field="change")
    used = _lock_years({change.prefix}, change.from_fiscal_year, current)
    if used:
        raise StateConflict(
            _("Numbers with %(prefix)s have already been issued (%(number)s): the change stays.")
            % {
                "prefix": change.prefix,
                "number": numbering.format_number(used[0].prefix, used[0].fiscal_year, used[0].last_value),
            },
            field="change",
        )
    now = timezone.now()
    actor = audit.actor_or_none(user)
    for row in rows:
        row.cancelled_at, row.cancelled_by = now, actor
        row.save(update_fields=["cancelled_at", "cancelled_by"])
    audit.record_many(
        actor=user,
        action="document.number_prefix.cancel",
        items=[
            (row, {"kind": row.kind, "prefix": row.prefix, "from_fiscal_year": row.from_fiscal_year}) for row in rows
        ],
    )
    return rows


@dataclass(frozen=True)
class PrefixSeries:
    """One sequence as the settings screen shows it."""

    kinds: tuple[str, ...]
    label: str
    default: str
    current: str
    current_since: int | None  # the fiscal year of the change in force, None for the default
    last_number: str  # the last number drawn this fiscal year, "" for none
    scheduled: list[NumberPrefix]
    history: list[NumberPrefix]
    earliest_year: int  # the first fiscal year a new prefix could start with


def number_prefix_overview() -> tuple[int, list[PrefixSeries]]:
    """(current fiscal year, each sequence with its prefix now, scheduled changes, history):
    two queries."""
    current = numbering.current_fiscal_year()
    rows = list(NumberPrefix.objects.select_related("created_by", "cancelled_by").order_by("from_fiscal_year", "pk"))
    counters = {
        (c.prefix, c.fiscal_year): c.last_value
        for c in DocumentCounter.objects.filter(fiscal_year__gte=current, last_value__gt=0)
    }
    series, seen = [], set()
    for kind in DocumentKind:
        if str(kind) in seen:
            continue
        kinds = numbering.series_kinds(kind)
        seen.update(kinds)
        own = [row for row in rows if row.kind == kinds[0]]
        active = [row for row in own if not row.is_cancelled]
        in_force = [row for row in active if row.from_fiscal_year <= current]
        now_row = in_force[-1] if in_force else None
        prefix = now_row.prefix if now_row else numbering.default_prefix(kind)
        used_years = [
            year
            for (p, year), _value in counters.items()
            if p == prefix or p in {row.prefix for row in active if row.from_fiscal_year > current}
        ]
        drawn = counters.get((prefix, current), 0)
        series.append(
            PrefixSeries(
                kinds=kinds,
                label="・".join(_kind_label(k) for k in kinds),
                default=numbering.default_prefix(kind),
                current=prefix,
                current_since=now_row.from_fiscal_year if now_row else None,
                last_number=numbering.format_number(prefix, current, drawn) if drawn else "",
                scheduled=[row for row in active if row.from_fiscal_year > current],
                history=own,
                earliest_year=max([current, *(year + 1 for year in used_years)]),
            )
        )
    return current, series
