from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from backoffice.admin import ServiceModelAdmin
from backoffice.roles import restrict_to_own_customers

from . import services
from .models import ContactPerson, Customer, CustomerPrice, ShipToAddress


class ShipToAddressInline(admin.TabularInline):
    model = ShipToAddress
    extra = 0


class ContactPersonInline(admin.TabularInline):
    model = ContactPerson
    extra = 0


class CustomerPriceInline(admin.TabularInline):
    model = CustomerPrice
    extra = 0
    autocomplete_fields = ["product"]


@admin.register(Customer)
class CustomerAdmin(ServiceModelAdmin):
    list_display = ["code", "name", "name_kana", "sales_rep", "closing_day", "invoice_mode", "tax_mode", "is_active"]
    list_filter = ["invoice_mode", "tax_mode", "closing_day", "is_active", "sales_rep"]
    search_fields = ["code", "name", "name_kana", "phone", "email"]
    list_select_related = ["sales_rep"]
    autocomplete_fields = ["sales_rep"]
    inlines = [ShipToAddressInline, ContactPersonInline, CustomerPriceInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_kana", "honorific", "sales_rep", "is_active"]}),
        (_("Contact"), {"fields": ["postal_code", "address", "phone", "fax", "email"]}),
        (
            _("Terms"),
            {
                "fields": [
                    "closing_day",
                    "payment_month_offset",
                    "payment_day",
                    "tax_mode",
                    "invoice_mode",
                    "credit_limit",
                    "price_rate",
                ]
            },
        ),
        (_("Notes"), {"fields": ["notes"]}),
    ]
    create_service = services.customer_create
    update_service = services.customer_update
    instance_arg = "customer"

    def get_queryset(self, request):
        return restrict_to_own_customers(super().get_queryset(request), request.user, customer_path="")


@admin.register(CustomerPrice)
class CustomerPriceAdmin(admin.ModelAdmin):
    list_display = ["customer", "product", "unit_price"]
    search_fields = ["customer__code", "customer__name", "customer__name_kana", "product__sku", "product__name"]
    autocomplete_fields = ["customer", "product"]
    list_select_related = ["customer", "product"]

    def get_queryset(self, request):
        return restrict_to_own_customers(super().get_queryset(request), request.user)

    def save_model(self, request, obj, form, change):
        saved = services.customer_price_set(
            user=request.user, customer=obj.customer, product=obj.product, unit_price=obj.unit_price
        )
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.customer_price_delete(user=request.user, price=obj)
