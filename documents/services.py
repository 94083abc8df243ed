"""Issuing documents: the one way other apps create a numbered, archived document.

Public interface (keyword-only; other apps call nothing else in `documents`)::

    document_issue(*, data: DocumentData, user, source, supersedes: IssuedDocument | None = None,
                   revision_of_number: str | None = None, number: str | None = None) -> IssuedDocument
    number_take(*, kind: str, document_date: dt.date, start_month: int) -> str   # the next base number of a kind
    document_preview(*, data: DocumentData) -> bytes          # a draft PDF, no number, watermarked
    document_render(document: IssuedDocument) -> IssuedDocument
    document_pdf_bytes(document: IssuedDocument, *, user=None) -> bytes   # verified: refuses altered or missing files
    document_send(*, document: IssuedDocument, user, to: list[str], cc: list[str] = (), message: str = "") -> None
    documents_verify(documents: Iterable[IssuedDocument]) -> VerificationReport
    documents_export(*, documents: Iterable[IssuedDocument], output: BinaryIO, user=None) -> int
    documents_render_pending() -> int
    documents_in_chunks(ids: list[int], size: int = 100) -> Iterator[IssuedDocument]

`document_issue` validates the data (lines, recipient, a complete company profile with a
registration number for invoices and credit notes), takes the number, stores the
document with a JSON snapshot of everything printed (issuer included) and records an
audit event; the PDF is rendered from that snapshot after the transaction commits, by
a Celery task (eager unless a broker is configured). Until then `render_status` is
"pending" and the PDF endpoint says so. Call it as the last step of your own
transaction: the number's counter row stays locked until your transaction ends, and
if it rolls back the number is not used.

`source` is the business object the document was issued from: a model instance, or a
("app_label.model", id) pair; None for none. `supersedes` links a revision or a credit
note to the document it corrects. A document of the same kind as `supersedes` (or any
document given `revision_of_number`) is a revision: it keeps the base number and gets
the next suffix (`Q-2026-000042` → `Q-2026-000042-2`) instead of a new number.

`number` issues the document under a number its source already holds, taken earlier
from this kind's own sequence: an order takes its SO number when it is confirmed, and
its 注文請書 (the confirmation of that order) is issued under that same number, so the
customer holds one number per order and the SO sequence has no number that is not an
order. The number must belong to the kind's prefix, must have been handed out by its
counter, and can be issued once (the archive's unique number).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.csvfiles import csv_text
from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.models import PLACEHOLDER_COMPANY_NAME, CompanyProfile
from backoffice.money import TAX_RATES, TaxMode, Totals
from backoffice.selectors import company_profile_with_bank_accounts
from backoffice.unitofwork import memoized, unit_of_work

from . import numbering
from .exceptions import DocumentNotRendered, DocumentPDFMissing, DocumentPDFTampered
from .fonts import require_embedded_font
from .models import IssuedDocument, RenderStatus
from .rendering import DRAFT_NUMBER, KIND_LAYOUTS, render_pdf
from .types import (
    AMOUNT,
    BANK_ACCOUNT_KEYS,
    BANK_ACCOUNTS,
    BOOL,
    DATE,
    DELIVERY_NOTES,
    EXTRA_FIELDS,
    HONORIFICS,
    INVOICE_KINDS,
    QUALIFIED_KINDS,
    TEXT,
    CounterpartyKind,
    DocumentData,
    DocumentKind,
    Issuer,
)

logger = logging.getLogger(__name__)

SNAPSHOT_VERSION = 1
MAX_TEXT = {"subject": 200, "notes": 2000, "name": 200, "line_text": 200, "extra_text": 200}


def number_take(*, kind: str, document_date: dt.date, start_month: int) -> str:
    """Take the next base number of `kind` for the fiscal year of `document_date`
    (`start_month`: the company's fiscal year start), e.g. SO-2026-000007, for a business
    object that carries the number of the document issued for it (an order confirmed now,
    its 注文請書 issued later under the same number). Call it inside the caller's
    transaction, as late as possible: the counter row stays locked until it ends."""
    prefix = numbering.prefix_for(kind)
    year = numbering.fiscal_year_of(document_date, start_month)
    return numbering.format_number(prefix, year, numbering.take_next_value(prefix, year))


# --- issuing ---------------------------------------------------------------------------------------


def document_issue(
    *,
    data: DocumentData,
    user,
    source: models.Model | tuple[str, Any] | None,
    supersedes: IssuedDocument | None = None,
    revision_of_number: str | None = None,
    number: str | None = None,
) -> IssuedDocument:
    profile = company_profile_with_bank_accounts()
    validate_document_data(data, profile)
    require_embedded_font()  # a PDF that could never be rendered right is not issued: no number taken
    issuer = issuer_snapshot(profile)
    source_type, source_id = _source_reference(source)
    document_json = data.to_json()
    revising = revision_of_number is not None or (supersedes is not None and supersedes.kind == data.kind)
    with unit_of_work():
        # Everything above runs before any lock; the number is the last thing taken.
        if revising:
            supersedes, base_number, revision, fiscal_year, sequence = _next_revision(
                data, supersedes, revision_of_number
            )
        elif number is not None:
            fiscal_year, sequence = _held_number(data, number)
            base_number, revision = number, 1
        else:
            fiscal_year = numbering.fiscal_year_of(data.document_date, profile.fiscal_year_start_month)
            prefix = numbering.prefix_for(data.kind)
            sequence = numbering.take_next_value(prefix, fiscal_year)
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
            issued_by=user if getattr(user, "is_authenticated", False) else None,
            counterparty_kind=data.recipient.counterparty_kind,
            counterparty_id=data.recipient.counterparty_id,
            counterparty_name=data.recipient.name,
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
        memoized(_RENDER_AFTER_COMMIT, _render_after_commit).append(document)
    return document


_RENDER_AFTER_COMMIT = "documents.render_after_commit"


def _render_after_commit() -> list[IssuedDocument]:
    """The documents a unit of work issues, rendered once it has committed (a shipment's
    delivery note and invoice together). robust: a failed render must not fail the
    caller's committed transaction; the document stays pending/failed and is retried
    (documents_render_pending)."""
    documents: list[IssuedDocument] = []
    transaction.on_commit(lambda: _schedule_render(documents), robust=True)
    return documents


def _schedule_render(documents: list[IssuedDocument]) -> None:
    from backoffice.celery import app

    from .tasks import render_document

    if app.conf.task_always_eager:
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
    prefix = numbering.prefix_for(data.kind)
    try:
        number_prefix, fiscal_year, sequence = numbering.parse_number(number)
    except ValueError:
        number_prefix, fiscal_year, sequence = "", 0, 0
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
    # Lock every revision of this base: two revisions of one quote are taken one after the other.
    revisions = list(IssuedDocument.objects.select_for_update().filter(base_number=base_number).order_by("revision"))
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


# --- validation ----------------------------------------------------------------------------------------


def validate_document_data(data: DocumentData, profile: CompanyProfile) -> None:
    """Raise InvalidInput naming the first field at fault; nothing is written before this passes."""
    if data.kind not in DocumentKind.values:
        raise InvalidInput(_("Unknown document kind %(kind)s.") % {"kind": data.kind}, field="kind")
    if not isinstance(data.document_date, dt.date) or isinstance(data.document_date, dt.datetime):
        raise InvalidInput(_("Enter the document date as a date."), field="document_date")
    _validate_recipient(data)
    _validate_lines(data)
    _validate_totals(data)
    _validate_extra(data)
    for name in ("subject", "notes"):
        if len(getattr(data, name)) > MAX_TEXT[name]:
            raise InvalidInput(
                _("At most %(count)d characters.") % {"count": MAX_TEXT[name]},
                field=name,
            )
    _validate_issuer(data, profile)


def _validate_recipient(data: DocumentData) -> None:
    recipient = data.recipient
    if recipient is None:
        raise InvalidInput(_("A document needs a recipient."), field="recipient")
    if not recipient.name.strip():
        raise InvalidInput(_("Enter the recipient's name."), field="recipient.name")
    if len(recipient.name) > MAX_TEXT["name"]:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": MAX_TEXT["name"]}, field="recipient.name")
    if recipient.honorific not in HONORIFICS:
        raise InvalidInput(_("The honorific must be 御中, 様 or empty."), field="recipient.honorific")
    if recipient.name.rstrip().endswith(("御中", "様")):
        raise InvalidInput(_("Give the name without 御中 or 様; the honorific is added once."), field="recipient.name")
    if recipient.counterparty_kind not in CounterpartyKind.values:
        raise InvalidInput(_("The counterparty must be a customer or a supplier."), field="recipient.counterparty_kind")


def _validate_lines(data: DocumentData) -> None:
    if not data.lines:
        raise InvalidInput(_("A document needs at least one line."), field="lines")
    limits = settings.LIMITS
    if len(data.lines) > limits["max_lines_per_document"]:
        raise InvalidInput(
            _("At most %(count)d lines per document.") % {"count": limits["max_lines_per_document"]}, field="lines"
        )
    rates = set(TAX_RATES.values())
    for index, line in enumerate(data.lines):
        prefix = f"lines[{index}]"
        if not line.name.strip():
            raise InvalidInput(_("Enter the product name."), field=f"{prefix}.name")
        for name in ("sku", "name", "unit", "note"):
            if len(getattr(line, name)) > MAX_TEXT["line_text"]:
                raise InvalidInput(
                    _("At most %(count)d characters.") % {"count": MAX_TEXT["line_text"]}, field=f"{prefix}.{name}"
                )
        if isinstance(line.quantity, bool) or not isinstance(line.quantity, int):
            raise InvalidInput(_("The quantity must be a whole number."), field=f"{prefix}.quantity")
        if abs(line.quantity) > limits["max_quantity"]:
            raise InvalidInput(_("The quantity is too large."), field=f"{prefix}.quantity")
        for name in ("unit_price", "amount"):
            value = getattr(line, name)
            if not isinstance(value, Decimal) or not value.is_finite():
                raise InvalidInput(_("Amounts must be Decimal numbers."), field=f"{prefix}.{name}")
        if line.amount != line.amount.to_integral_value():
            raise InvalidInput(_("A line amount is whole yen."), field=f"{prefix}.amount")
        if abs(line.amount) > limits["max_amount"]:
            raise InvalidInput(_("The amount is too large."), field=f"{prefix}.amount")
        if line.tax_rate not in rates:
            raise InvalidInput(
                _("The tax rate must be one of %(rates)s.") % {"rates": ", ".join(map(str, sorted(rates)))},
                field=f"{prefix}.tax_rate",
            )
        if line.delivery_date is not None and not _extra_value_ok(DATE, line.delivery_date):
            raise InvalidInput(_("This value has the wrong type."), field=f"{prefix}.delivery_date")


def _validate_totals(data: DocumentData) -> None:
    """The totals must be those of the lines: the per-rate sums match the breakdown and the
    breakdown adds up. (The tax itself is rounded by the caller with the company's mode.)"""
    totals = data.totals
    if not isinstance(totals, Totals):
        raise InvalidInput(_("Give the totals from compute_totals()."), field="totals")
    if data.tax_mode not in TaxMode.values:
        raise InvalidInput(_("The tax mode must be exclusive or inclusive."), field="tax_mode")
    sums: dict[int, Decimal] = {}
    for line in data.lines:
        sums[line.tax_rate] = sums.get(line.tax_rate, Decimal(0)) + line.amount
    inclusive = data.tax_mode == TaxMode.INCLUSIVE
    stated = {b.rate: (b.subtotal + b.tax if inclusive else b.subtotal) for b in totals.breakdown}
    consistent = (
        stated == sums
        and totals.subtotal == sum((b.subtotal for b in totals.breakdown), Decimal(0))
        and totals.tax_total == sum((b.tax for b in totals.breakdown), Decimal(0))
        and totals.total == totals.subtotal + totals.tax_total
    )
    if not consistent:
        raise InvalidInput(_("The totals do not match the lines."), field="totals")
    if abs(totals.total) > settings.LIMITS["max_amount"]:
        raise InvalidInput(_("The amount is too large."), field="totals")


def _validate_extra(data: DocumentData) -> None:
    extra = data.extra
    for key, value in extra.items():
        kind = EXTRA_FIELDS.get(key)
        field_name = f"extra.{key}"
        if kind is None:
            raise InvalidInput(_("Unknown document field %(name)s.") % {"name": key}, field=field_name)
        if not _extra_value_ok(kind, value):
            raise InvalidInput(_("This value has the wrong type."), field=field_name)
    if data.kind in INVOICE_KINDS and "due_date" not in extra:
        raise InvalidInput(_("An invoice needs a payment due date."), field="extra.due_date")
    if data.kind == DocumentKind.CONSOLIDATED_INVOICE:
        for key in ("period_start", "period_end"):
            if key not in extra:
                raise InvalidInput(_("A consolidated invoice needs its billing period."), field=f"extra.{key}")
        zero = Decimal(0)
        expected = extra.get("previous_balance", zero) - extra.get("payments", zero) - extra.get("credits", zero)
        if extra.get("carried_over", zero) != expected:
            raise InvalidInput(
                _("The amount carried over must be the previous balance less the payments and credit notes."),
                field="extra.carried_over",
            )
    if "credit_applied" in extra and not Decimal(0) <= extra["credit_applied"] <= data.totals.total:
        raise InvalidInput(
            _("The credit applied must be between zero and the invoice's total."), field="extra.credit_applied"
        )
    if data.kind == DocumentKind.CREDIT_NOTE and "original_date" not in extra:
        raise InvalidInput(_("A credit note needs the date of the original sale."), field="extra.original_date")


def _extra_value_ok(kind: str, value: Any) -> bool:
    if kind == DATE:
        return isinstance(value, dt.date) and not isinstance(value, dt.datetime)
    if kind == AMOUNT:
        return isinstance(value, Decimal) and value.is_finite()
    if kind == BOOL:
        return isinstance(value, bool)
    if kind == TEXT:
        return isinstance(value, str) and len(value) <= MAX_TEXT["extra_text"]
    if kind == BANK_ACCOUNTS:
        return isinstance(value, list | tuple) and all(
            isinstance(a, dict) and all(isinstance(a.get(k), str) for k in BANK_ACCOUNT_KEYS) for a in value
        )
    if kind == DELIVERY_NOTES:
        return isinstance(value, list | tuple) and all(
            isinstance(n, dict)
            and isinstance(n.get("number"), str)
            and _extra_value_ok(DATE, n.get("date"))
            and _extra_value_ok(AMOUNT, n.get("amount"))
            for n in value
        )
    return False


def _validate_issuer(data: DocumentData, profile: CompanyProfile) -> None:
    if not profile.name or profile.name == PLACEHOLDER_COMPANY_NAME:
        raise InvalidInput(_("Complete the company profile: enter the company's name."), field="company.name")
    if data.kind not in QUALIFIED_KINDS:
        return
    if not profile.address:
        raise InvalidInput(_("Complete the company profile: enter the address."), field="company.address")
    if not profile.registration_number:
        raise InvalidInput(
            _("Complete the company profile: a qualified invoice needs the registration number."),
            field="company.registration_number",
        )
    if data.kind in INVOICE_KINDS and not data.extra.get("bank_accounts") and not profile.bank_accounts.all():
        raise InvalidInput(
            _("Complete the company profile: an invoice needs a bank account for the transfer."),
            field="company.bank_accounts",
        )


# --- rendering ------------------------------------------------------------------------------------------


def document_preview(*, data: DocumentData) -> bytes:
    """A draft PDF before issuing: validated like an issue, no number, watermarked, no seal."""
    profile = company_profile_with_bank_accounts()
    validate_document_data(data, profile)
    require_embedded_font()
    draft = DocumentData(**{**data.__dict__, "extra": {**data.extra, "requires_approval": True, "approved": False}})
    return render_pdf(draft, number=DRAFT_NUMBER, issuer=issuer_snapshot(profile))


def render_snapshot(snapshot: dict[str, Any]) -> bytes:
    """The PDF of a stored snapshot; the same snapshot always gives the same bytes."""
    from django.core.files.storage import default_storage

    require_embedded_font()  # a worker without the font leaves the document failed, to be retried
    issuer = Issuer.from_json(snapshot["issuer"])
    seal = None
    if issuer.seal_name:
        with default_storage.open(issuer.seal_name, "rb") as file:
            seal = file.read()
        if hashlib.sha256(seal).hexdigest() != issuer.seal_sha256:
            raise RuntimeError(f"seal image {issuer.seal_name} changed since the document was issued")
    return render_pdf(
        DocumentData.from_json(snapshot["document"]), number=snapshot["number"], issuer=issuer, seal_image=seal
    )


def document_render(document: IssuedDocument) -> IssuedDocument:
    """Render the PDF from the snapshot, store it and its SHA-256. Holds no database lock
    while rendering; idempotent (a rendered document is left alone), so safe to retry."""
    documents_render([document])
    return document


RECORD_BATCH = 100


def documents_render(documents: Sequence[IssuedDocument]) -> None:
    """document_render for several documents, their stored PDFs recorded together (one
    statement per 100). Every document is tried; a failed one is recorded as failed and
    the first error is raised once the others are stored."""
    pdf_field = IssuedDocument._meta.get_field("pdf")
    stored: dict[int, dict[str, Any]] = {}
    errors = []
    for document in documents:
        if document.is_rendered or document.pk in stored:
            continue
        try:
            pdf = render_snapshot(document.data)
        except Exception as exc:
            IssuedDocument.objects.filter(pk=document.pk)._record_render(
                render_status=RenderStatus.FAILED, render_error=f"{type(exc).__name__}: {exc}"[:300]
            )
            errors.append(exc)
            continue
        name = pdf_field.storage.save(pdf_field.generate_filename(document, f"{document.number}.pdf"), ContentFile(pdf))
        stored[document.pk] = {"pdf": name, "sha256": hashlib.sha256(pdf).hexdigest()}
    now = timezone.now()
    pks = list(stored)
    for start in range(0, len(pks), RECORD_BATCH):
        batch = {pk: stored[pk] for pk in pks[start : start + RECORD_BATCH]}
        recorded = IssuedDocument.objects.all()._record_renders(batch, rendered_at=now)
        if recorded < len(batch):  # some rendered meanwhile by another worker: keep theirs, drop our copies
            theirs = dict(IssuedDocument.objects.filter(pk__in=batch).values_list("pk", "pdf"))
            for pk, fields in batch.items():
                if theirs.get(pk) != fields["pdf"]:
                    pdf_field.storage.delete(fields["pdf"])
                    del stored[pk]
    for document in documents:
        if document.pk in stored:
            document.pdf = stored[document.pk]["pdf"]
            document.sha256 = stored[document.pk]["sha256"]
            document.render_status, document.rendered_at, document.render_error = RenderStatus.RENDERED, now, ""
        elif not document.is_rendered:
            document.refresh_from_db()
    if errors:
        raise errors[0]


def documents_render_pending() -> int:
    """Retry every document whose PDF is pending or failed; returns how many are now stored."""
    done = 0
    pending = IssuedDocument.objects.exclude(render_status=RenderStatus.RENDERED)
    for document in documents_in_chunks(list(pending.order_by("pk").values_list("pk", flat=True))):
        try:
            done += document_render(document).is_rendered
        except Exception:
            logger.exception("rendering %s failed", document.number)
    return done


def documents_in_chunks(ids: list[int], size: int = 100) -> Iterator[IssuedDocument]:
    """Documents by id, in the order given, loaded a chunk at a time: no cursor stays open
    while the caller renders or reads files (an open read cursor is a lock on SQLite)."""
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        loaded = IssuedDocument.objects.select_related("issued_by").in_bulk(chunk)
        yield from (loaded[pk] for pk in chunk if pk in loaded)


def _read_stored_pdf(document: IssuedDocument) -> bytes | None:
    """The stored bytes as they are, None when the file is gone. Other storage errors
    (I/O, permissions) are raised: the file may well be there."""
    try:
        with document.pdf.open("rb") as file:
            return file.read()
    except (FileNotFoundError, ValueError):  # ValueError: no file recorded on the row
        return None


def document_pdf_bytes(document: IssuedDocument, *, user=None) -> bytes:
    """The stored PDF, verified: the one way its bytes leave the archive (the API and the
    admin's link, the export, the mail). Bytes whose SHA-256 differs from the one taken
    when they were stored are refused (DocumentPDFTampered, 409) and a missing file is
    DocumentPDFMissing (410); either is recorded in the audit trail at once. Callers read
    PDFs outside any transaction of their own, so the record of a refusal stays."""
    if not document.is_rendered:
        raise DocumentNotRendered(_("The PDF of %(number)s is still being prepared.") % {"number": document.number})
    pdf = _read_stored_pdf(document)
    if pdf is None:
        audit.record(
            actor=user,
            action="document.pdf_missing",
            obj=document,
            changes={"file": document.pdf.name},
        )
        logger.error("the stored PDF of %s (%s) is missing", document.number, document.pdf.name)
        raise DocumentPDFMissing(
            _("The PDF file of document %(number)s is missing.") % {"number": document.number}, number=document.number
        )
    actual = hashlib.sha256(pdf).hexdigest()
    if actual != document.sha256:
        audit.record(
            actor=user,
            action="document.pdf_tampered",
            obj=document,
            changes={"file": document.pdf.name, "expected_sha256": document.sha256, "actual_sha256": actual},
        )
        logger.error("the stored PDF of %s (%s) was altered: SHA-256 %s", document.number, document.pdf.name, actual)
        message = _("The PDF of document %(number)s has been tampered with (SHA-256 mismatch).")
        raise DocumentPDFTampered(message % {"number": document.number}, number=document.number)
    return pdf


# --- verification and export -------------------------------------------------------------------------------


@dataclass(frozen=True)
class VerificationProblem:
    document_id: int
    number: str
    problem: str  # "missing" (no file) or "mismatch" (the bytes changed)
    expected: str
    actual: str
    file: str = ""  # the stored file's name


@dataclass
class VerificationReport:
    checked: int = 0
    pending: int = 0
    problems: list[VerificationProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def documents_verify(documents: Iterable[IssuedDocument]) -> VerificationReport:
    """Re-hash every stored PDF and compare with the SHA-256 taken when it was stored."""
    report = VerificationReport()
    for document in documents:
        if not document.is_rendered:
            report.pending += 1
            continue
        report.checked += 1
        try:
            pdf = _read_stored_pdf(document)
        except OSError:  # unreadable: reported with the missing ones, the check goes on
            pdf = None
        actual = None if pdf is None else hashlib.sha256(pdf).hexdigest()
        if actual != document.sha256:
            report.problems.append(
                VerificationProblem(
                    document_id=document.pk,
                    number=document.number,
                    problem="missing" if actual is None else "mismatch",
                    expected=document.sha256,
                    actual=actual or "",
                    file=document.pdf.name,
                )
            )
    return report


EXPORT_COLUMNS = (
    "取引年月日",
    "書類種別",
    "書類番号",
    "取引先区分",
    "取引先ID",
    "取引先名",
    "取引金額（税込）",
    "発行日時",
    "SHA-256",
    "ファイル名",
    "検証",
)


def documents_export(*, documents: Iterable[IssuedDocument], output: BinaryIO, user=None) -> int:
    """A ZIP for a tax inspection: every PDF plus index.csv (UTF-8 with BOM, opens in Excel)
    of date, kind, number, counterparty, amount and hash. Returns the number of documents.
    Only verified bytes go in: an altered or missing file is left out, its row says why
    (不一致 / ファイルなし) and the audit trail records it."""
    rows = []
    with zipfile.ZipFile(output, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for document in documents:
            filename, check = "", "PDF未作成"
            if document.is_rendered:
                try:
                    pdf = document_pdf_bytes(document, user=user)
                except DocumentPDFMissing:
                    check = "ファイルなし"
                except DocumentPDFTampered:
                    check = "不一致"
                else:
                    filename = f"pdf/{document.document_date:%Y-%m}/{document.number}.pdf"
                    entry = zipfile.ZipInfo(filename, date_time=document.document_date.timetuple()[:6])
                    archive.writestr(entry, pdf, compress_type=zipfile.ZIP_STORED)
                    check = "OK"
            rows.append(
                [
                    document.document_date.isoformat(),
                    KIND_LAYOUTS[DocumentKind(document.kind)].title,
                    document.number,
                    CounterpartyKind(document.counterparty_kind).label,
                    "" if document.counterparty_id is None else str(document.counterparty_id),
                    document.counterparty_name,
                    str(document.amount),
                    timezone.localtime(document.issued_at).isoformat(timespec="seconds"),
                    document.sha256,
                    filename,
                    check,
                ]
            )
        archive.writestr("index.csv", "\ufeff" + csv_text(rows, header=EXPORT_COLUMNS))
    return len(rows)


# --- sending ---------------------------------------------------------------------------------------------


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


@unit_of_work()
def document_send(
    *, document: IssuedDocument, user, to: Iterable[str], cc: Iterable[str] = (), message: str = ""
) -> None:
    """E-mail the stored PDF (a Celery task after commit), recorded in the audit trail."""
    to = _clean_addresses(to, "to", required=True)
    cc = _clean_addresses(cc, "cc", required=False)
    if len(message) > MAX_TEXT["notes"]:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": MAX_TEXT["notes"]}, field="message")
    document_pdf_bytes(document, user=user)  # not rendered, missing or altered: refused now, not by the mail task
    audit.record(actor=user, action="document.send", obj=document, changes={"to": to, "cc": cc})
    user_id = user.pk if getattr(user, "is_authenticated", False) else None
    document_id = document.pk
    transaction.on_commit(lambda: _schedule_send(document_id, to, cc, message, user_id))


def _schedule_send(document_id: int, to: list[str], cc: list[str], message: str, user_id: int | None) -> None:
    from .tasks import send_document

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
