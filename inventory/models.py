from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from backoffice.kana import KanaKeyField
from backoffice.models import kana_validator, phone_validator, postal_code_validator
from backoffice.money import TaxCategory, tax_rate_for
from backoffice.registration import validate_registration_number
from backoffice.validators import business_date


class Supplier(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_kana = models.CharField(_("name (kana)"), max_length=200, blank=True, validators=[kana_validator])
    name_kana_key = KanaKeyField(_("name (kana) search key"))
    registration_number = models.CharField(
        _("registration number"), max_length=14, blank=True, validators=[validate_registration_number]
    )
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (business days)"), default=5)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True, validators=[postal_code_validator])
    address = models.CharField(_("address"), max_length=300, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Warehouse(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_default = models.BooleanField(_("default"), default=False)
    address = models.CharField(_("address"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["-is_default", "code"]
        constraints = [
            models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True), name="one_default_warehouse")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_kana = models.CharField(_("name (kana)"), max_length=200, blank=True, validators=[kana_validator])
    name_kana_key = KanaKeyField(_("name (kana) search key"))
    spec = models.CharField(_("specification"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=60, blank=True, db_index=True)
    unit = models.CharField(_("unit"), max_length=10, default="個")
    list_price = models.DecimalField(
        _("list price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)]
    )
    cost = models.DecimalField(_("cost"), max_digits=14, decimal_places=2, default=0, validators=[MinValueValidator(0)])
    tax_category = models.CharField(
        _("tax category"), max_length=10, choices=TaxCategory.choices, default=TaxCategory.STANDARD
    )
    track_stock = models.BooleanField(
        _("track stock"), default=True, help_text=_("Off for services (送料, 作業費): never allocated or moved.")
    )
    reorder_point = models.PositiveIntegerField(_("reorder point"), default=0)
    reorder_quantity = models.PositiveIntegerField(_("reorder quantity"), default=0)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (business days)"), null=True, blank=True)
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, null=True, blank=True, related_name="products", verbose_name=_("supplier")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(condition=Q(list_price__gte=0), name="product_list_price_non_negative"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="product_cost_non_negative"),
            models.CheckConstraint(condition=Q(tax_category__in=TaxCategory.values), name="product_tax_category_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def tax_rate(self) -> int:
        return tax_rate_for(self.tax_category)

    @property
    def effective_lead_time_days(self) -> int:
        if self.lead_time_days is not None:
            return self.lead_time_days
        return self.supplier.lead_time_days if self.supplier_id else 0


class StockLevel(models.Model):
    """How many units of a product a warehouse holds, and how many of those are promised.

    Changed only by inventory.services, always with a StockMove for every change of
    `on_hand` in the same transaction. The constraints are the guarantee that no code
    path can oversell: allocated never exceeds on hand."""

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="stock_levels", verbose_name=_("product")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stock_levels", verbose_name=_("warehouse")
    )
    on_hand = models.IntegerField(_("on hand"), default=0)
    allocated = models.IntegerField(_("allocated"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        ordering = ["product_id", "warehouse_id"]
        constraints = [
            models.UniqueConstraint(fields=["product", "warehouse"], name="stock_level_product_warehouse_unique"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_level_on_hand_non_negative"),
            models.CheckConstraint(condition=Q(allocated__gte=0), name="stock_level_allocated_non_negative"),
            models.CheckConstraint(condition=Q(allocated__lte=F("on_hand")), name="stock_level_allocated_le_on_hand"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id}@{self.warehouse_id}: {self.on_hand} ({self.allocated})"

    @property
    def available(self) -> int:
        return self.on_hand - self.allocated


class StockMoveKind(models.TextChoices):
    RECEIPT = "receipt", _("receipt")
    SHIPMENT = "shipment", _("shipment")
    ADJUSTMENT = "adjustment", _("adjustment")
    STOCK_TAKE = "stock_take", _("stock take")
    RETURN = "return", _("return")
    TRANSFER = "transfer", _("transfer")


class StockMove(models.Model):
    """The stock ledger: one row per change of on-hand, never changed or deleted.

    For every product and warehouse, the sum of `quantity` equals StockLevel.on_hand
    (`manage.py check_stock_ledger` proves it)."""

    Kind = StockMoveKind

    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="stock_moves", verbose_name=_("product")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="stock_moves", verbose_name=_("warehouse")
    )
    quantity = models.IntegerField(_("quantity"), help_text=_("Positive into the warehouse, negative out of it."))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    reference = models.CharField(_("reference"), max_length=100, db_index=True, help_text=_("What caused the move."))
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("stock move")
        verbose_name_plural = _("stock moves")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["product", "warehouse"], name="stock_move_product_wh_idx")]
        constraints = [
            models.CheckConstraint(condition=~Q(quantity=0), name="stock_move_quantity_not_zero"),
            models.CheckConstraint(condition=Q(kind__in=StockMoveKind.values), name="stock_move_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity:+d} {self.reference}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError("stock moves are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("stock moves are append-only")


class StockDemandStatus(models.TextChoices):
    OPEN = "open", _("outstanding")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class StockDemand(models.Model):
    """Something outside inventory that wants stock: an order line, most often.

    Inventory knows only the `reference` ("orders.OrderLine:123"), the `label` that
    names it for people in messages and lists (given by whoever creates the demand), the priority in
    which waiting demands are served (`priority_date`, then `priority_number`, then
    creation), and the quantities: wanted, allocated now, shipped so far. What is
    neither allocated nor shipped is backordered while the demand is open."""

    Status = StockDemandStatus

    reference = models.CharField(_("reference"), max_length=100)
    label = models.CharField(
        _("demanded by"),
        max_length=200,
        blank=True,
        help_text=_("What people call what asks for the stock (受注 SO-2026-000007 の 2 行目); empty: the reference."),
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="demands", verbose_name=_("product"))
    priority_date = models.DateField(
        _("priority date"), help_text=_("The order date: older demands are served first."), validators=[business_date]
    )
    priority_number = models.CharField(
        _("priority number"), max_length=40, blank=True, help_text=_("The order number: breaks ties on the same date.")
    )
    quantity = models.PositiveIntegerField(_("quantity wanted"))
    allocated = models.PositiveIntegerField(_("allocated"), default=0)
    shipped = models.PositiveIntegerField(_("shipped"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)

    # Done when all of it has shipped (or the quantity is lowered to what has); cancelled
    # when its order line is. Both are final: a new demand may reuse a cancelled reference.
    TRANSITIONS = {
        Status.OPEN: {Status.DONE, Status.CANCELLED},
        Status.DONE: set(),
        Status.CANCELLED: set(),
    }
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stock demand")
        verbose_name_plural = _("stock demands")
        ordering = ["priority_date", "priority_number", "pk"]
        indexes = [
            models.Index(
                fields=["product", "priority_date", "priority_number", "id"],
                condition=Q(status="open"),
                name="stock_demand_open_queue_idx",
            ),
            models.Index(fields=["reference"], name="stock_demand_reference_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["reference"], condition=~Q(status="cancelled"), name="stock_demand_reference_unique_live"
            ),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="stock_demand_quantity_positive"),
            models.CheckConstraint(
                condition=Q(allocated__lte=F("quantity") - F("shipped")), name="stock_demand_allocated_within_wanted"
            ),
            models.CheckConstraint(condition=Q(shipped__lte=F("quantity")), name="stock_demand_shipped_within_wanted"),
            models.CheckConstraint(condition=Q(status__in=StockDemandStatus.values), name="stock_demand_status_valid"),
            models.CheckConstraint(
                condition=Q(status="open") | Q(allocated=0), name="stock_demand_closed_holds_nothing"
            ),
        ]

    def __str__(self) -> str:
        return self.label or self.reference

    @property
    def backordered(self) -> int:
        """Wanted but neither allocated nor shipped (0 once the demand is closed)."""
        if self.status != self.Status.OPEN:
            return 0
        return self.quantity - self.allocated - self.shipped


class StockAllocation(models.Model):
    """The part of a demand's allocation held in one warehouse."""

    demand = models.ForeignKey(
        StockDemand, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("demand")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("warehouse")
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=0)

    class Meta:
        verbose_name = _("stock allocation")
        verbose_name_plural = _("stock allocations")
        ordering = ["demand_id", "warehouse_id"]
        constraints = [
            models.UniqueConstraint(fields=["demand", "warehouse"], name="stock_allocation_demand_warehouse_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.demand_id}@{self.warehouse_id}: {self.quantity}"


class PurchaseOrderStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    ISSUED = "issued", _("issued")
    PARTIALLY_RECEIVED = "partially_received", _("partially received")
    RECEIVED = "received", _("received")
    CANCELLED = "cancelled", _("cancelled")


class PurchaseOrder(models.Model):
    """発注: what we buy from a supplier, received into one warehouse."""

    Status = PurchaseOrderStatus

    number = models.CharField(_("number"), max_length=30, blank=True)
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("supplier")
    )
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, related_name="purchase_orders", verbose_name=_("receiving warehouse")
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)

    TRANSITIONS = {
        Status.DRAFT: {Status.ISSUED, Status.CANCELLED},
        Status.ISSUED: {Status.PARTIALLY_RECEIVED, Status.RECEIVED, Status.CANCELLED},
        Status.PARTIALLY_RECEIVED: {Status.RECEIVED, Status.CANCELLED},
        Status.RECEIVED: set(),
        Status.CANCELLED: set(),
    }
    order_date = models.DateField(
        _("PO date"), null=True, blank=True, help_text=_("Set when issued."), validators=[business_date]
    )
    expected_date = models.DateField(_("expected date"), validators=[business_date])
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    document = models.ForeignKey(
        "documents.IssuedDocument",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("purchase order document"),
    )

    class Meta:
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="purchase_order_number_unique"),
            models.CheckConstraint(
                condition=Q(status__in=PurchaseOrderStatus.values), name="purchase_order_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(status="cancelled", number="") | ~Q(number=""),
                name="purchase_order_issued_has_number",
            ),
        ]

    def __str__(self) -> str:
        return self.number or gettext("draft purchase order #%(pk)s") % {"pk": self.pk}


class PurchaseOrderLine(models.Model):
    purchase_order = models.ForeignKey(
        PurchaseOrder, on_delete=models.CASCADE, related_name="lines", verbose_name=_("purchase order")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, related_name="purchase_order_lines", verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(
        _("quantity"), validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    received_quantity = models.PositiveIntegerField(_("received quantity"), default=0)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=14, decimal_places=2, validators=[MinValueValidator(0)])
    expected_date = models.DateField(
        _("expected date"), blank=True, help_text=_("Empty: the order's expected date."), validators=[business_date]
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")
        ordering = ["purchase_order_id", "position", "pk"]
        indexes = [models.Index(fields=["product", "expected_date"], name="po_line_product_expected_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="po_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="po_line_unit_cost_non_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} × {self.quantity}"

    def clean(self) -> None:
        if self.product_id and not self.product.track_stock:
            raise ValidationError({"product": _("This product does not track stock; it cannot be purchased here.")})

    @property
    def outstanding_quantity(self) -> int:
        return max(self.quantity - self.received_quantity, 0)
