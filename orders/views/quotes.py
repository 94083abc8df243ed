"""Screens: quotes (見積). A rep requests one, a sales admin prices it (totals per tax rate live
as they type), submits it, a manager approves or sends it back with a comment, the admin
issues it (the PDF opens), revises it, records the customer's answer and turns it into an
order. Each view parses input and calls one service of orders.services.quotes."""

from __future__ import annotations

from types import SimpleNamespace

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backoffice.exceptions import DomainError
from backoffice.roles import Role, has_role, restrict_to_own_customers
from backoffice.screens import refuse, role_required
from backoffice.selectors import company_profile
from backoffice.status import status_history

from .. import services
from ..forms.quotes import (
    CommentForm,
    PricedLineFormSet,
    QuoteEditForm,
    QuoteFilterForm,
    QuoteRequestForm,
    RequestLineFormSet,
)
from ..models import Order, Quote
from ..services import EDITABLE_QUOTE_STATUSES, LineInput, price_lines, totals_for

ADMIN = (Role.SALES_ADMIN,)
WRITERS = (Role.SALES_ADMIN, Role.SALES_REP)  # as the API: who creates and submits quotes
LINES = "lines"
PAGE_SIZE = 25


def visible_quotes(user):
    """The quotes this user may see (a rep: their customers' only; anything else is a 404)."""
    return restrict_to_own_customers(Quote.objects.select_related("customer", "requested_by"), user)


def _quote(request, pk) -> Quote:
    return get_object_or_404(visible_quotes(request.user), pk=pk)


def _first_url(*candidates: tuple[str, list]) -> str | None:
    """The first of the named routes that exists (another area's screen may not be there yet)."""
    for name, args in candidates:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def pdf_url(quote: Quote) -> str | None:
    if not quote.document_id:
        return None
    return _first_url(("documents:document_pdf", [quote.document_id]), ("document-pdf", [quote.document_id]))


# --- list --------------------------------------------------------------------------------


