from backoffice.exceptions import DomainError, StateConflict


class DocumentImmutable(StateConflict):
    """An issued document is never changed or deleted: issue a revision or a credit note."""

    default_code = "document_immutable"


class DocumentNotRendered(StateConflict):
    """The PDF of this document is still being rendered."""

    default_code = "pdf_pending"


class StoredPDFProblem(DomainError):
    """The stored PDF of an issued document cannot be served as it was issued. The payload
    names the document and carries a `code` a client can act on."""

    def __init__(self, message, *, number: str, **kwargs):
        super().__init__(message, **kwargs)
        self.number = number
        self.extra = {"code": self.code, "number": number, **self.extra}


class DocumentPDFTampered(StoredPDFProblem, StateConflict):
    """The stored bytes no longer have the SHA-256 taken when the PDF was stored: refused
    (409), recorded in the audit trail. Nobody may receive altered bytes as the document."""

    default_code = "pdf_tampered"


class DocumentPDFMissing(StoredPDFProblem):
    """The stored PDF file is gone (410): the document exists, its archived file does not."""

    status_code = 410
    default_code = "pdf_missing"


class DocumentFontMissing(DomainError):
    """No TrueType font to embed: the server cannot issue documents until one is installed
    (503; the setting DOCUMENTS_FONT_PATH and the package fonts-ipaexfont are named)."""

    status_code = 503
    default_code = "document_font_missing"


# --- e-invoices (JP PINT UBL) ---


class EInvoiceUnavailable(StateConflict):
    """No e-invoice can be made for this document (not an invoice or credit note of billing)."""

    default_code = "einvoice_unavailable"


class StoredEInvoiceTampered(StoredPDFProblem, StateConflict):
    """The stored XML no longer has the SHA-256 taken when it was stored: refused (409)."""

    default_code = "einvoice_tampered"


class StoredEInvoiceMissing(StoredPDFProblem):
    """The stored XML file is gone (410)."""

    status_code = 410
    default_code = "einvoice_missing"
