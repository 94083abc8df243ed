"""Screens: receivables. The aging per customer on a day (売掛金年齢表, with the credit held for
customers), as CSV and xlsx too, and one customer's ledger (売掛金元帳) for a period, as xlsx
and PDF too. Every role reads; a rep only their own customers (another's ledger is a 404)."""

import datetime as dt

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from backoffice.api.fields import MAX_ID
from backoffice.roles import restrict_to_own_customers
from backoffice.screens import RoleRequiredMixin
from backoffice.selectors import company_profile
from billing import ledger
from billing.forms.receivables import AgingForm, LedgerForm
from billing.ledger_pdf import ledger_pdf
from orders.models import Customer

PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(content: bytes, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


class AgingView(RoleRequiredMixin, TemplateView):
    template_name = "billing/receivables/aging.html"

    def get(self, request, *args, **kwargs):
        form = AgingForm(request.GET or None)
        as_of = (form.cleaned_data.get("as_of") if form.is_valid() else None) or timezone.localdate()
        if form.is_bound and not form.is_valid():
            return self.render_to_response({"form": form, "report": None})
        file_format = request.GET.get("format")
        report = ledger.aging(user=request.user, as_of=as_of, rows=None if file_format else _page_rows(request))
        if file_format in ("csv", "xlsx"):
            name = f"receivables-{as_of:%Y%m%d}.{file_format}"
            headers, rows = ledger.aging_headers(), ledger.aging_table(report)
            if file_format == "csv":
                return download(ledger.to_csv(headers, rows), "text/csv; charset=utf-8", name)
            heading = [_("Receivables aging as of %(day)s") % {"day": f"{as_of:%Y/%m/%d}"}]
            return download(ledger.to_xlsx(_("Receivables"), headers, rows, heading=heading), XLSX, name)
        page = Paginator(report.rows, PAGE_SIZE).get_page(request.GET.get("page"))
        return self.render_to_response({"form": form, "report": report, "page_obj": page, "as_of": as_of})


class CustomerLedgerView(RoleRequiredMixin, TemplateView):
    template_name = "billing/receivables/ledger.html"

    def get(self, request, *args, **kwargs):
        customers = restrict_to_own_customers(Customer.objects.all(), request.user, "")
        customer = get_object_or_404(customers, pk=min(kwargs["pk"], MAX_ID))
        today = timezone.localdate()
        form = LedgerForm(request.GET or None)
        context = {"form": form, "customer": customer, "ledger": None}
        if form.is_bound and not form.is_valid():
            return self.render_to_response(context)
        chosen = form.cleaned_data if form.is_bound else {}
        date_to = chosen.get("date_to") or today
        date_from = chosen.get("date_from") or _months_before(date_to, 2)
        if date_from > date_to:
            date_from = date_to.replace(day=1)
        result = ledger.customer_ledger(customer=customer, date_from=date_from, date_to=date_to)
        if request.GET.get("format") == "xlsx":
            heading = [
                f"{customer.code} {customer.name}",
                _("Customer ledger %(start)s – %(end)s")
                % {"start": f"{date_from:%Y/%m/%d}", "end": f"{date_to:%Y/%m/%d}"},
            ]
            content = ledger.to_xlsx(
                _("Customer ledger"), ledger.ledger_headers(), ledger.ledger_table(result), heading=heading
            )
            return download(content, XLSX, f"ledger-{customer.code}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.xlsx")
        if request.GET.get("format") == "pdf":
            content = ledger_pdf(result, company_name=company_profile().name, printed_on=today)
            response = HttpResponse(content, content_type="application/pdf")
            name = f"ledger-{customer.code}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.pdf"
            response["Content-Disposition"] = f'inline; filename="{name}"'
            return response
        form = LedgerForm(initial={"date_from": date_from, "date_to": date_to})  # the period shown
        return self.render_to_response({**context, "form": form, "ledger": result})


def _page_rows(request) -> slice:
    """The rows of the page asked for, read with the totals (another page, if the number is
    out of range, is read when the paginator asks for it)."""
    try:
        number = min(max(int(request.GET.get("page", 1)), 1), 1_000_000)
    except (TypeError, ValueError):
        number = 1
    return slice((number - 1) * PAGE_SIZE, number * PAGE_SIZE)


def _months_before(day: dt.date, months: int) -> dt.date:
    """The first day of the month `months` before `day`'s month."""
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


urlpatterns = [
    path("receivables/", AgingView.as_view(), name="receivables"),
    path("customers/<int:pk>/ledger/", CustomerLedgerView.as_view(), name="customer_ledger"),
]
