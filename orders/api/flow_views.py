"""API of the sales flow. Views parse input, call one service, render the result."""

import django_filters
from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404  # a malformed id is a 404, as in get_object()
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from backoffice.api.fields import BusinessDateFilter
from backoffice.api.parsers import JSONParser
from backoffice.permissions import RolePermission
from backoffice.roles import Role, restrict_to_own_customers, sees_all_customers
from billing.services import shipment_ship_and_bill
from orders import services
from orders.csv_import import orders_import_csv
from orders.models import Inquiry, Order, OrderLine, Quote, Shipment
from orders.selectors import order_line_stock

from .flow_serializers import (
    CancelSerializer,
    CommentSerializer,
    ConfirmResultSerializer,
    HandOffSerializer,
    ImportRequestSerializer,
    ImportResultSerializer,
    InquirySerializer,
    IssueQuoteSerializer,
    OrderSerializer,
    QuoteFromInquirySerializer,
    QuoteSerializer,
    RejectSerializer,
    ResolveSerializer,
    ShipmentCreateSerializer,
    ShipmentSerializer,
    ShipSerializer,
    StockAnswerSerializer,
    line_inputs,
)
from .slips import OrderSlipActions, ShipmentPickingActions

ALL = tuple(Role)
ADMIN = (Role.SALES_ADMIN,)


class FlowViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [RolePermission]
    customer_path = "customer"

    def scoped(self, queryset):
        return restrict_to_own_customers(queryset, self.request.user, customer_path=self.customer_path)

    def get_target(self):
        """The object of an action that hands it to a service. The service locks its row and
        reads what it needs again, and the response is read afresh, so this loads the row
        alone: get_queryset()'s scope (404 for what the user may not see) without its joins
        and prefetches, and without the list's query-string filters that get_object()
        applies (a tenth of a shipping call's CPU went to loading what was thrown away)."""
        queryset = self.get_queryset().select_related(None).prefetch_related(None)
        lookup_url_kwarg = self.lookup_url_kwarg or self.lookup_field
        target = get_object_or_404(queryset, **{self.lookup_field: self.kwargs[lookup_url_kwarg]})
        self.check_object_permissions(self.request, target)
        return target


# --- inquiries ---------------------------------------------------------------------------


class InquiryFilter(django_filters.FilterSet):
    mine = django_filters.BooleanFilter(method="filter_mine", label="assigned to me")

    class Meta:
        model = Inquiry
        fields = ["customer", "status", "channel", "category", "assigned_to"]

    def filter_mine(self, queryset, name, value):
        return queryset.filter(assigned_to=self.request.user) if value else queryset


