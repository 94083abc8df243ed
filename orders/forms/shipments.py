"""Forms of the shipment screens: the quantities of a new shipment, line by line, and the
shipping date. They parse input; orders.services / billing.services decide."""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.exceptions import DomainError
from backoffice.screens import refuse
from backoffice.validators import business_date

_INDEXED_LINE = re.compile(r"^lines\[(?P<index>\d+)\]\.")


class ShipmentCreateForm(forms.Form):
    """One quantity per order line (`line_<id>`), defaulting to what is ready; 0 leaves the
    line off this shipment. A line with nothing ready takes no input."""

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows  # the order's lines with `ready` (what may go on a new shipment)
        for row in rows:
            if row.ready <= 0:
                continue
            label = _("Line %(n)d quantity") % {"n": row.line.position}
            self.fields[self.field_name(row.line)] = forms.IntegerField(
                label=label,
                min_value=0,
                max_value=row.ready,
                initial=row.ready,
                widget=forms.NumberInput(
                    attrs={"class": "num", "inputmode": "numeric", "size": 6, "aria-label": label}
                ),
                error_messages={
                    "max_value": _("Only %(limit_value)s are ready to ship on this line."),
                    "min_value": _("Enter 0 or more."),
                    "required": _("Enter a quantity (0 to leave the line off this shipment)."),
                },
            )
        for row in rows:
            row.field = self[self.field_name(row.line)] if self.field_name(row.line) in self.fields else None

    @staticmethod
    def field_name(line) -> str:
        return f"line_{line.pk}"

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not self.chosen_lines():
            raise forms.ValidationError(_("Enter a quantity on at least one line."))
        return cleaned

    def chosen_lines(self) -> list[tuple[int, int]]:
        """[(order_line_id, quantity)] for the lines to ship, in line order."""
        chosen = []
        for row in self.rows:
            quantity = self.cleaned_data.get(self.field_name(row.line)) or 0
            if quantity > 0:
                chosen.append((row.line.pk, quantity))
        return chosen

    def refuse(self, exc: DomainError) -> ShipmentCreateForm:
        """The service's refusal next to the line it names (`lines[2].quantity` is the third
        line sent to it), else at the top."""
        match = _INDEXED_LINE.match(exc.field or "")
        chosen = self.chosen_lines()
        if match and int(match["index"]) < len(chosen):
            name = f"line_{chosen[int(match['index'])][0]}"
            if name in self.fields:
                self.add_error(name, str(exc.message))
                return self
        return refuse(self, exc)


class ShipForm(forms.Form):
    shipped_on = forms.DateField(
        label=_("shipping date"),
        validators=[business_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"shipped_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean_shipped_on(self):
        value = self.cleaned_data["shipped_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("The shipping date cannot be in the future."))
        return value
