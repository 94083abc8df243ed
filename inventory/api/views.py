import django_filters

from backoffice.api.viewsets import MasterViewSet
from inventory import services
from inventory.models import Product, Supplier, Warehouse

from .serializers import ProductSerializer, SupplierSerializer, WarehouseSerializer


class ProductFilter(django_filters.FilterSet):
    class Meta:
        model = Product
        fields = ["sku", "tax_category", "track_stock", "supplier", "category", "is_active"]


class ProductViewSet(MasterViewSet):
    queryset = Product.objects.all()
    serializer_class = ProductSerializer
    filterset_class = ProductFilter
    search_fields = ["sku", "name", "name_kana", "spec"]
    ordering_fields = ["sku", "name", "list_price", "id"]
    create_service = services.product_create
    update_service = services.product_update
    instance_arg = "product"


class SupplierViewSet(MasterViewSet):
    queryset = Supplier.objects.all()
    serializer_class = SupplierSerializer
    filterset_fields = ["code", "is_active"]
    search_fields = ["code", "name", "name_kana"]
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