class InquiryViewSet(FlowViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """問い合わせ: every role logs calls; a rep sees those of their customers and those handed to them."""

    serializer_class = InquirySerializer
    filterset_class = InquiryFilter
    search_fields = [
        "subject",
        "body",
        "caller_name",
        "contact_name",
        "customer__name",
        "customer__name_kana_key__kana_contains",
    ]
    ordering_fields = ["received_at", "id", "status"]
    write_roles = ALL

    def get_queryset(self):
        queryset = Inquiry.objects.select_related("customer", "received_by", "assigned_to")
        user = self.request.user
        if getattr(self, "swagger_fake_view", False) or sees_all_customers(user):
            return queryset
        return queryset.filter(Q(customer__sales_rep=user) | Q(assigned_to=user) | Q(received_by=user))

    def perform_create(self, serializer):
        serializer.instance = services.inquiry_create(user=self.request.user, data=dict(serializer.validated_data))

    def perform_update(self, serializer):
        serializer.instance = services.inquiry_update(
            inquiry=serializer.instance, user=self.request.user, data=dict(serializer.validated_data)
        )

    @extend_schema(request=HandOffSerializer, responses=InquirySerializer)
    @action(detail=True, methods=["post"], url_path="hand-off")
    def hand_off(self, request, pk=None):
        data = _valid(HandOffSerializer, request)
        inquiry = services.inquiry_hand_off(inquiry=self.get_target(), user=request.user, **data)
        return Response(InquirySerializer(inquiry).data)

    @extend_schema(request=ResolveSerializer, responses=InquirySerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, pk=None):
        data = _valid(ResolveSerializer, request)
        inquiry = services.inquiry_resolve(inquiry=self.get_target(), user=request.user, **data)
        return Response(InquirySerializer(inquiry).data)

    @extend_schema(request=QuoteFromInquirySerializer, responses={201: QuoteSerializer})
    @action(detail=True, methods=["post"], url_path="quote-request")
    def quote_request(self, request, pk=None):
        data = _valid(QuoteFromInquirySerializer, request)
        lines = line_inputs(data.pop("lines"))
        quote = services.quote_create_from_inquiry(inquiry=self.get_target(), user=request.user, lines=lines, data=data)
        return Response(QuoteSerializer(quote).data, status=status.HTTP_201_CREATED)


# --- quotes ------------------------------------------------------------------------------


class QuoteFilter(django_filters.FilterSet):
    issued_from = BusinessDateFilter(field_name="issue_date", lookup_expr="gte")
    issued_to = BusinessDateFilter(field_name="issue_date", lookup_expr="lte")
    number = django_filters.CharFilter(field_name="number")

    class Meta:
        model = Quote
        fields = ["customer", "status", "number", "requested_by"]


class QuoteViewSet(FlowViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """見積: reps request quotes for their customers; admins price and issue; managers approve."""

    serializer_class = QuoteSerializer
    filterset_class = QuoteFilter
    search_fields = ["number", "subject", "customer__name", "customer__name_kana_key__kana_contains"]
    ordering_fields = ["id", "issue_date", "valid_until", "total"]
    write_roles = (Role.SALES_ADMIN, Role.SALES_REP)
    action_roles = {
        "submit": (Role.SALES_ADMIN, Role.SALES_REP),
        "approve": (Role.MANAGER,),
        "reject": (Role.MANAGER,),
        "issue": ADMIN,
        "accept": ADMIN,
        "decline": ADMIN,
        "convert": ADMIN,
        "revise": ADMIN,
    }

    def get_queryset(self):
        return self.scoped(Quote.objects.select_related("customer", "requested_by").prefetch_related("lines"))

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        lines = line_inputs(data.pop("lines"))
        serializer.instance = services.quote_create(user=self.request.user, data=data, lines=lines)

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        lines = line_inputs(data.pop("lines")) if "lines" in data else None
        serializer.instance = services.quote_update(
            quote=serializer.instance, user=self.request.user, data=data, lines=lines
        )

    def _done(self, quote, code=status.HTTP_200_OK):
        quote = self.get_queryset().get(pk=quote.pk)
        return Response(QuoteSerializer(quote).data, status=code)

    @extend_schema(request=None, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._done(services.quote_submit(quote=self.get_target(), user=request.user))

    @extend_schema(request=CommentSerializer, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        data = _valid(CommentSerializer, request)
        return self._done(services.quote_approve(quote=self.get_target(), user=request.user, **data))

    @extend_schema(request=RejectSerializer, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        data = _valid(RejectSerializer, request)
        return self._done(services.quote_reject(quote=self.get_target(), user=request.user, **data))

    @extend_schema(request=IssueQuoteSerializer, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        data = _valid(IssueQuoteSerializer, request)
        return self._done(services.quote_issue(quote=self.get_target(), user=request.user, **data))

    @extend_schema(request=None, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._done(services.quote_accept(quote=self.get_target(), user=request.user))

    @extend_schema(request=CommentSerializer, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        data = _valid(CommentSerializer, request)
        return self._done(services.quote_decline(quote=self.get_target(), user=request.user, **data))

    @extend_schema(request=None, responses={201: QuoteSerializer})
    @action(detail=True, methods=["post"])
    def revise(self, request, pk=None):
        return self._done(services.quote_revise(quote=self.get_target(), user=request.user), status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: OrderSerializer})
    @action(detail=True, methods=["post"])
    def convert(self, request, pk=None):
        order = services.quote_convert(quote=self.get_target(), user=request.user)
        return Response(_order_data(order, request), status=status.HTTP_201_CREATED)


# --- orders ------------------------------------------------------------------------------


class OrderFilter(django_filters.FilterSet):
    date_from = BusinessDateFilter(field_name="order_date", lookup_expr="gte")
    date_to = BusinessDateFilter(field_name="order_date", lookup_expr="lte")

    class Meta:
        model = Order
        fields = ["customer", "status", "number", "customer_po_number", "quote"]


def _order_queryset():
    # Not the customer: the order shows its id (customer_id), and its wide row parsed for
    # each of a page's 50 orders was a third of the page's query time.
    return Order.objects.select_related("entered_by").prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("position"))
    )


def _order_data(order, request, *, many=False):
    orders = list(order) if many else [order]
    stock = order_line_stock([line for o in orders for line in o.lines.all()])
    serializer = OrderSerializer(order, many=many, context={"request": request, "stock": stock})
    return serializer.data


class OrderViewSet(OrderSlipActions, FlowViewSet, mixins.CreateModelMixin, mixins.UpdateModelMixin):
    """受注: admins enter, confirm, cancel; managers release credit holds; reps read their customers'."""

    serializer_class = OrderSerializer
    filterset_class = OrderFilter
    search_fields = [
        "number",
        "customer_po_number",
        "customer__name",
        "customer__name_kana_key__kana_contains",
        "lines__sku",
    ]
    ordering_fields = ["id", "order_date", "requested_date", "total"]
    action_roles = {
        "confirm": ADMIN,
        "cancel": (Role.SALES_ADMIN, Role.MANAGER),
        "release": (Role.MANAGER,),
        "issue_confirmation": ADMIN,
        "import_csv": ADMIN,
    }

    def get_queryset(self):
        return self.scoped(_order_queryset())

    def list(self, request, *args, **kwargs):
        # No DISTINCT: every filter is single-valued, and the search through the lines' SKUs
        # is an EXISTS (DRF's SearchFilter), so no order is listed twice.
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(_order_data(page, request, many=True))

    def retrieve(self, request, *args, **kwargs):
        return Response(_order_data(self.get_object(), request))

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lines = line_inputs(data.pop("lines"))
        order = services.order_create(user=request.user, data=data, lines=lines)
        return Response(_order_data(_order_queryset().get(pk=order.pk), request), status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        lines = line_inputs(data.pop("lines")) if "lines" in data else None
        order = services.order_update(order=serializer.instance, user=request.user, data=data, lines=lines)
        return Response(_order_data(_order_queryset().get(pk=order.pk), request))

    @extend_schema(request=None, responses=ConfirmResultSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        result = services.order_confirm(order=self.get_target(), user=request.user)
        return self._confirm_response(result, request)

    @extend_schema(request=None, responses=ConfirmResultSerializer)
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """A manager releases an order held for credit: it is confirmed and allocated."""
        result = services.order_confirm(order=self.get_target(), user=request.user, release_hold=True)
        return self._confirm_response(result, request)

    def _confirm_response(self, result, request):
        order = _order_queryset().get(pk=result.order.pk)
        return Response(
            {
                "order": _order_data(order, request),
                "on_hold": result.on_hold,
                "message": result.message,
                "lines": StockAnswerSerializer(result.lines, many=True).data,
            }
        )

    @extend_schema(request=CancelSerializer, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = _valid(CancelSerializer, request)
        order = services.order_cancel(order=self.get_target(), user=request.user, **data)
        return Response(_order_data(_order_queryset().get(pk=order.pk), request))

    @extend_schema(request=None, responses=OrderSerializer)
    @action(detail=True, methods=["post"], url_path="issue-confirmation")
    def issue_confirmation(self, request, pk=None):
        order = services.order_confirmation_issue(order=self.get_target(), user=request.user)
        return Response(_order_data(_order_queryset().get(pk=order.pk), request))

    @extend_schema(
        request={"multipart/form-data": ImportRequestSerializer, "text/csv": None},
        responses={201: ImportResultSerializer, 400: OpenApiResponse(description="per-row errors")},
    )
    @action(
        detail=False,
        methods=["post"],
        url_path="import",
        parser_classes=[MultiPartParser, FormParser, JSONParser],
    )
    def import_csv(self, request):
        """CSV of orders (customer code, PO number, sku, quantity, requested date): every
        row is validated first; all rows are imported or none, with errors per row."""
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [_("Upload the CSV file as 'file'.")]})
        result = orders_import_csv(content=upload.read(), user=request.user)
        return Response(
            {"created": [o.number or str(o.pk) for o in result], "orders": [o.pk for o in result]},
            status=status.HTTP_201_CREATED,
        )


# --- shipments ---------------------------------------------------------------------------


class ShipmentViewSet(ShipmentPickingActions, FlowViewSet):
    """出荷: admins prepare and ship; shipping issues the 納品書."""

    serializer_class = ShipmentSerializer
    filterset_fields = ["order", "customer", "status", "invoiced", "number"]
    ordering_fields = ["id", "shipped_on"]
    search_fields = ["number", "order__number", "customer__name"]
    action_roles = {
        "create": ADMIN,
        "ship": ADMIN,
        "cancel": ADMIN,
        "picking_list": ADMIN,
        "day_picking_list": ADMIN,
    }

    def get_queryset(self):
        # The shipment shows its order's and customer's ids only: their rows are not joined.
        return self.scoped(Shipment.objects.prefetch_related("lines"))

    @extend_schema(request=ShipmentCreateSerializer, responses={201: ShipmentSerializer})
    def create(self, request):
        data = _valid(ShipmentCreateSerializer, request)
        lines = [(row["order_line"], row["quantity"]) for row in data["lines"]] if data.get("lines") else None
        order = data["order"]
        if not self.scoped(Order.objects.filter(pk=order.pk)).exists():
            raise ValidationError({"order": [_("Unknown order.")]})
        shipment = services.shipment_create(order=order, user=request.user, lines=lines)
        return Response(ShipmentSerializer(self.get_queryset().get(pk=shipment.pk)).data, status=201)

    @extend_schema(request=ShipSerializer, responses=ShipmentSerializer)
    @action(detail=True, methods=["post"])
    def ship(self, request, pk=None):
        data = _valid(ShipSerializer, request)
        # Shipping bills too (closed periods, per-shipment invoices): billing's step.
        shipment = shipment_ship_and_bill(shipment=self.get_target(), user=request.user, **data)
        return Response(ShipmentSerializer(self.get_queryset().get(pk=shipment.pk)).data)

    @extend_schema(request=None, responses=ShipmentSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        shipment = services.shipment_cancel(shipment=self.get_target(), user=request.user)
        return Response(ShipmentSerializer(self.get_queryset().get(pk=shipment.pk)).data)


def _valid(serializer_class, request) -> dict:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)
