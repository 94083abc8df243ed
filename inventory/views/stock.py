"""Screens: stock (在庫). Levels per warehouse (on hand, allocated, available, incoming), the
ledger of one product with the balance after each move, and the stock take (棚卸): counted
quantities per product for one warehouse, the differences shown before they are saved
through stock_take. Every role reads; only sales admins change stock."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from backoffice.exceptions import DomainError
from backoffice.roles import Role
from backoffice.screens import RoleRequiredMixin, refuse

from .. import services
from ..forms.stock import StockFilterForm, StockTakeForm, StockTakeSheetForm
from ..models import Product, StockLevel, Warehouse
from ..selectors import product_ledger, stock_levels
from .products import _matching

PAGE_SIZE = 50
SHEET_LIMIT = 200


class StockListView(RoleRequiredMixin, View):
    def get(self, request):
        form = StockFilterForm(request.GET or None)
        warehouse, text = None, ""
        if form.is_valid():
            warehouse, text = form.cleaned_data["warehouse"], form.cleaned_data["q"]
        levels = stock_levels(warehouse_id=warehouse.pk if warehouse else None, text=text)
        page = Paginator(levels, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {"form": form, "page_obj": page, "levels": page.object_list, "warehouse": warehouse}
        return render(request, "inventory/stock/list.html", context)


class ProductLedgerView(RoleRequiredMixin, View):
    def get(self, request, pk: int):
        product = get_object_or_404(Product, pk=pk)
        form = StockFilterForm(request.GET or None)
        warehouse = form.cleaned_data["warehouse"] if form.is_valid() else None
        moves = product_ledger(product, warehouse_id=warehouse.pk if warehouse else None)
        page = Paginator(moves, PAGE_SIZE).get_page(request.GET.get("page"))
        levels = StockLevel.objects.filter(product=product).select_related("warehouse").order_by("warehouse__code")
        context = {
            "product": product,
            "form": form,
            "warehouse": warehouse,
            "page_obj": page,
            "moves": page.object_list,
            "levels": levels,
        }
        return render(request, "inventory/stock/ledger.html", context)


@dataclass
class SheetRow:
    product: Product
    on_hand: int
    allocated: int
    counted_field: object = None
    counted: int | None = None
    difference: int = 0


def _sheet(warehouse: Warehouse, text: str) -> tuple[list[SheetRow], bool]:
    """The products on the count sheet: active stocked products matching the text, with what
    the warehouse holds of each (0 where it never held any); at most SHEET_LIMIT."""
    products = list(_matching(text).filter(track_stock=True)[: SHEET_LIMIT + 1])
    more = len(products) > SHEET_LIMIT
    products = products[:SHEET_LIMIT]
    held = {
        level.product_id: level
        for level in StockLevel.objects.filter(warehouse=warehouse, product__in=[p.pk for p in products])
    }
    rows = []
    for product in products:
        level = held.get(product.pk)
        rows.append(SheetRow(product, level.on_hand if level else 0, level.allocated if level else 0))
    return rows, more


class StockTakeView(RoleRequiredMixin, View):
    """GET chooses the warehouse (and narrows the products); POST «確認» shows the differences;
    POST «保存» records them, all or nothing."""

    roles = (Role.SALES_ADMIN,)
    template_name = "inventory/stock/take.html"

    def _sheet_form(self, data):
        sheet = StockTakeSheetForm(data)
        if not sheet.is_bound:
            default = Warehouse.objects.order_by("-is_default", "code").first()
            sheet = StockTakeSheetForm({"warehouse": default.pk if default else "", "q": ""})
        return sheet

    def _render(self, request, sheet, form=None, *, rows=(), more=False, preview=None, status=200):
        context = {"sheet": sheet, "form": form, "rows": rows, "more": more, "preview": preview, "limit": SHEET_LIMIT}
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        sheet = self._sheet_form(request.GET or None)
        if not sheet.is_valid():
            return self._render(request, sheet)
        rows, more = _sheet(sheet.cleaned_data["warehouse"], sheet.cleaned_data["q"])
        return self._render(request, sheet, StockTakeForm(rows=rows), rows=rows, more=more)

    def post(self, request):
        sheet = StockTakeSheetForm(request.POST)
        if not sheet.is_valid():
            return self._render(request, sheet)
        warehouse = sheet.cleaned_data["warehouse"]
        rows, more = _sheet(warehouse, sheet.cleaned_data["q"])
        form = StockTakeForm(request.POST, rows=rows)
        if not form.is_valid():
            return self._render(request, sheet, form, rows=rows, more=more)
        counted = form.counted_rows()
        if "save" not in request.POST:
            return self._render(request, sheet, form, rows=rows, more=more, preview=counted)
        try:
            results = services.stock_take_many(
                warehouse=warehouse,
                counts=[(row.product, row.counted) for row in counted],
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except DomainError as exc:
            self._refuse(form, counted, exc)
            return self._render(request, sheet, form, rows=rows, more=more, preview=counted)
        changed = sum(1 for result in results if result.moves)
        messages.success(
            request,
            _("The count of %(warehouse)s was saved: %(counted)d products counted, %(changed)d corrected.")
            % {"warehouse": warehouse.name, "counted": len(results), "changed": changed},
        )
        return redirect(f"{reverse('inventory:stock_list')}?warehouse={warehouse.pk}")

    @staticmethod
    def _refuse(form, counted, exc: DomainError) -> None:
        """`counts[2].counted_quantity` goes next to the third counted product's field."""
        field = exc.field or ""
        if field.startswith("counts[") and "]" in field:
            index = int(field[len("counts[") : field.index("]")])
            if index < len(counted):
                form.add_error(f"counted_{counted[index].product.pk}", str(exc.message))
                return
        refuse(form, exc)


urlpatterns = [
    path("stock/", StockListView.as_view(), name="stock_list"),
    path("stock/take/", StockTakeView.as_view(), name="stock_take"),
    path("stock/products/<int:pk>/", ProductLedgerView.as_view(), name="product_ledger"),
]
