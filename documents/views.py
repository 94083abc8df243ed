"""Screens: the archive of issued documents (電子帳簿保存法).

- `/documents/`: the search by kind, number, counterparty (name or kana reading, customer
  or supplier), date range and amount range, combined; 50 a page, newest first, each row
  with its PDF and whether the stored file still matches the SHA-256 taken when it was
  stored (the page's files are re-hashed, documents.services.documents_verify).
- `/documents/export/`: a ZIP of the ticked documents, or of everything the search finds,
  with index.csv (documents.services.documents_export). Sales admins and managers, as the
  API's export.
- `/documents/<id>/pdf`: an issued document's PDF, opened in the browser (inline).
- `/settings/document-numbers/`: the number prefixes (sales admins, from the company
  settings): each sequence's prefix now, the scheduled changes and the history; a new
  prefix from a fiscal year, or a scheduled change cancelled (documents.services.prefixes).

The same rules as the API's documents/: any role reads, a sales rep only their own
customers' documents (another's is a 404), the stored bytes served only as they were stored
(documents.services.document_pdf_bytes refuses tampered bytes, 409, and names a missing
file, 410; both recorded in the audit trail). A refusal is a page in Japanese, never a 500."""

import io
import tempfile

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backoffice.api.fields import MAX_ID
from backoffice.exceptions import DomainError
from backoffice.roles import Role, has_role
from backoffice.screens import refuse, role_required
from orders.selectors import own_customer_ids

from . import services
from .forms import DocumentSearchForm, DocumentSelectionForm, NumberPrefixForm
from .models import NumberPrefix, RenderStatus
from .rendering import KIND_LAYOUTS
from .selectors import documents_visible_to

# Seconds after which the browser asks again for a PDF still being rendered.
RETRY_AFTER = 3
PAGE_SIZE = 50
# One ZIP is built while the browser waits: beyond this, narrow the search (or use the API).
MAX_EXPORT = 5000

EXPORT_ROLES = (Role.SALES_ADMIN, Role.MANAGER)


def _verification(documents) -> dict[int, str]:
    """Each document's check: ok, mismatch (the bytes changed), missing (no file), pending."""
    report = services.documents_verify(documents)
    problems = {problem.document_id: problem.problem for problem in report.problems}
    return {
        document.pk: problems.get(document.pk, "ok") if document.is_rendered else "pending" for document in documents
    }


@role_required()
def document_search(request):
    form = DocumentSearchForm(request.GET or None)
    visible = documents_visible_to(own_customer_ids(request.user))
    context = {"form": form, "page_obj": None, "can_export": has_role(request.user, *EXPORT_ROLES)}
    if form.is_bound and not form.is_valid():
        return render(request, "documents/search.html", context)
    documents = form.filter(visible) if form.is_bound else visible
    page = Paginator(documents.order_by("-document_date", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    checks = _verification(page.object_list)
    rows = [(document, KIND_LAYOUTS[document.kind].title, checks[document.pk]) for document in page.object_list]
    context.update({"page_obj": page, "rows": rows, "max_export": MAX_EXPORT, "failed": RenderStatus.FAILED})
    return render(request, "documents/search.html", context)


@require_POST
@role_required(*EXPORT_ROLES)
def document_export(request):
    """The ZIP of the ticked documents (`ids`) or of every document the search in the query
    string finds (`everything`)."""
    back = f"{reverse('documents:document_search')}?{request.GET.urlencode()}"
    search = DocumentSearchForm(request.GET or None)
    selection = DocumentSelectionForm(request.POST)
    if search.is_bound and not search.is_valid():
        messages.error(request, _("Correct the search before exporting."))
        return redirect(back)
    if not selection.is_valid():
        messages.error(request, selection.non_field_errors()[0])
        return redirect(back)
    visible = documents_visible_to(own_customer_ids(request.user))
    if selection.cleaned_data["everything"]:
        documents = search.filter(visible) if search.is_bound else visible
    else:
        documents = visible.filter(pk__in=selection.cleaned_data["ids"])
    ids = list(documents.order_by("document_date", "number").values_list("pk", flat=True)[: MAX_EXPORT + 1])
    if not ids:
        messages.error(request, _("No documents to export."))
        return redirect(back)
    if len(ids) > MAX_EXPORT:
        messages.error(
            request,
            _("More than %(count)s documents: narrow the search (for example by date) and export again.")
            % {"count": f"{MAX_EXPORT:,}"},
        )
        return redirect(back)
    output = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)  # noqa: SIM115 (closed by FileResponse)
    services.documents_export(documents=services.documents_in_chunks(ids), output=output, user=request.user)
    output.seek(0)
    return FileResponse(
        output,
        as_attachment=True,
        content_type="application/zip",
        filename=f"documents_{timezone.localdate():%Y%m%d}.zip",
    )


@role_required(Role.SALES_ADMIN)
def number_prefixes(request):
    """書類番号の接頭辞, from the company settings: each sequence's prefix now, the changes
    scheduled and the history; a new prefix from a fiscal year (documents.services.
    number_prefix_schedule says when one may start); a scheduled change cancelled."""
    year, series = services.number_prefix_overview()
    form = NumberPrefixForm(request.POST or None, series=series, current_year=year)
    if request.method == "POST" and form.is_valid():
        try:
            rows = services.number_prefix_schedule(
                kind=form.cleaned_data["kind"],
                prefix=form.cleaned_data["prefix"],
                from_fiscal_year=form.cleaned_data["from_fiscal_year"],
                user=request.user,
            )
        except DomainError as exc:
            refuse(form, exc)
        else:
            kind_label = dict(form.fields["kind"].choices)[form.cleaned_data["kind"]]
            messages.success(
                request,
                _("From fiscal year %(year)s the numbers of %(kind)s start with %(prefix)s.")
                % {"year": rows[0].from_fiscal_year, "kind": kind_label, "prefix": rows[0].prefix},
            )
            return redirect("documents:number_prefixes")
    return render(
        request,
        "documents/number_prefixes.html",
        {"series": series, "year": year, "form": form, "has_history": any(s.history for s in series)},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_POST
@role_required(Role.SALES_ADMIN)
def number_prefix_cancel(request, pk: int):
    change = get_object_or_404(NumberPrefix, pk=min(pk, MAX_ID))
    try:
        services.number_prefix_cancel(change=change, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        _year, series = services.number_prefix_overview()
        kind_label = next(s.label for s in series if change.kind in s.kinds)
        messages.success(
            request,
            _("The change of %(kind)s to %(prefix)s from fiscal year %(year)s was cancelled.")
            % {"kind": kind_label, "prefix": change.prefix, "year": change.from_fiscal_year},
        )
    return redirect("documents:number_prefixes")


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
