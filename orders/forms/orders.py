"""Forms of the order screens: the list's filters, the phone-order entry (a header and its
lines), and the small forms of the order page's actions (cancel, release a credit hold).

They parse and check what was typed (required fields, positive quantities within the
limits, dates in range, a ship-to of the chosen customer) so that the services rarely
refuse; the rules themselves stay in orders.services."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.db.models import Q
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backoffice.roles import Role, has_role
from backoffice.validators import business_date

from ..models import Order, ShipToAddress
from .fields import CustomerField, ProductField, SearchSelect

PAGE_SIZE = 50
BLANK_LINES = 3  # rows the entry opens with; another appears when the last one is filled
MAX_LINES = 200  # rows the entry screen takes (the documents' own limit is higher)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class OrderFilterForm(forms.Form):
    """The order list's filters (GET): status, customer by code/name/kana, order date range,
    and "mine" (a rep: my customers; anyone else: orders I entered)."""

    status = forms.ChoiceField(label=_("status"), required=False)
    customer = forms.CharField(
        label=_("customer"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("code, name or kana")}),
    )
    date_from = forms.DateField(label=_("ordered from"), required=False, validators=[business_date], widget=DateInput)
    date_to = forms.DateField(label=_("ordered until"), required=False, validators=[business_date], widget=DateInput)
    mine = forms.BooleanField(label=_("mine only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["status"].choices = [("", _("all")), *Order.Status.choices]
        if has_role(user, Role.SALES_REP):
            self.fields["mine"].label = _("my customers only")
        else:
            self.fields["mine"].label = _("entered by me")

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filter(self, orders):
        """The orders narrowed by the valid filters (an invalid one is ignored and shown)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        if data.get("status"):
            orders = orders.filter(status=data["status"])
        text = (data.get("customer") or "").strip()
        if text:
            orders = orders.filter(
                Q(customer__code__istartswith=text)
                | Q(customer__name__icontains=text)
                | Q(customer__name_kana_key__kana_contains=text)
            )
        if data.get("date_from"):
            orders = orders.filter(order_date__gte=data["date_from"])
        if data.get("date_to"):
            orders = orders.filter(order_date__lte=data["date_to"])
        if data.get("mine"):
            if has_role(self.user, Role.SALES_REP):
                orders = orders.filter(customer__sales_rep=self.user)
            else:
                orders = orders.filter(entered_by=self.user)
        return orders


def _live(url, trigger: str) -> dict[str, str]:
    """htmx attributes of a field whose change asks the entry preview again."""
    return {
        "hx-post": str(url),
        "hx-trigger": trigger,
        "hx-target": "#entry-summary",
        "hx-swap": "innerHTML",
        "hx-include": "#order-entry",
        "hx-sync": "#order-entry:replace",
    }


PREVIEW_URL = reverse_lazy("orders:order_entry_preview")


class FirstSearchSelect(SearchSelect):
    """The picker whose search box takes the focus when the page opens (the customer's)."""

    template_name = "orders/orders/_search_select_first.html"


class OrderEntryForm(forms.Form):
    """The order's header as the sales admin types it during the call."""

    customer = forms.Field()  # replaced in __init__: the customers this user may see
    ship_to = forms.ModelChoiceField(
        label=_("ship to"),
        queryset=ShipToAddress.objects.none(),
        required=False,
        empty_label=_("The customer's own address"),
    )
    customer_po_number = forms.CharField(label=_("customer PO number"), max_length=60, required=False)
    requested_date = forms.DateField(
        label=_("requested delivery date"), required=False, validators=[business_date], widget=DateInput
    )
    # One line (Enter moves on, as in every field of the entry); long notes still fit.
    note = forms.CharField(label=_("note"), max_length=2000, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"] = CustomerField(
            user=user,
            widget=FirstSearchSelect(
                search_url=reverse_lazy("orders:customer_search"),
                placeholder=_("code, name or kana"),
                attrs={
                    **_live(PREVIEW_URL, "change, htmx:afterSwap"),
                    # the ship-to choices follow the customer chosen
                },
            ),
        )
        self.fields["ship_to"].widget.attrs.update(
            {
                "hx-get": str(reverse_lazy("orders:order_entry_ship_to")),
                "hx-trigger": "change from:#id_customer, htmx:afterSwap from:#id_customer",
                "hx-include": "#id_customer",
                "hx-target": "this",
                "hx-swap": "outerHTML",
            }
        )
        order = ["customer", "ship_to", "customer_po_number", "requested_date", "note"]
        self.order_fields(order)
        customer_id = self.customer_id()
        if customer_id is not None:
            self.fields["ship_to"].queryset = ship_to_choices(customer_id)

    def customer_id(self) -> int | None:
        raw = self.data.get(self.add_prefix("customer")) if self.is_bound else self.initial.get("customer")
        raw = getattr(raw, "pk", raw)
        return int(raw) if str(raw or "").isdigit() else None

    def clean_requested_date(self):
        value = self.cleaned_data.get("requested_date")
        if value is not None and value < timezone.localdate():
            raise forms.ValidationError(_("The requested date is in the past."))
        return value

    def order_data(self) -> dict:
        data = {name: self.cleaned_data.get(name) for name in ("customer", "ship_to", "customer_po_number", "note")}
        data["requested_date"] = self.cleaned_data.get("requested_date")
        return data


