"""Screens: inquiries (問い合わせ). Log a phone call or mail in seconds (customer by kana, or a
prospect's name), handed to the customer's rep, who is notified; hand it on, resolve it, or
turn it into a quote request (or, for admins, an order) in one step."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from backoffice.exceptions import DomainError
from backoffice.roles import Role, has_role, restrict_to_own_customers, sees_all_customers
from backoffice.screens import refuse, role_required

from ..forms.inquiries import HandOffForm, InquiryForm, QuoteRequestForm, QuoteRequestLines, ResolveForm
from ..models import Customer, Inquiry
from ..services import (
    INQUIRY_FIELDS,
    LineInput,
    inquiry_create,
    inquiry_hand_off,
    inquiry_resolve,
    quote_create_from_inquiry,
)

PAGE_SIZE = 50
QUOTE_ROLES = (Role.SALES_ADMIN, Role.SALES_REP)


def person(user) -> str:
    """A person by name, family name first (as the screens' |person filter shows them)."""
    return f"{user.last_name} {user.first_name}".strip() or user.get_username()


def visible_inquiries(user):
    """What the API shows the user: admins and managers every inquiry; a rep those of their
    customers, those handed to them and those they logged."""
    inquiries = Inquiry.objects.select_related("customer", "assigned_to", "received_by")
    if sees_all_customers(user):
        return inquiries
    return inquiries.filter(Q(customer__sales_rep=user) | Q(assigned_to=user) | Q(received_by=user))


class InquiryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("status"), choices=[("", gettext_lazy("all"))] + Inquiry.Status.choices, required=False
    )
    mine = forms.BooleanField(label=gettext_lazy("handed to me"), required=False)
    q = forms.CharField(label=gettext_lazy("subject, customer or kana"), max_length=100, required=False)


@role_required()
def inquiry_list(request):
    form = InquiryFilterForm(request.GET or None)
    inquiries = visible_inquiries(request.user)
    if form.is_valid():
        if form.cleaned_data["status"]:
            inquiries = inquiries.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["mine"]:
            inquiries = inquiries.filter(assigned_to=request.user)
        text = form.cleaned_data["q"].strip()
        if text:
            inquiries = inquiries.filter(
                Q(subject__icontains=text)
                | Q(caller_name__icontains=text)
                | Q(customer__name__icontains=text)
                | Q(customer__code__istartswith=text)
                | Q(customer__name_kana_key__kana_contains=text)
            )
    page = Paginator(inquiries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "orders/inquiries/list.html", {"form": form, "page_obj": page, "inquiries": page.object_list}
    )


def _with_live_hand_off(form: InquiryForm) -> InquiryForm:
    """When a customer is chosen, the hand-off field shows their rep (htmx)."""
    form.fields["customer"].widget.attrs.update(
        {
            "hx-get": reverse("orders:inquiry_hand_off_field"),
            "hx-trigger": "change, htmx:afterSwap",
            "hx-target": "#hand-off",
            "hx-swap": "outerHTML",
        }
    )
    return form


@role_required()
def inquiry_new(request):
    if request.method == "POST":
        form = _with_live_hand_off(InquiryForm(request.POST, user=request.user))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in INQUIRY_FIELDS if name in form.cleaned_data}
            try:
                inquiry = inquiry_create(user=request.user, data=data)
            except DomainError as exc:
                refuse(form, exc)
            else:
                if inquiry.assigned_to_id:
                    text = _("Inquiry logged and handed to %(person)s.") % {"person": person(inquiry.assigned_to)}
                else:
                    text = _("Inquiry logged.")
                messages.success(request, text)
                return redirect("orders:inquiry_detail", pk=inquiry.pk)
    else:
        initial = {}
        customer_id = request.GET.get("customer", "")
        if customer_id.isdigit():
            initial["customer"] = int(customer_id)
        form = _with_live_hand_off(InquiryForm(user=request.user, initial=initial))
        customer = _visible_customer(request.user, customer_id)
        if customer is not None and customer.sales_rep_id:
            form.initial["assigned_to"] = customer.sales_rep_id
    return render(request, "orders/inquiries/new.html", {"form": form})


def _visible_customer(user, customer_id: str) -> Customer | None:
    if not customer_id.isdigit():
        return None
    return restrict_to_own_customers(Customer.objects.filter(is_active=True), user, "").filter(pk=customer_id).first()


@role_required()
def inquiry_hand_off_field(request):
    """The hand-off field, preset to the chosen customer's rep (htmx fragment)."""
    customer = _visible_customer(request.user, request.GET.get("customer", ""))
    form = InquiryForm(user=request.user, initial={"assigned_to": customer.sales_rep_id if customer else None})
    return render(request, "orders/inquiries/_hand_off_field.html", {"form": form})


