"""Screens: invoices. The search with the 入金予定表 (open invoices by due date, totals per day
and per week), an invoice's page, and the 請求一覧 of a period for printing. Every role reads;
a rep only their own customers' invoices (another's is a 404)."""

import datetime as dt

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from backoffice.api.fields import MAX_ID
from backoffice.money import ZERO
from backoffice.screens import RoleRequiredMixin
from backoffice.status import status_history
from billing import selectors
from billing.forms.invoices import InvoiceFilterForm, InvoicePrintForm
from billing.models import Allocation, CreditNote, Invoice

PAGE_SIZE = 50


def schedule_rows(invoices, days, weeks):
    """The page's invoices by due date, each day closed by its total and each week (Monday to
    Sunday) by its own: the totals are over every invoice found, not just this page."""
    rows = []
    for index, invoice in enumerate(invoices):
        rows.append(("invoice", invoice))
        following = invoices[index + 1] if index + 1 < len(invoices) else None
        if following is None or following.due_date != invoice.due_date:
            rows.append(("day", days.get(invoice.due_date)))
            monday = invoice.due_date - dt.timedelta(days=invoice.due_date.weekday())
            if following is None or following.due_date - dt.timedelta(days=following.due_date.weekday()) != monday:
                rows.append(("week", weeks.get(monday)))
    return rows


class InvoiceListView(RoleRequiredMixin, TemplateView):
    template_name = "billing/invoices/list.html"

    def get_context_data(self, **kwargs):
        form = InvoiceFilterForm(self.request.GET or None)
        today = timezone.localdate()
        filters = form.cleaned_data if form.is_valid() else {}
        schedule = filters.get("view") == InvoiceFilterForm.SCHEDULE
        invoices = selectors.invoices_matching(
            user=self.request.user,
            customer_text=filters.get("customer", ""),
            issued_from=filters.get("issued_from"),
            issued_to=filters.get("issued_to"),
            status="open" if schedule else filters.get("status", ""),
            due_from=filters.get("due_from"),
            due_to=filters.get("due_to"),
            overdue_on=today if filters.get("overdue") else None,
        )
        if schedule:
            invoices = invoices.order_by("due_date", "customer__code", "pk")
        page = Paginator(invoices, PAGE_SIZE).get_page(self.request.GET.get("page"))
        context = {
            "form": form,
            "page_obj": page,
            "invoices": page.object_list,
            "today": today,
            "schedule": schedule,
            "title": _("Payment schedule") if schedule else _("Invoices"),
        }
        if schedule:
            days, weeks = selectors.payment_schedule(invoices)
            context["rows"] = schedule_rows(list(page.object_list), days, weeks)
            context["schedule_total"] = sum((d.amount for d in days.values()), ZERO)
            context["schedule_count"] = sum(d.count for d in days.values())
        return {**super().get_context_data(**kwargs), **context}


class InvoiceDetailView(RoleRequiredMixin, TemplateView):
    template_name = "billing/invoices/detail.html"

    def get_context_data(self, **kwargs):
        invoices = selectors.invoices_visible_to(self.request.user).select_related("customer", "created_by")
        invoices = invoices.prefetch_related(
            "lines",
            Prefetch("allocations", queryset=Allocation.objects.select_related("payment", "credit_note")),
            Prefetch("credit_notes", queryset=CreditNote.objects.order_by("issue_date", "pk")),
        )
        invoice = get_object_or_404(invoices, pk=min(kwargs["pk"], MAX_ID))
        labels = dict(Invoice.Status.choices)
        history = [
            {"event": event, "label": labels.get(event.to_status, event.to_status)}
            for event in status_history(invoice).select_related("actor")
        ]
        allocations = list(invoice.allocations.all())
        return {
            **super().get_context_data(**kwargs),
            "invoice": invoice,
            "payments": [a for a in allocations if a.payment_id],
            "credit_uses": [a for a in allocations if a.credit_note_id],
            "history": history,
            "overdue": invoice.status in selectors.OPEN_STATUSES and invoice.due_date < timezone.localdate(),
        }


class InvoicePrintView(RoleRequiredMixin, TemplateView):
    """請求一覧: every invoice issued in a period, with its amounts and their totals, to print."""

    template_name = "billing/invoices/print.html"

    def get_context_data(self, **kwargs):
        form = InvoicePrintForm(self.request.GET or None)
        context = {"form": form, "invoices": None}
        if form.is_valid():
            invoices = list(
                selectors.invoices_visible_to(self.request.user)
                .select_related("customer")
                .filter(issue_date__gte=form.cleaned_data["date_from"], issue_date__lte=form.cleaned_data["date_to"])
                .exclude(status=Invoice.Status.CANCELLED)
                .order_by("issue_date", "number")
            )
            fields = ("previous_balance", "payments_received", "credits", "carried_over", "sales_amount")
            fields += ("tax_total", "total")
            context["invoices"] = invoices
            context["totals"] = {name: sum((getattr(i, name) for i in invoices), ZERO) for name in fields}
        return {**super().get_context_data(**kwargs), **context}


urlpatterns = [
    path("invoices/", InvoiceListView.as_view(), name="invoice_list"),
    path("invoices/print/", InvoicePrintView.as_view(), name="invoice_print"),
    path("invoices/<int:pk>/", InvoiceDetailView.as_view(), name="invoice_detail"),
]
