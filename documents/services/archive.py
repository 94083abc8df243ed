"""The archive: PDFs rendered from their snapshots and stored with their SHA-256, read
back only verified, re-checked in bulk, exported for a tax inspection."""

from __future__ import annotations

import hashlib
import logging
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.csvfiles import csv_text

from ..exceptions import (
    DocumentNotRendered,
    DocumentPDFMissing,
    DocumentPDFTampered,
    StoredEInvoiceMissing,
    StoredEInvoiceTampered,
)
from ..fonts import require_embedded_font
from ..models import IssuedDocument, IssuedEInvoice, RenderStatus
from ..rendering import KIND_LAYOUTS, render_pdf
from ..types import CounterpartyKind, DocumentData, DocumentKind, Issuer
from .einvoice import documents_store_einvoices, einvoice_verified_bytes

logger = logging.getLogger(__name__)


def render_snapshot(snapshot: dict[str, Any]) -> bytes:
    """The PDF of a stored snapshot; the same snapshot always gives the same bytes."""
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
    # The e-invoice (JP PINT UBL) of an invoice or credit note is stored beside its PDF.
    documents_store_einvoices([document for document in documents if document.pk in stored])
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
        loaded = IssuedDocument.objects.select_related("issued_by", "einvoice").in_bulk(chunk)
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
    "電子インボイス",
    "電子インボイスSHA-256",
)


def documents_export(*, documents: Iterable[IssuedDocument], output: BinaryIO, user=None) -> int:
    """A ZIP for a tax inspection: every PDF plus index.csv (UTF-8 with BOM, opens in Excel)
    of date, kind, number, counterparty, amount and hash. Returns the number of documents.
    Only verified bytes go in: an altered or missing file is left out, its row says why
    (不一致 / ファイルなし) and the audit trail records it. A stored e-invoice (JP PINT UBL)
    goes in beside its PDF as xml/YYYY-MM/<number>.xml, verified the same way; its file
    name and SHA-256 end the row."""
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
            einvoice_file, einvoice_sha256 = _export_einvoice(archive, document, user)
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
                    einvoice_file,
                    einvoice_sha256,
                ]
            )
        archive.writestr("index.csv", "\ufeff" + csv_text(rows, header=EXPORT_COLUMNS))
    return len(rows)


def _export_einvoice(archive: zipfile.ZipFile, document: IssuedDocument, user) -> tuple[str, str]:
    """Write the document's stored e-invoice into the export; (file name or the reason it
    is left out, SHA-256). Documents without one have two empty cells."""
    try:
        einvoice = document.einvoice
    except IssuedEInvoice.DoesNotExist:
        return "", ""
    try:
        xml = einvoice_verified_bytes(einvoice, user=user)
    except StoredEInvoiceMissing:
        return "ファイルなし", einvoice.sha256
    except StoredEInvoiceTampered:
        return "不一致", einvoice.sha256
    filename = f"xml/{document.document_date:%Y-%m}/{document.number}.xml"
    archive.writestr(zipfile.ZipInfo(filename, date_time=document.document_date.timetuple()[:6]), xml)
    return filename, einvoice.sha256
