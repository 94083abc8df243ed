"""The audit trail: every service that changes data records one event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from .db import insert_rows
from .models import AuditEvent


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, models.fields.files.FieldFile):
        return value.name or ""
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The concrete field values of an instance, JSON-ready, for before/after diffs."""
    names = fields or [f.attname for f in instance._meta.concrete_fields]
    return {name: _plain(getattr(instance, name)) for name in names}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        name: {"before": before.get(name), "after": after.get(name)}
        for name in sorted(set(before) | set(after))
        if before.get(name) != after.get(name)
    }


def actor_or_none(user):
    """The user to store as a row's actor: None for an anonymous or absent user (a command,
    a scheduled task)."""
    return user if getattr(user, "is_authenticated", False) else None


def event(*, actor, action: str, obj: models.Model, changes: dict[str, Any] | None = None) -> AuditEvent:
    """One audit event, not yet written: for a step whose events of several kinds go into
    one INSERT (`record_events`)."""
    return AuditEvent(
        actor=actor_or_none(actor),
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=_plain(changes or {}),
    )


def record(*, actor, action: str, obj: models.Model, changes: dict[str, Any] | None = None) -> AuditEvent:
    """Record one audit event, now, in the caller's transaction. `changes` is
    {field: {"before", "after"}} or any JSON-ready detail."""
    one = event(actor=actor, action=action, obj=obj, changes=changes)
    one.save()
    return one


def record_many(*, actor, action: str, items: list[tuple[models.Model, dict[str, Any] | None]]) -> None:
    """One audit event per (object, changes), in one INSERT: for a step that changes many
    rows at once (all lines of an order, every invoice of a closing run)."""
    record_events([event(actor=actor, action=action, obj=obj, changes=changes) for obj, changes in items])


def record_events(events: list[AuditEvent]) -> None:
    """Write these events (built with `event`), of any actions, in one INSERT."""
    insert_rows(AuditEvent, events)
