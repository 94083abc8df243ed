"""Serializers of the sales flow: inquiries, quotes, orders, shipments, and the
input/output of each workflow action."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _
from rest_framework import serializers

from backoffice.api.fields import BusinessDateField, IdField
from backoffice.api.model_serializer import ModelSerializer
from orders.models import Customer, Inquiry, Order, OrderLine, Quote, QuoteLine, Shipment, ShipmentLine, ShipToAddress
from orders.services import LINE_INPUT_FIELDS, LineInput


def limits() -> dict[str, int]:
    """The size limits of documents and lines (settings.LIMITS), read when a serializer is
    made, not when this module is imported."""
    return settings.LIMITS


# A quote's, an order's or a shipment's stored totals, as every response shows them.
TOTALS_FIELDS = ["subtotal", "tax_total", "total", "tax_breakdown"]


class TaxBreakdownSerializer(serializers.Serializer):
    rate = serializers.IntegerField()
    subtotal = serializers.DecimalField(max_digits=14, decimal_places=0)
    tax = serializers.DecimalField(max_digits=14, decimal_places=0)
    total = serializers.DecimalField(max_digits=14, decimal_places=0)


class LineList(serializers.ListSerializer):
    """A document's lines: at most LIMITS["max_lines_per_document"] of them."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **{**kwargs, "max_length": limits()["max_lines_per_document"]})


class ProductLineList(LineList):
    """A quote's or an order's lines, their products read in one query (`products`), not one
    per line (LineProductField takes them from here)."""

    def to_internal_value(self, data):
        rows = data if isinstance(data, list) else []
        ids = {_pk(row.get("product")) for row in rows if isinstance(row, dict)} - {None}
        self.products = self.child.fields["product"].get_queryset().in_bulk(ids) if ids else {}
        return super().to_internal_value(data)


def _pk(value) -> int | None:
    """A primary key as a client sends it (5 or "5"), else None (bool is not one)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    return None


class LineProductField(serializers.PrimaryKeyRelatedField):
    """A line's product, taken from the products its list read at once; anything else
    (an unknown id, a wrong type, a line serializer used alone) goes through DRF's own
    look-up and its errors."""

    def to_internal_value(self, data):
        known = getattr(self.parent.parent, "products", {})
        product = known.get(_pk(data))
        return product if product is not None else super().to_internal_value(data)


class QuantityField(serializers.IntegerField):
    """A line's quantity: 1 to LIMITS["max_quantity"]."""

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=limits()["max_quantity"], **kwargs)


class LineWriteSerializer(ModelSerializer):
    """Lines are written through the services: product + quantity, or a free-text
    description; unit price, unit and tax rate default from the product and customer."""

    tax_rate = serializers.ChoiceField(choices=[10, 8, 0], required=False)
    tax_rate_override = serializers.BooleanField(
        required=False,
        write_only=True,
        help_text="true to give a product line a tax rate other than its product's (sales admins; audited).",
    )

    serializer_related_field = LineProductField

    class Meta:
        list_serializer_class = ProductLineList

    def get_extra_kwargs(self):
        return {
            **super().get_extra_kwargs(),
            "product": {"required": False, "allow_null": True},
            "description": {"required": False, "allow_blank": True},
            "quantity": {"min_value": 1, "max_value": limits()["max_quantity"]},
            "unit": {"required": False, "allow_blank": True},
            "unit_price": {
                "required": False,
                "allow_null": True,
                "min_value": 0,
                "max_value": limits()["max_unit_price"],
            },
            "discount_rate": {"required": False, "min_value": 0, "max_value": 100},
            "tax_rate": {"required": False},
        }

    def validate(self, attrs):
        if attrs.get("product") is None and not attrs.get("description"):
            raise serializers.ValidationError({"product": [_("Choose a product or enter a description.")]})
        return attrs


def line_inputs(validated: list[dict]) -> list[LineInput]:
    return [LineInput.from_dict(row) for row in validated]


def lines_field(serializer_class, **kwargs):
    kwargs.setdefault("required", False)
    return serializer_class(many=True, min_length=1, **kwargs)


# A quote or an order: created with its lines. (No docstring: it would describe the
# subclasses in the API schema.)
class WithLinesSerializer(ModelSerializer):
    def validate(self, attrs):
        if self.instance is None and not attrs.get("lines"):
            raise serializers.ValidationError({"lines": [_("Enter at least one line.")]})
        return attrs


# --- inquiries ---------------------------------------------------------------------------


class InquirySerializer(ModelSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all(), required=False, allow_null=True)
    assigned_to = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.filter(is_active=True), required=False, allow_null=True
    )
    received_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Inquiry
        fields = [
            "id",
            "customer",
            "caller_name",
            "contact_name",
            "channel",
            "subject",
            "body",
            "category",
            "status",
            "received_by",
            "assigned_to",
            "related_quote",
            "related_order",
            "resolution",
            "received_at",
            "updated_at",
        ]
        read_only_fields = ["status", "received_by", "related_quote", "related_order", "received_at", "updated_at"]


class HandOffSerializer(serializers.Serializer):
    assigned_to = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True))


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


# --- quotes ------------------------------------------------------------------------------


class QuoteLineSerializer(LineWriteSerializer):
    class Meta(LineWriteSerializer.Meta):
        model = QuoteLine
        fields = ["position", *LINE_INPUT_FIELDS, "amount"]
        read_only_fields = ["position", "amount"]


