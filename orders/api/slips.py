"""API of the internal papers: 受注伝票 (`orders/{id}/slip/`, `orders/slips/?date=`) and
出荷指示書 / ピッキングリスト (`shipments/{id}/picking-list/`, `shipments/picking-list/?date=
&warehouse=`). Each answers `application/pdf`; errors are JSON. Mixed into the order and
shipment viewsets, whose scoped querysets make another rep's order a 404."""

from __future__ import annotations

import datetime as dt
import io

from django.http import FileResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import renderers, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError

from backoffice.api.fields import BusinessDateField
from backoffice.api.renderers import PDFRenderer
from inventory.models import Warehouse
from orders.services.slips import day_picking_list, order_slips_print, shipment_picking_list
from orders.slips import day_slip_orders

RENDERERS = [renderers.JSONRenderer, PDFRenderer]
PDF = {(200, "application/pdf"): OpenApiTypes.BINARY}
BAD_INPUT = OpenApiResponse(description='A field is missing or invalid: {"date": ["..."]}.')
NOT_ALLOWED = OpenApiResponse(description="Not allowed for this role.")
NOT_FOUND = OpenApiResponse(description="Unknown, or not visible to this user.")
CONFLICT = OpenApiResponse(
    description='Nothing to print in this state (a draft order, a cancelled shipment): {"detail": ...}.'
)


class SlipDaySerializer(serializers.Serializer):
    date = BusinessDateField(help_text="The order date (YYYY-MM-DD).")


class PickingDaySerializer(serializers.Serializer):
    date = BusinessDateField(help_text="The shipping date (YYYY-MM-DD).")
    warehouse = serializers.PrimaryKeyRelatedField(
        queryset=Warehouse.objects.all(), required=False, allow_null=True, help_text="Only this warehouse's picks."
    )


def pdf_response(pdf: bytes, filename: str) -> FileResponse:
    """Shown in the browser (inline); the Japanese file name goes as RFC 5987 filename*."""
    return FileResponse(io.BytesIO(pdf), content_type="application/pdf", filename=filename)


def _query(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.query_params)
    if not serializer.is_valid():
        raise ValidationError(serializer.errors)
    return dict(serializer.validated_data)


class OrderSlipActions:
    """受注伝票: anyone who sees the order prints it (a rep, their own customers')."""

    @extend_schema(
        operation_id="orders_slip",
        summary="The order's 受注伝票 (PDF); a reprint is stamped 再印刷 with its time",
        responses={**PDF, 403: NOT_ALLOWED, 404: NOT_FOUND, 409: CONFLICT},
    )
    @action(detail=True, methods=["get"], renderer_classes=RENDERERS)
    def slip(self, request, pk=None):
        order = self.get_object()
        pdf = order_slips_print(orders=[order], user=request.user)
        return pdf_response(pdf, f"受注伝票_{order.number}.pdf")

    @extend_schema(
        operation_id="orders_day_slips",
        summary="The day's 受注伝票 in one PDF, one order per page (the orders of that order date the user sees)",
        parameters=[OpenApiParameter("date", OpenApiTypes.DATE, required=True, description="order date")],
        responses={**PDF, 400: BAD_INPUT, 403: NOT_ALLOWED, 404: OpenApiResponse(description="No orders that day.")},
    )
    @action(detail=False, methods=["get"], renderer_classes=RENDERERS)
    def slips(self, request):
        on: dt.date = _query(SlipDaySerializer, request)["date"]
        orders = list(self.scoped(day_slip_orders(on)))
        if not orders:
            raise NotFound(_("No orders on %(date)s.") % {"date": f"{on:%Y/%m/%d}"})
        pdf = order_slips_print(orders=orders, user=request.user)
        return pdf_response(pdf, f"受注伝票_{on:%Y%m%d}.pdf")


class ShipmentPickingActions:
    """出荷指示書 / ピッキングリスト: for sales admins."""

    @extend_schema(
        operation_id="shipments_picking_list",
        summary="The shipment's 出荷指示書 / ピッキングリスト (PDF), per warehouse",
        responses={**PDF, 403: NOT_ALLOWED, 404: NOT_FOUND, 409: CONFLICT},
    )
    @action(detail=True, methods=["get"], url_path="picking-list", renderer_classes=RENDERERS)
    def picking_list(self, request, pk=None):
        shipment = self.get_object()
        pdf = shipment_picking_list(shipment=shipment, user=request.user)
        return pdf_response(pdf, f"出荷指示書_{shipment.number or shipment.pk}.pdf")

    @extend_schema(
        operation_id="shipments_day_picking_list",
        summary="The day's ピッキングリスト (PDF): every shipment shipped that day or still to ship, "
        "per warehouse and product",
        parameters=[
            OpenApiParameter("date", OpenApiTypes.DATE, required=True, description="shipping date"),
            OpenApiParameter("warehouse", OpenApiTypes.INT, description="only this warehouse (id)"),
        ],
        responses={**PDF, 400: BAD_INPUT, 403: NOT_ALLOWED},
    )
    @action(detail=False, methods=["get"], url_path="picking-list", renderer_classes=RENDERERS)
    def day_picking_list(self, request):
        data = _query(PickingDaySerializer, request)
        on, warehouse = data["date"], data.get("warehouse")
        pdf = day_picking_list(on=on, warehouse=warehouse, user=request.user)
        suffix = f"_{warehouse.code}" if warehouse else ""
        return pdf_response(pdf, f"ピッキングリスト_{on:%Y%m%d}{suffix}.pdf")
