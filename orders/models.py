from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backoffice.models import kana_validator, phone_validator, postal_code_validator
from backoffice.money import TaxMode

CLOSING_DAYS = [*range(1, 29), 31]


def validate_month_day(value: int) -> None:
    from django.core.exceptions import ValidationError

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
    receives_documents = models.BooleanField(_("receives documents by e-mail"), default=False)

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
