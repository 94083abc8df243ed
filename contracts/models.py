"""Contracts (契約書) and their templates.

A template is versioned: editing it adds a row with the next version and makes that one
current; a contract points at the exact version it was drafted from, so an issued contract
keeps its wording whatever happens to the template later. A contract is a draft until a
sales admin issues it (number from its own gapless series, PDF archived with its SHA-256);
from then on its terms never change: an amendment is a 覚書 pointing at it, a new version a
contract that supersedes it. The countersigned copy is stored once, with its hash.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from backoffice.validators import business_date

MAX_TERM_MONTHS = 120
MAX_NOTICE_DAYS = 365
MAX_BODY = 30000


class ContractKind(models.TextChoices):
    MASTER = "master", _("master agreement (取引基本契約書)")
    INDIVIDUAL = "individual", _("individual contract (個別契約書)")
    AMENDMENT = "amendment", _("amendment (覚書)")
    NDA = "nda", _("non-disclosure agreement (秘密保持契約書)")


# The title printed on the PDF, per kind.
KIND_TITLES = {
    ContractKind.MASTER: "取引基本契約書",
    ContractKind.INDIVIDUAL: "個別契約書",
    ContractKind.AMENDMENT: "覚書",
    ContractKind.NDA: "秘密保持契約書",
}


class StampClass(models.TextChoices):
    """Which document of 印紙税法 別表第一 the contract is (contracts.stamp_duty has the amounts)."""

    NONE = "none", _("not taxable (不課税)")
    NO1 = "no1", _("No. 1: real estate transfer, loan, transport (第1号文書)")
    NO2 = "no2", _("No. 2: contract for work (請負, 第2号文書)")
    NO7 = "no7", _("No. 7: basic contract for continuing transactions (第7号文書)")


class ContractTemplate(models.Model):
    kind = models.CharField(_("kind"), max_length=12, choices=ContractKind.choices)
    code = models.CharField(_("code"), max_length=30)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current version"), default=True)
    name = models.CharField(_("name"), max_length=100)
    body = models.TextField(
        _("text"),
        max_length=MAX_BODY,
        help_text=_("The articles. Placeholders such as {customer_name} are filled in when the contract is drafted."),
    )
    is_standard = models.BooleanField(
        _("standard wording"),
        default=True,
        help_text=_("A contract from a template that is not the standard wording needs a manager's approval."),
    )
    stamp_class = models.CharField(_("stamp duty class"), max_length=4, choices=StampClass.choices)
    is_construction = models.BooleanField(
        _("construction work (建設工事)"),
        default=False,
        help_text=_("The reduced stamp duty rates for construction contracts apply."),
    )
    created_by = models.ForeignKey(  # empty for the standard templates the product ships
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contract template")
        verbose_name_plural = _("contract templates")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="contract_template_code_version_unique"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="contract_template_one_current_version"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="contract_template_version_positive"),
            models.CheckConstraint(condition=Q(kind__in=ContractKind.values), name="contract_template_kind_valid"),
            models.CheckConstraint(
                condition=Q(stamp_class__in=StampClass.values), name="contract_template_stamp_class_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version_label}"

    @property
    def version_label(self) -> str:
        return _("version %(v)s") % {"v": self.version}


class Contract(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PENDING_APPROVAL = "pending_approval", _("pending approval")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("rejected")
        ISSUED = "issued", _("issued")
        SENT = "sent", _("sent")
        SIGNED = "signed", _("signed")
        ENDED = "ended", _("ended")

    class EndReason(models.TextChoices):
        EXPIRED = "expired", _("term expired")
        CANCELLED = "cancelled", _("cancelled by notice or agreement")
        SUPERSEDED = "superseded", _("superseded by a new version")

    # The allowed status moves (backoffice.status checks every change against them). A draft
    # from a standard template is issued straight away; one that is not waits for a manager.
    TRANSITIONS = {
        Status.DRAFT: {Status.PENDING_APPROVAL, Status.ISSUED},
        Status.PENDING_APPROVAL: {Status.APPROVED, Status.REJECTED, Status.DRAFT},
        Status.REJECTED: {Status.DRAFT},
        Status.APPROVED: {Status.ISSUED, Status.DRAFT},
        Status.ISSUED: {Status.SENT, Status.SIGNED, Status.ENDED},
        Status.SENT: {Status.SIGNED, Status.ENDED},
        Status.SIGNED: {Status.ENDED},
        Status.ENDED: set(),
    }
    DRAFT_STATUSES = (Status.DRAFT, Status.PENDING_APPROVAL, Status.APPROVED, Status.REJECTED)

    number = models.CharField(_("number"), max_length=40, blank=True, db_index=True)
    kind = models.CharField(_("kind"), max_length=12, choices=ContractKind.choices)
    customer = models.ForeignKey(
        "orders.Customer", on_delete=models.PROTECT, related_name="contracts", verbose_name=_("customer")
    )
    template = models.ForeignKey(
        ContractTemplate, on_delete=models.PROTECT, related_name="contracts", verbose_name=_("template")
    )
    title = models.CharField(_("title"), max_length=100)
    body = models.TextField(_("text"), max_length=MAX_BODY)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    quote = models.ForeignKey(
        "orders.Quote", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("quote")
    )
    order = models.ForeignKey(
        "orders.Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("order")
    )
    amends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="amendments",
        verbose_name=_("amends"),
    )
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    amount = models.DecimalField(
        _("contract amount (excl. tax)"),
        max_digits=14,
        decimal_places=0,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    tax_rate = models.PositiveSmallIntegerField(_("tax rate"), default=10)
    starts_on = models.DateField(_("starts on"), validators=[business_date])
    ends_on = models.DateField(_("ends on"), validators=[business_date])
    # The term as renewed: ends_on is what the issued contract says and never changes.
    current_ends_on = models.DateField(_("current end"), null=True, blank=True, db_index=True)
    auto_renew_months = models.PositiveSmallIntegerField(
        _("automatic renewal (months)"),
        default=0,
        validators=[MaxValueValidator(MAX_TERM_MONTHS)],
        help_text=_("0 = no automatic renewal."),
    )
    notice_days = models.PositiveSmallIntegerField(
        _("notice period (days)"),
        default=0,
        validators=[MaxValueValidator(MAX_NOTICE_DAYS)],
        help_text=_("Renewal stops if either party gives notice this many days before the end."),
    )
    on_paper = models.BooleanField(
        _("signed on paper"),
        default=True,
        help_text=_("A contract made and kept electronically needs no revenue stamp."),
    )
    stamp_class = models.CharField(_("stamp duty class"), max_length=4, choices=StampClass.choices)
    is_construction = models.BooleanField(_("construction work (建設工事)"), default=False)
    stamp_duty = models.DecimalField(_("stamp duty"), max_digits=9, decimal_places=0, null=True, blank=True)
    stamp_duty_basis = models.CharField(_("stamp duty basis"), max_length=200, blank=True)
    company_signatory_title = models.CharField(_("our signatory's title"), max_length=60, blank=True)
    company_signatory_name = models.CharField(_("our signatory's name"), max_length=60, blank=True)
    customer_signatory_title = models.CharField(_("customer's signatory's title"), max_length=60, blank=True)
    customer_signatory_name = models.CharField(_("customer's signatory's name"), max_length=60, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=2000)
    requires_approval = models.BooleanField(_("needs approval"), default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approval_comment = models.TextField(_("approval comment"), blank=True, max_length=2000)
    issue_date = models.DateField(_("issue date"), null=True, blank=True, validators=[business_date])
    document = models.ForeignKey(
        "documents.IssuedDocument", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_file = models.FileField(_("countersigned copy"), upload_to="contracts/signed/%Y/", blank=True)
    signed_sha256 = models.CharField(_("SHA-256 of the countersigned copy"), max_length=64, blank=True)
    signed_content_type = models.CharField(max_length=40, blank=True)
    signed_size = models.PositiveIntegerField(null=True, blank=True)
    signed_uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Notice not to renew, given in time: the contract ends at its term end instead of renewing.
    notice_given_on = models.DateField(_("notice given on"), null=True, blank=True)
    reminded_for_end = models.DateField(null=True, blank=True, editable=False)  # the term end last reminded of
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=12, choices=EndReason.choices, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("contract")
        verbose_name_plural = _("contracts")
        ordering = ["-pk"]
        constraints = [
            models.UniqueConstraint(fields=["number"], condition=~Q(number=""), name="contract_number_unique"),
            models.CheckConstraint(condition=Q(kind__in=ContractKind.values), name="contract_kind_valid"),
            models.CheckConstraint(condition=Q(stamp_class__in=StampClass.values), name="contract_stamp_class_valid"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="contract_term_ends_after_start",
                violation_error_message=_("The term ends before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(current_ends_on__isnull=True) | Q(current_ends_on__gte=F("ends_on")),
                name="contract_renewal_extends_term",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="contract_amount_non_negative"),
            models.CheckConstraint(
                condition=Q(auto_renew_months__lte=MAX_TERM_MONTHS), name="contract_auto_renew_months_limit"
            ),
            models.CheckConstraint(condition=Q(notice_days__lte=MAX_NOTICE_DAYS), name="contract_notice_days_limit"),
            models.CheckConstraint(condition=Q(tax_rate__in=[0, 8, 10]), name="contract_tax_rate_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "pending_approval", "approved", "rejected"])
                | (~Q(number="") & Q(document__isnull=False) & Q(issue_date__isnull=False)),
                name="issued_contract_has_number_and_document",
            ),
            models.CheckConstraint(
                condition=Q(signed_file="") | Q(signed_sha256__regex=r"^[0-9a-f]{64}$"),
                name="contract_signed_copy_has_hash",
            ),
            models.CheckConstraint(
                condition=~Q(status="ended") | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="ended_contract_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=~Q(kind="amendment") | Q(amends__isnull=False), name="amendment_points_at_contract"
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"{self.title} #{self.pk}"

    @property
    def term_end(self):
        """The end of the term as it stands (renewals included)."""
        return self.current_ends_on or self.ends_on

    @property
    def is_draft(self) -> bool:
        return self.status in self.DRAFT_STATUSES


# For the API schema's enum names (settings.SPECTACULAR_SETTINGS).
ContractEndReason = Contract.EndReason


class ContractRenewal(models.Model):
    """One renewal of a signed contract: its term extended from one end to the next."""

    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="renewals")
    previous_end = models.DateField(_("previous end"))
    new_end = models.DateField(_("new end"))
    automatic = models.BooleanField(_("automatic"), default=True)
    renewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    renewed_at = models.DateTimeField(_("renewed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("contract renewal")
        verbose_name_plural = _("contract renewals")
        ordering = ["contract", "new_end"]
        constraints = [
            models.CheckConstraint(condition=Q(new_end__gt=F("previous_end")), name="renewal_moves_end_later"),
            models.UniqueConstraint(fields=["contract", "new_end"], name="renewal_once_per_end"),
        ]

    def __str__(self) -> str:
        return f"{self.contract} {self.previous_end} → {self.new_end}"
