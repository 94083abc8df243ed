from django import forms
from django.contrib import admin
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.admin import AuditedModelAdmin, ServiceModelAdmin, service_action
from backoffice.formatting import yen
from backoffice.roles import restrict_to_own_customers, sees_all_customers
from billing.services import shipment_ship_and_bill

from . import services
from .models import (
    ContactPerson,
    Customer,
    CustomerPrice,
    Inquiry,
    Order,
    OrderLine,
    Quote,
    QuoteLine,
    Shipment,
    ShipmentLine,
    ShipToAddress,
)
from .selectors import order_line_stock


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
    search_fields = ["code", "name", "name_kana_key__kana_contains", "phone", "email"]
    list_select_related = ["sales_rep"]
    autocomplete_fields = ["sales_rep"]
    inlines = [ShipToAddressInline, ContactPersonInline, CustomerPriceInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "name_kana", "honorific", "sales_rep", "is_active"]}),
        (_("Contact"), {"fields": ["postal_code", "address", "phone", "fax", "email"]}),
        (_("Terms"), {"fields": Customer.TERMS_FIELDS}),
        (_("E-invoices"), {"fields": ["registration_number", "peppol_id"]}),
        (_("Notes"), {"fields": ["notes"]}),
    ]
    create_service = services.customer_create
    update_service = services.customer_update
    instance_arg = "customer"

    def get_queryset(self, request):
        return restrict_to_own_customers(super().get_queryset(request), request.user, customer_path="")


@admin.register(CustomerPrice)
class CustomerPriceAdmin(AuditedModelAdmin):
    list_display = ["customer", "product", "unit_price"]
    search_fields = [
        "customer__code",
        "customer__name",
        "customer__name_kana_key__kana_contains",
        "product__sku",
        "product__name",
    ]
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


# ---------------------------------------------------------------------------
# The sales flow screens
# ---------------------------------------------------------------------------


class MineListFilter(admin.SimpleListFilter):
    title = _("assigned")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("1", _("assigned to me"))]

    def queryset(self, request, queryset):
        return queryset.filter(assigned_to=request.user) if self.value() == "1" else queryset


@admin.register(Inquiry)
class InquiryAdmin(ServiceModelAdmin):
    list_display = ["received_at", "customer", "caller_name", "channel", "category", "subject", "status", "assigned_to"]
    list_filter = [MineListFilter, "status", "channel", "category"]
    search_fields = ["subject", "body", "caller_name", "customer__name", "customer__name_kana_key__kana_contains"]
    autocomplete_fields = ["customer", "assigned_to"]
    list_select_related = ["customer", "assigned_to"]
    fields = [
        "customer",
        "caller_name",
        "contact_name",
        "channel",
        "category",
        "subject",
        "body",
        "assigned_to",
        "status",
        "resolution",
        "related_quote",
        "related_order",
    ]
    readonly_fields = ["status", "related_quote", "related_order"]
    actions = ["resolve"]
    create_service = services.inquiry_create
    update_service = services.inquiry_update
    instance_arg = "inquiry"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if sees_all_customers(request.user):
            return queryset
        return queryset.filter(
            Q(customer__sales_rep=request.user) | Q(assigned_to=request.user) | Q(received_by=request.user)
        )

    resolve = service_action(_("Mark resolved"), services.inquiry_resolve, "inquiry")


OPTIONAL_LINE_FIELDS = {"description", "unit", "unit_price", "discount_rate", "tax_rate"}
NARROW_FIELDS = {"quantity": "5em", "unit": "3em", "unit_price": "7em", "discount_rate": "4em", "tax_rate": "3em"}


