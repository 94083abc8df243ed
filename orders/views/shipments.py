"""Screens: shipments (出荷). The sales admin's list of what can ship today and the draft
shipments; preparing a shipment with partial quantities per line; shipping it, which also
bills it (billing.services.shipment_ship_and_bill, the same step as the API's ship action)
and opens the 納品書 for printing; cancelling a draft. Anyone may read a shipment of a
customer they see (as in the API); only sales admins prepare, ship or cancel."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, F, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backoffice.exceptions import DomainError
from backoffice.roles import Role, has_role, restrict_to_own_customers
from backoffice.screens import refuse, role_required
from billing.services import shipment_ship_and_bill

from .. import services
from ..forms.shipments import ShipForm, ShipmentCreateForm
from ..models import Order, Shipment, ShipmentLine
from ..selectors import lines_ready_to_ship, order_line_stock

ADMIN = Role.SALES_ADMIN
PAGE_SIZE = 50


@role_required(ADMIN)
def shipment_list(request):
    """Today's work: draft shipments to ship, orders with goods ready, what shipped today."""
    ready_by_order: dict[int, list] = defaultdict(list)
    for line in lines_ready_to_ship():
        ready_by_order[line.order_id].append(line)
    orders = (
        Order.objects.filter(pk__in=list(ready_by_order))
        .select_related("customer")
        .order_by(F("requested_date").asc(nulls_last=True), "order_date", "pk")
    )
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    for order in page.object_list:
        lines = ready_by_order[order.pk]
        order.ready_lines = len(lines)
        order.ready_quantity = sum(line.quantity for line in lines)
        order.arrived_later = any(line.arrived_later for line in lines)
    drafts = (
        Shipment.objects.filter(status=Shipment.Status.DRAFT)
        .select_related("order", "customer")
        .annotate(line_count=Count("lines"), quantity=Sum("lines__quantity"))
        .order_by("pk")
    )
    shipped_today = (
        Shipment.objects.filter(status=Shipment.Status.SHIPPED, shipped_on=timezone.localdate())
        .select_related("order", "customer")
        .order_by("-pk")
    )
    return render(
        request,
        "orders/shipments/list.html",
        {"page_obj": page, "orders": page.object_list, "drafts": drafts, "shipped_today": shipped_today},
    )


def _rows_for(order: Order) -> list[SimpleNamespace]:
    """The order's lines with what is ready to ship now and the backordered rest."""
    lines = list(order.lines.filter(cancelled=False).select_related("product").order_by("position"))
    ready = {line.line_id: line.quantity for line in lines_ready_to_ship(order_id=order.pk)}
    stock = order_line_stock(lines)
    rows = []
    for line in lines:
        answer = stock.get(line.pk, {})
        rows.append(
            SimpleNamespace(
                line=line,
                ready=ready.get(line.pk, 0),
                open=line.quantity - line.shipped_quantity,
                backordered=answer.get("backordered", 0),
                expected_date=answer.get("expected_date"),
            )
        )
    return rows


@role_required(ADMIN)
def shipment_new(request):
    """Prepare a shipment of `?order=<id>`: a quantity per line, what is ready by default."""
    order_id = request.GET.get("order", "")
    if not order_id.isdigit():
        messages.error(request, _("Choose an order to ship from the list."))
        return redirect("orders:shipment_list")
    order = get_object_or_404(Order.objects.select_related("customer", "ship_to"), pk=int(order_id))
    shippable = order.status in (Order.Status.CONFIRMED, Order.Status.PARTIALLY_SHIPPED)
    rows = _rows_for(order) if shippable else []
    form = ShipmentCreateForm(request.POST or None, rows=rows)
    status = 200
    if request.method == "POST" and shippable and form.is_valid():
        try:
            shipment = services.shipment_create(order=order, user=request.user, lines=form.chosen_lines())
        except DomainError as exc:
            form.refuse(exc)
            status = 422 if request.htmx else 200
        else:
            messages.success(
                request,
                _("Shipment #%(id)d prepared for order %(number)s. Check it and ship.")
                % {"id": shipment.pk, "number": order.number},
            )
            return redirect("orders:shipment_detail", pk=shipment.pk)
    return render(
        request,
        "orders/shipments/new.html",
        {"order": order, "form": form, "rows": rows, "shippable": shippable, "any_ready": bool(form.fields)},
        status=status,
    )


def _visible_shipment(request, pk: int) -> Shipment:
    shipments = Shipment.objects.select_related("order", "customer", "delivery_note", "created_by", "shipped_by")
    return get_object_or_404(restrict_to_own_customers(shipments, request.user), pk=pk)


def _detail(request, shipment: Shipment, ship_form: ShipForm | None = None, status: int = 200):
    lines = list(
        ShipmentLine.objects.filter(shipment=shipment)
        .select_related("order_line")
        .order_by("order_line__position", "pk")
    )
    can_act = shipment.status == Shipment.Status.DRAFT and has_role(request.user, ADMIN)
    return render(
        request,
        "orders/shipments/detail.html",
        {
            "shipment": shipment,
            "lines": lines,
            "ship_form": (ship_form or ShipForm()) if can_act else None,
            "can_act": can_act,
        },
        status=status,
    )


@role_required()
def shipment_detail(request, pk: int):
    return _detail(request, _visible_shipment(request, pk))


@require_POST
@role_required(ADMIN)
def shipment_ship(request, pk: int):
    """Ship (and bill) the draft; the 納品書 opens for printing."""
    shipment = _visible_shipment(request, pk)
    form = ShipForm(request.POST)
    if form.is_valid():
        try:
            shipment = shipment_ship_and_bill(
                shipment=shipment, user=request.user, shipped_on=form.cleaned_data["shipped_on"]
            )
        except DomainError as exc:
            refuse(form, exc)
        else:
            messages.success(
                request,
                _("Shipped: delivery note %(number)s issued.") % {"number": shipment.number},
            )
            return redirect("documents:document_pdf", pk=shipment.delivery_note_id)
    shipment.refresh_from_db()
    if shipment.status != Shipment.Status.DRAFT:  # shipped or cancelled meanwhile: no form to show
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()) or _("Shipment not shipped."))
        return redirect("orders:shipment_detail", pk=shipment.pk)
    return _detail(request, shipment, form, status=422 if request.htmx else 200)


@require_POST
@role_required(ADMIN)
def shipment_cancel(request, pk: int):
    shipment = _visible_shipment(request, pk)
    try:
        services.shipment_cancel(shipment=shipment, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("orders:shipment_detail", pk=shipment.pk)
    messages.success(request, _("Shipment #%(id)d cancelled.") % {"id": shipment.pk})
    return redirect("orders:shipment_list")


urlpatterns = [
    path("shipments/", shipment_list, name="shipment_list"),
    path("shipments/new/", shipment_new, name="shipment_new"),
    path("shipments/<int:pk>/", shipment_detail, name="shipment_detail"),
    path("shipments/<int:pk>/ship/", shipment_ship, name="shipment_ship"),
    path("shipments/<int:pk>/cancel/", shipment_cancel, name="shipment_cancel"),
]
