from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from backoffice.api.fields import BusinessDateField
from backoffice.api.model_serializer import ModelSerializer
from inventory.models import (
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockLevel,
    StockMove,
    Supplier,
    Warehouse,
)


class SupplierSerializer(ModelSerializer):
    class Meta:
        model = Supplier
        fields = [
            "id",
            "code",
            "name",
            "name_kana",
            "registration_number",
            "lead_time_days",
            "email",
            "phone",
            "postal_code",
            "address",
            "is_active",
        ]


class WarehouseSerializer(ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "is_default", "address"]
        # One default is kept by the service (setting a new default clears the old one),
        # so the partial unique constraint must not pre-reject it.
        validators = []


class ProductSerializer(ModelSerializer):
    tax_rate = serializers.IntegerField(read_only=True)

    class Meta:
        model = Product
        fields = [
            "id",
            "sku",
            "name",
            "name_kana",
            "spec",
            "category",
            "unit",
            "list_price",
            "cost",
            "tax_category",
            "tax_rate",
            "track_stock",
            "reorder_point",
            "reorder_quantity",
            "lead_time_days",
            "supplier",
            "is_active",
        ]
        extra_kwargs = {
            "list_price": {"max_value": 999_999_999},
            "cost": {"max_value": 999_999_999},
            "reorder_point": {"max_value": 1_000_000},
            "reorder_quantity": {"max_value": 1_000_000},
            "lead_time_days": {"max_value": 365},
        }


# ---------------------------------------------------------------------------
# Stock
# ---------------------------------------------------------------------------

# The limits come from settings.LIMITS, read when a serializer is built (each request),
# never at import: DRF builds a serializer's fields anew from their arguments each time.


class QuantityField(serializers.IntegerField):
    """A whole quantity up to settings.LIMITS["max_quantity"]."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", settings.LIMITS["max_quantity"])
        super().__init__(**kwargs)


class UnitCostField(serializers.DecimalField):
    """A unit price in yen (two decimals) from 0 to settings.LIMITS["max_unit_price"]."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_value", settings.LIMITS["max_unit_price"])
        super().__init__(max_digits=14, decimal_places=2, min_value=0, **kwargs)


