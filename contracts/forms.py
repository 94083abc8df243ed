"""Forms of the contract screens: the list's filters and the input of each action."""

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from backoffice.validators import business_date

from .models import Contract, ContractKind, ContractTemplate


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


class NoticeForm(forms.Form):
    given_on = forms.DateField(label=_("Notice given on"), required=False, widget=DateInput, validators=[business_date])


class EndForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=Contract.EndReason.choices)
    ended_on = forms.DateField(label=_("Ended on"), required=False, widget=DateInput, validators=[business_date])
    comment = forms.CharField(label=_("Comment"), required=False, max_length=500)


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class DealNumberField(forms.CharField):
    """A quote or an order by its number as printed (見積 Q-2026-000012 or Q-2026-000012-2 for a
    revision; 受注 SO-2026-000034), among the user's customers' issued ones."""

    def __init__(self, *, queryset, missing, **kwargs):
        super().__init__(required=False, max_length=50, **kwargs)
        self.queryset = queryset
        self.missing = missing

    def prepare_value(self, value):
        if isinstance(value, int):  # the instance's id, when the form edits a draft
            deal = self.queryset.filter(pk=value).first()
            return (getattr(deal, "display_number", "") or deal.number) if deal else ""
        return value

    def clean(self, value):
        number = super().clean(value).strip().upper()
        if not number:
            return None
        revision = 1
        head, _sep, tail = number.rpartition("-")
        candidates = self.queryset.filter(number=number)
        if not candidates.exists() and tail.isdigit() and len(tail) < 3 and head:
            number, revision = head, int(tail)  # Q-2026-000012-2: the quote's second revision
            candidates = self.queryset.filter(number=number)
        if "revision" in {f.name for f in self.queryset.model._meta.fields}:
            candidates = candidates.filter(revision=revision)
        deal = candidates.first()
        if deal is None:
            raise forms.ValidationError(self.missing % {"number": value})
        return deal


class ContractForm(forms.ModelForm):
    """A draft: the customer by code, name or kana; the template's wording may be changed
    (then a manager approves it before issue)."""

    class Meta:
        model = Contract
        fields = [
            "customer",
            "template",
            "title",
            "quote",
            "order",
            "amends",
            "supersedes",
            "starts_on",
            "ends_on",
            "auto_renew_months",
            "notice_days",
            "amount",
            "tax_rate",
            "on_paper",
            "stamp_class",
            "is_construction",
            "company_signatory_title",
            "company_signatory_name",
            "customer_signatory_title",
            "customer_signatory_name",
            "note",
            "body",
        ]
        widgets = {
            "starts_on": DateInput,
            "ends_on": DateInput,
            "body": forms.Textarea(attrs={"rows": 18}),
            "note": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        from backoffice.roles import restrict_to_own_customers
        from orders.forms.fields import CustomerField
        from orders.models import Order, Quote

        from .selectors import contracts_visible_to, current_templates

        super().__init__(*args, **kwargs)
        self.fields["customer"] = CustomerField(user=user)
        self.fields["template"].queryset = current_templates()
        self.fields["quote"] = DealNumberField(
            label=_("Quote number"),
            queryset=restrict_to_own_customers(Quote.objects.exclude(number=""), user),
            missing=_("No issued quote has the number %(number)s."),
            help_text=_("For an individual contract: the deal it is for."),
        )
        self.fields["order"] = DealNumberField(
            label=_("Order number"),
            queryset=restrict_to_own_customers(Order.objects.exclude(number=""), user),
            missing=_("No order has the number %(number)s."),
        )
        live = contracts_visible_to(user).filter(status__in=["issued", "sent", "signed"])
        customer = str(self["customer"].value() or "")
        if customer.isdigit():  # the chosen customer's contracts only (refreshed when it changes)
            live = live.filter(customer_id=int(customer))
        for name in ("amends", "supersedes"):
            self.fields[name].queryset = live
            self.fields[name].required = False
        for name in ("title", "body", "stamp_class"):
            self.fields[name].required = False
        self.fields["body"].help_text = _("Leave empty to use the template's wording.")
        self.fields["tax_rate"] = forms.TypedChoiceField(
            label=_("Tax rate"), choices=[(10, "10%"), (8, "8%"), (0, "0%")], coerce=int, initial=10
        )

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("title", "body", "stamp_class"):
            if not data.get(name):
                data.pop(name, None)
        return data


class ContractTemplateForm(forms.ModelForm):
    """A template's wording and settings. Saving an existing template makes a new version;
    a new template (kind and code asked for) starts at version 1."""

    class Meta:
        model = ContractTemplate
        # No standard-wording box: a manager marks the standard on the template's page.
        fields = ["kind", "code", "name", "stamp_class", "is_construction", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 24})}

    def __init__(self, *args, new: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not new:  # the kind and the code name the template across its versions
            del self.fields["kind"]
            del self.fields["code"]
        else:
            self.fields["code"].help_text = _("Letters, digits and hyphens, e.g. MASTER-2027. It never changes.")
            self.fields["code"].validators.append(
                RegexValidator(r"^[A-Za-z0-9][A-Za-z0-9_-]*$", _("Use letters, digits, hyphens and underscores."))
            )

    def validate_unique(self):
        """The services say so when a code is taken (a new version keeps its code)."""

    def service_data(self) -> dict:
        return dict(self.cleaned_data)
