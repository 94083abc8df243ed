"""Screens: payments (入金). Record a payment: the customer found by kana, the money and the
bank fee the customer deducted, the customer's open invoices oldest first with the suggested
matching (the payment service's own oldest-first rule and bank-fee rule, refreshed with htmx
as the customer, amount or fee change), adjusted per invoice, saved by payment_record. Sales
admins record; managers read the list; reps neither."""

import re
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from backoffice.exceptions import DomainError
from backoffice.formatting import yen
from backoffice.money import ZERO
from backoffice.roles import Role, restrict_to_own_customers
from backoffice.screens import RoleRequiredMixin, refuse
from billing import selectors, services
from billing.forms.payments import AllocationForm, PaymentFilterForm, PaymentForm, amount_name, fee_name
from billing.models import Allocation, Payment
from billing.services.payments import suggest_allocations
from orders.models import Customer

PAGE_SIZE = 50
_ALLOCATION_FIELD = re.compile(r"^allocations\[(?P<index>\d+)\]\.(?P<field>\w+)$")


def _money(text) -> Decimal:
    """A yen amount typed in a field that is still being filled in (0 when not one yet)."""
    try:
        value = Decimal(str(text or "0").replace(",", "").strip())
    except InvalidOperation:
        return ZERO
    return value if value.is_finite() and value >= 0 else ZERO


def _allocation_context(user, data, *, customer=None, bound=False):
    """The customer's open invoices, oldest first, with the suggested matching of the amount
    and fee in `data`; the allocation form bound to `data` when the user sent one."""
    if customer is None:
        customer_id = data.get("customer")
        if customer_id and str(customer_id).isdigit():
            customer = restrict_to_own_customers(Customer.objects.all(), user, "").filter(pk=customer_id).first()
    if customer is None:
        return {"customer": None, "allocation_form": None}
    invoices = list(selectors.open_invoices_oldest_first(customer))
    amount, fee = _money(data.get("amount")), _money(data.get("bank_fee"))
    suggestion = suggest_allocations(invoices, amount=amount, bank_fee=min(fee, amount))
    form = AllocationForm(data if bound else None, invoices=invoices, suggestion=suggestion)
    allocated = sum((item.amount for item in suggestion), ZERO)
    return {
        "customer": customer,
        "allocation_form": form,
        "open_total": sum((invoice.open_amount for invoice in invoices), ZERO),
        "suggested_amount": allocated,
        "suggested_fee": sum((item.bank_fee for item in suggestion), ZERO),
        "suggested_credit": max(amount - allocated, ZERO),
        "balance": selectors.customer_balance(customer),
    }


class PaymentSuggestionView(RoleRequiredMixin, View):
    """The open invoices and the suggested matching, as the form changes (htmx)."""

    roles = (Role.SALES_ADMIN,)

    def get(self, request):
        context = _allocation_context(request.user, request.GET)
        return render(request, "billing/payments/_allocations.html", context)


class PaymentCreateView(RoleRequiredMixin, View):
    roles = (Role.SALES_ADMIN,)
    template_name = "billing/payments/new.html"

    def get(self, request):
        initial = {}
        customer = request.GET.get("customer")
        if customer and customer.isdigit():
            initial["customer"] = customer
        form = PaymentForm(initial=initial, user=request.user)
        context = _allocation_context(request.user, {"customer": customer})
        return render(request, self.template_name, {"form": form, **context})

    def post(self, request):
        form = PaymentForm(request.POST, user=request.user)
        customer = form.cleaned_data["customer"] if form.is_valid() else None
        context = _allocation_context(request.user, request.POST, customer=customer, bound=True)
        allocation_form = context["allocation_form"]
        if not form.is_valid() or (allocation_form is not None and not allocation_form.is_valid()):
            return render(request, self.template_name, {"form": form, **context})
        data = form.cleaned_data
        chosen = allocation_form.allocations() if allocation_form is not None and allocation_form.given() else None
        allocations = None
        if chosen is not None:
            allocations = [services.AllocationInput(invoice=i, amount=a, bank_fee=f) for i, a, f in chosen]
        try:
            payment = services.payment_record(
                customer=data["customer"],
                received_on=data["received_on"],
                amount=data["amount"],
                bank_fee=data["bank_fee"],
                method=data["method"],
                payer_name=data["payer_name"],
                note=data["note"],
                allocations=allocations,
                user=request.user,
            )
        except DomainError as exc:
            self._refuse(form, allocation_form, chosen or [], exc)
            return render(request, self.template_name, {"form": form, **context})
        messages.success(
            request,
            _("The payment of %(amount)s from %(customer)s was recorded.")
            % {"amount": yen(payment.amount), "customer": payment.customer.name},
        )
        return redirect("billing:payment_list")

    @staticmethod
    def _refuse(form, allocation_form, chosen, exc: DomainError) -> None:
        """A refusal about `allocations[2].amount` goes next to that invoice's amount."""
        match = _ALLOCATION_FIELD.match(exc.field or "")
        if match and allocation_form is not None and int(match["index"]) < len(chosen):
            invoice = chosen[int(match["index"])][0]
            name = fee_name(invoice) if match["field"] == "bank_fee" else amount_name(invoice)
            allocation_form.add_error(name, str(exc.message))
        elif exc.field == "allocations" and allocation_form is not None:
            allocation_form.add_error(None, str(exc.message))
        else:
            refuse(form, exc)


class PaymentListView(RoleRequiredMixin, TemplateView):
    roles = (Role.SALES_ADMIN, Role.MANAGER)
    template_name = "billing/payments/list.html"

    def get_context_data(self, **kwargs):
        payments = (
            Payment.objects.select_related("customer", "created_by")
            .prefetch_related(Prefetch("allocations", queryset=Allocation.objects.select_related("invoice")))
            .order_by("-received_on", "-pk")
        )
        form = PaymentFilterForm(self.request.GET or None)
        if form.is_valid():
            text = form.cleaned_data["customer"].strip()
            if text:
                payments = payments.filter(selectors.customer_named(text))
            if form.cleaned_data["date_from"]:
                payments = payments.filter(received_on__gte=form.cleaned_data["date_from"])
            if form.cleaned_data["date_to"]:
                payments = payments.filter(received_on__lte=form.cleaned_data["date_to"])
        page = Paginator(payments, PAGE_SIZE).get_page(self.request.GET.get("page"))
        return {**super().get_context_data(**kwargs), "form": form, "page_obj": page, "payments": page.object_list}


urlpatterns = [
    path("payments/", PaymentListView.as_view(), name="payment_list"),
    path("payments/new/", PaymentCreateView.as_view(), name="payment_new"),
    path("payments/suggestion/", PaymentSuggestionView.as_view(), name="payment_suggestion"),
]
