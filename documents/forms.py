"""The archive search (電子帳簿保存法): kind, number, counterparty by name or kana, date
range, amount range, any of them combined."""

from decimal import Decimal

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from backoffice.validators import business_date

from .rendering import KIND_LAYOUTS
from .types import CounterpartyKind, DocumentKind

MAX_AMOUNT = Decimal("999999999999")


def _date_field(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        validators=[business_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


def _amount_field(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=0,
        max_value=MAX_AMOUNT,
        decimal_places=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "step": "1", "class": "num"}),
    )


class DocumentSearchForm(forms.Form):
    # The kinds by the titles printed on them (御見積書, 請求書, ...), as index.csv names them.
    kind = forms.ChoiceField(
        label=_("Document kind"),
        required=False,
        choices=[("", _("All")), *((kind, KIND_LAYOUTS[kind].title) for kind in DocumentKind)],
    )
    number = forms.CharField(
        label=_("Document number"),
        required=False,
        max_length=40,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. INV-2026-000123")}),
    )
    counterparty_kind = forms.ChoiceField(
        label=_("Counterparty kind"), required=False, choices=[("", _("All")), *CounterpartyKind.choices]
    )
    counterparty = forms.CharField(
        label=_("Counterparty"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("name or kana")}),
    )
    date_from = _date_field(_("Date from"))
    date_to = _date_field(_("Date to"))
    amount_min = _amount_field(_("Amount from"))
    amount_max = _amount_field(_("Amount to"))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        low, high = cleaned.get("amount_min"), cleaned.get("amount_max")
        if low is not None and high is not None and low > high:
            self.add_error("amount_max", _("The upper amount is below the lower amount."))
        return cleaned

    def filter(self, documents: QuerySet) -> QuerySet:
        """The documents matching every condition given (call after is_valid())."""
        data = self.cleaned_data
        if data.get("kind"):
            documents = documents.filter(kind=data["kind"])
        if data.get("number"):
            # Numbers are upper case: a plain prefix match can use the number's unique index.
            documents = documents.filter(number__startswith=data["number"].strip().upper())
        if data.get("counterparty_kind"):
            documents = documents.filter(counterparty_kind=data["counterparty_kind"])
        text = (data.get("counterparty") or "").strip()
        if text:
            documents = documents.filter(
                Q(counterparty_name__icontains=text) | Q(counterparty_kana_key__kana_contains=text)
            )
        if data.get("date_from"):
            documents = documents.filter(document_date__gte=data["date_from"])
        if data.get("date_to"):
            documents = documents.filter(document_date__lte=data["date_to"])
        if data.get("amount_min") is not None:
            documents = documents.filter(amount__gte=data["amount_min"])
        if data.get("amount_max") is not None:
            documents = documents.filter(amount__lte=data["amount_max"])
        return documents


class IdsField(forms.MultipleChoiceField):
    """Document ids as ticked: digits only (anything else is no document)."""

    def valid_value(self, value) -> bool:
        return str(value).isascii() and str(value).isdigit() and len(str(value)) <= 18

    def to_python(self, value):
        return [int(item) for item in super().to_python(value) if self.valid_value(item)]


class DocumentSelectionForm(forms.Form):
    """The documents ticked for an export, or every document the search finds."""

    ids = IdsField(required=False)
    everything = forms.BooleanField(required=False)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("everything") and not cleaned.get("ids"):
            raise forms.ValidationError(_("Tick the documents to export."))
        return cleaned


class NumberPrefixForm(forms.Form):
    """A new prefix for a sequence from a fiscal year: parsed here, checked and written by
    documents.services.number_prefix_schedule (its refusals go next to the field)."""

    kind = forms.ChoiceField(label=_("Document kind"))
    prefix = forms.CharField(
        label=_("New prefix"),
        max_length=20,  # the service says "at most 10" in words; a longer paste still reaches it
        help_text=_("Letters A-Z and digits 0-9, up to 10, starting with a letter, e.g. SEI."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "class": "mono"}),
    )
    from_fiscal_year = forms.TypedChoiceField(label=_("From fiscal year"), coerce=int)

    def __init__(self, *args, series, current_year: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "---------")] + [(s.kinds[0], s.label) for s in series]
        first = min((s.earliest_year for s in series), default=current_year)
        self.fields["from_fiscal_year"].choices = [
            (year, _("Fiscal year %(year)s") % {"year": year}) for year in range(first, current_year + 6)
        ]
