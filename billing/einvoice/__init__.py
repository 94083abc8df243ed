"""JP PINT 1.1.3 e-invoices (UBL 2.1) of invoices and credit notes.

    invoice_ubl(*, invoice: Invoice, user=None) -> bytes
    credit_note_ubl(*, credit_note: CreditNote, user=None) -> bytes
    build_for_document(document: IssuedDocument) -> bytes | None   # the builder documents calls
    check_ubl(xml: bytes) -> None                                    # this project's stricter rules
    build_ubl(snapshot, *, original_issue_date=None) -> bytes       # pure: snapshot -> XML

The XML is built from the issued document's snapshot (what the PDF prints), checked by
check_ubl, and stored once beside the PDF (documents.IssuedEInvoice, with its SHA-256) by
the render step; a document issued before that has it built and stored on its first
request. Every later request serves the stored bytes, verified.
"""

from __future__ import annotations

from documents.models import IssuedDocument
from documents.services import document_einvoice_bytes, einvoice_builder_register
from documents.types import DocumentKind

from ..models import CreditNote, Invoice
from .checks import EInvoiceRefused, check_ubl
from .ubl import build_ubl, line_net_amounts, tax_category

__all__ = [
    "EInvoiceRefused",
    "build_for_document",
    "build_ubl",
    "check_ubl",
    "credit_note_ubl",
    "invoice_ubl",
    "line_net_amounts",
    "register",
    "tax_category",
]


def build_for_document(document: IssuedDocument) -> bytes | None:
    """The checked UBL of an issued document that is a billing invoice or credit note; None
    for a document of those kinds that billing did not issue (nothing to send)."""
    if not document.source_type:
        return None  # billing always names the shipment, closing run or invoice it issues from
    if document.kind == DocumentKind.CREDIT_NOTE:
        note = CreditNote.objects.filter(document=document).select_related("invoice").first()
        if note is None:
            return None
        xml = build_ubl(document.data, original_issue_date=note.invoice.issue_date)
    else:
        if not Invoice.objects.filter(document=document).exists():
            return None
        xml = build_ubl(document.data)
    check_ubl(xml)
    return xml


def register() -> None:
    """Called once from BillingConfig.ready: documents stores these beside the PDFs."""
    einvoice_builder_register(
        kinds=(DocumentKind.INVOICE, DocumentKind.CONSOLIDATED_INVOICE, DocumentKind.CREDIT_NOTE),
        builder=build_for_document,
    )


def invoice_ubl(*, invoice: Invoice, user=None) -> bytes:
    """The e-invoice of an invoice (per-shipment or 合計請求書): stored, verified bytes."""
    return document_einvoice_bytes(invoice.document, user=user)


def credit_note_ubl(*, credit_note: CreditNote, user=None) -> bytes:
    """The e-invoice (適格返還請求書) of a credit note: stored, verified bytes."""
    return document_einvoice_bytes(credit_note.document, user=user)
