"""Forms of the invoice screens: the search (and 入金予定表) filters, the 請求一覧 period."""

from django import forms
from django.utils.translation import gettext_lazy as _

from backoffice.validators import business_date
from billing.models import Invoice


def date_field(label, *, required=False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        validators=[business_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def check_order(form, first: str, last: str) -> None:
    """An error on `last` when the range is backwards."""
    start, end = form.cleaned_data.get(first), form.cleaned_data.get(last)
    if start and end and start > end:
        form.add_error(last, _("The end date is before the start date."))


class InvoiceFilterForm(forms.Form):
    LIST = "list"
    SCHEDULE = "schedule"

    view = forms.ChoiceField(
        label=_("View"),
        required=False,
        choices=[(LIST, _("Invoice list")), (SCHEDULE, _("Payment schedule (open invoices by due date)"))],
    )
    customer = forms.CharField(
        label=_("Customer"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("code, name or kana")}),
    )
    issued_from = date_field(_("Issued from"))
    issued_to = date_field(_("Issued to"))
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open (not fully paid)")), *Invoice.Status.choices],
    )
    due_from = date_field(_("Due from"))
    due_to = date_field(_("Due to"))
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def clean(self):
        cleaned = super().clean()
        check_order(self, "issued_from", "issued_to")
        check_order(self, "due_from", "due_to")
        return cleaned

    @property
    def schedule(self) -> bool:
        return self.is_valid() and self.cleaned_data.get("view") == self.SCHEDULE


class InvoicePrintForm(forms.Form):
    date_from = date_field(_("Issued from"), required=True)
    date_to = date_field(_("Issued to"), required=True)

    def clean(self):
        cleaned = super().clean()
        check_order(self, "date_from", "date_to")
        return cleaned
