"""The customer search: one box for code, name or kana (typed any way)."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CustomerSearchForm(forms.Form):
    q = forms.CharField(label=_("code, name or kana"), max_length=100, required=False)
