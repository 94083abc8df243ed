"""The shared pickers: a customer or a product chosen by typing part of its code, name or
kana reading. The widget is a search box whose results (htmx, from `orders:customer_search`
or `orders:product_search`) fill a select; without htmx the select still submits.

    customer = CustomerField(user=request.user)    # only customers this user may see
    product = ProductField()
"""

from __future__ import annotations

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from backoffice.roles import restrict_to_own_customers
from inventory.models import Product

from ..models import Customer


class SearchSelect(forms.Select):
    """A select that renders only the chosen option (there may be thousands), with a search
    box above it that asks `search_url` for matching options as the user types."""

    template_name = "orders/widgets/search_select.html"

    def __init__(self, *, search_url, placeholder, attrs=None):
        super().__init__(attrs)
        self.search_url = search_url
        self.placeholder = placeholder

    def optgroups(self, name, value, attrs=None):
        """Only the chosen options, read by their keys (one query for the chosen rows, never
        the whole table)."""
        chosen = [v for v in value if v not in (None, "")]
        if not chosen:
            return []
        field = self.choices.field
        try:
            rows = list(field.queryset.filter(pk__in=chosen))
        except (ValueError, TypeError):  # a typed value that is no key
            return []
        return [
            (None, [self.create_option(name, row.pk, field.label_from_instance(row), True, index, attrs=attrs)], index)
            for index, row in enumerate(rows)
        ]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"].update({"search_url": str(self.search_url), "placeholder": str(self.placeholder)})
        return context


class CustomerField(forms.ModelChoiceField):
    def __init__(self, *, user, **kwargs):
        queryset = restrict_to_own_customers(Customer.objects.filter(is_active=True), user, "")
        kwargs.setdefault("label", _("customer"))
        kwargs.setdefault(
            "widget",
            SearchSelect(search_url=reverse_lazy("orders:customer_search"), placeholder=_("code, name or kana")),
        )
        super().__init__(queryset=queryset, **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"


class ProductField(forms.ModelChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("product"))
        kwargs.setdefault(
            "widget",
            SearchSelect(search_url=reverse_lazy("orders:product_search"), placeholder=_("SKU, name or kana")),
        )
        super().__init__(queryset=Product.objects.filter(is_active=True), **kwargs)

    def label_from_instance(self, obj):
        return f"{obj.sku} {obj.name}"
