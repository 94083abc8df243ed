"""Billing API serializers: read models, and one input serializer per action."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backoffice.api.fields import BusinessDateField
from backoffice.api.model_serializer import ModelSerializer
from backoffice.models import BankAccount
from billing import journal
from billing.models import (
    Allocation,
    BankStatementImport,
    BankStatementLine,
    ClosingRun,
    CreditNote,
    CreditNoteLine,
    Invoice,
    InvoiceLine,
    Payment,
    PaymentMethod,
)
from inventory.models import Warehouse
from orders.models import Customer, Shipment

MONEY = {"max_digits": 14, "decimal_places": 0}


def limits() -> dict:
    """settings.LIMITS, read when a request is parsed (a serializer's fields are built
    per instance), not when this module is imported."""
    return settings.LIMITS


class BillingTaxBreakdownSerializer(serializers.Serializer):
    rate = serializers.IntegerField()
    subtotal = serializers.DecimalField(**MONEY)
    tax = serializers.DecimalField(**MONEY)


# --- invoices ---------------------------------------------------------------------------------


class InvoiceLineSerializer(ModelSerializer):
    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "position",
            "delivery_note_number",
            "shipped_on",
            "sku",
            "description",
            "quantity",
            "unit",
            "unit_price",
            "tax_rate",
            "amount",
        ]
        read_only_fields = fields


class InvoiceSerializer(ModelSerializer):
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    tax_breakdown = BillingTaxBreakdownSerializer(many=True, read_only=True)
    open_amount = serializers.DecimalField(read_only=True, **MONEY)
    is_overdue = serializers.SerializerMethodField()
    lines = InvoiceLineSerializer(many=True, read_only=True)
    shipments = serializers.SerializerMethodField()

    class Meta:
        model = Invoice
        fields = [
            "id",
            "number",
            "kind",
            "customer",
            "customer_name",
            "issue_date",
            "period_start",
            "period_end",
            "due_date",
            "previous_balance",
            "payments_received",
            "credits",
            "carried_over",
            "sales_amount",
            "tax_total",
            "sales_total",
            "total",
            "tax_breakdown",
            "paid_amount",
            "credited_amount",
            "open_amount",
            "status",
            "is_overdue",
            "document",
            "shipments",
            "lines",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.BooleanField())
    def get_is_overdue(self, invoice) -> bool:
        """Derived: still open after the due date."""
        return invoice.status in ("issued", "partially_paid") and invoice.due_date < timezone.localdate()

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_shipments(self, invoice) -> list[int]:
        return [link.shipment_id for link in invoice.shipment_links.all()]


class InvoiceIssueSerializer(serializers.Serializer):
    shipment = serializers.PrimaryKeyRelatedField(queryset=Shipment.objects.all())
    issue_date = BusinessDateField(required=False)


class InvoiceCancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


# --- closings ---------------------------------------------------------------------------------


class ClosingRunSerializer(ModelSerializer):
    class Meta:
        model = ClosingRun
        fields = [
            "id",
            "closing_date",
            "status",
            "customers_total",
            "customers_done",
            "invoices_created",
            "started_at",
            "finished_at",
            "error",
        ]
        read_only_fields = fields


class ClosingRequestSerializer(serializers.Serializer):
    closing_date = BusinessDateField()
    in_background = serializers.BooleanField(
        default=False, help_text=_("Run as a Celery task and answer 202 at once; follow the run's progress.")
    )


# --- payments ---------------------------------------------------------------------------------


class AllocationSerializer(ModelSerializer):
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)

    class Meta:
        model = Allocation
        fields = ["invoice", "invoice_number", "amount", "bank_fee"]
        read_only_fields = fields


class PaymentSerializer(ModelSerializer):
    allocations = AllocationSerializer(many=True, read_only=True)
    unallocated_amount = serializers.DecimalField(read_only=True, **MONEY)

    class Meta:
        model = Payment
        fields = [
            "id",
            "customer",
            "received_on",
            "amount",
            "bank_fee",
            "method",
            "payer_name",
            "note",
            "allocated_amount",
            "allocated_fee",
            "unallocated_amount",
            "allocations",
            "created_at",
        ]
        read_only_fields = fields


class AllocationInputSerializer(serializers.Serializer):
    invoice = serializers.PrimaryKeyRelatedField(queryset=Invoice.objects.all())
    amount = serializers.DecimalField(**MONEY)
    bank_fee = serializers.DecimalField(default=0, **MONEY)


class PaymentAllocateSerializer(serializers.Serializer):
    allocations = AllocationInputSerializer(
        many=True, required=False, help_text=_("Leave out to match the oldest open invoices first.")
    )

    def get_fields(self):
        fields = super().get_fields()
        fields["allocations"].max_length = limits()["max_lines_per_document"]
        return fields


class PaymentCreateSerializer(PaymentAllocateSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    received_on = BusinessDateField()
    amount = serializers.DecimalField(**MONEY)
    bank_fee = serializers.DecimalField(default=0, **MONEY)
    method = serializers.ChoiceField(choices=PaymentMethod.choices, default=PaymentMethod.TRANSFER)
    payer_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


# --- credit notes -----------------------------------------------------------------------------


class CreditNoteLineSerializer(ModelSerializer):
    description = serializers.CharField(source="invoice_line.description", read_only=True)

    class Meta:
        model = CreditNoteLine
        fields = ["invoice_line", "description", "quantity", "amount", "tax_rate"]
        read_only_fields = fields


class CreditNoteSerializer(ModelSerializer):
    # A plain string on output, so the kind enum is named once (by the create input).
    kind = serializers.CharField(read_only=True, help_text=_("return or price_reduction"))
    invoice_number = serializers.CharField(source="invoice.number", read_only=True)
    lines = CreditNoteLineSerializer(many=True, read_only=True)
    tax_breakdown = BillingTaxBreakdownSerializer(many=True, read_only=True)

    class Meta:
        model = CreditNote
        fields = [
            "id",
            "number",
            "kind",
            "invoice",
            "invoice_number",
            "customer",
            "issue_date",
            "reason",
            "warehouse",
            "lines",
            "subtotal",
            "tax_total",
            "total",
            "tax_breakdown",
            "allocated_amount",
            "document",
        ]
        read_only_fields = fields


def _returned_quantity(max_value: int | None = None) -> serializers.IntegerField:
    return serializers.IntegerField(required=False, default=0, min_value=0, max_value=max_value)


class CreditLineInputSerializer(serializers.Serializer):
    invoice_line = serializers.PrimaryKeyRelatedField(queryset=InvoiceLine.objects.all())
    quantity = _returned_quantity()  # its maximum is set per instance, from LIMITS
    amount = serializers.DecimalField(required=False, allow_null=True, default=None, **MONEY)

    def get_fields(self):
        fields = super().get_fields()
        fields["quantity"] = _returned_quantity(limits()["max_quantity"])
        return fields


class CreditNoteCreateSerializer(serializers.Serializer):
    invoice = serializers.PrimaryKeyRelatedField(queryset=Invoice.objects.all())
    kind = serializers.ChoiceField(choices=CreditNote.Kind.choices)
    reason = serializers.CharField(max_length=200)
    issue_date = BusinessDateField(required=False)
    warehouse = serializers.PrimaryKeyRelatedField(queryset=Warehouse.objects.all(), required=False, allow_null=True)
    lines = CreditLineInputSerializer(many=True, min_length=1)

    def get_fields(self):
        fields = super().get_fields()
        fields["lines"].max_length = limits()["max_lines_per_document"]
        return fields


# --- bank statements --------------------------------------------------------------------------


class BankStatementLineSerializer(ModelSerializer):
    class Meta:
        model = BankStatementLine
        fields = [
            "id",
            "statement",
            "row_number",
            "transaction_date",
            "amount",
            "payer_name",
            "status",
            "customer",
            "payment",
        ]
        read_only_fields = fields


class BankStatementSerializer(ModelSerializer):
    lines = BankStatementLineSerializer(many=True, read_only=True)

    class Meta:
        model = BankStatementImport
        fields = [
            "id",
            "file_name",
            "sha256",
            "imported_at",
            "file_format",
            "bank_account",
            "withdrawals_skipped",
            "withdrawals_total",
            "cancellations_skipped",
            "lines",
        ]
        read_only_fields = fields


class BankStatementUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_(
            "A 全銀 入出金取引明細 or 振込入金通知 file, a CSV with date, amount, payer_name (UTF-8 or "
            "Shift_JIS), or a bank's CSV export read with the bank account's CSV layout."
        )
    )
    bank_account = serializers.PrimaryKeyRelatedField(
        queryset=BankAccount.objects.all(),
        required=False,
        allow_null=True,
        help_text=_("The company bank account the file is for: its CSV layout reads the file."),
    )


class BankStatementAccountSerializer(serializers.Serializer):
    """The optional account of an upload, checked like any related field (400 when unknown)."""

    bank_account = serializers.PrimaryKeyRelatedField(
        queryset=BankAccount.objects.all(), required=False, allow_null=True
    )


class BankLineConfirmSerializer(PaymentAllocateSerializer):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    bank_fee = serializers.DecimalField(default=0, **MONEY)


# --- reports ----------------------------------------------------------------------------------


class AgingRowSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    customer_code = serializers.CharField()
    customer_name = serializers.CharField()
    current = serializers.DecimalField(**MONEY)
    days_30 = serializers.DecimalField(**MONEY, help_text=_("1-30 days overdue"))
    days_60 = serializers.DecimalField(**MONEY, help_text=_("31-60 days overdue"))
    days_90 = serializers.DecimalField(**MONEY, help_text=_("61-90 days overdue"))
    days_90_plus = serializers.DecimalField(**MONEY, help_text=_("more than 90 days overdue"))
    credit = serializers.DecimalField(**MONEY, help_text=_("payments and credit notes not yet matched"))
    total = serializers.DecimalField(**MONEY)


class AgingTotalsSerializer(serializers.Serializer):
    current = serializers.DecimalField(**MONEY)
    days_30 = serializers.DecimalField(**MONEY)
    days_60 = serializers.DecimalField(**MONEY)
    days_90 = serializers.DecimalField(**MONEY)
    days_90_plus = serializers.DecimalField(**MONEY)
    credit = serializers.DecimalField(**MONEY)
    total = serializers.DecimalField(**MONEY)


class AgingReportSerializer(serializers.Serializer):
    as_of = BusinessDateField()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = AgingRowSerializer(many=True)
    totals = AgingTotalsSerializer()


class AgingQuerySerializer(serializers.Serializer):
    as_of = BusinessDateField(required=False)


class JournalQuerySerializer(serializers.Serializer):
    date_from = BusinessDateField()
    date_to = BusinessDateField()
    layout = serializers.ChoiceField(choices=[(layout, layout) for layout in journal.LAYOUTS], default="generic")
