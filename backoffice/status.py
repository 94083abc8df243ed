"""The one status machine: every status change of every model goes through here.

A model with a `status` field declares its allowed moves as a class attribute::

    class Order(models.Model):
        TRANSITIONS = {Status.DRAFT: {Status.CONFIRMED, ...}, ...}

`change_status(obj, to)` checks the move against that map, saves the object, appends one
`StatusEvent` row and records one audit event ("order.confirmed"), all in the caller's
transaction and at once, so later steps of the same transaction read them.
`change_status_many(objs, to)` does the same for many objects of one model in a few
statements (the orders of a consolidated invoice); `change_statuses(moves)` for the
objects of several models one step moves (a shipment and its order), their events in one
INSERT each. A move the map does not allow raises `StateConflict`
and writes nothing. Moving to the status an object already has is no change: no write,
no event.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .audit import actor_or_none
from .db import insert_rows
from .exceptions import StateConflict
from .models import AuditEvent, StatusEvent


def require_status(obj: models.Model, *allowed: str, message: str | None = None) -> None:
    """StateConflict unless the object is in one of `allowed` (a precondition of a step,
    not a move: issuing needs an approved quote)."""
    if obj.status not in allowed:
        raise StateConflict(
            message
            or _("%(object)s is %(status)s: not allowed now.") % {"object": obj, "status": obj.get_status_display()}
        )


def check_move(obj: models.Model, to_status: str) -> None:
    """Raise StateConflict unless the object's map allows its status to become `to_status`."""
    from_status = obj.status
    if to_status == from_status:
        return
    if to_status not in type(obj).TRANSITIONS.get(from_status, ()):
        status = type(obj).Status
        raise StateConflict(
            _("%(object)s is %(from)s and cannot become %(to)s.")
            % {"object": obj, "from": status(from_status).label, "to": status(to_status).label},
            code="invalid_transition",
        )


@dataclass(frozen=True)
class Move:
    """One object's status change, among the several one step makes (`change_statuses`)."""

    obj: models.Model
    to_status: str
    comment: str = ""
    fields: tuple[str, ...] = ()  # other fields changed with the status, saved with it


def change_status(obj: models.Model, to_status: str, *, user, comment: str = "", fields: Iterable[str] = ()) -> None:
    """Move one object to `to_status`: check, save `status` (and `fields`, changed with it),
    append its StatusEvent and its audit event."""
    change_statuses([Move(obj, to_status, comment, tuple(fields))], user=user)


def change_statuses(moves: Sequence[Move], *, user, also_audit: Sequence[AuditEvent] = ()) -> int:
    """The moves of one step, of objects of any models (a shipment ships and its order
    becomes shipped): each object is saved with its fields (one UPDATE each), and all their
    StatusEvents go in one INSERT, their audit events (and `also_audit`, the step's other
    events) in another. Every move is checked before anything is written. Returns how
    many moved."""
    moving = [move for move in moves if move.to_status != move.obj.status]
    for move in moving:
        check_move(move.obj, move.to_status)
    changes = []
    for move in moving:
        obj = move.obj
        changes.append(_Change(obj, obj.status, move.to_status, move.comment))
        obj.status = move.to_status
        update = ["status", *move.fields]
        if hasattr(obj, "updated_at"):
            update.append("updated_at")
        obj.save(update_fields=update)
    _record(changes, user=user, also_audit=also_audit)
    return len(moving)


def change_status_many(
    objs: Sequence[models.Model],
    to_status: str,
    *,
    user,
    comment: str = "",
    also_audit: Sequence[AuditEvent] = (),
) -> int:
    """Move many objects of one model to `to_status` in one UPDATE (per former status), with
    their events (and `also_audit`, the step's other audit events, in the same INSERT).
    Every move is checked before anything is written. Returns how many moved."""
    moving = [obj for obj in objs if obj.status != to_status]
    for obj in moving:
        check_move(obj, to_status)
    if not moving:
        audit.record_events(list(also_audit))
        return 0
    model = type(moving[0])
    before = {obj.pk: obj.status for obj in moving}
    values = {"status": to_status}
    if any(field.name == "updated_at" for field in model._meta.concrete_fields):
        values["updated_at"] = timezone.now()
    by_status: dict[str, list[int]] = {}
    for pk, status in before.items():
        by_status.setdefault(status, []).append(pk)
    for from_status, pks in by_status.items():
        # The rows are the caller's, locked; matching the former status too makes a stale
        # object fail loudly instead of overwriting a newer status.
        updated = model._default_manager.filter(pk__in=pks, status=from_status).update(**values)
        if updated != len(pks):
            raise StateConflict(_("The status changed meanwhile: reload and try again."), code="stale_status")
    for obj in moving:
        for name, value in values.items():
            setattr(obj, name, value)
    _record([_Change(obj, before[obj.pk], to_status, comment) for obj in moving], user=user, also_audit=also_audit)
    return len(moving)


def status_started(obj: models.Model, *, user, comment: str = "") -> None:
    """The first event of a new object: '' → its initial status (a purchase order drafted)."""
    _record([_Change(obj, "", obj.status, comment)], user=user, audited=False)


def status_history(obj: models.Model):
    """The object's StatusEvents, oldest first."""
    return StatusEvent.objects.filter(object_type=obj._meta.label_lower, object_id=obj.pk).order_by("occurred_at", "pk")


class _Change(NamedTuple):
    obj: models.Model
    from_status: str
    to_status: str
    comment: str


def _record(changes: Sequence[_Change], *, user, audited: bool = True, also_audit: Sequence[AuditEvent] = ()) -> None:
    """The StatusEvents of these changes in one INSERT; their audit events ("order.shipped")
    and `also_audit` in another."""
    actor = actor_or_none(user)
    now = timezone.now()
    insert_rows(
        StatusEvent,
        [
            StatusEvent(
                object_type=change.obj._meta.label_lower,
                object_id=change.obj.pk,
                from_status=change.from_status,
                to_status=change.to_status,
                actor=actor,
                comment=change.comment,
                occurred_at=now,
            )
            for change in changes
        ],
    )
    events = list(also_audit)
    if audited:
        events[:0] = [
            audit.event(
                actor=user,
                action=f"{change.obj._meta.model_name}.{change.to_status}",
                obj=change.obj,
                changes={
                    "status": {"before": change.from_status, "after": change.to_status},
                    **({"comment": change.comment} if change.comment else {}),
                },
            )
            for change in changes
        ]
    audit.record_events(events)
