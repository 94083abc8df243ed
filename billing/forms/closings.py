"""Forms of the closing screens: the closing date to preview or run, and the send step."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .invoices import date_field


class ClosingDateForm(forms.Form):
    closing_date = date_field(_("Closing date"), required=True)

    def clean_closing_date(self):
        day = self.cleaned_data["closing_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("The date cannot be in the future."))
        return day


class SendInvoicesForm(forms.Form):
    resend_failed = forms.BooleanField(label=_("Send the failed mails again"), required=False)
