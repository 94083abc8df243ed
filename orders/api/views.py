import django_filters
from rest_framework import mixins, viewsets

from backoffice.api.viewsets import MasterViewSet
from backoffice.permissions import RolePermission
from backoffice.roles import restrict_to_own_customers
from orders import services
from orders.models import Customer, CustomerPrice

from .serializers import CustomerPriceSerializer, CustomerSerializer


class CustomerFilter(django_filters.FilterSet):
    class Meta:
        model = Customer
        fields = ["code", "sales_rep", "closing_day", "invoice_mode", "tax_mode", "is_active"]


class CustomerViewSet(MasterViewSet):
    """取引先. A sales rep sees only the customers assigned to them (others are 404)."""

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    search_fields = ["code", "name", "name_kana_key__kana_contains", "phone", "email"]
    ordering_fields = ["code", "name", "name_kana", "id"]
    create_service = services.customer_create
    update_service = services.customer_update
    instance_arg = "customer"

    def get_queryset(self):
        queryset = Customer.objects.prefetch_related("ship_to_addresses", "contacts")
        return restrict_to_own_customers(queryset, self.request.user, customer_path="")


class CustomerPriceViewSet(
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    mixins.ListModelMixin,
    viewsets.GenericViewSet,
):
    """得意先別単価: the customer's own unit price for a product. Creating one for a pair
    that already has a price changes it."""

    serializer_class = CustomerPriceSerializer
    permission_classes = [RolePermission]
    filterset_fields = ["customer", "product"]
    ordering_fields = ["id", "unit_price"]

    def get_queryset(self):
        return restrict_to_own_customers(CustomerPrice.objects.all(), self.request.user)

    def perform_create(self, serializer):
        serializer.instance = services.customer_price_set(user=self.request.user, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.customer_price_delete(user=self.request.user, price=instance)
