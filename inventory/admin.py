from django.contrib import admin, messages
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from backoffice import audit
from backoffice.admin import ReadOnlyAdmin, ReadOnlyInline, ServiceModelAdmin
from backoffice.exceptions import DomainError
from backoffice.status import status_history, status_started

from . import services
from .models import (
    Product,
    PurchaseOrder,
    PurchaseOrderLine,
    StockAllocation,
    StockDemand,
    StockLevel,
    StockMove,
    Supplier,
    Warehouse,
)


@admin.register(Supplier)
class SupplierAdmin(ServiceModelAdmin):
    list_display = ["code", "name", "name_kana", "lead_time_days", "email", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["code", "name", "name_kana_key__kana_contains", "email"]
    create_service = services.supplier_create
    update_service = services.supplier_update
    instance_arg = "supplier"


@admin.register(Warehouse)
class WarehouseAdmin(ServiceModelAdmin):
    list_display = ["code", "name", "is_default"]
    list_filter = ["is_default"]
    search_fields = ["code", "name"]
    create_service = services.warehouse_create
    update_service = services.warehouse_update
    instance_arg = "warehouse"


class AvailableColumn:
    @admin.display(description=_("available"))
    def available(self, obj):
        return obj.available


class StockLevelInline(AvailableColumn, ReadOnlyInline):
    model = StockLevel
    fields = ["warehouse", "on_hand", "allocated", "available"]
    readonly_fields = fields


@admin.register(Product)
class ProductAdmin(ServiceModelAdmin):
    list_display = ["sku", "name", "name_kana", "unit", "list_price", "tax_category", "track_stock", "supplier"]
    list_filter = ["tax_category", "track_stock", "category", "is_active", "supplier"]
    search_fields = ["sku", "name", "name_kana_key__kana_contains", "spec"]
    list_select_related = ["supplier"]
    autocomplete_fields = ["supplier"]
    inlines = [StockLevelInline]
    create_service = services.product_create
    update_service = services.product_update
    instance_arg = "product"


@admin.register(StockLevel)
class StockLevelAdmin(AvailableColumn, ReadOnlyAdmin):
    list_display = ["product", "warehouse", "on_hand", "allocated", "available", "updated_at"]
    list_filter = ["warehouse"]
    search_fields = ["product__sku", "product__name", "product__name_kana_key__kana_contains"]
    list_select_related = ["product", "warehouse"]


@admin.register(StockMove)
class StockMoveAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "product", "warehouse", "quantity", "kind", "reference", "note", "created_by"]
    list_filter = ["kind", "warehouse"]
    search_fields = ["reference", "note", "product__sku", "product__name", "product__name_kana_key__kana_contains"]
    date_hierarchy = "created_at"
    list_select_related = ["product", "warehouse", "created_by"]


class StockAllocationInline(ReadOnlyInline):
    model = StockAllocation
    fields = ["warehouse", "quantity"]
    readonly_fields = fields


@admin.register(StockDemand)
class StockDemandAdmin(ReadOnlyAdmin):
    list_display = [
        "demand",
        "product",
        "priority_date",
        "priority_number",
        "quantity",
        "allocated",
        "shipped",
        "backordered",
        "status",
    ]
    list_filter = ["status"]
    search_fields = [
        "label",
        "reference",
        "priority_number",
        "product__sku",
        "product__name",
        "product__name_kana_key__kana_contains",
    ]
    list_select_related = ["product"]
    inlines = [StockAllocationInline]

    @admin.display(description=_("demanded by"), ordering="label")
    def demand(self, obj):
        return str(obj)

    @admin.display(description=_("backordered"))
    def backordered(self, obj):
        return obj.backordered


