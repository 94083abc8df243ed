"""Forms of the stock screens: which stock to list, and a count sheet (棚卸表)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Warehouse
from .purchasing import quantity_field


class StockFilterForm(forms.Form):
    warehouse = forms.ModelChoiceField(
        label=_("Warehouse"), queryset=Warehouse.objects.all(), required=False, empty_label=_("All warehouses")
    )
    q = forms.CharField(label=_("SKU, name or kana"), max_length=100, required=False)


class StockTakeSheetForm(forms.Form):
    """Which warehouse is counted, and which products it lists."""

    warehouse = forms.ModelChoiceField(label=_("Warehouse"), queryset=Warehouse.objects.all(), empty_label=None)
    q = forms.CharField(label=_("SKU, name or kana"), max_length=100, required=False)


class StockTakeForm(forms.Form):
    """A counted quantity per product of the sheet (`counted_<product id>`, empty: not
    counted) and the reason, e.g. 「2026年12月 月末棚卸」."""

    reason = forms.CharField(label=_("Reason"), max_length=200)

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            name = f"counted_{row.product.pk}"
            self.fields[name] = quantity_field(_("Counted quantity of %(sku)s") % {"sku": row.product.sku}, min_value=0)
            row.counted_field = self[name]

    def counted_rows(self):
        """The rows with a count, each with `counted` and `difference` set."""
        counted = []
        for row in self.rows:
            value = self.cleaned_data.get(f"counted_{row.product.pk}")
            if value is None:
                continue
            row.counted = value
            row.difference = value - row.on_hand
            counted.append(row)
        return counted

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(f"counted_{row.product.pk}") is not None for row in self.rows):
            raise forms.ValidationError(_("Enter at least one counted quantity."))
        return cleaned
