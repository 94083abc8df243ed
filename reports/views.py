"""Screens: reports (/reports/). The dashboard for a period (a month, a fiscal quarter or
year, or any dates): sales against target per rep with the 達成率, sales by product,
customer, rep or category against last year with the gross margin, the order backlog,
the quote pipeline and the receivables; every figure links to the rows behind it (the
sales lines with their orders, the order and quote lists, the receivables). The sales
table in full, the lines behind a figure, and 消費税集計. CSV and xlsx downloads.

Every role opens the sales screens; a rep's figures are their own customers' (inside
the selectors). 消費税集計 is company-wide: sales admins and managers."""

from __future__ import annotations

from decimal import Decimal

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django.views.generic import RedirectView

from backoffice.roles import Role
from backoffice.screens import role_required
from backoffice.selectors import company_profile
from billing import ledger

from . import charts, exports, selectors
from .forms import DIMENSIONS, ConsumptionTaxForm, Period, PeriodForm, SalesLinesForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOP_ROWS = 10
LINES_PAGE = 100
DIMENSION_TITLES = {
    "product": gettext_lazy("By product"),
    "customer": gettext_lazy("By customer"),
    "rep": gettext_lazy("By sales rep"),
    "category": gettext_lazy("By category"),
}


def _period(request) -> tuple[PeriodForm, Period]:
    today = timezone.localdate()
    fiscal_start_month = company_profile().fiscal_year_start_month
    chosen = any(request.GET.get(name) for name in PeriodForm.base_fields)
    form = PeriodForm(request.GET if chosen else None, today=today, fiscal_start_month=fiscal_start_month)
    period = form.period_or_default()
    if not form.is_bound or not form.errors:  # the form shows the period shown
        initial = {"period": period.kind, "month": f"{period.anchor:%Y-%m}"}
        if period.kind == "custom":
            initial.update(date_from=period.date_from, date_to=period.date_to)
        form = PeriodForm(initial=initial, today=today, fiscal_start_month=fiscal_start_month)
    return form, period


def _dimension(request) -> str:
    wanted = request.GET.get("by", "")
    return wanted if wanted in DIMENSIONS else "product"


def _download(request, table: exports.Table, stem: str):
    """The table as a file when ?format=csv|xlsx asks for one, else None."""
    file_format = request.GET.get("format")
    if file_format == "csv":
        response = HttpResponse(exports.to_csv(table), content_type="text/csv; charset=utf-8")
    elif file_format == "xlsx":
        response = HttpResponse(exports.to_xlsx(table), content_type=XLSX)
    else:
        return None
    response["Content-Disposition"] = f'attachment; filename="{stem}.{file_format}"'
    return response


def _stem(name: str, period: Period, *more: str) -> str:
    return "_".join([name, f"{period.date_from:%Y%m%d}", f"{period.date_to:%Y%m%d}", *more])


def _trend_chart(user, period: Period):
    """Twelve months up to the period's last, each beside the same month a year earlier."""
    last = selectors.month_start(period.date_to)
    first = selectors.months_later(last, -11)
    amounts = selectors.monthly_net_sales(user=user, first_month=selectors.months_later(first, -12), last_month=last)
    months = [selectors.months_later(first, offset) for offset in range(12)]
    zero = Decimal(0)
    return charts.bar_chart(
        [f"{month:%y/%m}" for month in months],
        [amounts.get(month, zero) for month in months],
        [amounts.get(selectors.months_later(month, -12), zero) for month in months],
        title=_("Monthly sales, last 12 months (grey: a year earlier)"),
    )


@require_GET
@role_required()
def dashboard(request):
    form, period = _period(request)
    user = request.user
    dimension = _dimension(request)
    targets = selectors.period_targets(user=user, date_from=period.date_from, date_to=period.date_to)
    download = _download(request, exports.period_targets_table(targets), _stem("targets", period))
    if download is not None:
        return download
    sales = selectors.sales_report(
        user=user, date_from=period.date_from, date_to=period.date_to, group_by=[dimension], limit=TOP_ROWS
    )
    today = timezone.localdate()
    context = {
        "title": _("Sales dashboard"),
        "form": form,
        "period": period,
        "previous": period.shifted(-1),
        "next": period.shifted(1),
        "targets": targets,
        "dimension": dimension,
        "dimensions": [(d, DIMENSION_TITLES[d]) for d in DIMENSIONS],
        "sales": sales,
        "more_rows": len(sales.rows) == TOP_ROWS,
        "chart": _trend_chart(user, period),
        "backlog": selectors.backlog_report(user=user, group_by="month"),
        "pipeline": selectors.pipeline_report(user=user, date_from=period.date_from, date_to=period.date_to),
        "receivables": ledger.aging_totals(user=user, as_of=today),
        "today": today,
    }
    return render(request, "reports/dashboard.html", context)


