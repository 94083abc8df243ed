from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backoffice.kana import KanaKeyField
from backoffice.models import kana_validator, phone_validator, postal_code_validator
from backoffice.money import TaxMode
from backoffice.registration import validate_peppol_id, validate_registration_number
from backoffice.validators import business_date

CLOSING_DAYS = [*range(1, 29), 31]


def validate_month_day(value: int) -> None:
    if value not in CLOSING_DAYS:
        raise ValidationError(_("Enter a day from 1 to 28, or 31 for the end of the month."), code="invalid_day")


class Customer(models.Model):
    class Honorific(models.TextChoices):
        ONCHU = "御中", _("御中 (company or department)")
        SAMA = "様", _("様 (person)")

    class InvoiceMode(models.TextChoices):
        PER_SHIPMENT = "per_shipment", _("per shipment")
        CONSOLIDATED = "consolidated", _("consolidated at closing (締め請求)")

    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_kana = models.CharField(_("name (kana)"), max_length=200, blank=True, validators=[kana_validator])
    name_kana_key = KanaKeyField(_("name (kana) search key"))
    honorific = models.CharField(_("honorific"), max_length=2, choices=Honorific.choices, default=Honorific.ONCHU)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True, validators=[postal_code_validator])
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    fax = models.CharField(_("fax"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    sales_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("sales rep"),
    )
    closing_day = models.PositiveSmallIntegerField(
        _("closing day"),
        default=31,
        validators=[validate_month_day],
        help_text=_("1-28, or 31 for month end (末締め)."),
    )
    payment_month_offset = models.PositiveSmallIntegerField(
        _("payment month offset"),
        default=1,
        validators=[MaxValueValidator(3)],
        help_text=_("0 = same month, 1 = next month (翌月), 2 = the month after (翌々月)."),
    )
    payment_day = models.PositiveSmallIntegerField(
        _("payment day"), default=31, validators=[validate_month_day], help_text=_("1-28, or 31 for month end.")
    )
    tax_mode = models.CharField(_("tax mode"), max_length=10, choices=TaxMode.choices, default=TaxMode.EXCLUSIVE)
    invoice_mode = models.CharField(
        _("invoice mode"), max_length=15, choices=InvoiceMode.choices, default=InvoiceMode.CONSOLIDATED
    )
    credit_limit = models.DecimalField(
        _("credit limit"),
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("Empty means no limit."),
    )
    price_rate = models.DecimalField(
        _("price rate (掛率)"),
        max_digits=5,
        decimal_places=4,
        default=1,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=_("Multiplier on the list price, e.g. 0.85."),
    )
    signs_receipt = models.BooleanField(
        _("signs a receipt on delivery (受領書)"),
        default=False,
        help_text=_("The delivery note carries a 受領書 page with a 受領印 box for the customer to sign and return."),
    )
    registration_number = models.CharField(
        _("registration number (適格請求書発行事業者)"),
        max_length=14,
        blank=True,
        validators=[validate_registration_number],
        help_text=_("T followed by 13 digits, if the customer is a registered issuer."),
    )
    peppol_id = models.CharField(
        _("Peppol ID"),
        max_length=40,
        blank=True,
        validators=[validate_peppol_id],
        help_text=_(
            "Where the customer receives e-invoices: 0188:<corporate number> or 0221:<registration number>. "
            "Blank: its registration number, if any."
        ),
    )
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closing_day__gte=1, closing_day__lte=28) | Q(closing_day=31), name="customer_closing_day"
            ),
            models.CheckConstraint(
                condition=Q(payment_day__gte=1, payment_day__lte=28) | Q(payment_day=31), name="customer_payment_day"
            ),
            models.CheckConstraint(condition=Q(payment_month_offset__lte=3), name="customer_payment_offset"),
            models.CheckConstraint(condition=Q(credit_limit__gte=0), name="customer_credit_limit_non_negative"),
            models.CheckConstraint(condition=Q(price_rate__gte=0), name="customer_price_rate_non_negative"),
            models.CheckConstraint(condition=Q(tax_mode__in=TaxMode.values), name="customer_tax_mode_valid"),
        ]

    # The terms of trade, as the admin and the API group them.
    TERMS_FIELDS = (
        "closing_day",
        "payment_month_offset",
        "payment_day",
        "tax_mode",
        "invoice_mode",
        "credit_limit",
        "price_rate",
        "signs_receipt",
    )

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def addressee(self) -> str:
        """The name as printed on documents: 「株式会社○○ 御中」."""
        return f"{self.name} {self.honorific}"