def ship_to_choices(customer_id: int):
    return ShipToAddress.objects.filter(customer_id=customer_id).order_by("-is_default", "pk")


def default_ship_to(customer_id: int | None) -> ShipToAddress | None:
    if customer_id is None:
        return None
    return ship_to_choices(customer_id).filter(is_default=True).first()


class OrderLineForm(forms.Form):
    """One line: a product (picked by SKU, name or kana) and a quantity. A row left empty
    is skipped; unit, tax rate and price come from the product and the customer."""

    product = forms.Field(required=False)  # replaced in __init__
    quantity = forms.IntegerField(
        label=_("quantity"),
        required=False,
        min_value=1,
        max_value=settings.LIMITS["max_quantity"],
        error_messages={
            "min_value": _("Enter a quantity of at least 1."),
            "max_value": _("Enter a quantity of at most %(limit_value)s."),
            "invalid": _("Enter the quantity as a whole number."),
        },
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "qty"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"] = ProductField(
            required=False,
            widget=SearchSelect(
                search_url=reverse_lazy("orders:product_search"),
                placeholder=_("SKU, name or kana"),
                attrs=_live(PREVIEW_URL, "change, htmx:afterSwap"),
            ),
        )
        self.fields["quantity"].widget.attrs.update(_live(PREVIEW_URL, "input changed delay:200ms"))
        self.order_fields(["product", "quantity"])

    @property
    def is_blank(self) -> bool:
        """Nothing typed in the row (a row with errors is not blank)."""
        if not self.is_bound:
            return True
        return not any((self.data.get(self.add_prefix(name)) or "").strip() for name in ("product", "quantity"))

    def clean(self):
        data = super().clean()
        if self.is_blank:
            return data
        if data.get("product") is None and "product" not in self.errors:
            self.add_error("product", _("Choose a product."))
        if data.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter the quantity."))
        return data


class BaseLineFormSet(forms.BaseFormSet):
    def filled(self) -> list[OrderLineForm]:
        """The rows with something typed in them, in order."""
        return [form for form in self.forms if not form.is_blank]

    def clean(self):
        if any(self.errors):
            return
        if not self.filled():
            raise forms.ValidationError(_("Enter at least one line."))


OrderLineFormSet = forms.formset_factory(
    OrderLineForm, formset=BaseLineFormSet, extra=0, max_num=MAX_LINES, validate_max=True, absolute_max=MAX_LINES
)


def line_formset(data=None, *, initial: list[dict] | None = None) -> BaseLineFormSet:
    """The entry's lines: posted `data`, or `initial` lines (a draft's) followed by blank rows."""
    if data is None:
        rows = [*(initial or []), *({} for _ in range(BLANK_LINES if not initial else 1))]
        return OrderLineFormSet(prefix="lines", initial=rows)
    return OrderLineFormSet(data, prefix="lines")


def blank_line_form(index: int) -> OrderLineForm:
    """The row appended at the end of the entry, numbered `index` (0-based)."""
    return OrderLineForm(prefix=f"lines-{index}", use_required_attribute=False)


class CommentForm(forms.Form):
    """A comment with a decision (cancel, release), and where to go back afterwards."""

    comment = forms.CharField(label=_("comment"), max_length=2000, required=False, widget=forms.Textarea)
    next = forms.CharField(required=False, max_length=500)
