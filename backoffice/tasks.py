"""Celery tasks of the core app: thin wrappers (eager unless a broker is configured)."""

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.utils import translation
from django.utils.translation import gettext as _

from .models import Notification


@shared_task
def send_notification_mails(notification_ids: list[int]) -> int:
    """E-mail each notification to its recipient (those with an address); returns how many."""
    sent = 0
    rows = Notification.objects.filter(pk__in=notification_ids).select_related("recipient")
    with translation.override(settings.LANGUAGE_CODE):
        for row in rows:
            if not row.recipient.email:
                continue
            body = row.text
            if row.link:
                body += "\n\n" + settings.SITE_URL.rstrip("/") + row.link
            send_mail(_("[Sales office] %(text)s") % {"text": row.text[:60]}, body, None, [row.recipient.email])
            sent += 1
    return sent