class DocumentLinesSerializer(serializers.ListSerializer):
    """The lines of one document: at most settings.LIMITS["max_lines_per_document"]."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", settings.LIMITS["max_lines_per_document"])
        super().__init__(*args, **kwargs)


class AvailabilityQuerySerializer(serializers.Serializer):
    quantity = QuantityField(min_value=1)
    on = BusinessDateField(required=False, help_text=_("The order date to answer for (default today)."))


class IncomingSupplySerializer(serializers.Serializer):
    expected_date = BusinessDateField()
    quantity = serializers.IntegerField()


class AvailabilitySerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product_id")
    quantity = serializers.IntegerField()
    on_hand = serializers.IntegerField()
    allocated = serializers.IntegerField()
    available = serializers.IntegerField()
    backordered = serializers.IntegerField(help_text=_("Already waiting for stock, ahead of this order."))
    incoming = IncomingSupplySerializer(many=True, help_text=_("Open purchase order quantities by expected date."))
    incoming_quantity = serializers.IntegerField()
    can_ship_now = serializers.BooleanField()
    shippable_quantity = serializers.IntegerField()
    expected_date = BusinessDateField(allow_null=True, help_text=_("When the whole quantity can ship."))
    expected_date_source = serializers.ChoiceField(
        choices=["stock", "purchase_order", "lead_time", "not_stocked"], read_only=True
    )


class StockLevelSerializer(ModelSerializer):
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    warehouse_code = serializers.CharField(source="warehouse.code", read_only=True)
    available = serializers.IntegerField(read_only=True)

    class Meta:
        model = StockLevel
        fields = [
            "id",
            "product",
            "product_sku",
            "warehouse",
            "warehouse_code",
            "on_hand",
            "allocated",
            "available",
            "updated_at",
        ]
        read_only_fields = fields


class StockMoveSerializer(ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = StockMove
        fields = ["id", "product", "warehouse", "quantity", "kind", "reference", "note", "created_at", "created_by"]
        read_only_fields = fields


class StockAdjustmentInputSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.all())
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all())
    counted_quantity = QuantityField(min_value=0)
    reason = serializers.CharField(max_length=200)


class StockAdjustmentResultSerializer(serializers.Serializer):
    product = serializers.IntegerField()
    warehouse = serializers.IntegerField()
    counted_quantity = serializers.IntegerField()
    difference = serializers.IntegerField()
    on_hand = serializers.IntegerField()
    allocated = serializers.IntegerField()
    available = serializers.IntegerField()
    move = StockMoveSerializer(allow_null=True)
    served = serializers.ListField(child=serializers.DictField(), help_text=_("Waiting demands the gain went to."))


# ---------------------------------------------------------------------------
# Purchase orders
# ---------------------------------------------------------------------------


class PurchaseOrderLineSerializer(ModelSerializer):
    product_sku = serializers.CharField(source="product.sku", read_only=True)
    outstanding_quantity = serializers.IntegerField(read_only=True)

    class Meta:
        model = PurchaseOrderLine
        fields = [
            "id",
            "position",
            "product",
            "product_sku",
            "quantity",
            "received_quantity",
            "outstanding_quantity",
            "unit_cost",
            "expected_date",
        ]
        read_only_fields = fields


class PurchaseOrderSerializer(ModelSerializer):
    lines = PurchaseOrderLineSerializer(many=True, read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = PurchaseOrder
        fields = [
            "id",
            "number",
            "supplier",
            "warehouse",
            "status",
            "order_date",
            "expected_date",
            "notes",
            "lines",
            "created_by",
            "created_at",
            "issued_at",
        ]
        read_only_fields = fields


class PurchaseOrderLineInputSerializer(serializers.Serializer):
    product = serializers.PrimaryKeyRelatedField(queryset=Product.objects.filter(is_active=True))
    quantity = QuantityField(min_value=1)
    unit_cost = UnitCostField(required=False)
    expected_date = BusinessDateField(required=False)

    class Meta:
        list_serializer_class = DocumentLinesSerializer

    def validate_product(self, product):
        if not product.track_stock:
            raise serializers.ValidationError(_("This product does not track stock; it cannot be purchased here."))
        return product


class PurchaseOrderInputSerializer(serializers.Serializer):
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.filter(is_active=True))
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all(), required=False)
    expected_date = BusinessDateField(required=False)
    notes = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    lines = PurchaseOrderLineInputSerializer(many=True, allow_empty=False)


class PurchaseOrderUpdateSerializer(PurchaseOrderInputSerializer):
    supplier = serializers.PrimaryKeyRelatedField(queryset=Supplier.objects.filter(is_active=True), required=False)
    lines = PurchaseOrderLineInputSerializer(many=True, allow_empty=False, required=False)


class ReceiveLineInputSerializer(serializers.Serializer):
    line = serializers.IntegerField(min_value=1, help_text=_("The purchase order line id."))
    quantity = QuantityField(min_value=1)

    class Meta:
        list_serializer_class = DocumentLinesSerializer


class PurchaseOrderReceiveInputSerializer(serializers.Serializer):
    lines = ReceiveLineInputSerializer(many=True, allow_empty=False)
    allow_over_receipt = serializers.BooleanField(default=False)


class ServedDemandSerializer(serializers.Serializer):
    reference = serializers.CharField()
    label = serializers.CharField(help_text=_("What people call the demand (受注 SO-2026-000007 の 2 行目)."))
    allocated = serializers.IntegerField()


class PurchaseOrderReceiveResultSerializer(serializers.Serializer):
    purchase_order = PurchaseOrderSerializer()
    served = ServedDemandSerializer(many=True, help_text=_("Waiting demands the receipt was allocated to."))


class PurchaseOrderCancelInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ReorderSuggestionLineSerializer(serializers.Serializer):
    product = serializers.IntegerField(source="product.pk")
    sku = serializers.CharField(source="product.sku")
    name = serializers.CharField(source="product.name")
    unit_cost = serializers.DecimalField(source="product.cost", max_digits=14, decimal_places=2)
    available = serializers.IntegerField()
    incoming = serializers.IntegerField()
    backordered = serializers.IntegerField()
    projected = serializers.IntegerField(help_text=_("available + incoming − backordered"))
    reorder_point = serializers.IntegerField()
    reorder_quantity = serializers.IntegerField()
    on_draft = serializers.IntegerField(help_text=_("Already on draft purchase orders."))
    suggested_quantity = serializers.IntegerField()


class SupplierBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class ReorderSuggestionGroupSerializer(serializers.Serializer):
    supplier = SupplierBriefSerializer(allow_null=True)
    lines = ReorderSuggestionLineSerializer(many=True)


class SuggestionChoiceSerializer(serializers.Serializer):
    product = serializers.IntegerField(min_value=1)
    quantity = QuantityField(min_value=1, required=False, help_text=_("Default: the suggested quantity."))


class SuggestionsOrderInputSerializer(serializers.Serializer):
    items = SuggestionChoiceSerializer(
        many=True, required=False, help_text=_("The suggestions to order; omit to order every suggestion.")
    )


class SuggestionsOrderResultSerializer(serializers.Serializer):
    purchase_orders = PurchaseOrderSerializer(many=True)