class ShipToAddress(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="ship_to_addresses")
    name = models.CharField(_("name"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True, validators=[postal_code_validator])
    address = models.CharField(_("address"), max_length=300)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        verbose_name = _("ship-to address")
        verbose_name_plural = _("ship-to addresses")
        ordering = ["-is_default", "pk"]

    def __str__(self) -> str:
        return f"{self.name} {self.address}"


class ContactPerson(models.Model):
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=100)
    name_kana = models.CharField(_("name (kana)"), max_length=100, blank=True, validators=[kana_validator])
    department = models.CharField(_("department"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    receives_documents = models.BooleanField(_("receives invoices and documents by e-mail"), default=False)

    class Meta:
        verbose_name = _("contact person")
        verbose_name_plural = _("contact people")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.department} {self.name}".strip()


class CustomerPrice(models.Model):
    """A customer-specific unit price (得意先別単価), winning over list price x price rate."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="prices", verbose_name=_("customer"))
    product = models.ForeignKey(
        "inventory.Product", on_delete=models.CASCADE, related_name="customer_prices", verbose_name=_("product")
    )
    unit_price = models.DecimalField(
        _("unit price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )

    class Meta:
        verbose_name = _("customer price")
        verbose_name_plural = _("customer prices")
        constraints = [
            models.UniqueConstraint(fields=["customer", "product"], name="customer_price_unique"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="customer_price_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.customer_id}/{self.product_id}: {self.unit_price}"


# ---------------------------------------------------------------------------
# The sales flow: inquiries, quotes, orders, shipments
# ---------------------------------------------------------------------------

MAX_LINES = 500


class DocumentTotals(models.Model):
    """Totals kept on a quote, order or shipment, recomputed by its services from the
    lines with backoffice.money.compute_totals (tax once per rate)."""

    subtotal = models.DecimalField(_("subtotal"), max_digits=14, decimal_places=0, default=0)
    tax_total = models.DecimalField(_("tax"), max_digits=14, decimal_places=0, default=0)
    total = models.DecimalField(_("total"), max_digits=14, decimal_places=0, default=0)
    tax_breakdown = models.JSONField(_("tax breakdown"), default=list, blank=True)

    class Meta:
        abstract = True


class Inquiry(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", _("phone call")
        EMAIL = "email", _("e-mail")
        FAX = "fax", _("fax")
        WEB = "web", _("web")

    class Category(models.TextChoices):
        STOCK = "stock", _("stock")
        DELIVERY_DATE = "delivery_date", _("delivery date")
        QUOTE_REQUEST = "quote_request", _("quote request")
        ORDER = "order", _("order")
        COMPLAINT = "complaint", _("complaint")
        OTHER = "other", _("other")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        HANDED_OFF = "handed_off", _("handed off")
        RESOLVED = "resolved", _("resolved")

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, null=True, blank=True, related_name="inquiries", verbose_name=_("customer")
    )
    caller_name = models.CharField(_("caller (prospect)"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact name"), max_length=100, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices, default=Channel.PHONE)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"), blank=True, max_length=10_000)
    category = models.CharField(_("inquiry category"), max_length=20, choices=Category.choices, default=Category.OTHER)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)

    # Assigning a rep hands an open inquiry off (handing it on again is no move); resolved is final.
    TRANSITIONS = {
        Status.OPEN: {Status.HANDED_OFF, Status.RESOLVED},
        Status.HANDED_OFF: {Status.RESOLVED},
        Status.RESOLVED: set(),
    }
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("received by")
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_inquiries",
        verbose_name=_("assigned to"),
    )
    related_quote = models.ForeignKey(
        "Quote", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("quote")
    )
    related_order = models.ForeignKey(
        "Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("order")
    )
    resolution = models.TextField(_("resolution"), blank=True, max_length=5000)
    received_at = models.DateTimeField(_("received at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering = ["-received_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False) | ~Q(caller_name=""), name="inquiry_customer_or_caller"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.customer or self.caller_name})"


class Quote(DocumentTotals):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PENDING_APPROVAL = "pending_approval", _("pending approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        ISSUED = "issued", _("issued")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        EXPIRED = "expired", _("expired")
        SUPERSEDED = "superseded", _("superseded")

    number = models.CharField(_("number"), max_length=40, blank=True, db_index=True)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="quotes", verbose_name=_("customer"))
    subject = models.CharField(_("subject"), max_length=200)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)

    # The allowed status moves (backoffice.status checks every change against them).
    TRANSITIONS = {
        Status.DRAFT: {Status.PENDING_APPROVAL, Status.APPROVED},
        Status.REJECTED: {Status.DRAFT},
        Status.PENDING_APPROVAL: {Status.APPROVED, Status.REJECTED, Status.DRAFT},
        Status.APPROVED: {Status.ISSUED, Status.DRAFT},
        Status.ISSUED: {Status.ACCEPTED, Status.DECLINED, Status.EXPIRED, Status.SUPERSEDED},
        Status.ACCEPTED: set(),
        Status.DECLINED: set(),
        Status.EXPIRED: set(),
        Status.SUPERSEDED: set(),
    }
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    desired_delivery = models.CharField(_("delivery (納期)"), max_length=100, blank=True)
    delivery_place = models.CharField(_("delivery place"), max_length=200, blank=True)
    payment_terms = models.CharField(_("payment terms"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    validity_days = models.PositiveSmallIntegerField(_("valid for (days)"), default=30)
    issue_date = models.DateField(_("issue date"), null=True, blank=True, validators=[business_date])
    valid_until = models.DateField(_("valid until"), null=True, blank=True, db_index=True, validators=[business_date])
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approval_comment = models.TextField(_("approval comment"), blank=True, max_length=2000)
    approval_reasons = models.JSONField(_("why approval is needed"), default=list, blank=True)
    supersedes = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="superseded_by"
    )
    document = models.ForeignKey(
        "documents.IssuedDocument", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    inquiry = models.ForeignKey(Inquiry, on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes")
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("quote")
        verbose_name_plural = _("quotes")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["number", "revision"], condition=~Q(number=""), name="quote_number_revision_unique"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "pending_approval", "approved", "rejected"]) | ~Q(number=""),
                name="issued_quote_has_number",
            ),
        ]

    def __str__(self) -> str:
        return self.display_number or f"見積依頼 #{self.pk}"

    @property
    def display_number(self) -> str:
        if not self.number:
            return ""
        return self.number if self.revision == 1 else f"{self.number}-{self.revision}"


class SalesLine(models.Model):
    """A priced line of a quote or an order: a product with a quantity, or free text.
    The tax rate is stored when the line is written, so a later rate change never
    alters an issued document."""

    position = models.PositiveSmallIntegerField(_("line"))
    product = models.ForeignKey(
        "inventory.Product",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("product"),
    )
    description = models.CharField(_("description"), max_length=200)
    quantity = models.PositiveIntegerField(_("quantity"))
    # No defaults for unit and tax rate: a line takes them from its product (the services
    # fill them), so no form may offer a 個 / 10% that was never the product's.
    unit = models.CharField(_("unit"), max_length=10)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    discount_rate = models.DecimalField(_("discount rate (%)"), max_digits=5, decimal_places=2, default=0)
    tax_rate = models.PositiveSmallIntegerField(_("tax rate (%)"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=0, default=0)

    class Meta:
        abstract = True
        ordering = ["position"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="%(class)s_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="%(class)s_price_non_negative"),
            models.CheckConstraint(
                condition=Q(discount_rate__gte=0, discount_rate__lte=100), name="%(class)s_discount_range"
            ),
            models.CheckConstraint(condition=Q(tax_rate__in=[0, 8, 10]), name="%(class)s_tax_rate_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.description} × {self.quantity}"


class QuoteLine(SalesLine):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    # A quote request may leave prices to the admin.
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta(SalesLine.Meta):
        verbose_name = _("quote line")
        verbose_name_plural = _("quote lines")
        constraints = [
            *SalesLine.Meta.constraints,
            models.UniqueConstraint(fields=["quote", "position"], name="quote_line_position_unique"),
        ]


class Order(DocumentTotals):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ON_HOLD = "on_hold", _("on hold (credit)")
        CONFIRMED = "confirmed", _("confirmed")
        PARTIALLY_SHIPPED = "partially_shipped", _("partially shipped")
        SHIPPED = "shipped", _("shipped")
        INVOICED = "invoiced", _("invoiced")
        CANCELLED = "cancelled", _("cancelled")

    number = models.CharField(_("number"), max_length=40, blank=True, db_index=True)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer"))
    customer_po_number = models.CharField(_("customer PO number"), max_length=60, blank=True, db_index=True)
    quote = models.OneToOneField(
        Quote, on_delete=models.PROTECT, null=True, blank=True, related_name="order", verbose_name=_("quote")
    )
    order_date = models.DateField(_("order date"), db_index=True, validators=[business_date])
    requested_date = models.DateField(_("requested delivery date"), null=True, blank=True, validators=[business_date])
    ship_to = models.ForeignKey(
        ShipToAddress, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("ship to")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)

    TRANSITIONS = {
        Status.DRAFT: {Status.CONFIRMED, Status.ON_HOLD, Status.CANCELLED},
        Status.ON_HOLD: {Status.CONFIRMED, Status.CANCELLED},
        Status.CONFIRMED: {Status.PARTIALLY_SHIPPED, Status.SHIPPED, Status.CANCELLED},
        Status.PARTIALLY_SHIPPED: {Status.SHIPPED},
        Status.SHIPPED: {Status.INVOICED},
        # An invoice cancelled by mistake gives its order back to billing.
        Status.INVOICED: {Status.SHIPPED},
        Status.CANCELLED: set(),
    }
    hold_reason = models.TextField(_("hold reason"), blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("entered by")
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmation_document = models.ForeignKey(
        "documents.IssuedDocument", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-order_date", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="order_number_unique"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "cancelled"]) | ~Q(number=""), name="confirmed_order_has_number"
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"受注入力中 #{self.pk}"


class OrderLine(SalesLine):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    sku = models.CharField(_("SKU"), max_length=40, blank=True)
    tracks_stock = models.BooleanField(_("tracks stock"), default=True)
    shipped_quantity = models.PositiveIntegerField(_("shipped"), default=0)
    cancelled = models.BooleanField(_("cancelled"), default=False)

    class Meta(SalesLine.Meta):
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        constraints = [
            *SalesLine.Meta.constraints,
            models.UniqueConstraint(fields=["order", "position"], name="order_line_position_unique"),
            models.CheckConstraint(
                condition=Q(shipped_quantity__lte=models.F("quantity")), name="order_line_shipped_not_above_ordered"
            ),
        ]

    @property
    def demand_reference(self) -> str:
        return f"orders.OrderLine:{self.pk}"


class Shipment(DocumentTotals):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SHIPPED = "shipped", _("shipped")
        CANCELLED = "cancelled", _("cancelled")

    number = models.CharField(_("number"), max_length=40, blank=True, db_index=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="shipments", verbose_name=_("order"))
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="shipments", verbose_name=_("customer")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)

    TRANSITIONS = {
        Status.DRAFT: {Status.SHIPPED, Status.CANCELLED},
        Status.SHIPPED: set(),
        Status.CANCELLED: set(),
    }
    shipped_on = models.DateField(_("shipped on"), null=True, blank=True, db_index=True, validators=[business_date])
    delivery_note = models.ForeignKey(
        "documents.IssuedDocument", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    invoiced = models.BooleanField(_("invoiced"), default=False, db_index=True)
    # Facts of the sale as they stood when it shipped, for reports: the customer's rep
    # and tax mode may change later without moving past sales.
    sales_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sales rep"),
    )
    tax_mode = models.CharField(_("tax mode"), max_length=10, choices=TaxMode.choices, db_default=TaxMode.EXCLUSIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    shipped_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="shipment_number_unique"),
            models.CheckConstraint(
                condition=~Q(status="shipped") | (Q(shipped_on__isnull=False) & ~Q(number="")),
                name="shipped_shipment_has_date_and_number",
            ),
        ]
        indexes = [models.Index(fields=["customer", "invoiced", "shipped_on"], name="shipment_invoicing_idx")]

    def __str__(self) -> str:
        return self.number or f"出荷準備 #{self.pk}"


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="shipment_lines")
    quantity = models.PositiveIntegerField(_("quantity"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=0, default=0)
    unit_cost = models.DecimalField(_("cost price"), max_digits=14, decimal_places=2, db_default=0)
    # The amount excluding tax as the document that taxes the line states it: the
    # delivery note when it ships, restated by the invoice that bills it. For a
    # tax-inclusive sale the tax is extracted once per rate per document and shared
    # among its lines (backoffice.money.net_amounts), so reports add up to the invoice.
    net_amount = models.DecimalField(_("amount excluding tax"), max_digits=14, decimal_places=0, default=0)

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ["order_line__position"]
        constraints = [
            models.UniqueConstraint(fields=["shipment", "order_line"], name="shipment_line_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(net_amount__gte=0, net_amount__lte=F("amount")), name="shipment_line_net_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order_line} : {self.quantity}"


class OrderSlipPrint(models.Model):
    """One print of an order's 受注伝票 (an internal paper: no number of its own, not
    archived). The second and later prints are marked 再印刷 with their time."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="slip_prints", verbose_name=_("order"))
    printed_at = models.DateTimeField(_("printed at"))
    printed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("printed by")
    )

    class Meta:
        verbose_name = _("order slip print")
        verbose_name_plural = _("order slip prints")
        ordering = ["order_id", "printed_at", "pk"]
        indexes = [models.Index(fields=["order", "printed_at"], name="order_slip_print_idx")]

    def __str__(self) -> str:
        return f"{self.order_id} @ {self.printed_at:%Y-%m-%d %H:%M}"
