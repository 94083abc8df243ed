"""Telling the next person that work waits for them: one row per recipient, shown on their
home, and an e-mail sent after the transaction commits (Celery; console e-mail in the demo).

Services call `notify` at the hand-off (quote submitted → managers, approved/rejected → the
requester, inquiry handed off → the rep)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from .models import Notification
from .tasks import send_notification_mails


def notify(*, recipients: Iterable, text: str, link: str = "", actor=None) -> list[Notification]:
    """One notification per distinct active recipient other than `actor` (nobody is told
    about their own step); the e-mails go out once the surrounding transaction commits."""
    actor_id = getattr(actor, "pk", None)
    seen: set[int] = set()
    rows = []
    for user in recipients:
        if user is None or not user.is_active or user.pk == actor_id or user.pk in seen:
            continue
        seen.add(user.pk)
        rows.append(Notification(recipient=user, text=str(text)[:300], link=link))
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    ids = [n.pk for n in created if n.pk is not None]
    if ids:
        transaction.on_commit(lambda: send_notification_mails.delay(ids))
    return created


def notifications_mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications (all, or those in `ids`) as read."""
    unread = Notification.objects.filter(recipient=user, read_at=None)
    if ids is not None:
        unread = unread.filter(pk__in=list(ids))
    return unread.update(read_at=timezone.now())


def unread_notifications(user, *, limit: int = 20):
    return Notification.objects.filter(recipient=user, read_at=None)[:limit]
