"""Sending a document by e-mail: checked and recorded now, mailed by a task after commit."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.status import change_status

from ..models import DocumentMailing, IssuedDocument
from ..rendering import KIND_LAYOUTS
from ..types import DocumentKind
from .archive import document_pdf_bytes
from .validation import MAX_TEXT

logger = logging.getLogger(__name__)


def _clean_addresses(addresses: Iterable[str], field_name: str, *, required: bool) -> list[str]:
    cleaned = [address.strip() for address in addresses if address.strip()]
    if required and not cleaned:
        raise InvalidInput(_("Enter at least one e-mail address."), field=field_name)
    if len(cleaned) > 20:
        raise InvalidInput(_("At most 20 addresses."), field=field_name)
    for address in cleaned:
        try:
            validate_email(address)
        except ValidationError as exc:
            raise InvalidInput(
                _("%(address)s is not a valid e-mail address.") % {"address": address}, field=field_name
            ) from exc
    return cleaned


def document_send(
    *,
    document: IssuedDocument,
    user,
    to: Iterable[str],
    cc: Iterable[str] = (),
    message: str = "",
    resend_of: DocumentMailing | None = None,
) -> DocumentMailing:
    """E-mail the stored PDF (a Celery task after commit): the send log's "requested" row
    and the audit event now, the mail and its outcome by the task. The PDF is checked
    before this service's transaction opens: a missing or altered file is refused now, not
    by the mail task, and the record of that refusal (written by document_pdf_bytes) is not
    rolled back with it. `resend_of` names the failed attempt this one repeats."""
    to = _clean_addresses(to, "to", required=True)
    cc = _clean_addresses(cc, "cc", required=False)
    if len(message) > MAX_TEXT["notes"]:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": MAX_TEXT["notes"]}, field="message")
    if resend_of is not None:
        _check_resend(resend_of, document)
    document_pdf_bytes(document, user=user)
    actor = audit.actor_or_none(user)
    with transaction.atomic():
        mailing = DocumentMailing.objects.create(
            document=document,
            to=to,
            cc=cc,
            message=message,
            attempt=resend_of.attempt + 1 if resend_of is not None else 1,
            resend_of=resend_of,
            requested_by=actor,
            requested_at=timezone.now(),
        )
        audit.record(actor=user, action="document.send", obj=document, changes={"to": to, "cc": cc})
        mailing_id = mailing.pk
        transaction.on_commit(lambda: _schedule_send(mailing_id))
    return mailing


def document_resend(*, mailing: DocumentMailing, user) -> DocumentMailing:
    """Send a failed attempt again, to the same addresses with the same note: a new attempt
    in the log, pointing at the failed one (which is re-sent at most once)."""
    return document_send(
        document=mailing.document, user=user, to=mailing.to, cc=mailing.cc, message=mailing.message, resend_of=mailing
    )


def _check_resend(mailing: DocumentMailing, document: IssuedDocument) -> None:
    if mailing.document_id != document.pk:
        raise InvalidInput(_("This send log belongs to another document."), field="resend_of")
    if mailing.status != DocumentMailing.Status.FAILED:
        raise StateConflict(_("Only a failed mail can be sent again."), code="not_failed")
    if DocumentMailing.objects.filter(resend_of=mailing).exists():
        raise StateConflict(_("This failed mail has already been sent again."), code="already_resent")


def _schedule_send(mailing_id: int) -> None:
    from ..tasks import send_document  # the tasks module imports these services

    send_document.delay(mailing_id)


def document_mailing_deliver(*, mailing: DocumentMailing) -> DocumentMailing:
    """The delivery task's step: mail the document, then mark the attempt delivered, or
    failed with the error (the error is the log's to show; the task does not raise)."""
    mailing = DocumentMailing.objects.select_related("document", "requested_by").get(pk=mailing.pk)
    if mailing.status != DocumentMailing.Status.REQUESTED:
        return mailing  # a task delivered twice by the broker mails once
    user = mailing.requested_by
    try:
        document_email_deliver(
            document=mailing.document, to=mailing.to, cc=mailing.cc, message=mailing.message, user=user
        )
    except Exception as error:  # noqa: BLE001 - any failure of the mail is the log's to record
        logger.warning("mail of %s (attempt %d) failed: %s", mailing.document.number, mailing.attempt, error)
        mailing.error = (f"{type(error).__name__}: {error}")[:2000]
        mailing.finished_at = timezone.now()
        with transaction.atomic():
            change_status(mailing, DocumentMailing.Status.FAILED, user=user, fields=["error", "finished_at"])
        return mailing
    mailing.finished_at = timezone.now()
    with transaction.atomic():
        change_status(mailing, DocumentMailing.Status.DELIVERED, user=user, fields=["finished_at"])
    return mailing


def document_email_deliver(*, document: IssuedDocument, to: list[str], cc: list[str], message: str, user) -> None:
    """The mail itself (run by the task): the PDF attached, a short Japanese cover note."""
    snapshot = document.data
    issuer = snapshot["issuer"]["name"]
    recipient = snapshot["document"]["recipient"]
    title = KIND_LAYOUTS[DocumentKind(document.kind)].title
    addressee = f"{recipient['name']} {recipient['honorific']}".strip()
    body = "\n".join(
        [
            addressee,
            "",
            f"いつもお世話になっております。{issuer}でございます。",
            f"{title}（{document.number}）をお送りいたします。添付のPDFをご確認ください。",
            *(["", message] if message else []),
            "",
            issuer,
        ]
    )
    email = EmailMessage(
        subject=f"【{issuer}】{title} {document.number}",
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=to,
        cc=cc,
    )
    email.attach(f"{document.number}.pdf", document_pdf_bytes(document, user=user), "application/pdf")
    email.send()
    audit.record(actor=user, action="document.sent", obj=document, changes={"to": to, "cc": cc})
