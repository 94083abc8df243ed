import json

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken

from .businessdays import HolidayRule
from .money import RoundingMode
from .registration import validate_registration_number

PLACEHOLDER_COMPANY_NAME = "(未設定)"

postal_code_validator = RegexValidator(r"^\d{3}-?\d{4}$", _("Enter a postal code like 100-0001."))
phone_validator = RegexValidator(r"^[0-9+()\- ]{6,20}$", _("Enter a phone number of digits and hyphens."))
kana_validator = RegexValidator(
    r"^[\u30A0-\u30FF\uFF65-\uFF9F\u3000 ()（）.,\-ー0-9A-Z]+$",
    _("Enter the name in katakana (full or half width)."),
)


class CompanyProfile(models.Model):
    """The issuer: one row. A fresh database gets a placeholder that admins complete."""

    name = models.CharField(_("legal name"), max_length=200)
    postal_code = models.CharField(_("postal code"), max_length=8, blank=True, validators=[postal_code_validator])
    address = models.CharField(_("address"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    fax = models.CharField(_("fax"), max_length=20, blank=True, validators=[phone_validator])
    email = models.EmailField(_("e-mail"), blank=True)
    registration_number = models.CharField(
        _("registration number"),
        max_length=14,
        blank=True,
        validators=[validate_registration_number],
        help_text=_("Qualified invoice issuer registration number: T followed by 13 digits."),
    )
    seal_image = models.ImageField(_("seal image"), upload_to="company/", blank=True)
    rounding_mode = models.CharField(
        _("tax rounding mode"), max_length=10, choices=RoundingMode.choices, default=RoundingMode.DOWN
    )
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        _("fiscal year start month"), default=4, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    holiday_rule = models.CharField(
        _("due date holiday rule"), max_length=10, choices=HolidayRule.choices, default=HolidayRule.PREVIOUS
    )
    max_discount_rate = models.DecimalField(
        _("max line discount rate without approval (%)"),
        max_digits=5,
        decimal_places=2,
        default=10,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    max_quote_total = models.DecimalField(
        _("max quote total without approval"),
        max_digits=14,
        decimal_places=0,
        default=5_000_000,
        validators=[MinValueValidator(0)],
    )
    transfer_fee_note = models.CharField(
        _("transfer fee note"), max_length=200, blank=True, default="振込手数料は貴社にてご負担ください。"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("company profile")
        verbose_name_plural = _("company profile")
        constraints = [
            models.CheckConstraint(
                condition=Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="company_fiscal_month_range",
            ),
            models.CheckConstraint(
                condition=Q(max_discount_rate__gte=0, max_discount_rate__lte=100), name="company_discount_range"
            ),
            models.CheckConstraint(condition=Q(rounding_mode__in=RoundingMode.values), name="company_rounding_valid"),
            models.CheckConstraint(condition=Q(holiday_rule__in=HolidayRule.values), name="company_holiday_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_complete(self) -> bool:
        """Complete enough to issue qualified invoices."""
        return bool(
            self.name
            and self.name != PLACEHOLDER_COMPANY_NAME
            and self.address
            and self.registration_number
            and self.bank_accounts.exists()
        )


class BankAccount(models.Model):
    class AccountType(models.TextChoices):
        ORDINARY = "ordinary", _("ordinary (普通)")
        CHECKING = "checking", _("checking (当座)")

    company = models.ForeignKey(CompanyProfile, on_delete=models.CASCADE, related_name="bank_accounts")
    bank_name = models.CharField(_("bank name"), max_length=60)
    branch_name = models.CharField(_("branch name"), max_length=60)
    account_type = models.CharField(
        _("account type"), max_length=10, choices=AccountType.choices, default=AccountType.ORDINARY
    )
    account_number = models.CharField(
        _("account number"),
        max_length=7,
        validators=[RegexValidator(r"^\d{7}$", _("Enter the 7-digit account number."))],
    )
    account_holder_kana = models.CharField(_("account holder (kana)"), max_length=60, validators=[kana_validator])
    position = models.PositiveSmallIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("bank account")
        verbose_name_plural = _("bank accounts")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(account_type__in=["ordinary", "checking"]), name="bank_account_type_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.bank_name} {self.branch_name} {self.get_account_type_display()} {self.account_number}"


class AppendOnlyModel(models.Model):
    """A log row: written once, never changed or deleted one by one (`save()` of a stored
    row and `delete()` raise). `log_name` names the rows in that error."""

    log_name = "log rows"

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise RuntimeError(f"{self.log_name} are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError(f"{self.log_name} are append-only")


class AuditEvent(AppendOnlyModel):
    """Append-only: who did what to which object, with before/after of changed fields."""

    log_name = "audit events"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    occurred_at = models.DateTimeField(_("occurred at"), auto_now_add=True, db_index=True)
    action = models.CharField(_("action"), max_length=60)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    @property
    def change_lines(self) -> list[str]:
        """The changes as people read them: 「status: draft → confirmed」, 「lines: 2」."""
        changes = self.changes if isinstance(self.changes, dict) else {"": self.changes}
        lines = []
        for name, value in changes.items():
            if isinstance(value, dict) and set(value) == {"before", "after"}:
                text = f"{_shown(value['before'])} → {_shown(value['after'])}"
            else:
                text = _shown(value)
            lines.append(f"{name}: {text}" if name else text)
        return lines


def _shown(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


class StatusEvent(AppendOnlyModel):
    """Append-only: one row per status change of any object (`backoffice.status` writes them)."""

    log_name = "status events"

    object_type = models.CharField(_("object type"), max_length=60)  # app_label.model_name
    object_id = models.PositiveBigIntegerField(_("object id"))
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    comment = models.TextField(_("comment"), blank=True)
    occurred_at = models.DateTimeField(_("occurred at"), default=timezone.now)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["occurred_at", "pk"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="status_change_object_idx")]

    def __str__(self) -> str:
        return f"{self.object_type}#{self.object_id}: {self.from_status or '-'} → {self.to_status}"


class IdempotencyRecord(models.Model):
    """The first response to a POST carrying an Idempotency-Key, replayed for 24 hours."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Until then the request that holds the key is taken to be running; after it, a retry
    # may take the key over (its worker died).
    lease_until = models.DateTimeField(null=True)
    completed = models.BooleanField(default=False)
    status_code = models.PositiveSmallIntegerField(null=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.key}"


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox: only its hash is stored, it has an expiry).

    `password_fingerprint` binds the token to the password the user had when it was
    issued (Django's session auth hash, an HMAC of the password hash): a password change
    by any route (admin, `changepassword`, `set_password`) makes every older token fail,
    as Django does for sessions."""

    password_fingerprint = models.CharField(max_length=128, editable=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created"]


class Notification(models.Model):
    """A message for one person about work handed to them (a quote to approve, an inquiry
    to answer). Shown on their home until they open it; also e-mailed."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("recipient")
    )
    text = models.CharField(_("text"), max_length=300)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.text
