"""Billing screens. Issued invoices, payments and credit notes are read-only here: money
moves through the services (the API, or the admin actions below), never by editing rows."""

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from backoffice.admin import AuditedModelAdmin, ReadOnlyAdmin, ReadOnlyInline, ServiceModelAdmin
from backoffice.exceptions import DomainError, NotAllowed, StateConflict
from backoffice.kana import kana_key
from backoffice.roles import Role, has_role, restrict_to_own_customers

from . import services
from .models import (
    Allocation,
    BankCsvLayout,
    BankStatementLine,
    BillingSettings,
    ClosingRun,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    JournalMapping,
    PayerName,
    Payment,
)


class BillingAdmin(ReadOnlyAdmin):
    """Issued invoices, payments, credit notes: read-only; their admin actions call services."""

    def run_each(self, request, objects, step) -> None:
        """An admin action: the service `step(obj)` for each selected row; a row it refuses
        is a warning and the others go on, a user without the role stops at the first."""
        for obj in objects:
            try:
                step(obj)
            except StateConflict as error:
                self.message_user(request, f"{obj}: {error.message}", level=messages.WARNING)
            except NotAllowed as error:
                self.message_user(request, str(error.message), level=messages.ERROR)
                return


class CustomerScopedAdmin(BillingAdmin):
    """A rep sees their own customers' rows only, as in the API."""

    def get_queryset(self, request):
        return restrict_to_own_customers(super().get_queryset(request), request.user)


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ["position", "delivery_note_number", "shipped_on", "sku", "description", "quantity", "unit_price",
              "tax_rate", "amount"]  # fmt: skip
    readonly_fields = fields


class AllocationInline(ReadOnlyInline):
    model = Allocation
    fk_name = "invoice"
    fields = ["payment", "credit_note", "amount", "bank_fee", "created_at"]
    readonly_fields = fields


@admin.register(Invoice)
class InvoiceAdmin(CustomerScopedAdmin):
    list_display = ["number", "kind", "customer", "issue_date", "due_date", "total", "open_amount_display", "status"]
    list_filter = ["kind", "status", "issue_date"]
    search_fields = ["number", "customer__name", "customer__code"]
    date_hierarchy = "issue_date"
    list_select_related = ["customer"]
    inlines = [InvoiceLineInline, AllocationInline]
    exclude = ["tax_breakdown"]
    readonly_fields = [f.name for f in Invoice._meta.concrete_fields if f.name != "tax_breakdown"]

    @admin.display(description=_("open amount"))
    def open_amount_display(self, obj):
        return obj.open_amount


@admin.register(ClosingRun)
class ClosingRunAdmin(BillingAdmin):
    list_display = ["closing_date", "status", "customers_done", "customers_total", "invoices_created", "finished_at"]
    actions = ["run_again"]

    @admin.action(description=_("Run the closing again (creates only what is missing)"))
    def run_again(self, request, queryset):
        if not has_role(request.user, Role.SALES_ADMIN):
            self.message_user(request, _("Only sales admins run the closing."), level=messages.ERROR)
            return
        for run in queryset:
            try:
                done = services.closing_run(closing_date=run.closing_date, user=request.user)
            except DomainError as error:
                self.message_user(request, f"{run}: {error.message}", level=messages.ERROR)
                continue
            self.message_user(request, f"{run}: {done.invoices_created}", level=messages.SUCCESS)


class PaymentAllocationInline(AllocationInline):
    fk_name = "payment"
    fields = ["invoice", "amount", "bank_fee", "created_at"]
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(CustomerScopedAdmin):
    list_display = ["received_on", "customer", "amount", "bank_fee", "method", "payer_name", "allocated_amount"]
    list_filter = ["method", "received_on"]
    search_fields = ["payer_name", "customer__name", "customer__code"]
    list_select_related = ["customer"]
    inlines = [PaymentAllocationInline]
    readonly_fields = [f.name for f in Payment._meta.concrete_fields]
    actions = ["allocate_oldest_first"]

    @admin.action(description=_("Match the unallocated amount to the oldest open invoices"))
    def allocate_oldest_first(self, request, queryset):
        self.run_each(request, queryset, lambda payment: services.payment_allocate(payment=payment, user=request.user))


