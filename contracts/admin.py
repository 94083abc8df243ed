"""Contracts in the admin: read-only. Drafts, issue, signature, renewal and template versions
are business steps of the screens and the API (contracts.services); an issued contract is
never edited anywhere."""

from django.contrib import admin

from .models import Contract, ContractRenewal, ContractTemplate


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ContractTemplate)
class ContractTemplateAdmin(ReadOnlyAdmin):
    list_display = ("code", "version", "name", "kind", "is_current", "is_standard", "stamp_class")
    list_filter = ("kind", "is_current", "is_standard")


class RenewalInline(admin.TabularInline):
    model = ContractRenewal
    extra = 0
    can_delete = False
    readonly_fields = ("previous_end", "new_end", "automatic", "renewed_by", "renewed_at")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "kind", "customer", "status", "starts_on", "ends_on", "current_ends_on", "stamp_duty")
    list_filter = ("kind", "status")
    search_fields = ("number", "title", "customer__name", "customer__code")
    inlines = [RenewalInline]

    def get_queryset(self, request):
        from backoffice.roles import restrict_to_own_customers

        return restrict_to_own_customers(super().get_queryset(request).select_related("customer"), request.user)