@role_required()
def quote_list(request):
    form = QuoteFilterForm(request.GET or None)
    quotes = visible_quotes(request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            quotes = quotes.filter(status=data["status"])
        text = data["q"].strip()
        if text:
            quotes = quotes.filter(
                Q(customer__code__istartswith=text)
                | Q(customer__name__icontains=text)
                | Q(customer__name_kana_key__kana_contains=text)
                | Q(number__icontains=text)
                | Q(subject__icontains=text)
            )
        if data["mine"]:
            quotes = quotes.filter(requested_by=request.user)
    page = Paginator(quotes.order_by("-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/quotes/list.html",
        {"form": form, "page_obj": page, "quotes": page.object_list, "may_request": has_role(request.user, *WRITERS)},
    )


# --- request -----------------------------------------------------------------------------


@role_required(*WRITERS)
def quote_new(request):
    """A quote request in one form: customer, subject, wishes, products and quantities."""
    user = request.user
    if request.method == "POST":
        form = QuoteRequestForm(request.POST, user=user)
        formset = RequestLineFormSet(request.POST, prefix=LINES)
        if form.is_valid() and formset.is_valid():
            try:
                quote = services.quote_create(user=user, data=form.quote_data(), lines=formset.line_inputs())
            except DomainError as exc:
                refuse(form, exc, formset=SimpleNamespace(forms=formset.filled_forms()))
            else:
                messages.success(request, _("The quote request was sent."))
                if has_role(user, Role.SALES_ADMIN):
                    return redirect("orders:quote_edit", pk=quote.pk)
                return redirect("orders:quote_detail", pk=quote.pk)
    else:
        customer = request.GET.get("customer", "")
        form = QuoteRequestForm(user=user, initial={"customer": customer} if customer.isdigit() else {})
        formset = RequestLineFormSet(prefix=LINES)
    rows = [(line_form, None) for line_form in formset.forms]
    context = {"form": form, "formset": formset, "rows": rows, "priced": False}
    return render(request, "orders/quotes/new.html", context)


@role_required(*WRITERS)
def quote_line_row(request):
    """One more blank line for the request or the pricing form (htmx), and the formset's new count."""
    try:
        index = int(request.GET.get(f"{LINES}-TOTAL_FORMS", "0"))
    except ValueError:
        index = 0
    priced = request.GET.get("kind") == "priced"
    formset_class = PricedLineFormSet if priced else RequestLineFormSet
    form = formset_class(prefix=LINES).empty_form
    form.prefix = f"{LINES}-{index}"
    return render(
        request,
        "orders/quotes/_line_added.html",
        {"form": form, "index": index, "total": index + 1, "priced": priced, "can_delete": priced},
    )


# --- detail and the steps ----------------------------------------------------------------


def _actions(quote: Quote, user, order: Order | None, revision: Quote | None) -> dict[str, bool]:
    """What the page offers this user for this quote: only the steps their role may take and
    the quote's status allows (the services check both again)."""
    admin = has_role(user, Role.SALES_ADMIN)
    status = quote.status
    s = Quote.Status
    return {
        "edit": admin and status in EDITABLE_QUOTE_STATUSES,
        "submit": admin and status in (s.DRAFT, s.REJECTED),
        "approve": has_role(user, Role.MANAGER) and status == s.PENDING_APPROVAL,
        "issue": admin and status == s.APPROVED,
        "revise": admin and status == s.ISSUED and revision is None,
        "answer": admin and status == s.ISSUED,
        "convert": admin and status == s.ACCEPTED and order is None,
    }


def _status_label(value: str):
    label = dict(Quote.Status.choices).get(value, value)
    return lambda: label


def _detail_context(request, quote: Quote, **forms) -> dict:
    order = Order.objects.filter(quote=quote).only("pk", "number", "status").first()
    revision = Quote.objects.filter(supersedes=quote).only("pk", "number", "revision").first()
    history = [
        {
            "event": event,
            "to": SimpleNamespace(status=event.to_status, get_status_display=_status_label(event.to_status)),
        }
        for event in status_history(quote).select_related("actor")
    ]
    return {
        "quote": quote,
        "lines": quote.lines.select_related("product"),
        "history": history,
        "order": order,
        "order_url": _first_url(("orders:order_detail", [order.pk])) if order else None,
        "revision": revision,
        "pdf_url": pdf_url(quote),
        "can": _actions(quote, request.user, order, revision),
        "reject_form": forms.get("reject_form") or CommentForm(),
        "decline_form": forms.get("decline_form") or CommentForm(),
        "next": request.path,
    }


@role_required()
def quote_detail(request, pk):
    quote = get_object_or_404(
        visible_quotes(request.user).select_related("customer__sales_rep", "approved_by", "supersedes"), pk=pk
    )
    return render(request, "orders/quotes/detail.html", _detail_context(request, quote))


def _safe_next(value) -> str:
    value = str(value or "")
    return value if value.startswith("/") and not value.startswith("//") else ""


def _step(request, pk, run, *, done: str, comment_required=False, form_name="reject_form"):
    """POST one step on a quote: run(quote, comment) calls its service. A refusal comes back to
    where the user was: the page in `next` with the message on top (the manager's home), else
    the quote page with the message next to the comment and the comment kept."""
    quote = _quote(request, pk)
    detail_url = reverse("orders:quote_detail", args=[quote.pk])
    form = CommentForm(request.POST, comment_required=comment_required)
    back = _safe_next(request.POST.get("next"))
    if form.is_valid():
        try:
            run(quote, form.cleaned_data["comment"])
        except DomainError as exc:
            refuse(form, exc)
        else:
            messages.success(request, done)
            return redirect(back or detail_url)
    if back and back != detail_url:
        for error in [*form.errors.get("comment", []), *form.non_field_errors()]:
            messages.error(request, f"{quote.subject}: {error}")
        return redirect(back)
    quote = _quote(request, pk)  # as it is now, not as the refused step left it in memory
    context = _detail_context(request, quote, **{form_name: form})
    return render(request, "orders/quotes/detail.html", context)


@require_POST
@role_required(*WRITERS)
def quote_submit(request, pk):
    quote = _quote(request, pk)
    try:
        quote = services.quote_submit(quote=quote, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        if exc.field == "lines" and has_role(request.user, Role.SALES_ADMIN):
            return redirect("orders:quote_edit", pk=quote.pk)
        return redirect("orders:quote_detail", pk=quote.pk)
    if quote.status == Quote.Status.PENDING_APPROVAL:
        messages.success(request, _("Submitted: the quote waits for a manager's approval."))
    else:
        messages.success(request, _("Within the limits: the quote is approved and can be issued."))
    return redirect("orders:quote_detail", pk=quote.pk)


@require_POST
@role_required(Role.MANAGER)
def quote_approve(request, pk):
    return _step(
        request,
        pk,
        lambda quote, comment: services.quote_approve(quote=quote, user=request.user, comment=comment),
        done=_("The quote was approved."),
    )


@require_POST
@role_required(Role.MANAGER)
def quote_reject(request, pk):
    return _step(
        request,
        pk,
        lambda quote, comment: services.quote_reject(quote=quote, user=request.user, comment=comment),
        done=_("The quote was sent back."),
        comment_required=True,
    )


@require_POST
@role_required(*ADMIN)
def quote_issue(request, pk):
    """Issue → the PDF opens."""
    quote = _quote(request, pk)
    try:
        quote = services.quote_issue(quote=quote, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("orders:quote_detail", pk=quote.pk)
    messages.success(request, _("Quote %(number)s was issued.") % {"number": quote.display_number})
    return redirect(pdf_url(quote) or reverse("orders:quote_detail", args=[quote.pk]))


@require_POST
@role_required(*ADMIN)
def quote_revise(request, pk):
    quote = _quote(request, pk)
    try:
        revision = services.quote_revise(quote=quote, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("orders:quote_detail", pk=quote.pk)
    messages.success(request, _("A revision was made: change it, then submit it again."))
    return redirect("orders:quote_edit", pk=revision.pk)


@require_POST
@role_required(*ADMIN)
def quote_accept(request, pk):
    return _step(
        request,
        pk,
        lambda quote, comment: services.quote_accept(quote=quote, user=request.user),
        done=_("The customer's acceptance was recorded."),
    )


@require_POST
@role_required(*ADMIN)
def quote_decline(request, pk):
    return _step(
        request,
        pk,
        lambda quote, comment: services.quote_decline(quote=quote, user=request.user, comment=comment),
        done=_("The customer's refusal was recorded."),
        form_name="decline_form",
    )


@require_POST
@role_required(*ADMIN)
def quote_convert(request, pk):
    quote = _quote(request, pk)
    try:
        order = services.quote_convert(quote=quote, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("orders:quote_detail", pk=quote.pk)
    messages.success(request, _("An order was made from the quote."))
    return redirect(_first_url(("orders:order_detail", [order.pk]), ("orders:order_list", [])) or "/orders/")


# --- pricing (sales admins) --------------------------------------------------------------


def _plain(value):
    """1683.00 as 1683 and 12.50 as 12.5 in an input, as a person would type it."""
    if value is None:
        return None
    return value.quantize(1) if value == value.to_integral_value() else value.normalize()


def _line_initial(quote: Quote) -> list[dict]:
    return [
        {
            "product": line.product_id,
            # A product line's name comes from the product; only free text is kept as typed.
            "description": "" if line.product_id and line.description == line.product.name else line.description,
            "quantity": line.quantity,
            "unit_price": _plain(line.unit_price),
            "discount_rate": _plain(line.discount_rate) or None,
        }
        for line in quote.lines.select_related("product")
    ]


def _live_answer(quote: Quote, rows: list[tuple[int, LineInput]], user) -> dict:
    """The lines as typed, priced for the customer and totalled per tax rate by the pricing
    service (no maths here): per form index its customer price and amount, or the refusal."""
    mode = company_profile().rounding_mode
    answer = {"lines": {}, "totals": None, "error": ""}
    if not rows:
        return answer
    try:
        priced = price_lines(
            customer=quote.customer, lines=[typed for _index, typed in rows], user=user, require_prices=False, mode=mode
        )
    except DomainError as exc:
        answer["error"] = str(exc.message)
        return answer
    for (index, _typed), line in zip(rows, priced, strict=True):
        answer["lines"][index] = line
    answer["totals"] = totals_for([(line.tax_rate, line.amount) for line in priced], customer=quote.customer, mode=mode)
    answer["unpriced"] = [line.position for line in priced if line.unit_price is None]
    return answer


def _typed_rows(formset) -> list[tuple[int, LineInput]]:
    """The rows of a bound formset that parse on their own (a half-typed row is left out)."""
    rows = []
    for index, form in enumerate(formset.forms):
        if form.is_valid() and form.has_changed() and not form.cleaned_data.get("DELETE"):
            rows.append((index, form.line_input()))
    return rows


def _stored_rows(quote: Quote) -> list[tuple[int, LineInput]]:
    return [
        (
            index,
            LineInput(
                quantity=line.quantity,
                product=line.product,
                description=line.description if line.product_id is None else "",
                unit_price=line.unit_price,
                discount_rate=line.discount_rate,
                unit=line.unit if line.product_id is None else "",
                tax_rate=line.tax_rate if line.product_id is None else None,
            ),
        )
        for index, line in enumerate(quote.lines.select_related("product"))
    ]


def _editable(request, pk) -> Quote | None:
    """The quote if it may still be edited; else None, with the reason for the user."""
    quote = get_object_or_404(visible_quotes(request.user), pk=pk)
    if quote.status not in EDITABLE_QUOTE_STATUSES:
        messages.error(request, _("An issued quote is never edited: revise it instead."))
        return None
    return quote


@role_required(*ADMIN)
def quote_edit(request, pk):
    """The admin prices the lines (unit price, discount) with the customer's price and 掛率 in
    sight and the totals per tax rate answered as they type."""
    quote = _editable(request, pk)
    if quote is None:
        return redirect("orders:quote_detail", pk=pk)
    if request.method == "POST":
        form = QuoteEditForm(request.POST)
        formset = PricedLineFormSet(request.POST, prefix=LINES)
        if form.is_valid() and formset.is_valid():
            try:
                services.quote_update(
                    quote=quote, user=request.user, data=form.quote_data(), lines=formset.line_inputs()
                )
            except DomainError as exc:
                refuse(form, exc, formset=SimpleNamespace(forms=formset.filled_forms()))
            else:
                messages.success(request, _("The quote was saved."))
                return redirect("orders:quote_detail", pk=quote.pk)
        live = _live_answer(quote, _typed_rows(formset), request.user)
    else:
        form = QuoteEditForm(initial={name: getattr(quote, name) for name in QuoteEditForm.Meta.fields})
        formset = PricedLineFormSet(prefix=LINES, initial=_line_initial(quote))
        live = _live_answer(quote, _stored_rows(quote), request.user)
    profile = company_profile()
    return render(
        request,
        "orders/quotes/edit.html",
        {
            "quote": quote,
            "form": form,
            "formset": formset,
            "live": live,
            "rows": [(line_form, live["lines"].get(i)) for i, line_form in enumerate(formset.forms)],
            "priced": True,
            "price_rate_percent": quote.customer.price_rate * 100,
            "profile": profile,
        },
    )


@require_POST
@role_required(*ADMIN)
def quote_totals(request, pk):
    """The live answer while the admin types: line amounts and totals per tax rate (htmx)."""
    quote = _editable(request, pk)
    if quote is None:
        return HttpResponse(status=204)
    formset = PricedLineFormSet(request.POST, prefix=LINES)
    live = _live_answer(quote, _typed_rows(formset), request.user)
    return render(
        request,
        "orders/quotes/_totals.html",
        {"quote": quote, "live": live, "oob_rows": [(i, live["lines"].get(i)) for i in range(len(formset.forms))]},
    )


urlpatterns = [
    path("quotes/", quote_list, name="quote_list"),
    path("quotes/new/", quote_new, name="quote_new"),
    path("quotes/lines/add/", quote_line_row, name="quote_line_row"),
    path("quotes/<int:pk>/", quote_detail, name="quote_detail"),
    path("quotes/<int:pk>/edit/", quote_edit, name="quote_edit"),
    path("quotes/<int:pk>/totals/", quote_totals, name="quote_totals"),
    path("quotes/<int:pk>/submit/", quote_submit, name="quote_submit"),
    path("quotes/<int:pk>/approve/", quote_approve, name="quote_approve"),
    path("quotes/<int:pk>/reject/", quote_reject, name="quote_reject"),
    path("quotes/<int:pk>/issue/", quote_issue, name="quote_issue"),
    path("quotes/<int:pk>/revise/", quote_revise, name="quote_revise"),
    path("quotes/<int:pk>/accept/", quote_accept, name="quote_accept"),
    path("quotes/<int:pk>/decline/", quote_decline, name="quote_decline"),
    path("quotes/<int:pk>/convert/", quote_convert, name="quote_convert"),
]