class QuoteSerializer(WithLinesSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    lines = lines_field(QuoteLineSerializer)
    tax_breakdown = TaxBreakdownSerializer(many=True, read_only=True)
    number = serializers.CharField(source="display_number", read_only=True)
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    document = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = Quote
        fields = [
            "id",
            "number",
            "revision",
            "customer",
            "subject",
            "status",
            "requested_by",
            "desired_delivery",
            "delivery_place",
            "payment_terms",
            "note",
            "validity_days",
            "issue_date",
            "valid_until",
            "approval_reasons",
            "approval_comment",
            "supersedes",
            "inquiry",
            "document",
            "lines",
            *TOTALS_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "revision",
            "status",
            "issue_date",
            "valid_until",
            "approval_reasons",
            "approval_comment",
            "supersedes",
            "subtotal",
            "tax_total",
            "total",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"validity_days": {"min_value": 1, "max_value": 365}}


class QuoteFromInquirySerializer(serializers.Serializer):
    lines = lines_field(QuoteLineSerializer, required=True)
    desired_delivery = serializers.CharField(max_length=100, required=False, allow_blank=True)
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class CommentSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RejectSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=2000)


class IssueQuoteSerializer(serializers.Serializer):
    issue_date = BusinessDateField(required=False)


# --- orders ------------------------------------------------------------------------------


class OrderLineSerializer(LineWriteSerializer):
    allocated_quantity = serializers.SerializerMethodField()
    backordered_quantity = serializers.SerializerMethodField()
    expected_date = serializers.SerializerMethodField()

    class Meta(LineWriteSerializer.Meta):
        model = OrderLine
        fields = [
            "id",
            "position",
            "product",
            "sku",  # the product's code as the order line keeps it, then the line as entered
            *LINE_INPUT_FIELDS[1:],
            "amount",
            "allocated_quantity",
            "shipped_quantity",
            "backordered_quantity",
            "expected_date",
            "cancelled",
        ]
        read_only_fields = ["id", "position", "sku", "amount", "shipped_quantity", "cancelled"]

    def _stock(self, line) -> dict:
        return self.context.get("stock", {}).get(line.pk, {})

    def get_allocated_quantity(self, line) -> int:
        return self._stock(line).get("allocated", 0)

    def get_backordered_quantity(self, line) -> int:
        return self._stock(line).get("backordered", 0)

    def get_expected_date(self, line) -> str | None:
        date = self._stock(line).get("expected_date")
        return date.isoformat() if date else None


class OrderSerializer(WithLinesSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    ship_to = serializers.PrimaryKeyRelatedField(queryset=ShipToAddress.objects.all(), required=False, allow_null=True)
    lines = lines_field(OrderLineSerializer)
    tax_breakdown = TaxBreakdownSerializer(many=True, read_only=True)
    entered_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "number",
            "customer",
            "customer_po_number",
            "quote",
            "order_date",
            "requested_date",
            "ship_to",
            "status",
            "hold_reason",
            "note",
            "entered_by",
            "confirmed_at",
            "confirmation_document",
            "lines",
            *TOTALS_FIELDS,
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "number",
            "quote",
            "status",
            "hold_reason",
            "confirmed_at",
            "confirmation_document",
            "subtotal",
            "tax_total",
            "total",
            "created_at",
            "updated_at",
        ]

        extra_kwargs = {"order_date": {"required": False}}


class StockAnswerSerializer(serializers.Serializer):
    line_id = serializers.IntegerField()
    position = serializers.IntegerField()
    sku = serializers.CharField()
    description = serializers.CharField()
    ordered = serializers.IntegerField()
    allocated_now = serializers.IntegerField()
    backordered = serializers.IntegerField()
    expected_date = BusinessDateField(allow_null=True)
    unit = serializers.CharField()
    message = serializers.CharField(
        help_text=_("This line's answer in words (A-100 ステンレスボルト M8: 50 箱 全数即日出荷); empty on hold.")
    )


class ConfirmResultSerializer(serializers.Serializer):
    order = OrderSerializer()
    on_hold = serializers.BooleanField()
    message = serializers.CharField(
        help_text=_("The lines' answers, one per line of text in line order; on hold, the reason.")
    )
    lines = StockAnswerSerializer(many=True)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ImportResultSerializer(serializers.Serializer):
    created = serializers.ListField(child=serializers.CharField())
    orders = serializers.ListField(child=serializers.IntegerField())


class ImportRequestSerializer(serializers.Serializer):
    file = serializers.FileField()


# --- shipments ---------------------------------------------------------------------------


class ShipmentLineSerializer(ModelSerializer):
    class Meta:
        model = ShipmentLine
        fields = ["order_line", "quantity", "amount"]


class ShipmentLineInputSerializer(serializers.Serializer):
    order_line = IdField()
    quantity = QuantityField()

    class Meta:
        list_serializer_class = LineList


class ShipmentSerializer(ModelSerializer):
    lines = ShipmentLineSerializer(many=True, read_only=True)
    tax_breakdown = TaxBreakdownSerializer(many=True, read_only=True)

    class Meta:
        model = Shipment
        fields = [
            "id",
            "number",
            "order",
            "customer",
            "status",
            "lines",
            "shipped_on",
            "delivery_note",
            "invoiced",
            *TOTALS_FIELDS,
            "created_at",
        ]
        read_only_fields = fields


class ShipmentCreateSerializer(serializers.Serializer):
    order = serializers.PrimaryKeyRelatedField(queryset=Order.objects.all())
    lines = ShipmentLineInputSerializer(many=True, required=False)


class ShipSerializer(serializers.Serializer):
    shipped_on = BusinessDateField(required=False)
