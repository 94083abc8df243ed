"""Screens: an issued document's PDF, opened in the browser (inline) for reading or printing.

The same rules as the API's documents/<id>/pdf/: any role, a sales rep only their own
customers' documents (another's is a 404), the stored bytes served only as they were stored
(documents.services.document_pdf_bytes refuses tampered bytes, 409, and names a missing
file, 410; both recorded in the audit trail). A refusal is a page in Japanese, never a 500."""

import io

from django.http import FileResponse
from django.shortcuts import get_object_or_404, render

from backoffice.exceptions import DomainError
from backoffice.screens import role_required
from orders.selectors import own_customer_ids

from . import services
from .selectors import documents_visible_to

# Seconds after which the browser asks again for a PDF still being rendered.
RETRY_AFTER = 3


@role_required()
def document_pdf(request, pk: int):
    document = get_object_or_404(documents_visible_to(own_customer_ids(request.user)), pk=pk)
    try:
        pdf = services.document_pdf_bytes(document, user=request.user)
    except DomainError as exc:
        response = render(
            request,
            "documents/pdf_problem.html",
            {"document": document, "message": exc.message, "pending": exc.code == "pdf_pending"},
            status=exc.status_code,
        )
        if exc.code == "pdf_pending":
            response["Refresh"] = str(RETRY_AFTER)
        return response
    return FileResponse(io.BytesIO(pdf), content_type="application/pdf", filename=f"{document.number}.pdf")
