"""The archive of issued documents and the counters that number them.

An issued document is immutable (電子帳簿保存法: corrections and deletions impossible):
`save()` refuses an update, `delete()` refuses, the queryset refuses `update()` and
`delete()`, and on PostgreSQL a trigger refuses the same at the database. The one write
after the insert is the render step (`documents.services.document_render`), which fills
in the PDF, its SHA-256 and the render status exactly once.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backoffice.kana import KanaKeyField
from backoffice.validators import business_date

from .exceptions import DocumentImmutable
from .types import CounterpartyKind, DocumentKind


class DocumentCounter(models.Model):
    """One gapless sequence per number prefix and fiscal year (invoices and consolidated
    invoices share the INV sequence). Locked with SELECT ... FOR UPDATE by the issuing
    transaction, so a rolled-back issue gives its number back."""

    prefix = models.CharField(_("prefix"), max_length=10)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    last_value = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("document counter")
        verbose_name_plural = _("document counters")
        ordering = ["prefix", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["prefix", "fiscal_year"], name="document_counter_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}-{self.fiscal_year}: {self.last_value}"


class NumberPrefix(models.Model):
    """A document kind's number prefix from a fiscal year on (書類番号の接頭辞). Without a
    row, a kind keeps its installation default (DOCUMENTS_NUMBER_PREFIXES, else Q, SO, ...).

    A prefix names a gapless sequence per fiscal year, so a change never applies to a year
    that has numbers already: it starts with a fiscal year not begun, or the current one
    while no number has been drawn in it (documents.services.number_prefix_schedule). Rows
    are never changed or deleted: a scheduled change that is withdrawn is cancelled (kept,
    with who and when), so the history of every kind's prefixes stays readable."""

    kind = models.CharField(_("document kind"), max_length=30, choices=DocumentKind.choices)
    prefix = models.CharField(_("prefix"), max_length=10)
    from_fiscal_year = models.PositiveSmallIntegerField(_("from fiscal year"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    created_at = models.DateTimeField(_("set at"))
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document number prefix")
        verbose_name_plural = _("document number prefixes")
        ordering = ["kind", "from_fiscal_year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "from_fiscal_year"],
                condition=Q(cancelled_at__isnull=True),
                name="number_prefix_one_per_kind_and_year",
                violation_error_message=_(
                    "A change of this kind from this fiscal year is already scheduled: cancel it first."
                ),
            ),
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="number_prefix_kind_valid"),
            models.CheckConstraint(
                condition=Q(prefix__regex=r"^[A-Z][A-Z0-9]{0,9}$"),
                name="number_prefix_format",
                violation_error_message=_(
                    "Use only the letters A-Z and the digits 0-9 in the prefix, starting with a letter"
                    " (no hyphen or space: the hyphen separates the parts of the number)."
                ),
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True, cancelled_by__isnull=True) | Q(cancelled_at__isnull=False),
                name="number_prefix_cancelled_when_by",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.prefix} ({self.from_fiscal_year}-)"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class RenderStatus(models.TextChoices):
    PENDING = "pending", _("PDF pending")
    RENDERED = "rendered", _("PDF stored")
    FAILED = "failed", _("PDF render failed (will be retried)")


# The only fields written after the insert, once, by the render step.
RENDER_FIELDS = ("pdf", "sha256", "render_status", "rendered_at", "render_error")


def _pdf_path(document: "IssuedDocument", filename: str) -> str:
    return f"documents/{document.kind}/{document.fiscal_year}/{filename}"


class IssuedDocumentQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise DocumentImmutable(_("Issued documents cannot be changed."))

    def delete(self):
        raise DocumentImmutable(_("Issued documents cannot be deleted."))

    def _record_render(self, **fields) -> int:
        """The render step's write: only render fields, only while the PDF is not stored yet."""
        assert set(fields) <= set(RENDER_FIELDS)
        return models.QuerySet.update(self.exclude(render_status=RenderStatus.RENDERED), **fields)

    def _record_renders(self, stored: dict[int, dict[str, str]], *, rendered_at) -> int:
        """The render step's write for several documents at once: `stored` maps a primary
        key to its stored file (pdf) and hash (sha256). Only documents not stored yet."""
        per_document = {
            field: models.Case(
                *(models.When(pk=pk, then=models.Value(values[field])) for pk, values in stored.items()),
                output_field=models.CharField(),
            )
            for field in ("pdf", "sha256")
        }
        return self.filter(pk__in=list(stored))._record_render(
            **per_document, render_status=RenderStatus.RENDERED, rendered_at=rendered_at, render_error=""
        )


