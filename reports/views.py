"""The manager dashboard: a plain server-rendered page until the screens issue builds the UI."""

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
    trend = data.trend
    chart = charts.bar_chart(
        [row.keys[0][2:] for row in trend.rows],
        [row.amount for row in trend.rows],
        [row.last_year_amount for row in trend.rows],
        title=_("Monthly sales, last 12 months (grey: a year earlier)"),
    )
    return render(
        request,
        "reports/dashboard.html",
        {"data": data, "chart": chart, "title": _("Sales dashboard")},
    )