class LineForm(forms.ModelForm):
    tax_rate_override = forms.BooleanField(
        label=_("override tax rate"),
        required=False,
        help_text=_("Tick to give the line a tax rate other than its product's (recorded in the audit trail)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        line = self.instance
        if line.pk and line.product_id and line.tax_rate != line.product.tax_rate:
            self.initial.setdefault("tax_rate_override", True)  # a standing override stays one


class LineInlineBase(admin.TabularInline):
    form = LineForm
    extra = 1

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None and db_field.name in NARROW_FIELDS:
            field.widget.attrs["style"] = f"width: {NARROW_FIELDS[db_field.name]}"
        if field is not None and db_field.name in OPTIONAL_LINE_FIELDS:
            field.required = False  # the services fill them from the product and customer
        return field

    autocomplete_fields = ["product"]
    fields = [*services.LINE_INPUT_FIELDS, "amount"]
    readonly_fields = ["amount"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("product")

    @admin.display(description=_("override tax rate"), boolean=True)
    def tax_rate_override(self, line):  # shown when the lines are read-only
        return bool(line.product_id and line.tax_rate != line.product.tax_rate)

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.status in self.editable_statuses

    has_add_permission = has_change_permission
    has_delete_permission = has_change_permission


class QuoteLineInline(LineInlineBase):
    model = QuoteLine
    editable_statuses = services.EDITABLE_QUOTE_STATUSES


class OrderLineInline(LineInlineBase):
    """Lines with the stock answer: allocated now, backordered, and when the rest ships."""

    model = OrderLine
    editable_statuses = (Order.Status.DRAFT,)
    fields = [*LineInlineBase.fields, "allocated", "backordered", "expected_date", "shipped_quantity"]
    readonly_fields = ["amount", "allocated", "backordered", "expected_date", "shipped_quantity"]

    def get_formset(self, request, obj=None, **kwargs):
        # One lookup of the stock figures for all lines of the order.
        self._stock = order_line_stock(list(obj.lines.all())) if obj is not None else {}
        return super().get_formset(request, obj, **kwargs)

    def _figure(self, line, name):
        return self._stock.get(line.pk, {}).get(name) if line.pk else None

    @admin.display(description=_("allocated"))
    def allocated(self, line):
        value = self._figure(line, "allocated")
        return "-" if value is None else value

    @admin.display(description=_("backordered"))
    def backordered(self, line):
        value = self._figure(line, "backordered")
        return "-" if value is None else value

    @admin.display(description=_("expected ship date"))
    def expected_date(self, line):
        value = self._figure(line, "expected_date")
        return value.strftime("%Y-%m-%d") if value else "-"


def _entered(form, name: str):
    """What the user gave for a line field: a value typed on this form, or the stored value
    of a line whose product stays the same. A field left as it was on a line whose product
    was chosen or changed gives nothing, so the service takes the product's unit and tax
    rate and the customer's price, not what the form happened to show."""
    if name in form.changed_data or (form.instance.pk and "product" not in form.changed_data):
        return form.cleaned_data.get(name)
    return None


def _lines_from_formsets(formsets) -> list[services.LineInput]:
    lines = []
    for formset in formsets:
        if formset.model not in (QuoteLine, OrderLine):
            continue
        for form in formset.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not (data.get("product") or data.get("description")):
                continue
            lines.append(
                services.LineInput(
                    product=data.get("product"),
                    description=_entered(form, "description") or "",
                    quantity=data.get("quantity") or 0,
                    unit=_entered(form, "unit") or "",
                    unit_price=_entered(form, "unit_price"),
                    discount_rate=data.get("discount_rate") or 0,
                    tax_rate=_entered(form, "tax_rate"),
                    tax_rate_override=bool(data.get("tax_rate_override")),
                )
            )
    return lines


class FlowAdmin(ServiceModelAdmin):
    """A quote or an order: header and inline lines are saved together by one service call
    in save_related (create_service, or update_service with the row as instance_arg). Once
    past its editable states, the whole form is read-only. A rep sees their own customers'
    rows only, as in the API."""

    header_fields: tuple = ()
    editable_statuses: tuple = ()

    def get_queryset(self, request):
        return restrict_to_own_customers(super().get_queryset(request), request.user)

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status not in self.editable_statuses:
            return list(self.fields)
        return super().get_readonly_fields(request, obj)

    @admin.display(description=_("subtotal"))
    def subtotal_yen(self, obj):
        return yen(obj.subtotal)

    @admin.display(description=_("tax"))
    def tax_total_yen(self, obj):
        return yen(obj.tax_total)

    @admin.display(description=_("total"))
    def total_yen(self, obj):
        return yen(obj.total)

    def save_model(self, request, obj, form, change):
        pass  # saved with its lines in save_related

    def save_formset(self, request, form, formset, change):
        pass

    def save_related(self, request, form, formsets, change):
        data = {name: form.cleaned_data[name] for name in self.header_fields if name in form.cleaned_data}
        lines = _lines_from_formsets(formsets)
        if change:
            saved = type(self).update_service(
                **{self.instance_arg: form.instance}, user=request.user, data=data, lines=lines
            )
        else:
            saved = type(self).create_service(user=request.user, data=data, lines=lines)
        form.instance.pk = saved.pk
        form.instance._state.adding = False
        for formset in formsets:  # the admin's change message reads these after a save
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(Quote)
class QuoteAdmin(FlowAdmin):
    list_display = [
        "__str__",
        "customer",
        "subject",
        "status",
        "total_yen",
        "issue_date",
        "valid_until",
        "requested_by",
    ]
    list_filter = ["status"]
    search_fields = ["number", "subject", "customer__name", "customer__name_kana_key__kana_contains"]
    autocomplete_fields = ["customer"]
    list_select_related = ["customer", "requested_by"]
    inlines = [QuoteLineInline]
    header_fields = services.QUOTE_FIELDS
    fields = [
        "customer",
        "subject",
        "desired_delivery",
        "delivery_place",
        "payment_terms",
        "validity_days",
        "note",
        "status",
        "approval_reasons",
        "approval_comment",
        "subtotal_yen",
        "tax_total_yen",
        "total_yen",
        "valid_until",
    ]
    readonly_fields = [
        "status",
        "approval_reasons",
        "approval_comment",
        "subtotal_yen",
        "tax_total_yen",
        "total_yen",
        "valid_until",
    ]
    editable_statuses = services.EDITABLE_QUOTE_STATUSES
    actions = ["submit", "approve", "issue", "accept", "decline", "revise", "convert"]

    create_service = services.quote_create
    update_service = services.quote_update
    instance_arg = "quote"

    submit = service_action(
        _("Submit (approve within limits, else ask a manager)"),
        services.quote_submit,
        "quote",
        lambda q: q.get_status_display(),
    )

    approve = service_action(_("Approve (managers)"), services.quote_approve, "quote", _("approved"))

    issue = service_action(
        _("Issue the quote (number and PDF)"), services.quote_issue, "quote", lambda q: q.display_number
    )

    accept = service_action(_("Customer accepted"), services.quote_accept, "quote", _("accepted"))

    decline = service_action(_("Customer declined"), services.quote_decline, "quote", _("declined"))

    revise = service_action(
        _("Revise (new revision under the same number)"),
        services.quote_revise,
        "quote",
        lambda q: _("revision %(n)d created") % {"n": q.revision},
    )

    convert = service_action(
        _("Convert to an order"),
        services.quote_convert,
        "quote",
        lambda o: _("order #%(pk)d created") % {"pk": o.pk},
    )


@admin.register(Order)
class OrderAdmin(FlowAdmin):
    list_display = ["__str__", "order_date", "customer", "customer_po_number", "status", "total_yen", "requested_date"]
    list_filter = ["status", "order_date"]
    search_fields = [
        "number",
        "customer_po_number",
        "customer__name",
        "customer__name_kana_key__kana_contains",
        "customer__code",
    ]
    autocomplete_fields = ["customer"]
    list_select_related = ["customer"]
    date_hierarchy = "order_date"
    inlines = [OrderLineInline]
    header_fields = services.ORDER_FIELDS
    fields = [
        "customer",
        "customer_po_number",
        "order_date",
        "requested_date",
        "ship_to",
        "note",
        "status",
        "hold_reason",
        "subtotal_yen",
        "tax_total_yen",
        "total_yen",
    ]
    readonly_fields = ["status", "hold_reason", "subtotal_yen", "tax_total_yen", "total_yen"]
    editable_statuses = (Order.Status.DRAFT,)
    actions = ["confirm", "release", "cancel", "create_shipment", "issue_confirmation"]

    create_service = services.order_create
    update_service = services.order_update
    instance_arg = "order"

    def get_changeform_initial_data(self, request):
        return {"order_date": timezone.localdate(), **super().get_changeform_initial_data(request)}

    confirm = service_action(
        _("Confirm (allocate stock)"), services.order_confirm, "order", lambda result: result.message
    )

    release = service_action(
        _("Release the credit hold (managers)"),
        services.order_confirm,
        "order",
        lambda result: result.message,
        release_hold=True,
    )

    cancel = service_action(_("Cancel (releases stock)"), services.order_cancel, "order", _("cancelled"))

    create_shipment = service_action(
        _("Create a shipment of everything allocated"),
        services.shipment_create,
        "order",
        lambda s: _("shipment #%(pk)d prepared") % {"pk": s.pk},
    )

    issue_confirmation = service_action(
        _("Issue the order confirmation (注文請書)"), services.order_confirmation_issue, "order", _("issued")
    )


class ShipmentLineInline(admin.TabularInline):
    model = ShipmentLine
    extra = 0
    fields = ["order_line", "quantity", "amount"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Shipment)
class ShipmentAdmin(ServiceModelAdmin):
    list_display = ["__str__", "order", "customer", "status", "shipped_on", "total_yen", "invoiced"]
    list_filter = ["status", "invoiced", "shipped_on"]
    search_fields = ["number", "order__number", "customer__name", "customer__name_kana_key__kana_contains"]
    list_select_related = ["order", "customer"]
    inlines = [ShipmentLineInline]
    fields = [
        "order",
        "customer",
        "status",
        "shipped_on",
        "delivery_note",
        "subtotal_yen",
        "tax_total_yen",
        "total_yen",
    ]
    readonly_fields = fields
    actions = ["ship", "cancel"]
    subtotal_yen = FlowAdmin.subtotal_yen
    tax_total_yen = FlowAdmin.tax_total_yen
    total_yen = FlowAdmin.total_yen

    def get_queryset(self, request):
        return restrict_to_own_customers(super().get_queryset(request), request.user)

    def has_add_permission(self, request):
        return False  # prepared from an order

    ship = service_action(
        _("Ship today (issues the delivery note)"), shipment_ship_and_bill, "shipment", lambda s: s.number
    )

    cancel = service_action(_("Cancel the prepared shipment"), services.shipment_cancel, "shipment", _("cancelled"))
