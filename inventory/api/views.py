import django_filters
from django.db.models import F
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from backoffice.api.fields import BusinessDateFilter, IdFilter
from backoffice.api.viewsets import MasterViewSet
from backoffice.exceptions import InvalidInput
from backoffice.permissions import RolePermission
from backoffice.roles import Role
from inventory import selectors, services
from inventory.models import Product, PurchaseOrder, StockLevel, StockMove, Supplier, Warehouse

from .serializers import (
    AvailabilityQuerySerializer,
    AvailabilitySerializer,
    ProductSerializer,
    PurchaseOrderCancelInputSerializer,
    PurchaseOrderInputSerializer,
    PurchaseOrderReceiveInputSerializer,
    PurchaseOrderReceiveResultSerializer,
    PurchaseOrderSerializer,
    PurchaseOrderUpdateSerializer,
    ReorderSuggestionGroupSerializer,
    StockAdjustmentInputSerializer,
    StockAdjustmentResultSerializer,
    StockLevelSerializer,
    StockMoveSerializer,
    SuggestionsOrderInputSerializer,
    SuggestionsOrderResultSerializer,
    SupplierSerializer,
    WarehouseSerializer,
)


def _served(served) -> list[dict]:
    """The waiting demands some new stock went to, named as people know them."""
    return [{"reference": r.demand.reference, "label": str(r.demand), "allocated": r.allocated_now} for r in served]


class ProductFilter(django_filters.FilterSet):
    class Meta:
        model = Product
        fields = ["sku", "tax_category", "track_stock", "supplier", "category", "is_active"]


