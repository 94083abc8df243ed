"""Forms of the quote screens: the rep's request, the admin's pricing, the manager's answer,
the list's filters. They parse and check input; the services in orders.services.quotes
decide."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from ..models import Quote
from ..services import LineInput
from .fields import CustomerField, ProductField

LIMITS = settings.LIMITS


class QuoteLineForm(forms.Form):
    """One line: a product (or a free-text description) and a quantity; the admin's form
    adds the unit price and the discount."""

    product = ProductField(required=False)
    description = forms.CharField(label=_("description"), max_length=200, required=False)
    quantity = forms.IntegerField(
        label=_("quantity"),
        validators=[MinValueValidator(1), MaxValueValidator(LIMITS["max_quantity"])],
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "qty"}),
    )

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("product") is None and not data.get("description"):
            self.add_error("product", _("Choose a product or enter a description."))
        return data

    def line_input(self) -> LineInput:
        data = self.cleaned_data
        return LineInput(
            quantity=data["quantity"],
            product=data.get("product"),
            description=data.get("description") or "",
            unit_price=data.get("unit_price"),
            discount_rate=data.get("discount_rate") or Decimal(0),
        )


class PricedLineForm(QuoteLineForm):
    unit_price = forms.DecimalField(
        label=_("unit price"),
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        max_value=LIMITS["max_unit_price"],
        help_text=_("Empty: the customer's price."),
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )
    discount_rate = forms.DecimalField(
        label=_("discount (%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
    )


class BaseLineFormSet(forms.BaseFormSet):
    def initial_form_count(self):
        # Posted rows are all optional: a row cleared by the user is dropped, not "required".
        return 0 if self.is_bound else super().initial_form_count()

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not self.filled_forms():
            raise forms.ValidationError(_("Enter at least one line."))

    def filled_forms(self):
        return [
            f
            for f in self.forms
            if f.has_changed() and not (self.can_delete and f.cleaned_data.get("DELETE")) and f.cleaned_data
        ]

    def line_inputs(self) -> list[LineInput]:
        return [f.line_input() for f in self.filled_forms()]


RequestLineFormSet = forms.formset_factory(
    QuoteLineForm, formset=BaseLineFormSet, extra=2, max_num=LIMITS["max_lines_per_document"], validate_max=True
)
PricedLineFormSet = forms.formset_factory(
    PricedLineForm,
    formset=BaseLineFormSet,
    extra=1,
    can_delete=True,
    max_num=LIMITS["max_lines_per_document"],
    validate_max=True,
)


class QuoteRequestForm(forms.ModelForm):
    """What a rep asks for: the customer, a subject, when, and their wishes."""

    class Meta:
        model = Quote
        fields = ["customer", "subject", "desired_delivery", "note"]
        labels = {"note": _("wishes and notes")}
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"] = CustomerField(user=user)

    def quote_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class QuoteEditForm(forms.ModelForm):
    """The admin's header fields; the customer stays the one who asked."""

    class Meta:
        model = Quote
        fields = ["subject", "desired_delivery", "delivery_place", "payment_terms", "validity_days", "note"]
        widgets = {
            "note": forms.Textarea(attrs={"rows": 3}),
            "validity_days": forms.NumberInput(attrs={"inputmode": "numeric"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["validity_days"].validators.append(MinValueValidator(1))
        self.fields["validity_days"].validators.append(MaxValueValidator(365))

    def quote_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class CommentForm(forms.Form):
    """A manager's answer (or a decline): a comment, and where to go back to."""

    comment = forms.CharField(
        label=_("comment"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, comment_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].required = comment_required

    def safe_next(self) -> str:
        target = self.cleaned_data.get("next") or ""
        return target if target.startswith("/") and not target.startswith("//") else ""


class QuoteFilterForm(forms.Form):
    STATUS_CHOICES = [("", _("all statuses")), *Quote.Status.choices]

    status = forms.ChoiceField(label=_("status"), choices=STATUS_CHOICES, required=False)
    q = forms.CharField(
        label=_("customer, number or subject"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    mine = forms.BooleanField(label=_("my quotes"), required=False)
