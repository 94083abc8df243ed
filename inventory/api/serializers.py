from rest_framework import serializers

from inventory.models import Product, Supplier, Warehouse


class SupplierSerializer(serializers.ModelSerializer):
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


class WarehouseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Warehouse
        fields = ["id", "code", "name", "is_default", "address"]
        # One default is kept by the service (setting a new default clears the old one),
        # so the partial unique constraint must not pre-reject it.
        validators = []


class ProductSerializer(serializers.ModelSerializer):
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