class ProductViewSet(MasterViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    search_fields = ["sku", "name", "name_kana_key__kana_contains", "spec"]
    ordering_fields = ["sku", "name", "list_price", "id"]
    create_service = services.product_create
    update_service = services.product_update
    instance_arg = "product"

    @extend_schema(
        parameters=[AvailabilityQuerySerializer],
        responses=AvailabilitySerializer,
        summary="Stock answer for an order of N: what ships now, and when the rest can ship",
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def availability(self, request, pk=None):
        product = self.get_object()
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        answer = selectors.availability(product, query.validated_data["quantity"], on=query.validated_data.get("on"))
        return Response(AvailabilitySerializer(answer).data)


class SupplierViewSet(MasterViewSet):
    queryset = Supplier.objects.all()
    serializer_class = SupplierSerializer
    filterset_fields = ["code", "is_active"]
    search_fields = ["code", "name", "name_kana_key__kana_contains"]
    ordering_fields = ["code", "name", "id"]
    create_service = services.supplier_create
    update_service = services.supplier_update
    instance_arg = "supplier"


class WarehouseViewSet(MasterViewSet):
    queryset = Warehouse.objects.all()
    serializer_class = WarehouseSerializer
    filterset_fields = ["code", "is_default"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "id"]
    create_service = services.warehouse_create
    update_service = services.warehouse_update
    instance_arg = "warehouse"


# ---------------------------------------------------------------------------
# Stock
# ---------------------------------------------------------------------------


class StockLevelFilter(django_filters.FilterSet):
    sku = django_filters.CharFilter(field_name="product__sku")
    available_min = django_filters.NumberFilter(method="filter_available_min", label="available >=")

    class Meta:
        model = StockLevel
        fields = ["product", "warehouse"]

    def filter_available_min(self, queryset, name, value):
        return queryset.alias(available_now=F("on_hand") - F("allocated")).filter(available_now__gte=value)


class StockLevelViewSet(viewsets.ReadOnlyModelViewSet):
    """Stock per product and warehouse. Every role reads; it changes only through
    receipts, shipments and stock-adjustments/."""

    queryset = StockLevel.objects.select_related("product", "warehouse").order_by("product__sku", "warehouse__code")
    serializer_class = StockLevelSerializer
    permission_classes = [RolePermission]
    filterset_class = StockLevelFilter
    search_fields = ["product__sku", "product__name", "product__name_kana_key__kana_contains"]
    ordering_fields = ["id", "product__sku", "warehouse__code", "on_hand", "allocated"]


class StockMoveFilter(django_filters.FilterSet):
    created_from = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_to = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lte")

    class Meta:
        model = StockMove
        fields = ["product", "warehouse", "kind", "reference"]


class StockMoveViewSet(viewsets.ReadOnlyModelViewSet):
    """The stock ledger, read-only."""

    queryset = StockMove.objects.select_related("created_by")
    serializer_class = StockMoveSerializer
    permission_classes = [RolePermission]
    filterset_class = StockMoveFilter
    search_fields = ["reference", "note"]
    ordering_fields = ["id", "created_at", "quantity"]


class StockAdjustmentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """棚卸: POST a counted quantity; the difference becomes a stock-take move. GET lists
    the stock-take moves."""

    queryset = StockMove.objects.filter(kind=StockMove.Kind.STOCK_TAKE).select_related("created_by")
    serializer_class = StockMoveSerializer
    permission_classes = [RolePermission]
    read_roles = (Role.SALES_ADMIN, Role.MANAGER)
    filterset_class = StockMoveFilter
    ordering_fields = ["id", "created_at"]

    @extend_schema(request=StockAdjustmentInputSerializer, responses={201: StockAdjustmentResultSerializer})
    def create(self, request):
        data = StockAdjustmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.stock_take(user=request.user, **data.validated_data)
        move = result.moves[0] if result.moves else None
        level = result.level
        payload = {
            "product": level.product_id,
            "warehouse": level.warehouse_id,
            "counted_quantity": data.validated_data["counted_quantity"],
            "difference": move.quantity if move else 0,
            "on_hand": level.on_hand,
            "allocated": level.allocated,
            "available": level.available,
            "move": move,
            "served": _served(result.served),
        }
        return Response(StockAdjustmentResultSerializer(payload).data, status=status.HTTP_201_CREATED)


# ---------------------------------------------------------------------------
# Purchase orders
# ---------------------------------------------------------------------------


class PurchaseOrderFilter(django_filters.FilterSet):
    expected_from = BusinessDateFilter(field_name="expected_date", lookup_expr="gte")
    expected_to = BusinessDateFilter(field_name="expected_date", lookup_expr="lte")
    product = IdFilter(field_name="lines__product", distinct=True)

    class Meta:
        model = PurchaseOrder
        fields = ["number", "supplier", "warehouse", "status"]


class PurchaseOrderViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """発注. Sales admins write and run the actions; managers read; reps see incoming
    stock through products/{id}/availability/ only."""

    serializer_class = PurchaseOrderSerializer
    permission_classes = [RolePermission]
    read_roles = (Role.SALES_ADMIN, Role.MANAGER)
    filterset_class = PurchaseOrderFilter
    search_fields = ["number", "supplier__code", "supplier__name", "supplier__name_kana_key__kana_contains", "notes"]
    ordering_fields = ["id", "number", "created_at", "expected_date", "order_date"]

    def get_queryset(self):
        return PurchaseOrder.objects.select_related("created_by").prefetch_related("lines__product")

    def _output(self, purchase_order, status_code=status.HTTP_200_OK):
        fresh = self.get_queryset().get(pk=purchase_order.pk)
        return Response(PurchaseOrderSerializer(fresh).data, status=status_code)

    @extend_schema(request=PurchaseOrderInputSerializer, responses={201: PurchaseOrderSerializer})
    def create(self, request):
        data = PurchaseOrderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        purchase_order = services.purchase_order_create(user=request.user, **data.validated_data)
        return self._output(purchase_order, status.HTTP_201_CREATED)

    @extend_schema(request=PurchaseOrderUpdateSerializer, responses=PurchaseOrderSerializer)
    def partial_update(self, request, pk=None):
        purchase_order = self.get_object()
        data = PurchaseOrderUpdateSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.purchase_order_update(purchase_order=purchase_order, user=request.user, data=data.validated_data)
        return self._output(purchase_order)

    @extend_schema(request=None, responses=PurchaseOrderSerializer, summary="Issue: take the PO number")
    @action(detail=True, methods=["post"])
    def issue(self, request, pk=None):
        purchase_order = services.purchase_order_issue(purchase_order=self.get_object(), user=request.user)
        return self._output(purchase_order)

    @extend_schema(
        request=PurchaseOrderReceiveInputSerializer,
        responses=PurchaseOrderReceiveResultSerializer,
        summary="Receive goods (入荷): adds stock and allocates waiting backorders, oldest first",
    )
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        purchase_order = self.get_object()
        data = PurchaseOrderReceiveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.purchase_order_receive(
            purchase_order=purchase_order, user=request.user, **data.validated_data
        )
        payload = {
            "purchase_order": self.get_queryset().get(pk=purchase_order.pk),
            "served": _served(result.served),
        }
        return Response(PurchaseOrderReceiveResultSerializer(payload).data)

    @extend_schema(request=PurchaseOrderCancelInputSerializer, responses=PurchaseOrderSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        data = PurchaseOrderCancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        purchase_order = services.purchase_order_cancel(
            purchase_order=self.get_object(), user=request.user, reason=data.validated_data["reason"]
        )
        return self._output(purchase_order)

    @extend_schema(
        methods=["GET"],
        parameters=[OpenApiParameter("supplier", int, description="Only this supplier's products.")],
        responses=ReorderSuggestionGroupSerializer(many=True),
        summary="Reorder suggestions by supplier, with the formula values",
    )
    @extend_schema(
        methods=["POST"],
        request=SuggestionsOrderInputSerializer,
        responses={201: SuggestionsOrderResultSerializer},
        summary="Turn chosen suggestions into draft purchase orders (one per supplier)",
    )
    @action(detail=False, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def suggestions(self, request):
        if request.method == "POST":
            data = SuggestionsOrderInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            items = data.validated_data.get("items")
            chosen = None if items is None else {item["product"]: item.get("quantity") for item in items}
            if chosen is not None and len(chosen) != len(items):
                raise InvalidInput(_("Each product may appear once."), field="items")
            created = services.purchase_orders_create_from_suggestions(user=request.user, product_quantities=chosen)
            orders = self.get_queryset().filter(pk__in=[po.pk for po in created]).order_by("pk")
            return Response(
                SuggestionsOrderResultSerializer({"purchase_orders": orders}).data, status=status.HTTP_201_CREATED
            )
        products = Product.objects.all()
        supplier = request.query_params.get("supplier")
        if supplier:
            if not supplier.isdigit():
                raise InvalidInput(_("Enter a supplier id."), field="supplier")
            products = products.filter(supplier_id=int(supplier))
        groups = [
            {"supplier": supplier, "lines": lines}
            for supplier, lines in selectors.group_by_supplier(selectors.reorder_suggestions(products))
        ]
        return Response(ReorderSuggestionGroupSerializer(groups, many=True).data)