@require_GET
@role_required()
def sales(request):
    """The sales of a period by product, customer, rep or category, every row."""
    form, period = _period(request)
    dimension = _dimension(request)
    try:
        report = selectors.sales_report(
            user=request.user, date_from=period.date_from, date_to=period.date_to, group_by=[dimension]
        )
    except selectors.TooManyRows:
        report = None
    if report is not None:
        download = _download(request, exports.sales_table(report), _stem("sales", period, dimension))
        if download is not None:
            return download
    context = {
        "title": _("Sales report"),
        "form": form,
        "period": period,
        "previous": period.shifted(-1),
        "next": period.shifted(1),
        "dimension": dimension,
        "dimensions": [(d, DIMENSION_TITLES[d]) for d in DIMENSIONS],
        "sales": report,
        "max_rows": selectors.MAX_ROWS,
    }
    return render(request, "reports/sales.html", context)


@require_GET
@role_required()
def sales_lines(request):
    """The shipped lines and credit note lines behind one figure, with their orders."""
    form, period = _period(request)
    which = SalesLinesForm(request.GET)
    filters = which.filters()
    result = selectors.sales_lines(
        user=request.user, date_from=period.date_from, date_to=period.date_to, filters=filters
    )
    page = Paginator(result.lines, LINES_PAGE).get_page(request.GET.get("page"))
    context = {
        "title": _("Sales lines"),
        "form": form,
        "period": period,
        "which": _describe(filters),
        "result": result,
        "page_obj": page,
        "order_query": _order_query(period, filters),
    }
    return render(request, "reports/sales_lines.html", context)


def _describe(filters: selectors.SalesFilters) -> list[tuple[str, str]]:
    """What the lines are of, for the heading: [(what, name)]."""
    described = []
    if filters.rep is not None:
        described.append((_("Sales rep"), selectors.labels_for("rep", [filters.rep]).get(filters.rep, "")))
    if filters.customer is not None:
        names = selectors.labels_for("customer", [filters.customer])
        described.append((_("Customer"), names.get(filters.customer, "")))
    if filters.product is not None:
        names = selectors.labels_for("product", [filters.product])
        described.append((_("Product"), names.get(filters.product, "")))
    if filters.category is not None:
        described.append((_("Category"), filters.category))
    return described


def _order_query(period: Period, filters: selectors.SalesFilters) -> dict[str, str]:
    """The order list's filters for the orders that shipped these lines."""
    query = {"shipped_from": f"{period.date_from}", "shipped_to": f"{period.date_to}"}
    for name in ("rep", "customer", "product"):
        value = getattr(filters, name)
        if value is not None:
            query[f"{name}_id" if name == "customer" else name] = str(value)
    return query


@require_GET
@role_required(Role.SALES_ADMIN, Role.MANAGER)
def consumption_tax(request):
    """消費税集計 for a period: this month unless dates are chosen."""
    form = ConsumptionTaxForm(request.GET or None)
    today = timezone.localdate()
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    date_from = data.get("date_from") or selectors.month_start(today)
    date_to = data.get("date_to") or selectors.month_end(date_from)
    if date_to < date_from:
        date_to = selectors.month_end(date_from)
    report = None
    if not (form.is_bound and form.errors):
        report = selectors.consumption_tax_report(date_from=date_from, date_to=date_to)
        stem = f"consumption_tax_{date_from:%Y%m%d}_{date_to:%Y%m%d}"
        download = _download(request, exports.consumption_tax_table(report), stem)
        if download is not None:
            return download
        form = ConsumptionTaxForm(initial={"date_from": date_from, "date_to": date_to})
    return render(
        request, "reports/consumption_tax.html", {"title": _("Consumption tax"), "form": form, "report": report}
    )


urlpatterns = [
    path("", dashboard, name="dashboard"),
    path("dashboard/", RedirectView.as_view(pattern_name="reports:dashboard", query_string=True)),
    path("sales/", sales, name="sales"),
    path("sales/lines/", sales_lines, name="sales_lines"),
    path("consumption-tax/", consumption_tax, name="consumption_tax"),
]
