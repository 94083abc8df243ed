"""Forms of the bank statement screens: the file to upload, and an admin's confirmation of a
transfer (the customer, picked by kana, and optionally the invoice it pays and the fee)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from backoffice.models import BankAccount
from billing import selectors
from billing.models import BankCsvLayout, Invoice
from orders.forms.fields import CustomerField

from .payments import yen_field

MAX_FILE_BYTES = 5 * 1024 * 1024


class BankStatementUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Bank statement file"),
        help_text=_(
            "A 全銀 file (入出金取引明細 or 振込入金通知), a CSV with 日付, 金額, 振込依頼人名, or the bank's "
            "CSV export of an account whose CSV layout is set."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.dat,text/csv,text/plain"}),
    )
    bank_account = forms.ModelChoiceField(
        queryset=BankAccount.objects.all(),
        required=False,
        label=_("Bank account"),
        empty_label=_("Recognised from the file"),
        help_text=_("For a bank's CSV export: the account whose CSV layout reads it."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload


class InvoiceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(number)s (due %(due)s, ¥%(open)s open)") % {
            "number": obj.number,
            "due": f"{obj.due_date:%Y/%m/%d}",
            "open": f"{obj.open_amount:,}",
        }


class BankLineConfirmForm(forms.Form):
    """Whose transfer it is; the invoice choices are that customer's open invoices."""

    customer = forms.ModelChoiceField(queryset=None)  # replaced per user in __init__
    invoice = InvoiceChoiceField(
        queryset=Invoice.objects.none(),
        required=False,
        label=_("Invoice paid"),
        empty_label=_("Oldest open invoices first"),
    )
    bank_fee = yen_field(_("Bank fee deducted"), required=False)

    def __init__(self, *args, user, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"] = CustomerField(user=user, label=_("Customer"))
        self.fields["bank_fee"].help_text = _("Leave empty: a shortfall within the bank fee tolerance is the fee.")
        if customer is not None:
            self.fields["invoice"].queryset = selectors.open_invoices_oldest_first(customer)

    def clean_bank_fee(self):
        return self.cleaned_data.get("bank_fee") or 0

    def clean(self):
        cleaned = super().clean()
        customer, invoice = cleaned.get("customer"), cleaned.get("invoice")
        if customer is not None and invoice is not None and invoice.customer_id != customer.pk:
            self.add_error("invoice", _("This invoice is another customer's."))
        return cleaned


class BankCsvLayoutForm(forms.ModelForm):
    """The columns of one account's CSV export, as its header row writes them."""

    class Meta:
        model = BankCsvLayout
        fields = ["date_column", "deposit_column", "withdrawal_column", "description_column", "encoding", "date_format"]
        # Two choices each, with examples too long for a select in the grid: all shown at once.
        widgets = {"encoding": forms.RadioSelect, "date_format": forms.RadioSelect}
