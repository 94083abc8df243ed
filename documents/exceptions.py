from backoffice.exceptions import StateConflict


class DocumentImmutable(StateConflict):
    """An issued document is never changed or deleted: issue a revision or a credit note."""

    default_code = "document_immutable"


class DocumentNotRendered(StateConflict):
    """The PDF of this document is still being rendered."""

    default_code = "pdf_pending"
