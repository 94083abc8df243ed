"""Screens: printing the internal papers. The 受注伝票 of one order (anyone who sees the
order: a rep, their own customers') or the day's batch; the 出荷指示書 of one shipment or
the day's ピッキングリスト (sales admins). Each answers the PDF to print; a bad date or
warehouse goes back to the list it came from with the message naming the field. The same
services as the API's `slip`, `slips`, `picking-list` actions."""

from __future__ import annotations

import io

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.translation import gettext as _

from backoffice.exceptions import DomainError
from backoffice.roles import Role, restrict_to_own_customers
from backoffice.screens import role_required

from ..forms.slips import PickingDayForm, SlipDayForm
from ..models import Shipment
from ..services.slips import day_picking_list, order_slips_print, shipment_picking_list
from ..slips import day_slip_orders, slip_orders

ADMIN = Role.SALES_ADMIN


def pdf_response(pdf: bytes, filename: str) -> FileResponse:
    """Opened in the browser's PDF viewer to print (inline), with a Japanese file name."""
    return FileResponse(io.BytesIO(pdf), content_type="application/pdf", filename=filename)


def _form_errors(request, form) -> None:
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)


@role_required()
def order_slip(request, pk: int):
    order = get_object_or_404(restrict_to_own_customers(slip_orders(), request.user), pk=pk)
    try:
        pdf = order_slips_print(orders=[order], user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("orders:order_detail", pk=order.pk)
    return pdf_response(pdf, f"受注伝票_{order.number}.pdf")


@role_required()
def order_slips_day(request):
    """The day's batch (`?date=`): the orders of that order date the user sees, one per page."""
    form = SlipDayForm(request.GET)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("orders:order_list")
    on = form.cleaned_data["date"]
    orders = list(restrict_to_own_customers(day_slip_orders(on), request.user))
    if not orders:
        messages.info(request, _("No orders on %(date)s.") % {"date": f"{on:%Y/%m/%d}"})
        return redirect("orders:order_list")
    pdf = order_slips_print(orders=orders, user=request.user)
    return pdf_response(pdf, f"受注伝票_{on:%Y%m%d}.pdf")


@role_required(ADMIN)
def shipment_picking(request, pk: int):
    shipment = get_object_or_404(Shipment.objects.all(), pk=pk)
    try:
        pdf = shipment_picking_list(shipment=shipment, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("orders:shipment_detail", pk=shipment.pk)
    return pdf_response(pdf, f"出荷指示書_{shipment.number or shipment.pk}.pdf")


@role_required(ADMIN)
def picking_list_day(request):
    """The day's ピッキングリスト (`?date=&warehouse=`)."""
    form = PickingDayForm(request.GET)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("orders:shipment_list")
    on, warehouse = form.cleaned_data["date"], form.cleaned_data["warehouse"]
    pdf = day_picking_list(on=on, warehouse=warehouse, user=request.user)
    suffix = f"_{warehouse.code}" if warehouse else ""
    return pdf_response(pdf, f"ピッキングリスト_{on:%Y%m%d}{suffix}.pdf")


urlpatterns = [
    path("orders/slips/", order_slips_day, name="order_slips_day"),
    path("orders/<int:pk>/slip/", order_slip, name="order_slip"),
    path("shipments/picking-list/", picking_list_day, name="picking_list_day"),
    path("shipments/<int:pk>/picking-list/", shipment_picking, name="shipment_picking_list"),
]
