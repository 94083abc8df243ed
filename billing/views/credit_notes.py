"""Screens: credit notes (返品・値引, 適格返還請求書). From an invoice's page a sales admin
issues a return (goods back into stock) or a price reduction, by line: at most what is left
of each line to return or to reduce. The credit note's page shows what it credits and its
PDF. Every role reads a credit note; a rep only their own customers'."""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.db.models import Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from backoffice.api.fields import MAX_ID
from backoffice.exceptions import DomainError
from backoffice.formatting import yen
from backoffice.money import ZERO
from backoffice.roles import Role, restrict_to_own_customers
from backoffice.screens import RoleRequiredMixin, refuse
from billing import selectors, services
from billing.forms.credit_notes import CreditNoteForm, amount_name, quantity_name
from billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine

_LINE_FIELD = re.compile(r"^lines\[(?P<index>\d+)\]\.(?P<field>\w+)$")


@dataclass(frozen=True)
class LineLeft:
    """An invoice line with what earlier credit notes took of it."""

    line: InvoiceLine
    quantity_credited: int
    amount_credited: Decimal

    @property
    def quantity_left(self) -> int:
        return self.line.quantity - self.quantity_credited

    @property
    def amount_left(self) -> Decimal:
        return self.line.amount - self.amount_credited


def _lines_left(invoice: Invoice) -> list[LineLeft]:
    done = {
        row["invoice_line"]: row
        for row in CreditNoteLine.objects.filter(invoice_line__invoice=invoice)
        .values("invoice_line")
        .annotate(quantity=Sum("quantity"), amount=Sum("amount"))
    }
    return [
        LineLeft(
            line=line,
            quantity_credited=done.get(line.pk, {}).get("quantity") or 0,
            amount_credited=done.get(line.pk, {}).get("amount") or ZERO,
        )
        for line in invoice.lines.order_by("position")
    ]


class CreditNoteCreateView(RoleRequiredMixin, View):
    roles = (Role.SALES_ADMIN,)
    template_name = "billing/credit_notes/new.html"

    def _invoice(self, pk) -> Invoice:
        invoices = selectors.invoices_visible_to(self.request.user).select_related("customer")
        return get_object_or_404(invoices.exclude(status=Invoice.Status.CANCELLED), pk=min(pk, MAX_ID))

    def get(self, request, pk):
        invoice = self._invoice(pk)
        initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") in CreditNote.Kind.values else {}
        form = CreditNoteForm(initial=initial, rows=_lines_left(invoice))
        return self._render(request, invoice, form)

    def post(self, request, pk):
        invoice = self._invoice(pk)
        form = CreditNoteForm(request.POST, rows=_lines_left(invoice))
        if not form.is_valid():
            return self._render(request, invoice, form)
        data = form.cleaned_data
        chosen = form.chosen()
        lines = [
            services.CreditLineInput(invoice_line=line, quantity=quantity, amount=amount)
            for line, quantity, amount in chosen
        ]
        try:
            note = services.credit_note_issue(
                invoice=invoice,
                kind=data["kind"],
                lines=lines,
                reason=data["reason"],
                issue_date=data["issue_date"],
                warehouse=data["warehouse"],
                user=request.user,
            )
        except DomainError as exc:
            self._refuse(form, chosen, exc)
            return self._render(request, invoice, form)
        messages.success(
            request,
            _("Credit note %(number)s of %(total)s was issued.") % {"number": note.number, "total": yen(note.total)},
        )
        return redirect("billing:credit_note_detail", pk=note.pk)

    @staticmethod
    def _refuse(form, chosen, exc: DomainError) -> None:
        """A refusal about `lines[1].quantity` goes next to that invoice line's field."""
        match = _LINE_FIELD.match(exc.field or "")
        if match and int(match["index"]) < len(chosen):
            line = chosen[int(match["index"])][0]
            name = amount_name(line) if match["field"] == "amount" else quantity_name(line)
            form.add_error(name, str(exc.message))
        elif exc.field == "lines":
            form.add_error(None, str(exc.message))
        else:
            refuse(form, exc)

    def _render(self, request, invoice, form):
        return render(request, self.template_name, {"invoice": invoice, "form": form})


class CreditNoteDetailView(RoleRequiredMixin, TemplateView):
    template_name = "billing/credit_notes/detail.html"

    def get_context_data(self, **kwargs):
        notes = restrict_to_own_customers(CreditNote.objects.all(), self.request.user)
        notes = notes.select_related("invoice", "customer", "warehouse", "created_by", "document").prefetch_related(
            "lines__invoice_line"
        )
        note = get_object_or_404(notes, pk=min(kwargs["pk"], MAX_ID))
        return {**super().get_context_data(**kwargs), "note": note, "lines": note.lines.all()}


urlpatterns = [
    path("invoices/<int:pk>/credit-note/", CreditNoteCreateView.as_view(), name="credit_note_new"),
    path("credit-notes/<int:pk>/", CreditNoteDetailView.as_view(), name="credit_note_detail"),
]
