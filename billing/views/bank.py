"""Screens: bank statements (入金明細の取込). The imports with their counts and the upload;
one import's transfers: matched at once by a learned payer name (with the invoice, the
amount and the bank fee applied), proposed by the customer's kana (awaiting confirmation,
with the invoice its amount settles), or waiting for an admin, who picks the customer and
the invoice and confirms (the payer name is then learned) or ignores it. Sales admins
work here; managers read."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from backoffice.api.fields import MAX_ID
from backoffice.exceptions import DomainError
from backoffice.formatting import yen
from backoffice.roles import Role, has_role, restrict_to_own_customers
from backoffice.screens import RoleRequiredMixin, refuse
from billing import services
from billing.forms.bank import BankLineConfirmForm, BankStatementUploadForm
from billing.models import Allocation, BankStatementImport, BankStatementLine
from billing.services.bank_statements import bank_line_proposal_for, bank_line_proposals
from orders.models import Customer

PAGE_SIZE = 50
Status = BankStatementLine.Status


def _with_counts(statements):
    return statements.annotate(
        row_count=Count("lines"),
        matched_count=Count("lines", filter=Q(lines__status=Status.MATCHED)),
        confirmed_count=Count("lines", filter=Q(lines__status=Status.CONFIRMED)),
        waiting_count=Count("lines", filter=Q(lines__status=Status.UNMATCHED)),
        ignored_count=Count("lines", filter=Q(lines__status=Status.IGNORED)),
    )


class BankListView(RoleRequiredMixin, View):
    roles = (Role.SALES_ADMIN, Role.MANAGER)
    template_name = "billing/bank/list.html"

    def get(self, request):
        return self._render(request, BankStatementUploadForm())

    def post(self, request):
        if not has_role(request.user, Role.SALES_ADMIN):
            raise PermissionDenied(_("Your role may not open this page."))
        form = BankStatementUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self._render(request, form)
        upload = form.cleaned_data["file"]
        try:
            statement = services.bank_statement_import(
                content=upload.read(),
                file_name=upload.name,
                bank_account=form.cleaned_data["bank_account"],
                user=request.user,
            )
        except DomainError as exc:
            return self._render(request, refuse(form, exc))
        messages.success(request, _("The bank statement %(name)s was imported.") % {"name": statement.file_name})
        return redirect("billing:bank_detail", pk=statement.pk)

    def _render(self, request, form):
        statements = _with_counts(BankStatementImport.objects.select_related("imported_by")).order_by("-pk")
        page = Paginator(statements, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {"form": form, "page_obj": page, "statements": page.object_list}
        return render(request, self.template_name, context)


class BankDetailView(RoleRequiredMixin, TemplateView):
    roles = (Role.SALES_ADMIN, Role.MANAGER)
    template_name = "billing/bank/detail.html"

    def get_context_data(self, **kwargs):
        statement = get_object_or_404(
            _with_counts(BankStatementImport.objects.select_related("imported_by", "bank_account")),
            pk=min(kwargs["pk"], MAX_ID),
        )
        lines = list(
            statement.lines.select_related("customer", "payment").prefetch_related(
                Prefetch("payment__allocations", queryset=Allocation.objects.select_related("invoice"))
            )
        )
        proposals = bank_line_proposals(lines)
        rows = [{"line": line, "proposal": proposals.get(line.pk)} for line in lines]
        return {
            **super().get_context_data(**kwargs),
            "statement": statement,
            "rows": rows,
            "waiting": [row for row in rows if row["line"].status == Status.UNMATCHED],
        }


def _line(pk: int) -> BankStatementLine:
    return get_object_or_404(BankStatementLine.objects.select_related("statement", "customer"), pk=min(pk, MAX_ID))


def _customer(user, value):
    """The customer named in the form's data (one this user may see), for the invoice choices."""
    if value and str(value).isdigit():
        return restrict_to_own_customers(Customer.objects.all(), user, "").filter(pk=min(int(value), MAX_ID)).first()
    return None


class BankLineConfirmView(RoleRequiredMixin, View):
    """Confirm one transfer: the customer (proposed, or picked by kana), the invoice it pays
    (the proposed one, or oldest first) and the bank fee. GET with ?customer= refreshes the
    invoice choices (htmx)."""

    roles = (Role.SALES_ADMIN,)
    template_name = "billing/bank/confirm.html"

    def get(self, request, pk):
        line = _line(pk)
        customer = _customer(request.user, request.GET.get("customer")) or line.customer
        initial = {"customer": customer.pk if customer else None}
        if customer is not None:  # the invoice its amount settles, as the import would match it
            proposal = bank_line_proposal_for(line, customer)
            # A fee only when the amount falls short by one; else blank, as the help text says.
            invoice = proposal.invoice.pk if proposal.invoice else None
            initial.update(invoice=invoice, bank_fee=proposal.bank_fee or None)
        form = BankLineConfirmForm(initial=initial, user=request.user, customer=customer)
        return self._render(request, line, form)

    def post(self, request, pk):
        line = _line(pk)
        customer = _customer(request.user, request.POST.get("customer"))
        form = BankLineConfirmForm(request.POST, user=request.user, customer=customer)
        if not form.is_valid():
            return self._render(request, line, form)
        data = form.cleaned_data
        try:
            payment = services.bank_line_confirm(
                line=line,
                customer=data["customer"],
                invoice=data["invoice"],
                bank_fee=data["bank_fee"],
                user=request.user,
            )
        except DomainError as exc:
            return self._render(request, line, refuse(form, exc))
        messages.success(
            request,
            _("The transfer of %(amount)s from %(payer)s was recorded for %(customer)s.")
            % {"amount": yen(payment.amount), "payer": line.payer_name, "customer": payment.customer.name},
        )
        return redirect("billing:bank_detail", pk=line.statement_id)

    def _render(self, request, line, form):
        return render(request, self.template_name, {"line": line, "form": form})


class BankLineIgnoreView(RoleRequiredMixin, View):
    roles = (Role.SALES_ADMIN,)

    def post(self, request, pk):
        line = _line(pk)
        try:
            services.bank_line_ignore(line=line, user=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The transfer of %(amount)s was ignored.") % {"amount": yen(line.amount)})
        return redirect("billing:bank_detail", pk=line.statement_id)


urlpatterns = [
    path("bank/", BankListView.as_view(), name="bank_list"),
    path("bank/<int:pk>/", BankDetailView.as_view(), name="bank_detail"),
    path("bank/lines/<int:pk>/confirm/", BankLineConfirmView.as_view(), name="bank_line_confirm"),
    path("bank/lines/<int:pk>/ignore/", BankLineIgnoreView.as_view(), name="bank_line_ignore"),
]
