from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backoffice.models import kana_validator, phone_validator, postal_code_validator
from backoffice.money import TaxCategory, tax_rate_for
from backoffice.registration import validate_registration_number


class Supplier(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_kana = models.CharField(_("name (kana)"), max_length=200, blank=True, validators=[kana_validator])
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
