"""The manager dashboard: a plain server-rendered page until the screens issue builds the UI."""

from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from backoffice.roles import Role, has_role

from . import charts, selectors


@login_required
def dashboard(request):
    if not has_role(request.user, Role.MANAGER, Role.SALES_ADMIN):
        raise PermissionDenied
    data = selectors.dashboard(user=request.user)
    # Every one of the twelve months gets its bar, a month without sales a zero one.
    by_month = {row.keys[0]: row for row in data.trend.rows}
    months = [f"{selectors.months_later(data.month, offset):%Y-%m}" for offset in range(-11, 1)]
    zero = Decimal(0)
    chart = charts.bar_chart(
        [month[2:] for month in months],
        [by_month[m].amount if m in by_month else zero for m in months],
        [by_month[m].last_year_amount if m in by_month else zero for m in months],
        title=_("Monthly sales, last 12 months (grey: a year earlier)"),
    )
    return render(
        request,
        "reports/dashboard.html",
        {"data": data, "chart": chart, "title": _("Sales dashboard")},
    )
