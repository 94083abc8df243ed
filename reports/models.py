"""Reports own only the sales targets. Every figure is read from orders and billing
at request time (see selectors/aggregation.py for why there is no summary table)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backoffice.validators import business_date


class SalesTarget(models.Model):
    """A rep's sales target for one month, excluding tax (目標売上高)."""

    rep = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sales_targets", verbose_name=_("sales rep")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."), validators=[business_date])
    amount = models.DecimalField(_("target amount"), max_digits=14, decimal_places=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("sales target")
        verbose_name_plural = _("sales targets")
        ordering = ["-month", "rep_id"]
        constraints = [
            models.UniqueConstraint(fields=["rep", "month"], name="sales_target_rep_month_unique"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="sales_target_amount_non_negative"),
            models.CheckConstraint(condition=Q(month__day=1), name="sales_target_month_first_day"),
        ]

    def __str__(self) -> str:
        return f"{self.rep_id} {self.month:%Y-%m}: {self.amount}"
