"""Billing tables: invoices and the shipments they bill, closing runs, payments and
their allocations, credit notes, bank statement rows and the billing settings.

Amounts are whole yen. Every invariant that money depends on is a database
constraint; the services give the readable message first.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backoffice.validators import business_date

MONEY = {"max_digits": 14, "decimal_places": 0}


class BillingSettings(models.Model):
    """Company-wide billing choices (one row, created on first use)."""

    statement_without_sales = models.BooleanField(
        _("statement invoice without sales"),
        default=False,
        help_text=_("At closing, invoice customers with no sales in the period but an open balance."),
    )
    bank_fee_tolerance = models.DecimalField(
        _("bank fee tolerance"),
        default=880,
        help_text=_("An imported transfer this much or less below an invoice's open amount settles it as a bank fee."),
        **MONEY,
    )

    class SalesBookingBasis(models.TextChoices):
        SHIPMENT = "shipment", _("shipment date (出荷基準)")
        INVOICE = "invoice", _("invoice date")

    sales_booking_basis = models.CharField(
        _("sales booked on"),
        max_length=10,
        choices=SalesBookingBasis.choices,
        default=SalesBookingBasis.SHIPMENT,
        help_text=_("The date the accounting export books sales and receivables on."),
    )

    class Meta:
        verbose_name = _("billing settings")
        verbose_name_plural = _("billing settings")
        constraints = [models.CheckConstraint(condition=Q(bank_fee_tolerance__gte=0), name="billing_fee_tolerance")]

    def __str__(self) -> str:
        return str(_("billing settings"))


class ClosingRun(models.Model):
    """One closing date (締め日). Re-running it reuses the row: the run is idempotent."""

    class Status(models.TextChoices):
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    # A run is created running; running the date again (after it finished or failed) reuses the row.
    TRANSITIONS = {
        Status.RUNNING: {Status.DONE, Status.FAILED},
        Status.DONE: {Status.RUNNING},
        Status.FAILED: {Status.RUNNING},
    }
    closing_date = models.DateField(_("closing date"), unique=True, validators=[business_date])
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    customers_total = models.PositiveIntegerField(_("customer count"), default=0)
    customers_done = models.PositiveIntegerField(_("customers done"), default=0)
    invoices_created = models.PositiveIntegerField(_("invoices created"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("closing run")
        verbose_name_plural = _("closing runs")
        ordering = ["-closing_date"]

    def __str__(self) -> str:
        return str(self.closing_date or "")  # YYYY-MM-DD


class ClosingSend(models.Model):
    """One "send all invoices by e-mail" of a closing run (a Celery task): its progress on
    this row, as the run's own, and one item per invoice saying what was done with it. The
    mails and their outcome are the documents' send log (documents.DocumentMailing)."""

    class Status(models.TextChoices):
        RUNNING = "running", _("sending")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    TRANSITIONS = {
        Status.RUNNING: {Status.DONE, Status.FAILED},
        Status.DONE: set(),
        Status.FAILED: set(),
    }
    run = models.ForeignKey(ClosingRun, on_delete=models.PROTECT, related_name="sends", verbose_name=_("closing run"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    resend_failed = models.BooleanField(_("re-send failed mails"), default=False)
    invoices_total = models.PositiveIntegerField(_("invoice count"), default=0)
    invoices_done = models.PositiveIntegerField(_("invoices done"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        verbose_name = _("invoice e-mail send")
        verbose_name_plural = _("invoice e-mail sends")
        ordering = ["-requested_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(invoices_done__lte=F("invoices_total")), name="closing_send_done_within_total"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.pk}"  # never loads the run (the status map's messages use it)


class ClosingSendItem(models.Model):
    """What one send did with one invoice of the run: requested (sent, or re-sent after a
    failure, with the send log's row), or why not (sent before, failed before and not asked
    to re-send, no address, refused with the reason)."""

    class Outcome(models.TextChoices):
        SENT = "sent", _("sent")
        RESENT = "resent", _("re-sent")
        ALREADY_SENT = "already_sent", _("sent before: not again")
        FAILED_BEFORE = "failed_before", _("failed before: not re-sent")
        NO_ADDRESS = "no_address", _("no e-mail address")
        REFUSED = "refused", _("not sent")

    send = models.ForeignKey(ClosingSend, on_delete=models.PROTECT, related_name="items", verbose_name=_("send"))
    invoice = models.ForeignKey("Invoice", on_delete=models.PROTECT, related_name="+", verbose_name=_("invoice"))
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices)
    mailing = models.ForeignKey(
        "documents.DocumentMailing",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("send log entry"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("invoice e-mail send item")
        verbose_name_plural = _("invoice e-mail send items")
        ordering = ["send", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["send", "invoice"], name="closing_send_item_once_per_invoice"),
            models.CheckConstraint(
                condition=Q(outcome__in=["sent", "resent"], mailing__isnull=False)
                | (~Q(outcome__in=["sent", "resent"]) & Q(mailing__isnull=True)),
                name="closing_send_item_mailing_when_requested",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.send_id}: {self.invoice_id} {self.outcome}"


class Invoice(models.Model):
    class Kind(models.TextChoices):
        PER_SHIPMENT = "per_shipment", _("per shipment invoice")
        CONSOLIDATED = "consolidated", _("consolidated invoice (合計請求書)")

    class Status(models.TextChoices):
        ISSUED = "issued", _("issued")
        PARTIALLY_PAID = "partially_paid", _("partially paid")
        PAID = "paid", _("paid")
        CANCELLED = "cancelled", _("cancelled")

    # Issued (or paid, when there is nothing to settle); payments and credit notes settle it
    # in part or in full. Only an invoice nothing has settled can be cancelled (a statement
    # invoice of zero sales is paid from the start).
    TRANSITIONS = {
        Status.ISSUED: {Status.PARTIALLY_PAID, Status.PAID, Status.CANCELLED},
        Status.PARTIALLY_PAID: {Status.PAID},
        Status.PAID: {Status.CANCELLED},
        Status.CANCELLED: set(),
    }

    number = models.CharField(_("number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.PROTECT, related_name="invoices", verbose_name=_("customer")
    )
    status = models.CharField(_("status"), max_length=15, choices=Status.choices, default=Status.ISSUED, db_index=True)
    issue_date = models.DateField(_("issue date"), db_index=True, validators=[business_date])
    period_start = models.DateField(_("period start"), null=True, blank=True, validators=[business_date])
    period_end = models.DateField(_("period end (closing date)"), null=True, blank=True)
    due_date = models.DateField(_("due date"), db_index=True, validators=[business_date])
    tax_mode = models.CharField(_("tax mode"), max_length=10)
    # 合計請求書: 前回御請求額, ご入金額, 返品・値引, 繰越金額 = previous − payments − credits.
    previous_balance = models.DecimalField(_("previous balance"), default=0, **MONEY)
    payments_received = models.DecimalField(_("payments received"), default=0, **MONEY)
    credits = models.DecimalField(_("returns and discounts"), default=0, **MONEY)
    carried_over = models.DecimalField(_("carried over"), default=0, **MONEY)
    # This invoice's own sales: 今回売上額 (excluding tax), 消費税額, and their sum.
    sales_amount = models.DecimalField(_("sales"), default=0, **MONEY)
    tax_total = models.DecimalField(_("tax"), default=0, **MONEY)
    sales_total = models.DecimalField(_("sales including tax"), default=0, **MONEY)
    # 今回御請求額 = carried over + sales including tax.
    total = models.DecimalField(_("amount billed"), default=0, **MONEY)
    tax_breakdown = models.JSONField(_("tax breakdown"), default=list, blank=True)
    # What has settled this invoice's own sales: payments (with bank fees) and credit notes.
    paid_amount = models.DecimalField(_("paid"), default=0, **MONEY)
    credited_amount = models.DecimalField(_("credited"), default=0, **MONEY)
    document = models.ForeignKey(
        "documents.IssuedDocument", on_delete=models.PROTECT, related_name="+", verbose_name=_("document")
    )
    closing_run = models.ForeignKey(
        ClosingRun, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-issue_date", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(paid_amount__gte=0, credited_amount__gte=0), name="invoice_settled_gte_0"
            ),
            models.CheckConstraint(
                condition=Q(paid_amount__lte=F("sales_total") - F("credited_amount")), name="invoice_not_over_settled"
            ),
            models.CheckConstraint(
                condition=Q(sales_total=F("sales_amount") + F("tax_total")), name="invoice_sales_sum"
            ),
            models.CheckConstraint(condition=Q(total=F("carried_over") + F("sales_total")), name="invoice_total_sum"),
            models.CheckConstraint(
                condition=Q(carried_over=F("previous_balance") - F("payments_received") - F("credits")),
                name="invoice_carried_over",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["issued", "partially_paid", "paid", "cancelled"]), name="invoice_status_valid"
            ),
            # One consolidated invoice per customer and closing date: a closing run twice creates nothing.
            models.UniqueConstraint(
                fields=["customer", "period_end"],
                condition=Q(kind="consolidated") & ~Q(status="cancelled"),
                name="invoice_one_per_closing",
            ),
        ]
        indexes = [models.Index(fields=["customer", "status", "due_date"], name="invoice_open_idx")]

    def __str__(self) -> str:
        return self.number

    @property
    def open_amount(self):
        if self.status == self.Status.CANCELLED:
            return 0
        return self.sales_total - self.paid_amount - self.credited_amount


class InvoiceShipment(models.Model):
    """The link that bills a shipment: unique per shipment, so a shipment is invoiced at most once."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="shipment_links")
    shipment = models.OneToOneField("orders.Shipment", on_delete=models.PROTECT, related_name="invoice_link")

    class Meta:
        verbose_name = _("invoiced shipment")
        verbose_name_plural = _("invoiced shipments")

    def __str__(self) -> str:
        return f"{self.invoice_id}:{self.shipment_id}"


class InvoiceLine(models.Model):
    """A line as printed, copied from the shipment line (the rate it was sold at included)."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(_("line"))
    shipment_line = models.ForeignKey("orders.ShipmentLine", on_delete=models.PROTECT, null=True, related_name="+")
    delivery_note_number = models.CharField(_("delivery note"), max_length=40, blank=True)
    shipped_on = models.DateField(_("shipped on"), null=True, validators=[business_date])
    product = models.ForeignKey("inventory.Product", on_delete=models.PROTECT, null=True, related_name="+")
    sku = models.CharField(_("SKU"), max_length=40, blank=True)
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit = models.CharField(_("unit"), max_length=10, blank=True)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    tax_rate = models.PositiveSmallIntegerField(_("tax rate (%)"))
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_position_unique"),
            models.CheckConstraint(condition=Q(tax_rate__in=[0, 8, 10]), name="invoice_line_tax_rate_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.description} × {self.quantity}"


class PaymentMethod(models.TextChoices):
    TRANSFER = "transfer", _("bank transfer (振込)")
    CASH = "cash", _("cash")
    NOTE = "note", _("promissory note (手形)")
    OFFSET = "offset", _("offset (相殺)")


class Payment(models.Model):
    """Money received (入金). `amount` is what arrived; `bank_fee` what the customer deducted
    as the transfer fee (振込手数料), which settles invoices like money when matched."""

    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.PROTECT, related_name="payments", verbose_name=_("customer")
    )
    received_on = models.DateField(_("received on"), db_index=True, validators=[business_date])
    amount = models.DecimalField(_("amount"), **MONEY)
    bank_fee = models.DecimalField(_("bank fee"), default=0, **MONEY)
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.TRANSFER)
    payer_name = models.CharField(_("payer name (kana)"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    allocated_amount = models.DecimalField(_("settled amount"), default=0, **MONEY)
    allocated_fee = models.DecimalField(_("fee allocated"), default=0, **MONEY)
    # The consolidated invoice that reported this payment as ご入金額 (null until one does).
    reported_on = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")
        ordering = ["-received_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(condition=Q(bank_fee__gte=0, bank_fee__lte=F("amount")), name="payment_fee_range"),
            models.CheckConstraint(
                condition=Q(allocated_amount__gte=0, allocated_amount__lte=F("amount")), name="payment_allocated_range"
            ),
            models.CheckConstraint(
                condition=Q(allocated_fee__gte=0, allocated_fee__lte=F("bank_fee")), name="payment_fee_allocated_range"
            ),
        ]
        indexes = [
            # Money not yet matched to an invoice (customer credit): a handful among every
            # payment ever received, which the aging and each invoice's credit check look for.
            models.Index(
                fields=["customer"], condition=Q(allocated_amount__lt=F("amount")), name="payment_unmatched_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.received_on:%Y-%m-%d} {self.customer_id} ¥{self.amount:,}"

    @property
    def unallocated_amount(self):
        """Customer credit: money received and not yet matched to an invoice."""
        return self.amount - self.allocated_amount


class CreditNote(models.Model):
    """返品・値引: a qualified return invoice (適格返還請求書) against one invoice."""

    class Kind(models.TextChoices):
        RETURN = "return", _("return (返品)")
        PRICE_REDUCTION = "price_reduction", _("price reduction (値引)")

    number = models.CharField(_("number"), max_length=40, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    customer = models.ForeignKey("orders.Customer", on_delete=models.PROTECT, related_name="credit_notes")
    issue_date = models.DateField(_("issue date"), db_index=True, validators=[business_date])
    reason = models.CharField(_("reason"), max_length=200)
    warehouse = models.ForeignKey(
        "inventory.Warehouse", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subtotal = models.DecimalField(_("subtotal"), **MONEY)
    tax_total = models.DecimalField(_("tax"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)
    tax_breakdown = models.JSONField(_("tax breakdown"), default=list, blank=True)
    # How much of `total` settled the original invoice; the rest is customer credit.
    allocated_amount = models.DecimalField(_("settled amount"), default=0, **MONEY)
    reported_on = models.ForeignKey(Invoice, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    document = models.ForeignKey("documents.IssuedDocument", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("credit note")
        verbose_name_plural = _("credit notes")
        ordering = ["-issue_date", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="credit_note_total_positive"),
            models.CheckConstraint(
                condition=Q(allocated_amount__gte=0, allocated_amount__lte=F("total")),
                name="credit_note_allocated_range",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def unallocated_amount(self):
        return self.total - self.allocated_amount


class CreditNoteLine(models.Model):
    credit_note = models.ForeignKey(CreditNote, on_delete=models.CASCADE, related_name="lines")
    invoice_line = models.ForeignKey(InvoiceLine, on_delete=models.PROTECT, related_name="credit_lines")
    quantity = models.PositiveIntegerField(_("quantity returned"), default=0)
    amount = models.DecimalField(_("amount"), **MONEY)
    tax_rate = models.PositiveSmallIntegerField(_("tax rate (%)"))
    # The amount excluding tax as the credit note states it (tax once per rate per note,
    # shared among its lines: backoffice.money.net_amounts).
    net_amount = models.DecimalField(_("amount excluding tax"), default=0, **MONEY)

    class Meta:
        verbose_name = _("credit note line")
        verbose_name_plural = _("credit note lines")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="credit_note_line_amount_positive"),
            models.CheckConstraint(
                condition=Q(net_amount__gte=0, net_amount__lte=F("amount")), name="credit_note_line_net_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_line_id}: {self.amount}"


class Allocation(models.Model):
    """消込: part of a payment (with the bank fee it carries) or of a credit note settling an invoice."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="allocations")
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations")
    credit_note = models.ForeignKey(
        CreditNote, on_delete=models.PROTECT, null=True, blank=True, related_name="allocations"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    bank_fee = models.DecimalField(_("bank fee"), default=0, **MONEY)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(payment__isnull=False) & Q(credit_note__isnull=True))
                | (Q(payment__isnull=True) & Q(credit_note__isnull=False)),
                name="allocation_one_source",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0, bank_fee__gte=0), name="allocation_non_negative"),
            models.CheckConstraint(condition=Q(amount__gt=0) | Q(bank_fee__gt=0), name="allocation_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} ← {self.amount}+{self.bank_fee}"


class PayerName(models.Model):
    """A name a customer's transfers arrive under (振込依頼人名), normalised; learned on confirm."""

    customer = models.ForeignKey("orders.Customer", on_delete=models.CASCADE, related_name="payer_names")
    name = models.CharField(_("payer name (kana)"), max_length=100, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("payer name")
        verbose_name_plural = _("payer names")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BankCsvLayout(models.Model):
    """How one company bank account's internet-banking CSV export is read: which header
    names the date, the deposit (お預り金額, 入金金額), the withdrawal (お支払金額, 出金金額;
    optional) and the description the payer name is taken from (摘要, 内容), the encoding and
    the date format. One per account, set once by an admin."""

    class Encoding(models.TextChoices):
        CP932 = "cp932", _("Shift_JIS (most bank exports)")
        UTF8 = "utf-8", _("UTF-8")

    class DateFormat(models.TextChoices):
        WESTERN = "western", _("Western year (2026/11/30, 2026-11-30, 20261130, 2026年11月30日)")
        WAREKI = "wareki", _("Japanese era (R8.11.30, R08/11/30, 令和8年11月30日)")

    bank_account = models.OneToOneField(
        "backoffice.BankAccount", on_delete=models.CASCADE, related_name="csv_layout", verbose_name=_("bank account")
    )
    date_column = models.CharField(_("date column"), max_length=60, help_text=_("e.g. 日付, 取引日"))
    deposit_column = models.CharField(
        _("deposit amount column"), max_length=60, help_text=_("e.g. お預り金額, 入金金額")
    )
    withdrawal_column = models.CharField(
        _("withdrawal amount column"),
        max_length=60,
        blank=True,
        help_text=_("e.g. お支払金額, 出金金額; rows with only a withdrawal are skipped."),
    )
    description_column = models.CharField(
        _("payer / description column"),
        max_length=60,
        help_text=_("e.g. 摘要, 内容, 振込依頼人名; a leading 振込 or ﾌﾘｺﾐ is removed."),
    )
    encoding = models.CharField(_("encoding"), max_length=10, choices=Encoding.choices, default=Encoding.CP932)
    date_format = models.CharField(
        _("date format"), max_length=10, choices=DateFormat.choices, default=DateFormat.WESTERN
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("bank CSV layout")
        verbose_name_plural = _("bank CSV layouts")
        constraints = [
            models.CheckConstraint(condition=Q(encoding__in=["cp932", "utf-8"]), name="bank_csv_layout_encoding"),
            models.CheckConstraint(
                condition=Q(date_format__in=["western", "wareki"]), name="bank_csv_layout_date_format"
            ),
        ]

    def __str__(self) -> str:
        return str(self.bank_account)

    @property
    def columns(self) -> list[str]:
        return [
            name
            for name in (self.date_column, self.deposit_column, self.withdrawal_column, self.description_column)
            if name
        ]


class BankStatementImport(models.Model):
    class FileFormat(models.TextChoices):
        CSV = "csv", _("CSV (date, amount, payer_name)")
        CSV_LAYOUT = "csv_layout", _("bank CSV (the account's layout)")
        ZENGIN_03 = "zengin_03", _("全銀 入出金取引明細")
        ZENGIN_01 = "zengin_01", _("全銀 振込入金通知")

    file_name = models.CharField(_("file name"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    imported_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    file_format = models.CharField(_("file format"), max_length=12, choices=FileFormat.choices, default=FileFormat.CSV)
    bank_account = models.ForeignKey(
        "backoffice.BankAccount",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bank account"),
    )
    withdrawals_skipped = models.PositiveIntegerField(_("withdrawals skipped"), default=0)
    withdrawals_total = models.DecimalField(_("withdrawals skipped (total)"), default=0, **MONEY)
    cancellations_skipped = models.PositiveIntegerField(_("cancelled notices skipped"), default=0)

    class Meta:
        verbose_name = _("bank statement import")
        verbose_name_plural = _("bank statement imports")
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.file_name or self.sha256[:12]}"


class BankStatementLine(models.Model):
    class Status(models.TextChoices):
        MATCHED = "matched", _("matched automatically")
        UNMATCHED = "unmatched", _("to review")
        CONFIRMED = "confirmed", _("confirmed by an admin")
        IGNORED = "ignored", _("ignored")

    # Imported matched or unmatched; an admin confirms or ignores an unmatched one, and may
    # still confirm one ignored.
    TRANSITIONS = {
        Status.MATCHED: set(),
        Status.UNMATCHED: {Status.CONFIRMED, Status.IGNORED},
        Status.CONFIRMED: set(),
        Status.IGNORED: {Status.CONFIRMED},
    }

    statement = models.ForeignKey(BankStatementImport, on_delete=models.PROTECT, related_name="lines")
    row_number = models.PositiveIntegerField(_("row"))
    transaction_date = models.DateField(_("date"), validators=[business_date])
    amount = models.DecimalField(_("amount"), **MONEY)
    payer_name = models.CharField(_("payer name (kana)"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, db_index=True)
    customer = models.ForeignKey("orders.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    payment = models.OneToOneField(Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="bank_line")

    class Meta:
        verbose_name = _("bank statement line")
        verbose_name_plural = _("bank statement lines")
        ordering = ["statement", "row_number"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "row_number"], name="bank_line_row_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="bank_line_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.transaction_date or ''} {self.payer_name} ¥{self.amount or 0:,}"


class JournalMapping(models.Model):
    """What the accounting export writes for one of its accounts or tax categories, in one
    layout or in all of them ("": every layout). A row overrides the built-in default
    (billing.journal.DEFAULTS); the admin changes the chart of accounts here, once."""

    class Layout(models.TextChoices):
        ALL = "", _("every layout")
        GENERIC = "generic", _("generic")
        YAYOI = "yayoi", _("Yayoi Kaikei")
        FREEE = "freee", _("freee")
        MF = "mf", _("Money Forward Cloud")

    layout = models.CharField(_("layout"), max_length=10, choices=Layout.choices, blank=True, default="")
    key = models.CharField(_("item"), max_length=30)
    value = models.CharField(_("written as"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("accounting export mapping")
        verbose_name_plural = _("accounting export mappings")
        ordering = ["key", "layout"]
        constraints = [models.UniqueConstraint(fields=["layout", "key"], name="journal_mapping_unique")]

    def __str__(self) -> str:
        return f"{self.key} → {self.value}"

    def clean(self) -> None:
        from .journal import DEFAULTS, SUB_ACCOUNT_CHOICES

        if self.key not in DEFAULTS:
            raise ValidationError({"key": _("Unknown item: choose one of %(keys)s.") % {"keys": ", ".join(DEFAULTS)}})
        if self.key == "sub_account" and self.value not in SUB_ACCOUNT_CHOICES:
            raise ValidationError({"value": _("Write name, code or none.")})
        if self.key.startswith("account.") and not self.value.strip():
            raise ValidationError({"value": _("An account needs a name.")})
