"""Forms of the internal papers: the day of the 受注伝票 batch, and the day and warehouse
of the ピッキングリスト. They parse the query string; orders.services.slips prints."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.validators import business_date
from inventory.models import Warehouse

from .orders import DateInput


class SlipDayForm(forms.Form):
    date = forms.DateField(label=_("order date"), validators=[business_date], widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class PickingDayForm(forms.Form):
    date = forms.DateField(label=_("shipping date"), validators=[business_date], widget=DateInput)
    warehouse = forms.ModelChoiceField(
        label=_("warehouse"),
        queryset=Warehouse.objects.all(),
        required=False,
        empty_label=_("All warehouses"),
        error_messages={"invalid_choice": _("Choose a warehouse from the list.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()