class IssuedDocument(models.Model):
    kind = models.CharField(_("kind"), max_length=30, choices=DocumentKind.choices)
    number = models.CharField(_("number"), max_length=40, unique=True)
    base_number = models.CharField(_("base number"), max_length=40)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    fiscal_year = models.PositiveSmallIntegerField(_("fiscal year"))
    sequence = models.PositiveIntegerField(_("sequence number"))
    document_date = models.DateField(_("document date"), validators=[business_date])
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    counterparty_kind = models.CharField(_("counterparty kind"), max_length=10, choices=CounterpartyKind.choices)
    counterparty_id = models.PositiveBigIntegerField(_("counterparty id"), null=True, blank=True)
    counterparty_name = models.CharField(_("counterparty"), max_length=200)
    # The reading of the counterparty's name (kana_key form) as it was when issued, so the
    # archive finds a document by kana even after the master changed; empty when not given.
    counterparty_kana_key = KanaKeyField(_("counterparty (kana) search key"))
    amount = models.DecimalField(_("amount (incl. tax)"), max_digits=14, decimal_places=0)
    data = models.JSONField(_("data snapshot"))
    source_type = models.CharField(_("source type"), max_length=100, blank=True)
    source_id = models.CharField(_("source id"), max_length=64, blank=True)
    supersedes = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    pdf = models.FileField(_("PDF"), upload_to=_pdf_path, blank=True, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    render_status = models.CharField(
        _("PDF status"), max_length=10, choices=RenderStatus.choices, default=RenderStatus.PENDING
    )
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    render_error = models.CharField(_("last render error"), max_length=300, blank=True)

    objects = IssuedDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("issued document")
        verbose_name_plural = _("issued documents")
        ordering = ["-issued_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["base_number", "revision"], name="document_base_revision_unique"),
            models.CheckConstraint(condition=Q(revision__gte=1), name="document_revision_positive"),
            models.CheckConstraint(condition=Q(kind__in=DocumentKind.values), name="document_kind_valid"),
            models.CheckConstraint(
                condition=Q(counterparty_kind__in=CounterpartyKind.values), name="document_counterparty_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(render_status__in=RenderStatus.values), name="document_render_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(render_status=RenderStatus.RENDERED) | (~Q(pdf="") & Q(sha256__regex=r"^[0-9a-f]{64}$")),
                name="document_rendered_has_pdf",
            ),
        ]
        # The Electronic Books Act searches: date range, amount range, counterparty, combined.
        indexes = [
            models.Index(fields=["document_date", "amount"], name="document_date_amount_idx"),
            models.Index(fields=["amount"], name="document_amount_idx"),
            models.Index(
                fields=["counterparty_kind", "counterparty_id", "document_date"], name="document_party_date_idx"
            ),
            models.Index(fields=["counterparty_name", "document_date"], name="document_party_name_idx"),
            models.Index(fields=["kind", "document_date"], name="document_kind_date_idx"),
            models.Index(fields=["render_status"], name="document_render_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.counterparty_name}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise DocumentImmutable(_("Issued documents cannot be changed."))
        kwargs["force_insert"] = True  # an instance built with an existing pk must not turn into an UPDATE
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DocumentImmutable(_("Issued documents cannot be deleted."))

    @property
    def is_rendered(self) -> bool:
        return self.render_status == RenderStatus.RENDERED


class DocumentMailing(models.Model):
    """The send log (送信履歴): one row per attempt to e-mail a document, written when the
    mail is requested and finished by the delivery task (delivered, or failed with the
    error). A re-send is a new attempt pointing at the failed one it repeats; a failed
    attempt is re-sent at most once, so the log is the complete story of each document."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    TRANSITIONS = {
        Status.REQUESTED: {Status.DELIVERED, Status.FAILED},
        Status.DELIVERED: set(),
        Status.FAILED: set(),
    }
    document = models.ForeignKey(
        IssuedDocument, on_delete=models.PROTECT, related_name="mailings", verbose_name=_("document")
    )
    to = models.JSONField(_("to addresses"), default=list)
    cc = models.JSONField(_("cc addresses"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=1)
    resend_of = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="resent_as",
        verbose_name=_("re-send of"),
    )
    error = models.TextField(_("error"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("document mailing")
        verbose_name_plural = _("document mailings")
        ordering = ["document", "requested_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(attempt__gte=1), name="document_mailing_attempt_positive"),
            models.CheckConstraint(
                condition=Q(status="requested", finished_at__isnull=True)
                | Q(status__in=["delivered", "failed"], finished_at__isnull=False),
                name="document_mailing_finished_when_done",
            ),
        ]
        indexes = [models.Index(fields=["document", "status"], name="document_mailing_status_idx")]

    def __str__(self) -> str:
        return f"{self.document_id} #{self.attempt} {self.status}"


# --- JP PINT e-invoices: the UBL XML of an issued invoice or credit note -------------------------------


def _einvoice_path(einvoice: "IssuedEInvoice", filename: str) -> str:
    return f"documents/{einvoice.document.kind}/{einvoice.document.fiscal_year}/{filename}"


class IssuedEInvoiceQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise DocumentImmutable(_("Issued documents cannot be changed."))

    def delete(self):
        raise DocumentImmutable(_("Issued documents cannot be deleted."))


class IssuedEInvoice(models.Model):
    """The e-invoice (UBL 2.1, JP PINT) of an issued document: its own archive entry beside
    the PDF, stored once with its SHA-256 and never changed or deleted afterwards (the same
    refusals as IssuedDocument, and on PostgreSQL the same kind of trigger). It is found
    through its document: the Electronic Books Act search of the archive finds both."""

    class Format(models.TextChoices):
        JP_PINT = "jp_pint_1.1.3", _("JP PINT 1.1.3 (UBL 2.1)")

    document = models.OneToOneField(
        IssuedDocument, on_delete=models.PROTECT, related_name="einvoice", verbose_name=_("document")
    )
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.JP_PINT)
    xml = models.FileField(_("XML"), upload_to=_einvoice_path, max_length=200)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    stored_at = models.DateTimeField(_("stored at"))

    objects = IssuedEInvoiceQuerySet.as_manager()

    class Meta:
        verbose_name = _("e-invoice")
        verbose_name_plural = _("e-invoices")
        ordering = ["-stored_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(sha256__regex=r"^[0-9a-f]{64}$"), name="einvoice_sha256_hex"),
            models.CheckConstraint(condition=~Q(xml=""), name="einvoice_has_file"),
        ]

    def __str__(self) -> str:
        return f"{self.document_id} {self.format}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise DocumentImmutable(_("Issued documents cannot be changed."))
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise DocumentImmutable(_("Issued documents cannot be deleted."))
