"""Forms of the report screens: the period every screen shows (a month, the fiscal quarter
or fiscal year holding a month, or any dates), the drill-down's filters, the consumption
tax's dates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backoffice.exceptions import InvalidInput
from backoffice.validators import business_date

from .selectors import SalesFilters, fiscal_year_start, month_end, month_start, months_later
from .services import parse_month

MAX_YEARS = 10
DIMENSIONS = ("product", "customer", "rep", "category")
PERIOD_MONTHS = {"month": 1, "quarter": 3, "year": 12}


def date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        validators=[business_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


@dataclass(frozen=True)
class Period:
    kind: str  # month, quarter, year, custom
    date_from: dt.date
    date_to: dt.date
    anchor: dt.date  # the first month of a month, quarter or fiscal year
    label: str

    def query(self, **more) -> dict[str, str]:
        """The query string parameters that show this period again."""
        if self.kind == "custom":
            params = {"period": "custom", "date_from": f"{self.date_from}", "date_to": f"{self.date_to}"}
        else:
            params = {"period": self.kind, "month": f"{self.anchor:%Y-%m}"}
        return {**params, **{k: str(v) for k, v in more.items() if v not in (None, "")}}

    def shifted(self, steps: int) -> dict[str, str] | None:
        """The query of the month, quarter or year `steps` before or after; None for custom."""
        if self.kind == "custom":
            return None
        return {"period": self.kind, "month": f"{months_later(self.anchor, steps * PERIOD_MONTHS[self.kind]):%Y-%m}"}


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        required=False,
        choices=[
            ("month", gettext_lazy("Month")),
            ("quarter", gettext_lazy("Quarter")),
            ("year", gettext_lazy("Fiscal year")),
            ("custom", gettext_lazy("Custom dates")),
        ],
    )
    month = forms.CharField(
        label=gettext_lazy("Month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-04"}),
        help_text=gettext_lazy("For a quarter or fiscal year: any month in it."),
    )
    date_from = date_field(gettext_lazy("From"))
    date_to = date_field(gettext_lazy("To"))

    def __init__(self, *args, today: dt.date, fiscal_start_month: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today
        self.fiscal_start_month = fiscal_start_month

    def clean_month(self):
        value = self.cleaned_data.get("month") or ""
        if not value:
            return None
        try:
            month = parse_month(value)
        except InvalidInput as error:
            raise forms.ValidationError(str(error.message)) from None
        business_date(month)
        return month

    def clean(self):
        data = super().clean()
        if data.get("period") == "custom":
            start, end = data.get("date_from"), data.get("date_to")
            if not start and "date_from" not in self.errors:
                self.add_error("date_from", _("Enter the first day of the period."))
            if not end and "date_to" not in self.errors:
                self.add_error("date_to", _("Enter the last day of the period."))
            if start and end and end < start:
                self.add_error("date_to", _("The end date is before the start date."))
            elif start and end and end > months_later(start, 12 * MAX_YEARS):
                self.add_error("date_to", _("A report covers at most %(years)d years.") % {"years": MAX_YEARS})
        return data

    def period_or_default(self) -> Period:
        """The chosen period; this month when nothing (or something invalid) was chosen."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        kind = data.get("period") or "month"
        if kind == "custom" and data.get("date_from") and data.get("date_to"):
            start, end = data["date_from"], data["date_to"]
            label = f"{start:%Y/%m/%d} – {end:%Y/%m/%d}"
            return Period("custom", start, end, month_start(start), label)
        if kind == "custom":
            kind = "month"
        month = data.get("month") or month_start(self.today)
        if kind == "month":
            label = _("%(year)d/%(month)02d") % {"year": month.year, "month": month.month}
            return Period("month", month, month_end(month), month, label)
        year_start = fiscal_year_start(month, self.fiscal_start_month)
        fiscal_year = year_start.year
        if kind == "year":
            end = month_end(months_later(year_start, 11))
            label = _("Fiscal year %(year)d (%(start)s – %(end)s)") % {
                "year": fiscal_year,
                "start": f"{year_start:%Y/%m}",
                "end": f"{end:%Y/%m}",
            }
            return Period("year", year_start, end, year_start, label)
        index = ((month.year - year_start.year) * 12 + month.month - year_start.month) // 3
        start = months_later(year_start, 3 * index)
        end = month_end(months_later(start, 2))
        label = _("Fiscal year %(year)d Q%(quarter)d (%(start)s – %(end)s)") % {
            "year": fiscal_year,
            "quarter": index + 1,
            "start": f"{start:%Y/%m}",
            "end": f"{end:%Y/%m}",
        }
        return Period("quarter", start, end, start, label)


class SalesLinesForm(forms.Form):
    """Which figure's lines: a rep, customer, product or category (ids as the links give them)."""

    rep = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    customer = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    product = forms.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    category = forms.CharField(required=False, max_length=100)

    def filters(self) -> SalesFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return SalesFilters(
            rep=data.get("rep"),
            customer=data.get("customer"),
            product=data.get("product"),
            category=data.get("category") or None,
        )


class ConsumptionTaxForm(forms.Form):
    date_from = date_field(gettext_lazy("From"))
    date_to = date_field(gettext_lazy("To"))

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        elif start and end and end > months_later(start, 12 * MAX_YEARS):
            self.add_error("date_to", _("A report covers at most %(years)d years.") % {"years": MAX_YEARS})
        return data