class CreditNoteLineInline(ReadOnlyInline):
    model = CreditNoteLine
    fields = ["invoice_line", "quantity", "amount", "tax_rate"]
    readonly_fields = fields


@admin.register(CreditNote)
class CreditNoteAdmin(CustomerScopedAdmin):
    list_display = ["number", "kind", "invoice", "customer", "issue_date", "total"]
    list_filter = ["kind", "issue_date"]
    search_fields = ["number", "invoice__number", "customer__name"]
    list_select_related = ["invoice", "customer"]
    inlines = [CreditNoteLineInline]
    exclude = ["tax_breakdown"]
    readonly_fields = [f.name for f in CreditNote._meta.concrete_fields if f.name != "tax_breakdown"]


@admin.register(BankStatementLine)
class BankStatementLineAdmin(BillingAdmin):
    list_display = ["transaction_date", "payer_name", "amount", "status", "customer", "payment"]
    list_filter = ["status", "statement"]
    search_fields = ["payer_name"]
    actions = ["ignore"]

    @admin.action(description=_("Ignore (not a customer payment)"))
    def ignore(self, request, queryset):
        self.run_each(request, queryset, lambda line: services.bank_line_ignore(line=line, user=request.user))


class PayerNameForm(forms.ModelForm):
    def clean_name(self) -> str:
        # Stored as the bank import compares it, so ｶ)ﾔﾏﾀﾞ typed here matches カ)ヤマダ on a statement.
        return kana_key(self.cleaned_data["name"])


@admin.register(PayerName)
class PayerNameAdmin(AuditedModelAdmin):
    form = PayerNameForm
    list_display = ["name", "customer", "created_at"]
    search_fields = ["name", "customer__name", "customer__code"]
    autocomplete_fields = ["customer"]


@admin.register(BillingSettings)
class BillingSettingsAdmin(ServiceModelAdmin):
    list_display = ["__str__", "statement_without_sales", "bank_fee_tolerance", "sales_booking_basis"]

    @staticmethod
    def update_service(*, instance, user, data):
        return services.billing_settings_update(user=user, data=data)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(JournalMapping)
class JournalMappingAdmin(ServiceModelAdmin):
    """The accounting export's chart of accounts and tax categories (billing.journal.DEFAULTS
    is what an item without a row writes)."""

    list_display = ["key", "layout", "value"]
    list_filter = ["layout"]
    search_fields = ["key", "value"]
    instance_arg = "mapping"
    create_service = staticmethod(services.journal_mapping_create)
    update_service = staticmethod(services.journal_mapping_update)


@admin.register(BankCsvLayout)
class BankCsvLayoutAdmin(ServiceModelAdmin):
    """A company bank account's CSV layout, saved and removed through the same services as
    the screen (銀行CSVの列設定)."""

    list_display = ["bank_account", "date_column", "deposit_column", "withdrawal_column", "description_column",
                    "encoding", "date_format"]  # fmt: skip

    def save_model(self, request, obj, form, change):
        account = obj.bank_account if change else form.cleaned_data["bank_account"]
        saved = services.bank_csv_layout_save(bank_account=account, data=dict(form.cleaned_data), user=request.user)
        obj.pk = saved.pk
        obj._state.adding = False
        obj.refresh_from_db()

    def get_readonly_fields(self, request, obj=None):
        return ["bank_account"] if obj is not None else []

    def delete_model(self, request, obj):
        services.bank_csv_layout_delete(bank_account=obj.bank_account, user=request.user)

    def delete_queryset(self, request, queryset):
        for layout in queryset.select_related("bank_account"):
            services.bank_csv_layout_delete(bank_account=layout.bank_account, user=request.user)
