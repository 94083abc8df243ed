"""The one status machine: every status change of every model goes through here.

A model with a `status` field declares its allowed moves as a class attribute::

    class Order(models.Model):
        TRANSITIONS = {Status.DRAFT: {Status.CONFIRMED, ...}, ...}

`change_status(obj, to)` checks the move against that map, saves the object, appends one
`StatusEvent` row and records one audit event ("order.confirmed"), all in the caller's
transaction and at once, so later steps of the same transaction read them.
`change_status_many(objs, to)` does the same for many objects in a few statements (the
orders of a consolidated invoice). A move the map does not allow raises `StateConflict`
and writes nothing. Moving to the status an object already has is no change: no write,
no event.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from . import audit
from .audit import actor_or_none
from .db import insert_rows
from .exceptions import StateConflict
from .models import StatusEvent


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


def change_status(obj: models.Model, to_status: str, *, user, comment: str = "", fields: Iterable[str] = ()) -> None:
    """Move one object to `to_status`: check, save `status` (and `fields`, changed with it),
    append its StatusEvent and its audit event."""
    from_status = obj.status
    if to_status == from_status:
        return
    check_move(obj, to_status)
    obj.status = to_status
    update = ["status", *fields]
    if hasattr(obj, "updated_at"):
        update.append("updated_at")
    obj.save(update_fields=update)
    _record([obj], {obj.pk: from_status}, to_status, user=user, comment=comment)


def change_status_many(objs: Sequence[models.Model], to_status: str, *, user, comment: str = "") -> int:
    """Move many objects of one model to `to_status` in one UPDATE (per former status), with
    their events. Every move is checked before anything is written. Returns how many moved."""
    moving = [obj for obj in objs if obj.status != to_status]
    for obj in moving:
        check_move(obj, to_status)
    if not moving:
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
    _record(moving, before, to_status, user=user, comment=comment)
    return len(moving)


def status_started(obj: models.Model, *, user, comment: str = "") -> None:
    """The first event of a new object: '' → its initial status (a purchase order drafted)."""
    _record([obj], {obj.pk: ""}, obj.status, user=user, comment=comment, audited=False)


def status_history(obj: models.Model):
    """The object's StatusEvents, oldest first."""
    return StatusEvent.objects.filter(object_type=obj._meta.label_lower, object_id=obj.pk).order_by("occurred_at", "pk")


def _record(
    objs: Sequence[models.Model],
    before: dict[int, str],
    to_status: str,
    *,
    user,
    comment: str,
    audited: bool = True,
) -> None:
    meta = objs[0]._meta
    actor = actor_or_none(user)
    now = timezone.now()
    insert_rows(
        StatusEvent,
        [
            StatusEvent(
                object_type=meta.label_lower,
                object_id=obj.pk,
                from_status=before[obj.pk],
                to_status=to_status,
                actor=actor,
                comment=comment,
                occurred_at=now,
            )
            for obj in objs
        ],
    )
    if audited:
        extra = {"comment": comment} if comment else {}
        audit.record_many(
            actor=user,
            action=f"{meta.model_name}.{to_status}",
            items=[(obj, {"status": {"before": before[obj.pk], "after": to_status}, **extra}) for obj in objs],
        )