class PurchaseOrderLineInline(admin.TabularInline):
    model = PurchaseOrderLine
    fields = ["position", "product", "quantity", "unit_cost", "expected_date", "received_quantity"]
    readonly_fields = ["received_quantity"]
    autocomplete_fields = ["product"]
    extra = 0

    def _draft(self, obj) -> bool:
        return obj is None or obj.status == PurchaseOrder.Status.DRAFT

    def has_add_permission(self, request, obj=None):
        return self._draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._draft(obj) and super().has_delete_permission(request, obj)


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(ServiceModelAdmin):
    """Drafts are edited here (header and lines); issuing, receiving and cancelling are
    the actions, each one service call."""

    list_display = ["__str__", "supplier", "status", "order_date", "expected_date", "warehouse"]
    list_filter = ["status", "warehouse", "supplier"]
    search_fields = ["number", "supplier__code", "supplier__name", "supplier__name_kana_key__kana_contains"]
    list_select_related = ["supplier", "warehouse"]
    autocomplete_fields = ["supplier"]
    fields = ["number", "status", "supplier", "warehouse", "expected_date", "order_date", "notes", "status_changes"]
    readonly_fields = ["number", "status", "order_date", "status_changes"]
    inlines = [PurchaseOrderLineInline]
    actions = ["issue_selected", "receive_selected", "cancel_selected"]

    @admin.display(description=_("status changes"))
    def status_changes(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        labels = dict(PurchaseOrder.Status.choices)
        rows = [
            (
                timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M"),
                labels.get(event.from_status, "—"),
                labels.get(event.to_status, event.to_status),
                event.actor.get_full_name() or event.actor.get_username() if event.actor else "—",
                event.comment,
            )
            for event in status_history(obj).select_related("actor")
        ]
        return format_html_join(mark_safe("<br>"), "{} {} → {} ({}) {}", rows) or "—"

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status != PurchaseOrder.Status.DRAFT:
            return self.fields
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead: the history stays

    def save_model(self, request, obj, form, change):
        before = {} if not change else audit.snapshot(PurchaseOrder.objects.get(pk=obj.pk))
        if not change:
            obj.created_by = request.user
        obj.save()
        if not change:
            status_started(obj, user=request.user)
        action = "purchase_order.update" if change else "purchase_order.create"
        audit.record(actor=request.user, action=action, obj=obj, changes=audit.diff(before, audit.snapshot(obj)))

    def save_formset(self, request, form, formset, change):
        for line_form in formset.forms:
            line = line_form.instance
            if line_form.has_changed() and not line.expected_date:
                line.expected_date = form.instance.expected_date
        super().save_formset(request, form, formset, change)

    def _run(self, request, queryset, service) -> int:
        """Call `service` on each selected order (each its own transaction); say which were
        refused and why. Returns how many went through."""
        done = 0
        for purchase_order in queryset.order_by("pk"):
            try:
                service(purchase_order=purchase_order, user=request.user)
                done += 1
            except DomainError as error:
                self.message_user(request, f"{purchase_order}: {error.message}", messages.ERROR)
        return done

    def _report(self, request, done: int, message: str) -> None:
        if done:
            self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Issue selected purchase orders"), permissions=["change"])
    def issue_selected(self, request, queryset):
        done = self._run(request, queryset, services.purchase_order_issue)
        self._report(request, done, ngettext("%d purchase order issued.", "%d purchase orders issued.", done) % done)

    @admin.action(description=_("Receive everything outstanding"), permissions=["change"])
    def receive_selected(self, request, queryset):
        done = self._run(request, queryset, _receive_everything_outstanding)
        self._report(
            request, done, ngettext("%d purchase order received.", "%d purchase orders received.", done) % done
        )

    @admin.action(description=_("Cancel selected purchase orders"), permissions=["change"])
    def cancel_selected(self, request, queryset):
        done = self._run(request, queryset, services.purchase_order_cancel)
        self._report(
            request, done, ngettext("%d purchase order cancelled.", "%d purchase orders cancelled.", done) % done
        )


def _receive_everything_outstanding(*, purchase_order: PurchaseOrder, user) -> None:
    lines = [
        {"line": line, "quantity": line.outstanding_quantity}
        for line in purchase_order.lines.all()
        if line.outstanding_quantity
    ]
    services.purchase_order_receive(purchase_order=purchase_order, lines=lines, user=user)
