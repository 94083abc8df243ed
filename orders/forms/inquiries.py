"""Forms of the inquiry screens: log a call or mail in seconds, hand it on, resolve it, and
turn it into a quote request (products and quantities)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from backoffice.roles import Role

from ..models import Inquiry
from .fields import CustomerField, ProductField


def staff_choices():
    """Active people who may take an inquiry: sales reps, admins and managers, by name."""
    roles = [role.value for role in Role]
    return (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(groups__name__in=roles) | Q(is_superuser=True))
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


class PersonField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.last_name} {obj.first_name}".strip() or obj.get_username()


class InquiryForm(forms.ModelForm):
    """The fields of a call, in the order they are asked. Left empty, the hand-off goes to the
    customer's rep."""

    class Meta:
        model = Inquiry
        fields = ["customer", "caller_name", "contact_name", "channel", "category", "subject", "body", "assigned_to"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"] = CustomerField(user=user, required=False)
        self.fields["assigned_to"] = PersonField(
            queryset=staff_choices(),
            required=False,
            label=_("hand off to"),
            empty_label=_("the customer's rep"),
        )
        self.fields["caller_name"].help_text = _("For a caller who is not a customer yet.")

    def clean(self):
        data = super().clean()
        customer = data.get("customer")
        if not customer and not data.get("caller_name") and "customer" not in self.errors:
            self.add_error("customer", _("Choose a customer or enter the caller's name."))
        if customer and not data.get("assigned_to") and customer.sales_rep_id:
            data["assigned_to"] = customer.sales_rep
        return data


class HandOffForm(forms.Form):
    assigned_to = PersonField(queryset=None, label=_("hand off to"), empty_label=None)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = staff_choices()


class ResolveForm(forms.Form):
    resolution = forms.CharField(label=_("resolution"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class QuoteRequestForm(forms.Form):
    """What the quote request says besides its lines (the subject is the inquiry's)."""

    desired_delivery = forms.CharField(label=_("delivery (納期)"), max_length=100, required=False)
    note = forms.CharField(label=_("wishes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


class QuoteRequestLineForm(forms.Form):
    product = ProductField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"] = forms.IntegerField(
            label=_("quantity"),
            min_value=1,
            max_value=settings.LIMITS["max_quantity"],
            required=False,
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "num"}),
        )

    def clean(self):
        data = super().clean()
        if data.get("product") and not data.get("quantity") and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter the quantity."))
        if data.get("quantity") and not data.get("product") and "product" not in self.errors:
            self.add_error("product", _("Choose the product."))
        return data


class BaseLineFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if any(self.errors):
            return
        if not any(form.cleaned_data.get("product") for form in self.forms):
            raise forms.ValidationError(_("Enter at least one line."))


QuoteRequestLines = forms.formset_factory(
    QuoteRequestLineForm, formset=BaseLineFormSet, extra=3, max_num=50, validate_max=True
)
