"""The pickers' search answers: the <option>s of the customers or products matching what was
typed (the first one chosen), for orders.forms.fields.SearchSelect."""

from django.shortcuts import render
from django.urls import path

from backoffice.screens import role_required

from ..selectors import customers_matching, products_matching


def _typed(request) -> str:
    """The search box's text: whichever `<field>__search` parameter came (one per picker)."""
    for key, value in request.GET.items():
        if key == "q" or key.endswith("__search"):
            return value[:100]
    return ""


@role_required()
def customer_search(request):
    found = customers_matching(user=request.user, text=_typed(request))
    options = [(c.pk, f"{c.code} {c.name}") for c in found]
    return render(request, "orders/widgets/options.html", {"options": options})


@role_required()
def product_search(request):
    found = products_matching(text=_typed(request))
    options = [(p.pk, f"{p.sku} {p.name}") for p in found]
    return render(request, "orders/widgets/options.html", {"options": options})


urlpatterns = [
    path("pick/customers/", customer_search, name="customer_search"),
    path("pick/products/", product_search, name="product_search"),
]
