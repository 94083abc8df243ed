"""The credit note form (返品・値引): the kind, the reason, the warehouse the goods come back
to, and per invoice line the quantity returned or the yen taken off."""

from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import CreditNote
from inventory.models import Warehouse

from .invoices import date_field
from .payments import yen_field


def quantity_name(line) -> str:
    return f"quantity_{line.pk}"


def amount_name(line) -> str:
    return f"amount_{line.pk}"


class CreditNoteForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=CreditNote.Kind.choices, widget=forms.RadioSelect, initial=CreditNote.Kind.RETURN
    )
    reason = forms.CharField(label=_("Reason"), max_length=200)
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse the goods come back to"), queryset=Warehouse.objects.all(), required=False
    )
    issue_date = date_field(_("Date issued"), required=True)

    def __init__(self, *args, rows, **kwargs):
        """`rows`: the invoice's lines with what is left of each (see views.credit_notes)."""
        super().__init__(*args, **kwargs)
        self.rows = rows
        self.fields["issue_date"].initial = timezone.localdate
        self.fields["warehouse"].initial = (
            Warehouse.objects.filter(is_default=True).values_list("pk", flat=True).first()
        )
        for row in rows:
            line = row.line
            quantity = forms.IntegerField(
                label=_("Quantity returned: %(name)s") % {"name": line.description},
                required=False,
                min_value=0,
                max_value=max(row.quantity_left, 0),
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "num", "step": "1"}),
            )
            amount = yen_field(_("Reduction: %(name)s") % {"name": line.description}, required=False)
            amount.validators.append(MaxValueValidator(max(row.amount_left, 0)))
            self.fields[quantity_name(line)] = quantity
            self.fields[amount_name(line)] = amount

    def line_fields(self):
        """(row, quantity field, amount field) per invoice line, for the template."""
        return [(row, self[quantity_name(row.line)], self[amount_name(row.line)]) for row in self.rows]

    def clean_issue_date(self):
        day = self.cleaned_data["issue_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind and not self.errors and not self.chosen():
            if kind == CreditNote.Kind.RETURN:
                self.add_error(None, _("Enter the quantity returned on at least one line."))
            else:
                self.add_error(None, _("Enter the amount of the reduction on at least one line."))
        return cleaned

    def chosen(self):
        """[(invoice line, quantity, amount)] of the lines given, for the kind chosen."""
        kind = self.cleaned_data.get("kind")
        result = []
        for row in self.rows:
            if kind == CreditNote.Kind.RETURN:
                quantity = self.cleaned_data.get(quantity_name(row.line)) or 0
                if quantity:
                    result.append((row.line, quantity, None))
            else:
                amount = self.cleaned_data.get(amount_name(row.line)) or 0
                if amount:
                    result.append((row.line, 0, amount))
        return result
