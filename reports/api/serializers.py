import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from backoffice.api.fields import BusinessDateField, IdField
from backoffice.api.model_serializer import ModelSerializer
from backoffice.exceptions import InvalidInput
from reports.models import SalesTarget
from reports.selectors import DIMENSIONS, month_end, month_start, months_later
from reports.services import parse_month

MAX_YEARS = 10
MONEY = {"max_digits": 16, "decimal_places": 0}
COST = {"max_digits": 18, "decimal_places": 2}
PCT = {"max_digits": 8, "decimal_places": 1, "allow_null": True}
RATE = {"max_digits": 8, "decimal_places": 2, "allow_null": True}


@extend_schema_field({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2026-04"})
class MonthField(serializers.Field):
    """A month as "YYYY-MM"."""

    default_error_messages = {"invalid": gettext_lazy("Enter a month as YYYY-MM.")}

    def to_internal_value(self, data):
        try:
            return parse_month(data)
        except InvalidInput:
            self.fail("invalid")

    def to_representation(self, value):
        return f"{value:%Y-%m}"


# --- query parameters ---


class FiltersSerializer(serializers.Serializer):
    customer = IdField(required=False)
    product = IdField(required=False)
    rep = IdField(required=False)


class PeriodQuerySerializer(serializers.Serializer):
    date_from = BusinessDateField(required=False, help_text=gettext_lazy("default: the first of this month"))
    date_to = BusinessDateField(required=False, help_text=gettext_lazy("default: the end of this month"))

    def validate(self, attrs):
        today = timezone.localdate()
        date_from = attrs.get("date_from") or month_start(today)
        date_to = attrs.get("date_to") or month_end(date_from)
        if date_to < date_from:
            raise serializers.ValidationError({"date_to": [_("The end date is before the start date.")]})
        if date_to > months_later(date_from, 12 * MAX_YEARS) - dt.timedelta(days=1):
            raise serializers.ValidationError(
                {"date_to": [_("A report covers at most %(years)d years.") % {"years": MAX_YEARS}]}
            )
        attrs["date_from"], attrs["date_to"] = date_from, date_to
        return attrs


class RangeQuerySerializer(FiltersSerializer, PeriodQuerySerializer):
    pass


class SalesQuerySerializer(RangeQuerySerializer):
    group_by = serializers.CharField(
        required=False,
        default="month",
        help_text=gettext_lazy("one or two of: month, day, product, customer, rep, category (e.g. rep,month)"),
    )
    warehouse = IdField(required=False)

    def validate_group_by(self, value):
        parts = [part.strip() for part in value.split(",")]
        unknown = [part for part in parts if part not in DIMENSIONS]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown grouping %(names)s: choose from %(choices)s.")
                % {"names": ", ".join(unknown), "choices": ", ".join(DIMENSIONS)}
            )
        if len(parts) > 2 or len(set(parts)) != len(parts):
            raise serializers.ValidationError(_("Group by one or two different dimensions."))
        return parts


class TargetsQuerySerializer(serializers.Serializer):
    month = MonthField(required=False, help_text=gettext_lazy("YYYY-MM, default this month"))


class BacklogQuerySerializer(FiltersSerializer):
    group_by = serializers.ChoiceField(choices=["date", "month"], default="date")


class PipelineQuerySerializer(RangeQuerySerializer):
    pass


# --- reports ---


class SalesRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    keys = serializers.ListField(child=serializers.CharField())
    labels = serializers.ListField(child=serializers.CharField())
    quantity = serializers.IntegerField()
    amount = serializers.DecimalField(**MONEY)
    cost = serializers.DecimalField(**COST)
    gross_profit = serializers.DecimalField(**COST)
    gross_margin_pct = serializers.DecimalField(
        help_text=gettext_lazy("gross profit / sales in percent; null where sales are zero or negative"), **PCT
    )
    share_pct = serializers.DecimalField(**PCT)
    last_year_quantity = serializers.IntegerField()
    last_year_amount = serializers.DecimalField(**MONEY)
    growth_pct = serializers.DecimalField(**PCT)


class SalesReportSerializer(serializers.Serializer):
    date_from = BusinessDateField()
    date_to = BusinessDateField()
    last_year_from = BusinessDateField()
    last_year_to = BusinessDateField()
    group_by = serializers.ListField(child=serializers.CharField())
    rows = SalesRowSerializer(many=True)
    total = SalesRowSerializer()


class TargetRowSerializer(serializers.Serializer):
    rep_id = serializers.IntegerField()
    rep = serializers.CharField()
    target = serializers.DecimalField(allow_null=True, **MONEY)
    actual = serializers.DecimalField(**MONEY)
    achievement_rate = serializers.DecimalField(**RATE)
    ytd_target = serializers.DecimalField(allow_null=True, **MONEY)
    ytd_actual = serializers.DecimalField(**MONEY)
    ytd_achievement_rate = serializers.DecimalField(**RATE)


class TargetReportSerializer(serializers.Serializer):
    month = MonthField()
    fiscal_year_from = BusinessDateField()
    rows = TargetRowSerializer(many=True)
    total = TargetRowSerializer()


class BacklogRowSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    lines = serializers.IntegerField()
    quantity = serializers.IntegerField()
    amount = serializers.DecimalField(**MONEY)


class BacklogReportSerializer(serializers.Serializer):
    as_of = BusinessDateField()
    group_by = serializers.CharField()
    rows = BacklogRowSerializer(many=True)
    total = BacklogRowSerializer()


class PipelineRowSerializer(serializers.Serializer):
    rep_id = serializers.IntegerField(allow_null=True)
    rep = serializers.CharField()
    open_count = serializers.IntegerField()
    open_amount = serializers.DecimalField(**MONEY)
    accepted_count = serializers.IntegerField()
    accepted_amount = serializers.DecimalField(**MONEY)
    declined_count = serializers.IntegerField()
    expired_count = serializers.IntegerField()
    won_rate = serializers.DecimalField(**RATE)


class PipelineReportSerializer(serializers.Serializer):
    date_from = BusinessDateField()
    date_to = BusinessDateField()
    rows = PipelineRowSerializer(many=True)
    total = PipelineRowSerializer()


class ConsumptionTaxQuerySerializer(PeriodQuerySerializer):
    pass


class ConsumptionTaxRowSerializer(serializers.Serializer):
    rate = serializers.IntegerField(help_text=gettext_lazy("the tax rate in percent: 10, 8 (reduced) or 0 (exempt)"))
    sales = serializers.DecimalField(help_text=gettext_lazy("invoices' sales excluding tax"), **MONEY)
    sales_tax = serializers.DecimalField(help_text=gettext_lazy("the tax stated on those invoices"), **MONEY)
    returns = serializers.DecimalField(
        help_text=gettext_lazy("credit notes (returns and price reductions) excluding tax"), **MONEY
    )
    returns_tax = serializers.DecimalField(help_text=gettext_lazy("the tax stated on those credit notes"), **MONEY)
    net_sales = serializers.DecimalField(help_text=gettext_lazy("sales less returns"), **MONEY)
    tax = serializers.DecimalField(help_text=gettext_lazy("the net tax: sales_tax less returns_tax"), **MONEY)
    invoices = serializers.IntegerField(help_text=gettext_lazy("invoices with an amount at this rate"))
    credit_notes = serializers.IntegerField(help_text=gettext_lazy("credit notes with an amount at this rate"))


class ConsumptionTaxTotalSerializer(ConsumptionTaxRowSerializer):
    rate = None


class ConsumptionTaxReportSerializer(serializers.Serializer):
    date_from = BusinessDateField()
    date_to = BusinessDateField()
    booked_on = serializers.ChoiceField(
        choices=["issue_date"],
        help_text=gettext_lazy(
            "the date that books a document in the period: an invoice's or a credit note's own issue date; "
            "cancelled invoices are left out"
        ),
    )
    rows = ConsumptionTaxRowSerializer(many=True)
    total = ConsumptionTaxTotalSerializer()


# --- sales targets ---


class SalesTargetSerializer(ModelSerializer):
    rep = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.filter(is_active=True))
    month = MonthField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=0, min_value=0)

    class Meta:
        model = SalesTarget
        fields = ["id", "rep", "month", "amount", "updated_at"]
        read_only_fields = ["id", "updated_at"]
        validators = []  # the service names the clash on `month`


class SalesTargetImportSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=gettext_lazy("CSV with rep (username), month (YYYY-MM), amount; UTF-8 or Shift_JIS.")
    )


class SalesTargetImportResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
