"""Screens: products and their stock. Look a product up by SKU, name or kana; see its stock per
warehouse (on hand, allocated, available, incoming); ask "can I ship N, and when?" in place."""

from __future__ import annotations

from collections import defaultdict

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import F, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from backoffice.screens import role_required

from ..models import Product, PurchaseOrderLine, StockLevel, Warehouse
from ..phrases import availability_phrase, expected_date_basis
from ..selectors import OPEN_PURCHASE_ORDER, availability, with_stock_figures

PAGE_SIZE = 30


class ProductSearchForm(forms.Form):
    q = forms.CharField(label=_("SKU, name or kana"), max_length=100, required=False)


class QuantityForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["quantity"] = forms.IntegerField(
            label=_("quantity"), min_value=1, max_value=settings.LIMITS["max_quantity"]
        )


def _matching(text: str):
    """Active products whose SKU, name or kana reading contains the text (kana typed any way),
    as orders.selectors.products_matching finds them, without its limit."""
    products = Product.objects.filter(is_active=True)
    text = (text or "").strip()
    if text:
        products = products.filter(
            Q(sku__istartswith=text) | Q(name__icontains=text) | Q(name_kana_key__kana_contains=text)
        )
    return products.order_by("sku")


def _open_po_lines():
    return PurchaseOrderLine.objects.filter(
        purchase_order__status__in=OPEN_PURCHASE_ORDER, quantity__gt=F("received_quantity")
    )


def _per_warehouse(product_ids) -> dict[int, list[dict]]:
    """Per product: one row per warehouse that holds it or expects it, with on hand,
    allocated, available and incoming. Three queries for any number of products."""
    levels = StockLevel.objects.filter(product_id__in=product_ids).values_list(
        "product_id", "warehouse_id", "on_hand", "allocated"
    )
    incoming = (
        _open_po_lines()
        .filter(product_id__in=product_ids)
        .values("product_id", "purchase_order__warehouse_id")
        .annotate(quantity=Sum(F("quantity") - F("received_quantity")))
        .order_by()
    )
    rows: dict[tuple[int, int], dict] = {}
    for product_id, warehouse_id, on_hand, allocated in levels:
        rows[(product_id, warehouse_id)] = {"on_hand": on_hand, "allocated": allocated, "incoming": 0}
    for row in incoming:
        key = (row["product_id"], row["purchase_order__warehouse_id"])
        rows.setdefault(key, {"on_hand": 0, "allocated": 0, "incoming": 0})["incoming"] = row["quantity"]
    if not rows:
        return {}
    names = dict(Warehouse.objects.filter(pk__in={w for _p, w in rows}).values_list("pk", "name"))
    result: dict[int, list[dict]] = defaultdict(list)
    for (product_id, warehouse_id), figures in sorted(rows.items()):
        result[product_id].append(
            {"warehouse": names[warehouse_id], **figures, "available": figures["on_hand"] - figures["allocated"]}
        )
    return result


@role_required()
def product_list(request):
    form = ProductSearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    products = with_stock_figures(_matching(text))
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    warehouses = _per_warehouse([p.pk for p in rows])
    for product in rows:
        product.available_total = product.on_hand_total - product.allocated_total
        product.warehouses = warehouses.get(product.pk, [])
    return render(
        request,
        "inventory/product_list.html",
        {"form": form, "page_obj": page, "products": rows, "searched": bool(text)},
    )


def _answer(product: Product, form: QuantityForm) -> dict:
    answer = availability(product, form.cleaned_data["quantity"])
    return {"phrase": availability_phrase(answer, unit=product.unit), "basis": expected_date_basis(answer)}


@role_required()
def product_availability(request, pk: int):
    """The stock answer for ?quantity=N, as a fragment for htmx; without htmx, the product's
    page shows it."""
    product = get_object_or_404(Product, pk=pk, is_active=True)
    if not request.headers.get("HX-Request"):
        return redirect(f"{reverse('inventory:product_detail', args=[pk])}?{request.GET.urlencode()}")
    form = QuantityForm(request.GET)
    if not form.is_valid():
        return render(request, "inventory/_availability.html", {"form": form, "product": product}, status=422)
    context = {"form": form, "product": product, **_answer(product, form)}
    return render(request, "inventory/_availability.html", context)


@role_required()
def product_detail(request, pk: int):
    product = get_object_or_404(with_stock_figures(Product.objects.select_related("supplier")), pk=pk)
    product.available_total = product.on_hand_total - product.allocated_total
    purchase_lines = (
        _open_po_lines()
        .filter(product=product)
        .select_related("purchase_order__supplier", "purchase_order__warehouse")
        .annotate(open_quantity=F("quantity") - F("received_quantity"))
        .order_by("expected_date", "pk")
    )
    form = QuantityForm(request.GET if "quantity" in request.GET else None)
    context = {
        "product": product,
        "warehouses": _per_warehouse([product.pk]).get(product.pk, []),
        "purchase_lines": purchase_lines,
        "form": form,
    }
    if form.is_bound and form.is_valid():
        context.update(_answer(product, form))
    return render(request, "inventory/product_detail.html", context)


urlpatterns = [
    path("products/", product_list, name="product_list"),
    path("products/<int:pk>/", product_detail, name="product_detail"),
    path("products/<int:pk>/availability/", product_availability, name="product_availability"),
]
