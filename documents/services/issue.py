"""Issuing: a number taken, the document stored with its snapshot, its PDF rendered after
commit; and the draft PDF shown before issuing."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.celery import app as celery_app
from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.kana import kana_key
from backoffice.models import CompanyProfile
from backoffice.selectors import company_profile_with_bank_accounts

from .. import numbering
from ..fonts import require_embedded_font
from ..locking import lock_revisions
from ..models import IssuedDocument
from ..rendering import DRAFT_NUMBER, render_pdf
from ..types import BANK_ACCOUNT_KEYS, DocumentData, Issuer
from .archive import documents_render
from .validation import validate_document_data

SNAPSHOT_VERSION = 1


def number_take(*, kind: str, document_date: dt.date, start_month: int) -> str:
    """Take the next base number of `kind` for the fiscal year of `document_date`
    (`start_month`: the company's fiscal year start), e.g. SO-2026-000007, for a business
    object that carries the number of the document issued for it (an order confirmed now,
    its 注文請書 issued later under the same number). Call it inside the caller's
    transaction, as late as possible: the counter row stays locked until it ends."""
    year = numbering.fiscal_year_of(document_date, start_month)
    prefix, value = numbering.take_number(kind, year)
    return numbering.format_number(prefix, year, value)


def document_issue(
    *,
    data: DocumentData,
    user,
    source: models.Model | tuple[str, Any] | None,
    supersedes: IssuedDocument | None = None,
    revision_of_number: str | None = None,
    number: str | None = None,
    profile: CompanyProfile | None = None,
) -> IssuedDocument:
    profile = company_profile_with_bank_accounts(profile)
    validate_document_data(data, profile)
    require_embedded_font()  # a PDF that could never be rendered right is not issued: no number taken
    issuer = issuer_snapshot(profile)
    source_type, source_id = _source_reference(source)
    document_json = data.to_json()
    revising = revision_of_number is not None or (supersedes is not None and supersedes.kind == data.kind)
    held = None if revising or number is None else _held_number(data, number)
    # Everything above runs before any lock and refuses before anything is written; the
    # number is the last thing taken, in the caller's transaction (no savepoint of its own).
    with transaction.atomic(savepoint=False):
        if revising:
            supersedes, base_number, revision, fiscal_year, sequence = _next_revision(
                data, supersedes, revision_of_number
            )
        elif held is not None:
            (fiscal_year, sequence), base_number, revision = held, number, 1
        else:
            fiscal_year = numbering.fiscal_year_of(data.document_date, profile.fiscal_year_start_month)
            prefix, sequence = numbering.take_number(data.kind, fiscal_year)
            base_number, revision = numbering.format_number(prefix, fiscal_year, sequence), 1
        number = base_number if revision == 1 else f"{base_number}-{revision}"
        document = IssuedDocument.objects.create(
            kind=data.kind,
            number=number,
            base_number=base_number,
            revision=revision,
            fiscal_year=fiscal_year,
            sequence=sequence,
            document_date=data.document_date,
            issued_at=timezone.now(),
            issued_by=audit.actor_or_none(user),
            counterparty_kind=data.recipient.counterparty_kind,
            counterparty_id=data.recipient.counterparty_id,
            counterparty_name=data.recipient.name,
            counterparty_kana_key=kana_key(data.recipient.name_kana)[:200],
            amount=data.totals.total,
            data={"version": SNAPSHOT_VERSION, "number": number, "document": document_json, "issuer": issuer.to_json()},
            source_type=source_type,
            source_id=source_id,
            supersedes=supersedes,
        )
        audit.record(
            actor=user,
            action="document.issue",
            obj=document,
            changes={
                "number": number,
                "kind": str(data.kind),
                "amount": data.totals.total,
                "counterparty": data.recipient.name,
                "source": f"{source_type}#{source_id}" if source_type else "",
                "supersedes": supersedes.number if supersedes else None,
            },
        )
        # robust: a failed render must not fail the caller's committed transaction; the
        # document stays pending/failed and is retried (documents_render_pending).
        transaction.on_commit(lambda: _schedule_render([document]), robust=True)
    return document


def _schedule_render(documents: list[IssuedDocument]) -> None:
    """Render documents once their transaction has committed: by a Celery task, or now
    when there is no broker."""
    from ..tasks import render_document  # the tasks module imports these services

    if celery_app.conf.task_always_eager:
        # No broker (demo, tests): render now, as the task would, from the documents just
        # issued, without Celery's bookkeeping around an eager call. A failure leaves the
        # document pending for `render_documents`, exactly as a failed task does.
        documents_render(documents)
    else:
        for document in documents:
            render_document.delay(document.pk)


def _held_number(data: DocumentData, number: str) -> tuple[int, int]:
    """(fiscal year, sequence) of a number the source already took from this kind's
    sequence; refused if it is not one or a document already carries it."""
    try:
        number_prefix, fiscal_year, sequence = numbering.parse_number(number)
    except ValueError:
        number_prefix, fiscal_year, sequence = "", 0, 0
    # The kind's prefix in the number's own fiscal year (a prefix changes only from a year
    # with no number yet, so a year has one prefix per kind).
    prefix = numbering.prefix_for(data.kind, fiscal_year) if fiscal_year else numbering.prefix_for(data.kind)
    if number_prefix != prefix or not numbering.was_taken(prefix, fiscal_year, sequence):
        raise InvalidInput(
            _("%(number)s is not a number of the %(prefix)s sequence.") % {"number": number, "prefix": prefix},
            field="number",
        )
    if IssuedDocument.objects.filter(base_number=number).exists():
        raise StateConflict(_("A document numbered %(number)s has already been issued.") % {"number": number})
    return fiscal_year, sequence


def _next_revision(
    data: DocumentData, supersedes: IssuedDocument | None, revision_of_number: str | None
) -> tuple[IssuedDocument, str, int, int, int]:
    base_number = revision_of_number or supersedes.base_number
    revisions = lock_revisions(base_number)
    if not revisions:
        raise InvalidInput(
            _("No issued document has the number %(number)s.") % {"number": base_number}, field="revision_of_number"
        )
    latest = revisions[-1]
    if latest.kind != data.kind:
        raise InvalidInput(
            _("A revision must be of the same kind as %(number)s.") % {"number": latest.number},
            field="revision_of_number",
        )
    if supersedes is not None and supersedes.pk != latest.pk:
        raise StateConflict(
            _("%(number)s has already been revised: revise the latest revision, %(latest)s.")
            % {"number": supersedes.number, "latest": latest.number},
            field="supersedes",
        )
    return latest, base_number, latest.revision + 1, latest.fiscal_year, latest.sequence


def _source_reference(source) -> tuple[str, str]:
    if source is None:
        return "", ""
    if isinstance(source, models.Model):
        return source._meta.label_lower, str(source.pk)
    label, pk = source
    return str(label), str(pk)


def issuer_snapshot(profile: CompanyProfile) -> Issuer:
    """The issuer as printed, frozen into the document (a later profile change never alters it)."""
    seal_name = seal_sha256 = ""
    if profile.seal_image:
        try:
            with profile.seal_image.open("rb") as seal:
                seal_sha256 = hashlib.sha256(seal.read()).hexdigest()
        except OSError as exc:
            raise InvalidInput(
                _("The seal image file is missing: upload it again or remove it."), field="company.seal_image"
            ) from exc
        seal_name = profile.seal_image.name
    return Issuer(
        name=profile.name,
        postal_code=profile.postal_code,
        address=profile.address,
        phone=profile.phone,
        fax=profile.fax,
        email=profile.email,
        registration_number=profile.registration_number,
        bank_accounts=tuple(
            {key: getattr(account, key) for key in BANK_ACCOUNT_KEYS} for account in profile.bank_accounts.all()
        ),
        transfer_fee_note=profile.transfer_fee_note,
        seal_name=seal_name,
        seal_sha256=seal_sha256,
    )


def document_preview(*, data: DocumentData) -> bytes:
    """A draft PDF before issuing: validated like an issue, no number, watermarked, no seal."""
    profile = company_profile_with_bank_accounts()
    validate_document_data(data, profile)
    require_embedded_font()
    draft = DocumentData(**{**data.__dict__, "extra": {**data.extra, "requires_approval": True, "approved": False}})
    return render_pdf(draft, number=DRAFT_NUMBER, issuer=issuer_snapshot(profile))
