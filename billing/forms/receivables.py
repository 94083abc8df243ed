"""Forms of the receivables screens: the aging's day, the ledger's period."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .invoices import check_order, date_field


class AgingForm(forms.Form):
    as_of = date_field(_("As of"))


class LedgerForm(forms.Form):
    date_from = date_field(_("From"))
    date_to = date_field(_("To"))

    def clean(self):
        cleaned = super().clean()
        check_order(self, "date_from", "date_to")
        return cleaned
