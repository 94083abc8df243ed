"""Celery tasks: thin wrappers around the services (eager unless a broker is configured)."""

from celery import shared_task
from django.contrib.auth import get_user_model

from .models import IssuedDocument
from .services import document_email_deliver, document_render


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def render_document(document_id: int) -> str:
    """Rendering is deterministic, so a failed attempt is simply retried."""
    document = IssuedDocument.objects.get(pk=document_id)
    return document_render(document).render_status


@shared_task(autoretry_for=(OSError,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def send_document(document_id: int, to: list[str], cc: list[str], message: str, user_id: int | None) -> None:
    document = IssuedDocument.objects.get(pk=document_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    document_email_deliver(document=document, to=to, cc=cc, message=message, user=user)
