"""Sending a document by e-mail: checked and recorded now, mailed by a task after commit."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.exceptions import InvalidInput

from ..models import IssuedDocument
from ..rendering import KIND_LAYOUTS
from ..types import DocumentKind
from .archive import document_pdf_bytes
from .validation import MAX_TEXT


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
    *, document: IssuedDocument, user, to: Iterable[str], cc: Iterable[str] = (), message: str = ""
) -> None:
    """E-mail the stored PDF (a Celery task after commit), recorded in the audit trail.
    The PDF is checked before this service's transaction opens: a missing or altered file
    is refused now, not by the mail task, and the record of that refusal (written by
    document_pdf_bytes) is not rolled back with it."""
    to = _clean_addresses(to, "to", required=True)
    cc = _clean_addresses(cc, "cc", required=False)
    if len(message) > MAX_TEXT["notes"]:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": MAX_TEXT["notes"]}, field="message")
    document_pdf_bytes(document, user=user)
    actor = audit.actor_or_none(user)
    document_id, user_id = document.pk, actor.pk if actor else None
    with transaction.atomic():
        audit.record(actor=user, action="document.send", obj=document, changes={"to": to, "cc": cc})
        transaction.on_commit(lambda: _schedule_send(document_id, to, cc, message, user_id))


def _schedule_send(document_id: int, to: list[str], cc: list[str], message: str, user_id: int | None) -> None:
    from ..tasks import send_document  # the tasks module imports these services

    send_document.delay(document_id, to, cc, message, user_id)


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
