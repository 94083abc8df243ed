"""Writes of the reports app: sales targets only."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.csvfiles import csv_rows
from backoffice.exceptions import InvalidInput
from backoffice.roles import Role, require_role
from billing.services import check_amount

from .locking import lock_target, lock_targets
from .models import SalesTarget

MAX_IMPORT_ROWS = 5000
MONTH_PATTERN = re.compile(r"^(\d{4})[-/](\d{1,2})$")
HEADERS = {
    "rep": ("rep", "username", "担当者", "担当者ID"),
    "month": ("month", "年月", "対象月"),
    "amount": ("amount", "target", "目標", "目標金額"),
}


def parse_month(value: Any, field: str = "month") -> dt.date:
    """'2026-04' (or 2026/4) → 2026-04-01; anything else is bad input naming `field`."""
    match = MONTH_PATTERN.match(str(value or "").strip())
    if match:
        year, month = int(match[1]), int(match[2])
        if 1900 <= year <= 9999 and 1 <= month <= 12:
            return dt.date(year, month, 1)
    raise InvalidInput(_("Enter a month as YYYY-MM."), field=field)


def _require_manager(user) -> None:
    require_role(user, Role.MANAGER, message=_("Only managers set sales targets."))


def _target_amount(value: Any, field: str = "amount") -> Decimal:
    """A target in whole yen, zero or more: a number, or a CSV cell ("1,200,000"), checked
    as billing checks every amount."""
    if isinstance(value, str):
        try:
            value = Decimal(value.replace(",", "").strip())
        except InvalidOperation:
            raise InvalidInput(_("Enter a whole yen amount."), field=field) from None
    return check_amount(value, field, allow_zero=True)


def _check_rep(rep, field: str = "rep") -> None:
    if rep is None or not rep.is_active:
        raise InvalidInput(_("Choose an active user as the rep."), field=field)


@transaction.atomic
def sales_target_set(*, user, rep, month: dt.date, amount: Decimal) -> SalesTarget:
    """Create or change the target of one rep for one month."""
    _require_manager(user)
    _check_rep(rep)
    amount = _target_amount(amount)
    month = month.replace(day=1)
    target = lock_target(rep_id=rep.pk, month=month)
    if target is None:
        target = SalesTarget.objects.create(rep=rep, month=month, amount=amount)
        audit.record(actor=user, action="sales_target.create", obj=target, changes={"amount": amount})
    elif target.amount != amount:
        before = target.amount
        target.amount = amount
        target.save(update_fields=["amount", "updated_at"])
        audit.record(
            actor=user,
            action="sales_target.update",
            obj=target,
            changes={"amount": {"before": before, "after": amount}},
        )
    return target


@transaction.atomic
def sales_target_update(*, user, target: SalesTarget, rep, month: dt.date, amount: Decimal) -> SalesTarget:
    _require_manager(user)
    _check_rep(rep)
    amount = _target_amount(amount)
    month = month.replace(day=1)
    clash = SalesTarget.objects.filter(rep=rep, month=month).exclude(pk=target.pk).exists()
    if clash:
        raise InvalidInput(_("This rep already has a target for this month."), field="month")
    before = audit.snapshot(target, ["rep_id", "month", "amount"])
    target.rep, target.month, target.amount = rep, month, amount
    target.save(update_fields=["rep", "month", "amount", "updated_at"])
    changes = audit.diff(before, audit.snapshot(target, ["rep_id", "month", "amount"]))
    if changes:
        audit.record(actor=user, action="sales_target.update", obj=target, changes=changes)
    return target


@transaction.atomic
def sales_target_delete(*, user, target: SalesTarget) -> None:
    _require_manager(user)
    audit.record(actor=user, action="sales_target.delete", obj=target, changes={"amount": target.amount})
    target.delete()


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    names = [h.strip().lower() for h in header]
    for column, aliases in HEADERS.items():
        for index, name in enumerate(names):
            if name in {a.lower() for a in aliases}:
                found[column] = index
                break
        else:
            raise InvalidInput(
                _("The header row needs the column %(column)s.") % {"column": " / ".join(aliases)}, field="file"
            )
    return found


@transaction.atomic
def sales_targets_import(*, user, content: bytes) -> dict[str, int]:
    """Set many targets from a CSV of rep (username), month (YYYY-MM), amount. Every row
    is checked first; one bad row imports nothing and the error names row and column."""
    _require_manager(user)
    rows = csv_rows(content)
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise InvalidInput(_("The file has no rows under its header."), field="file")
    if len(rows) - 1 > MAX_IMPORT_ROWS:
        raise InvalidInput(_("At most %(count)d rows per file.") % {"count": MAX_IMPORT_ROWS}, field="file")
    columns = _columns(rows[0])
    usernames = {row[columns["rep"]].strip() for row in rows[1:] if len(row) > columns["rep"]}
    reps = {u.username: u for u in get_user_model().objects.filter(username__in=usernames, is_active=True)}
    wanted: dict[tuple[int, dt.date], Decimal] = {}
    for number, row in enumerate(rows[1:], start=2):

        def cell(column: str, row=row) -> str:
            index = columns[column]
            return row[index].strip() if index < len(row) else ""

        where = _("row %(row)d, %(column)s")
        rep = reps.get(cell("rep"))
        if rep is None:
            raise InvalidInput(
                _("%(where)s: no active user %(name)s.")
                % {"where": where % {"row": number, "column": "rep"}, "name": cell("rep")},
                field="file",
            )
        try:
            month = parse_month(cell("month"))
            amount = _target_amount(cell("amount"))
        except InvalidInput as error:
            raise InvalidInput(
                f"{where % {'row': number, 'column': error.field}}: {error.message}", field="file"
            ) from None
        if (rep.pk, month) in wanted:
            raise InvalidInput(
                _("%(where)s: this rep and month are listed twice.")
                % {"where": where % {"row": number, "column": "month"}},
                field="file",
            )
        wanted[(rep.pk, month)] = amount
    existing = {
        (t.rep_id, t.month): t for t in lock_targets(rep_ids=[k[0] for k in wanted], months=[k[1] for k in wanted])
    }
    created, changed = [], []
    for (rep_id, month), amount in wanted.items():
        target = existing.get((rep_id, month))
        if target is None:
            created.append(SalesTarget(rep_id=rep_id, month=month, amount=amount))
        elif target.amount != amount:
            target.amount = amount
            target.updated_at = timezone.now()
            changed.append(target)
    SalesTarget.objects.bulk_create(created)
    SalesTarget.objects.bulk_update(changed, ["amount", "updated_at"])
    audit.record_many(
        actor=user,
        action="sales_target.import",
        items=[(t, {"amount": t.amount}) for t in [*created, *changed]],
    )
    return {"created": len(created), "updated": len(changed), "unchanged": len(wanted) - len(created) - len(changed)}
