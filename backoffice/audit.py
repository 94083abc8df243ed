"""The audit trail: every service that changes data records one event."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import models

from .models import AuditEvent
from .unitofwork import insert_later


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


def _event(actor, action: str, obj: models.Model, changes: dict[str, Any] | None) -> AuditEvent:
    return AuditEvent(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        changes=_plain(changes or {}),
    )


def record(
    *,
    actor,
    action: str,
    obj: models.Model,
    changes: dict[str, Any] | None = None,
    keep_on_rollback: bool = False,
) -> AuditEvent:
    """Record one audit event. `changes` is {field: {"before", "after"}} or any JSON-ready
    detail. Inside a unit of work (a service call) the events of the whole unit are
    written together in one INSERT just before it commits; outside one, at once.
    keep_on_rollback: the event of a refusal, kept even though the refusal fails the unit."""
    event = _event(actor, action, obj, changes)
    insert_later([event], keep_on_rollback=keep_on_rollback)
    return event


def record_many(*, actor, action: str, items: list[tuple[models.Model, dict[str, Any] | None]]) -> None:
    """One audit event per (object, changes): for a step that changes many rows at once
    (all lines of an order), so the trail stays complete without a query per line."""
    insert_later(_event(actor, action, obj, changes) for obj, changes in items)
