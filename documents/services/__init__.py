"""Issuing documents: the one way other apps create a numbered, archived document.

Public interface (keyword-only; other apps call nothing else in `documents`)::

    document_issue(*, data: DocumentData, user, source, supersedes: IssuedDocument | None = None,
                   revision_of_number: str | None = None, number: str | None = None,
                   profile: CompanyProfile | None = None) -> IssuedDocument
    number_take(*, kind: str, document_date: dt.date, start_month: int) -> str   # the next base number of a kind
    document_preview(*, data: DocumentData) -> bytes          # a draft PDF, no number, watermarked
    document_render(document: IssuedDocument) -> IssuedDocument
    document_pdf_bytes(document: IssuedDocument, *, user=None) -> bytes   # verified: refuses altered or missing files
    document_send(*, document: IssuedDocument, user, to: list[str], cc: list[str] = (), message: str = "",
                  resend_of: DocumentMailing | None = None) -> DocumentMailing   # the send log's "requested" row
    document_resend(*, mailing: DocumentMailing, user) -> DocumentMailing   # a failed attempt, once more
    documents_verify(documents: Iterable[IssuedDocument]) -> VerificationReport
    documents_export(*, documents: Iterable[IssuedDocument], output: BinaryIO, user=None) -> int
    documents_render_pending() -> int
    documents_in_chunks(ids: list[int], size: int = 100) -> Iterator[IssuedDocument]
    number_prefix_schedule(*, kind, prefix, from_fiscal_year, user) -> list[NumberPrefix]   # a new prefix from a year
    number_prefix_cancel(*, change: NumberPrefix, user) -> list[NumberPrefix]   # withdraw one no number uses yet
    require_embedded_font() -> None   # DocumentFontMissing when no PDF could embed its font here
    einvoice_builder_register(*, kinds, builder) -> None   # the app that issues invoices, at start-up
    document_einvoice_bytes(document: IssuedDocument, *, user=None) -> bytes   # the stored e-invoice (UBL), verified;
                                                        # built and stored on first request if it has none

`document_issue` validates the data (lines, recipient, a complete company profile with a
registration number for invoices and credit notes), takes the number, stores the
document with a JSON snapshot of everything printed (issuer included) and records an
audit event; the PDF is rendered from that snapshot after the transaction commits
(`transaction.on_commit`, one per document), by a Celery task (eager unless a broker is
configured). Until then `render_status` is "pending" and the PDF endpoint says so.
Call it as the last step of your own transaction: it joins it (no savepoint), the
number's counter row stays locked until your transaction ends, and if it rolls back
the number is not used. Its checks refuse before anything is written, except a
revision of a document revised meanwhile (found under the lock), which fails the
caller's transaction.

`profile` is the company profile when the caller has read it already (to price the
lines, or for another document of the same step): pass it down rather than have it read
again; without it, document_issue reads it.

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

Modules: `issue` (numbers, issuing, the draft preview), `validation` (what is checked
before anything is written), `archive` (rendering, verified reads, verification,
export), `mail` (sending), `einvoice` (the e-invoice XML stored beside the PDF).
"""

from ..fonts import require_embedded_font
from .archive import (
    VerificationProblem,
    VerificationReport,
    document_pdf_bytes,
    document_render,
    documents_export,
    documents_in_chunks,
    documents_render,
    documents_render_pending,
    documents_verify,
    render_snapshot,
)
from .einvoice import (
    document_einvoice_bytes,
    documents_store_einvoices,
    einvoice_builder_register,
    einvoice_kinds,
    einvoice_store,
    einvoice_verified_bytes,
)
from .issue import document_issue, document_preview, issuer_snapshot, number_take
from .mail import document_email_deliver, document_mailing_deliver, document_resend, document_send
from .prefixes import number_prefix_cancel, number_prefix_overview, number_prefix_schedule
from .validation import validate_document_data

__all__ = [
    "VerificationProblem",
    "VerificationReport",
    "document_einvoice_bytes",
    "document_email_deliver",
    "document_mailing_deliver",
    "document_issue",
    "document_pdf_bytes",
    "document_preview",
    "document_render",
    "document_resend",
    "document_send",
    "documents_export",
    "documents_in_chunks",
    "documents_render",
    "documents_render_pending",
    "documents_store_einvoices",
    "einvoice_builder_register",
    "einvoice_kinds",
    "einvoice_store",
    "einvoice_verified_bytes",
    "documents_verify",
    "issuer_snapshot",
    "number_prefix_cancel",
    "number_prefix_overview",
    "number_prefix_schedule",
    "number_take",
    "render_snapshot",
    "require_embedded_font",
    "validate_document_data",
]
