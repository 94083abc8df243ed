"""The billing settings form (請求設定)."""

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from billing.models import BillingSettings


class BillingSettingsForm(forms.ModelForm):
    class Meta:
        model = BillingSettings
        fields = ["statement_without_sales", "bank_fee_tolerance", "sales_booking_basis"]
        labels = {"bank_fee_tolerance": _("Bank fee tolerance (yen)")}
        widgets = {"bank_fee_tolerance": forms.NumberInput(attrs={"step": "1", "min": "0", "class": "num"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The table's constraint, said next to the field rather than as a constraint's name.
        tolerance = self.fields["bank_fee_tolerance"]
        tolerance.min_value = 0
        tolerance.validators.append(MinValueValidator(0))