def _detail(request, inquiry: Inquiry, *, status: int = 200, **forms_given):
    user = request.user
    open_ = inquiry.status != Inquiry.Status.RESOLVED
    can_request_quote = open_ and inquiry.customer_id is not None and has_role(user, *QUOTE_ROLES)
    context = {
        "inquiry": inquiry,
        "is_open": open_,
        "can_hand_off": open_ and has_role(user, Role.SALES_ADMIN),
        "can_request_quote": can_request_quote,
        "hand_off_form": forms_given.get("hand_off_form")
        or HandOffForm(initial={"assigned_to": inquiry.assigned_to_id}),
        "resolve_form": forms_given.get("resolve_form") or ResolveForm(),
        "quotes": list(inquiry.quotes.order_by("pk")),
    }
    if can_request_quote:
        context["quote_form"] = forms_given.get("quote_form") or QuoteRequestForm()
        context["lines"] = forms_given.get("lines") or QuoteRequestLines(prefix="lines")
    return render(request, "orders/inquiries/detail.html", context, status=status)


def _get_inquiry(request, pk: int) -> Inquiry:
    return get_object_or_404(visible_inquiries(request.user), pk=pk)


@role_required()
def inquiry_detail(request, pk: int):
    return _detail(request, _get_inquiry(request, pk))


@require_POST
@role_required(Role.SALES_ADMIN)
def inquiry_hand_off_view(request, pk: int):
    inquiry = _get_inquiry(request, pk)
    form = HandOffForm(request.POST)
    if form.is_valid():
        try:
            inquiry = inquiry_hand_off(inquiry=inquiry, user=request.user, assigned_to=form.cleaned_data["assigned_to"])
        except DomainError as exc:
            refuse(form, exc)
        else:
            messages.success(
                request, _("Handed to %(person)s, who is notified.") % {"person": person(inquiry.assigned_to)}
            )
            return redirect("orders:inquiry_detail", pk=inquiry.pk)
    return _detail(request, inquiry, hand_off_form=form)


@require_POST
@role_required()
def inquiry_resolve_view(request, pk: int):
    inquiry = _get_inquiry(request, pk)
    form = ResolveForm(request.POST)
    if form.is_valid():
        try:
            inquiry_resolve(inquiry=inquiry, user=request.user, resolution=form.cleaned_data["resolution"])
        except DomainError as exc:
            refuse(form, exc)
        else:
            messages.success(request, _("Inquiry resolved."))
            return redirect("orders:inquiry_detail", pk=inquiry.pk)
    return _detail(request, inquiry, resolve_form=form)


@require_POST
@role_required(*QUOTE_ROLES)
def inquiry_quote_request(request, pk: int):
    """The quote request made from the inquiry: its customer and subject, these lines."""
    inquiry = _get_inquiry(request, pk)
    form = QuoteRequestForm(request.POST)
    lines = QuoteRequestLines(request.POST, prefix="lines")
    if form.is_valid() and lines.is_valid():
        # Blank rows are skipped: the service's "lines[i]" counts the filled ones.
        filled = [line for line in lines.forms if line.cleaned_data.get("product")]
        entered = [LineInput(product=f.cleaned_data["product"], quantity=f.cleaned_data["quantity"]) for f in filled]
        try:
            quote = quote_create_from_inquiry(inquiry=inquiry, user=request.user, lines=entered, data=form.cleaned_data)
        except DomainError as exc:
            refuse(form, exc, formset=_Filled(filled))
        else:
            messages.success(request, _("Quote request #%(id)d created.") % {"id": quote.pk})
            try:
                return redirect(reverse("orders:quote_detail", args=[quote.pk]))
            except NoReverseMatch:  # the quote screens are not there yet
                return redirect("orders:inquiry_detail", pk=inquiry.pk)
    return _detail(request, inquiry, quote_form=form, lines=lines)


class _Filled:
    """The formset's filled rows, as `refuse` looks a line's error up (`lines[i].field`)."""

    def __init__(self, forms_filled):
        self.forms = forms_filled


urlpatterns = [
    path("inquiries/", inquiry_list, name="inquiry_list"),
    path("inquiries/new/", inquiry_new, name="inquiry_new"),
    path("inquiries/new/hand-off/", inquiry_hand_off_field, name="inquiry_hand_off_field"),
    path("inquiries/<int:pk>/", inquiry_detail, name="inquiry_detail"),
    path("inquiries/<int:pk>/hand-off/", inquiry_hand_off_view, name="inquiry_hand_off"),
    path("inquiries/<int:pk>/resolve/", inquiry_resolve_view, name="inquiry_resolve"),
    path("inquiries/<int:pk>/quote-request/", inquiry_quote_request, name="inquiry_quote_request"),
]
