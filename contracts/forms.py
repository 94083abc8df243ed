"""Forms of the contract screens: the list's filters and the input of each action."""

from django import forms
from django.utils.translation import gettext_lazy as _

from backoffice.validators import business_date

from .models import Contract, ContractKind


class DateInput(forms.DateInput):
    input_type = "date"


class ContractFilterForm(forms.Form):
    q = forms.CharField(label=_("Number, title or customer"), required=False, max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", "—"), *ContractKind.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *Contract.Status.choices])
    ending_before = forms.DateField(
        label=_("Ending before"), required=False, widget=DateInput, validators=[business_date]
    )


class SignForm(forms.Form):
    file = forms.FileField(label=_("Countersigned copy (PDF, JPEG or PNG)"))
    signed_on = forms.DateField(label=_("Signed on"), required=False, widget=DateInput, validators=[business_date])


class RenewForm(forms.Form):
    months = forms.IntegerField(label=_("Months"), min_value=1, max_value=120, required=False)


class EndForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Contract.EndReason.choices)
    ended_on = forms.DateField(label=_("Ended on"), required=False, widget=DateInput, validators=[business_date])
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)
