"""Forms of the payment screens: the payment itself, and its allocation to the customer's
open invoices (one amount and one bank fee per invoice, filled with the suggestion)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing.models import PaymentMethod
from orders.forms.fields import CustomerField

from .invoices import check_order, date_field

MONEY = {"max_digits": 14, "decimal_places": 0}


def yen_field(label, *, required=True, min_value=0) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=required,
        min_value=min_value,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1", "class": "num"}),
        **MONEY,
    )


class PaymentForm(forms.Form):
    customer = forms.ModelChoiceField(queryset=None)  # replaced per user in __init__
    received_on = date_field(_("Received on"), required=True)
    amount = yen_field(_("Amount received"), min_value=1)
    bank_fee = yen_field(_("Bank fee deducted"), required=False)
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices, initial=PaymentMethod.TRANSFER)
    payer_name = forms.CharField(label=_("Payer name (kana)"), required=False, max_length=100)
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"] = CustomerField(user=user, label=_("Customer"))
        self.fields["received_on"].initial = timezone.localdate
        self.fields["bank_fee"].initial = 0

    def clean_bank_fee(self):
        return self.cleaned_data.get("bank_fee") or 0

    def clean_received_on(self):
        day = self.cleaned_data["received_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day

    def clean(self):
        cleaned = super().clean()
        amount, fee = cleaned.get("amount"), cleaned.get("bank_fee")
        if amount is not None and fee is not None and fee > amount:
            self.add_error("bank_fee", _("The bank fee cannot be larger than the payment."))
        return cleaned


def amount_name(invoice) -> str:
    return f"amount_{invoice.pk}"


def fee_name(invoice) -> str:
    return f"fee_{invoice.pk}"


class AllocationForm(forms.Form):
    """One amount and one bank fee per open invoice of the customer (oldest first)."""

    def __init__(self, *args, invoices, suggestion=(), **kwargs):
        super().__init__(*args, **kwargs)
        suggested = {item.invoice.pk: item for item in suggestion}
        self.invoices = list(invoices)
        for invoice in self.invoices:
            item = suggested.get(invoice.pk)
            amount = yen_field(_("Amount for %(number)s") % {"number": invoice.number}, required=False)
            fee = yen_field(_("Bank fee for %(number)s") % {"number": invoice.number}, required=False)
            amount.initial = item.amount if item else 0
            fee.initial = item.bank_fee if item else 0
            self.fields[amount_name(invoice)] = amount
            self.fields[fee_name(invoice)] = fee

    def given(self) -> bool:
        """Whether the allocation was sent at all (without it the payment matches oldest first)."""
        return any(amount_name(invoice) in self.data for invoice in self.invoices)

    def rows(self):
        """(invoice, amount field, fee field) per invoice, for the template."""
        return [(invoice, self[amount_name(invoice)], self[fee_name(invoice)]) for invoice in self.invoices]

    def allocations(self):
        """(invoice, amount, fee) of every invoice given more than zero."""
        chosen = []
        for invoice in self.invoices:
            amount = self.cleaned_data.get(amount_name(invoice)) or 0
            fee = self.cleaned_data.get(fee_name(invoice)) or 0
            if amount or fee:
                chosen.append((invoice, amount, fee))
        return chosen


class PaymentFilterForm(forms.Form):
    customer = forms.CharField(
        label=_("Customer"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("code, name or kana")}),
    )
    date_from = date_field(_("Received from"))
    date_to = date_field(_("Received to"))

    def clean(self):
        cleaned = super().clean()
        check_order(self, "date_from", "date_to")
        return cleaned
