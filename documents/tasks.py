"""Celery tasks: thin wrappers around the services (eager unless a broker is configured)."""

from celery import shared_task

from .models import DocumentMailing, IssuedDocument
from .services import document_mailing_deliver, document_render


@shared_task(autoretry_for=(Exception,), retry_backoff=True, retry_backoff_max=600, max_retries=5)
def render_document(document_id: int) -> str:
    """Rendering is deterministic, so a failed attempt is simply retried."""
    document = IssuedDocument.objects.get(pk=document_id)
    return document_render(document).render_status


@shared_task
def send_document(mailing_id: int) -> str:
    """Mail one requested attempt of the send log; its outcome (delivered, or failed with
    the error) is written on the log row, where a person re-sends a failed one."""
    mailing = DocumentMailing.objects.get(pk=mailing_id)
    return document_mailing_deliver(mailing=mailing).status
