"""Forms of the purchasing screens: choosing reorder suggestions, a draft purchase order
(header and lines), receiving goods, cancelling."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from backoffice.validators import business_date

from ..models import Product, PurchaseOrder, Supplier, Warehouse


def quantity_field(label, *, required=False, min_value=1, max_value=None) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=min_value,
        max_value=max_value or settings.LIMITS["max_quantity"],
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "num"}),
    )


def date_input(label, *, required=False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        validators=[business_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class PurchaseOrderFilterForm(forms.Form):
    q = forms.CharField(label=_("PO number or supplier"), max_length=100, required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("All")), *PurchaseOrder.Status.choices]
    )


class SuggestionChoiceForm(forms.Form):
    """One checkbox and one quantity per suggested product: `pick_<id>`, `quantity_<id>`
    (filled with the suggested quantity)."""

    def __init__(self, *args, suggestions, **kwargs):
        super().__init__(*args, **kwargs)
        self.suggestions = suggestions
        for suggestion in suggestions:
            pk = suggestion.product.pk
            self.fields[f"pick_{pk}"] = forms.BooleanField(
                label=_("Order %(sku)s") % {"sku": suggestion.product.sku}, required=False
            )
            self.fields[f"quantity_{pk}"] = quantity_field(_("Quantity of %(sku)s") % {"sku": suggestion.product.sku})
            self.fields[f"quantity_{pk}"].initial = suggestion.suggested_quantity

    def clean(self):
        cleaned = super().clean()
        chosen = {}
        for suggestion in self.suggestions:
            pk = suggestion.product.pk
            if not cleaned.get(f"pick_{pk}"):
                continue
            if not suggestion.product.supplier_id:
                self.add_error(f"pick_{pk}", _("This product has no supplier: set one first."))
            elif cleaned.get(f"quantity_{pk}") is None and f"quantity_{pk}" not in self.errors:
                self.add_error(f"quantity_{pk}", _("Enter a quantity."))
            chosen[pk] = cleaned.get(f"quantity_{pk}")
        if not chosen and not self.errors:
            raise forms.ValidationError(_("Choose at least one product to order."))
        cleaned["chosen"] = chosen
        return cleaned


class PurchaseOrderForm(forms.Form):
    supplier = forms.ModelChoiceField(label=_("Supplier"), queryset=Supplier.objects.filter(is_active=True))
    warehouse = forms.ModelChoiceField(label=_("Receiving warehouse"), queryset=Warehouse.objects.all())
    expected_date = date_input(_("Expected date"))
    notes = forms.CharField(
        label=_("Internal notes"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For us only: not printed on the purchase order."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        default = Warehouse.objects.filter(is_default=True).values_list("pk", flat=True).first()
        self.fields["warehouse"].initial = default
        self.fields["expected_date"].help_text = _("Empty: today plus the supplier's lead time.")


class PurchaseOrderLineForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True, track_stock=True).order_by("sku")
    )
    quantity = quantity_field(_("Quantity"), required=True)
    unit_cost = forms.DecimalField(
        label=_("Unit cost"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "class": "num", "step": "any"}),
        help_text=_("Empty: the product's cost."),
    )
    expected_date = date_input(_("Expected date"))


PurchaseOrderLineFormSet = forms.formset_factory(
    PurchaseOrderLineForm, extra=3, max_num=100, validate_max=True, min_num=1, validate_min=True
)


class ReceiveForm(forms.Form):
    """A quantity per line still to come: `receive_<line id>`, filled with what is
    outstanding, at most that (receiving more than was ordered is not offered here)."""

    def __init__(self, *args, lines, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = [line for line in lines if line.outstanding_quantity > 0]
        for line in self.lines:
            name = f"receive_{line.pk}"
            self.fields[name] = quantity_field(
                _("Quantity received of %(sku)s") % {"sku": line.product.sku},
                min_value=0,
                max_value=line.outstanding_quantity,
            )
            self.fields[name].error_messages["max_value"] = _("Only %(limit_value)s are still to come on this line.")
            self.fields[name].initial = line.outstanding_quantity
            line.receive_field = self[name]

    def clean(self):
        cleaned = super().clean()
        received = [
            {"line": line, "quantity": cleaned[f"receive_{line.pk}"]}
            for line in self.lines
            if cleaned.get(f"receive_{line.pk}")
        ]
        if not received and not self.errors:
            raise forms.ValidationError(_("Enter the quantity received on at least one line."))
        cleaned["received"] = received
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)
