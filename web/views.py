"""The shell's own screens: the home page ("what waits for me", by role) and notifications."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backoffice.notifications import notifications_mark_read, unread_notifications
from backoffice.roles import Role, roles_of
from backoffice.screens import role_required

from .selectors import admin_queues, manager_queues, rep_queues

# The manager's in-place approval and release rows come from the quotes and orders screens;
# until those exist, the home shows a plain row of its own (see web/home.html).
APPROVAL_ROW = "orders/quotes/_approval_row.html"
HOLD_ROW = "orders/orders/_hold_row.html"


@dataclass(frozen=True)
class Tile:
    label: str
    count: int
    url: str | None  # the filtered list; None where that screen is not there
    note: str = ""


def _list_url(name: str, **query) -> str | None:
    try:
        url = reverse(name)
    except NoReverseMatch:
        return None
    return f"{url}?{urlencode(query)}" if query else url


def _template_if_present(name: str) -> str | None:
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name


def _admin_tiles(queues) -> list[Tile]:
    return [
        Tile(_("Quote requests to price"), queues.quote_requests, _list_url("orders:quote_list", status="draft")),
        Tile(_("Draft orders to confirm"), queues.draft_orders, _list_url("orders:order_list", status="draft")),
        Tile(_("Orders on credit hold"), queues.orders_on_hold, _list_url("orders:order_list", status="on_hold")),
        Tile(_("Backorders arrived, ready to ship"), queues.backorders_arrived, _list_url("orders:shipment_list")),
        Tile(
            _("Shipments to ship today"),
            queues.to_ship_today,
            _list_url("orders:shipment_list"),
            _("%(prepared)d prepared, %(ready)d orders ready")
            % {"prepared": queues.draft_shipments, "ready": queues.orders_ready},
        ),
        Tile(_("Open inquiries"), queues.open_inquiries, _list_url("orders:inquiry_list", status="open")),
    ]


def _rep_tiles(queues) -> list[Tile]:
    tiles = [Tile(_("My inquiries"), queues.inquiries, _list_url("orders:inquiry_list", mine=1))]
    tiles += [
        Tile(_("Quotes: %(status)s") % {"status": label}, count, _list_url("orders:quote_list", status=status, mine=1))
        for status, label, count in queues.quotes_by_status
    ]
    tiles.append(Tile(_("My customers' open orders"), queues.open_orders, _list_url("orders:order_list", mine=1)))
    return tiles


@role_required()
def home(request):
    user = request.user
    roles = roles_of(user)
    context = {"notifications": unread_notifications(user)}
    if Role.SALES_ADMIN in roles:
        context["admin_tiles"] = _admin_tiles(admin_queues())
    if Role.SALES_REP in roles:
        rep = rep_queues(user)
        context.update(rep=rep, rep_tiles=_rep_tiles(rep), order_list_url=_list_url("orders:order_list", mine=1))
    if Role.MANAGER in roles:
        context.update(
            manager=manager_queues(user),
            approval_row=_template_if_present(APPROVAL_ROW),
            hold_row=_template_if_present(HOLD_ROW),
        )
    return render(request, "web/home.html", context)


@require_POST
@role_required()
def notifications_read(request):
    """Mark one notification (`id`) or all as read; then follow its link, or go home."""
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
    link = request.POST.get("next", "")
    notifications_mark_read(user=request.user, ids=ids)
    if link.startswith("/") and not link.startswith("//"):
        return redirect(link)
    return redirect("web:home")
