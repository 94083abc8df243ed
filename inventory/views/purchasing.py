"""Screens: purchasing (発注). The reorder suggestions with their arithmetic shown per line,
chosen and turned into draft purchase orders, one per supplier; the purchase orders: a draft
entered or changed by hand, issued (the 発注書 PDF), received in part or in full (入荷), and
on its page the backorders each receipt served. Sales admins do all of it; managers read."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Sum
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View

from backoffice.exceptions import DomainError
from backoffice.formatting import number
from backoffice.roles import Role, has_role
from backoffice.screens import RoleRequiredMixin, refuse

from .. import services
from ..forms.purchasing import (
    CancelForm,
    PurchaseOrderFilterForm,
    PurchaseOrderForm,
    PurchaseOrderLineFormSet,
    ReceiveForm,
    SuggestionChoiceForm,
)
from ..models import PurchaseOrder
from ..selectors import ReorderSuggestion, group_by_supplier, purchase_order_receipts, reorder_suggestions

PAGE_SIZE = 50
READERS = (Role.SALES_ADMIN, Role.MANAGER)
WRITERS = (Role.SALES_ADMIN,)


def _purchase_order(pk: int) -> PurchaseOrder:
    return get_object_or_404(
        PurchaseOrder.objects.select_related("supplier", "warehouse", "created_by", "document"), pk=pk
    )


@dataclass(frozen=True)
class SuggestionRow:
    """A suggestion as the screen shows it: the arithmetic in words, and its two fields."""

    suggestion: ReorderSuggestion
    formula: str
    why: str
    pick: object
    quantity: object

    @classmethod
    def of(cls, s: ReorderSuggestion, form) -> SuggestionRow:
        formula = _(
            "available %(available)s + incoming %(incoming)s − backordered %(backordered)s = %(projected)s,"
            " below the reorder point %(point)s"
        ) % {
            "available": number(s.available),
            "incoming": number(s.incoming),
            "backordered": number(s.backordered),
            "projected": number(s.projected),
            "point": number(s.reorder_point),
        }
        if s.projected + s.reorder_quantity >= s.reorder_point:
            why = _("one reorder quantity of %(quantity)s brings it back to the reorder point") % {
                "quantity": number(s.reorder_quantity)
            }
        else:
            why = _("reorder point %(point)s + reorder quantity %(quantity)s − %(projected)s = %(base)s") % {
                "point": number(s.reorder_point),
                "quantity": number(s.reorder_quantity),
                "projected": number(s.projected),
                "base": number(s.reorder_point + s.reorder_quantity - s.projected),
            }
        if s.on_draft:
            why += _("; less %(draft)s already on draft purchase orders") % {"draft": number(s.on_draft)}
        pk = s.product.pk
        return cls(s, formula, why, form[f"pick_{pk}"], form[f"quantity_{pk}"])


class SuggestionListView(RoleRequiredMixin, View):
    """What the reorder points ask to buy now, per supplier; tick, adjust, create drafts."""

    roles = READERS
    template_name = "inventory/purchasing/suggestions.html"

    def _render(self, request, form):
        groups = [
            (supplier, [SuggestionRow.of(suggestion, form) for suggestion in items])
            for supplier, items in group_by_supplier(form.suggestions)
        ]
        return render(request, self.template_name, {"form": form, "groups": groups})

    def get(self, request):
        return self._render(request, SuggestionChoiceForm(suggestions=reorder_suggestions()))

    def post(self, request):
        if not has_role(request.user, *WRITERS):
            raise PermissionDenied(_("Your role may not open this page."))
        form = SuggestionChoiceForm(request.POST, suggestions=reorder_suggestions())
        if not form.is_valid():
            return self._render(request, form)
        try:
            created = services.purchase_orders_create_from_suggestions(
                user=request.user, product_quantities=form.cleaned_data["chosen"]
            )
        except DomainError as exc:
            return self._render(request, refuse(form, exc))
        messages.success(
            request,
            ngettext(
                "%(count)d draft purchase order was created. Check it and issue it.",
                "%(count)d draft purchase orders were created. Check them and issue them.",
                len(created),
            )
            % {"count": len(created)},
        )
        if len(created) == 1:
            return redirect("inventory:purchase_order_detail", created[0].pk)
        return redirect(f"{reverse('inventory:purchase_order_list')}?status=draft")


class PurchaseOrderListView(RoleRequiredMixin, View):
    roles = READERS

    def get(self, request):
        orders = (
            PurchaseOrder.objects.select_related("supplier", "warehouse")
            .annotate(
                line_count=Count("lines"),
                ordered=Sum("lines__quantity"),
                received=Sum("lines__received_quantity"),
            )
            .order_by("-created_at", "-pk")
        )
        form = PurchaseOrderFilterForm(request.GET or None)
        if form.is_valid():
            text = form.cleaned_data["q"].strip()
            if text:
                orders = orders.filter(
                    Q(number__icontains=text)
                    | Q(supplier__code__istartswith=text)
                    | Q(supplier__name__icontains=text)
                    | Q(supplier__name_kana_key__kana_contains=text)
                )
            if form.cleaned_data["status"]:
                orders = orders.filter(status=form.cleaned_data["status"])
        page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(
            request,
            "inventory/purchasing/list.html",
            {"form": form, "page_obj": page, "orders": page.object_list},
        )


class PurchaseOrderDetailView(RoleRequiredMixin, View):
    roles = READERS

    def get(self, request, pk: int):
        purchase_order = _purchase_order(pk)
        lines = list(
            purchase_order.lines.select_related("product").annotate(outstanding=F("quantity") - F("received_quantity"))
        )
        context = {
            "po": purchase_order,
            "lines": lines,
            "total_cost": sum((line.quantity * line.unit_cost for line in lines), 0),
            "receipts": purchase_order_receipts(purchase_order),
            "receivable": purchase_order.status in services.purchasing.RECEIVABLE,
            "cancel_form": CancelForm(),
        }
        return render(request, "inventory/purchasing/detail.html", context)


class PurchaseOrderEditView(RoleRequiredMixin, View):
    """A draft by hand: new (no pk) or changed (a draft's pk)."""

    roles = WRITERS
    template_name = "inventory/purchasing/form.html"

    def _initial(self, purchase_order):
        if purchase_order is None:
            return None, None
        header = {
            "supplier": purchase_order.supplier_id,
            "warehouse": purchase_order.warehouse_id,
            "expected_date": purchase_order.expected_date,
            "notes": purchase_order.notes,
        }
        lines = [
            {
                "product": line.product_id,
                "quantity": line.quantity,
                "unit_cost": line.unit_cost,
                "expected_date": line.expected_date,
            }
            for line in purchase_order.lines.all()
        ]
        return header, lines

    def _draft(self, pk):
        if pk is None:
            return None
        purchase_order = _purchase_order(pk)
        if purchase_order.status != PurchaseOrder.Status.DRAFT:
            return None
        return purchase_order

    def get(self, request, pk: int | None = None):
        purchase_order = self._draft(pk)
        if pk is not None and purchase_order is None:
            messages.error(request, _("Only a draft purchase order can be changed."))
            return redirect("inventory:purchase_order_detail", pk)
        header, lines = self._initial(purchase_order)
        form = PurchaseOrderForm(initial=header)
        formset = PurchaseOrderLineFormSet(initial=lines, prefix="lines")
        return render(request, self.template_name, {"form": form, "formset": formset, "po": purchase_order})

    def post(self, request, pk: int | None = None):
        purchase_order = self._draft(pk)
        if pk is not None and purchase_order is None:
            messages.error(request, _("Only a draft purchase order can be changed."))
            return redirect("inventory:purchase_order_detail", pk)
        form = PurchaseOrderForm(request.POST)
        formset = PurchaseOrderLineFormSet(request.POST, prefix="lines")
        context = {"form": form, "formset": formset, "po": purchase_order}
        if not (form.is_valid() and formset.is_valid()):
            return render(request, self.template_name, context)
        lines = [
            {key: value for key, value in line.items() if key != "DELETE"}
            for line in formset.cleaned_data
            if line and line.get("product")
        ]
        data = form.cleaned_data
        try:
            if purchase_order is None:
                purchase_order = services.purchase_order_create(
                    supplier=data["supplier"],
                    warehouse=data["warehouse"],
                    expected_date=data["expected_date"],
                    notes=data["notes"],
                    lines=lines,
                    user=request.user,
                )
            else:
                update = {key: value for key, value in data.items() if key != "expected_date" or value}
                services.purchase_order_update(
                    purchase_order=purchase_order, data={**update, "lines": lines}, user=request.user
                )
        except DomainError as exc:
            return render(request, self.template_name, {**context, "form": refuse(form, exc)})
        messages.success(request, _("The draft purchase order was saved."))
        return redirect("inventory:purchase_order_detail", purchase_order.pk)


class PurchaseOrderIssueView(RoleRequiredMixin, View):
    roles = WRITERS

    def post(self, request, pk: int):
        purchase_order = _purchase_order(pk)
        try:
            purchase_order = services.purchase_order_issue(purchase_order=purchase_order, user=request.user)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(
                request,
                _("Purchase order %(number)s was issued. Send the PDF to %(supplier)s.")
                % {"number": purchase_order.number, "supplier": purchase_order.supplier.name},
            )
        return redirect("inventory:purchase_order_detail", pk)


class PurchaseOrderCancelView(RoleRequiredMixin, View):
    roles = WRITERS

    def post(self, request, pk: int):
        purchase_order = _purchase_order(pk)
        form = CancelForm(request.POST)
        reason = form.cleaned_data["reason"] if form.is_valid() else ""
        try:
            services.purchase_order_cancel(purchase_order=purchase_order, user=request.user, reason=reason)
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The purchase order was cancelled."))
        return redirect("inventory:purchase_order_detail", pk)


class PurchaseOrderReceiveView(RoleRequiredMixin, View):
    """入荷: the quantity that arrived per line (in part or in full)."""

    roles = WRITERS
    template_name = "inventory/purchasing/receive.html"

    def _lines(self, purchase_order):
        return list(purchase_order.lines.select_related("product").order_by("position", "pk"))

    @staticmethod
    def _not_receivable(request, purchase_order):
        if purchase_order.status in services.purchasing.RECEIVABLE:
            return None
        messages.error(request, _("Goods can be received only on an issued purchase order."))
        return redirect("inventory:purchase_order_detail", purchase_order.pk)

    def get(self, request, pk: int):
        purchase_order = _purchase_order(pk)
        if refused := self._not_receivable(request, purchase_order):
            return refused
        form = ReceiveForm(lines=self._lines(purchase_order))
        return render(request, self.template_name, {"po": purchase_order, "form": form})

    def post(self, request, pk: int):
        purchase_order = _purchase_order(pk)
        if refused := self._not_receivable(request, purchase_order):
            return refused
        form = ReceiveForm(request.POST, lines=self._lines(purchase_order))
        if not form.is_valid():
            return render(request, self.template_name, {"po": purchase_order, "form": form})
        try:
            result = services.purchase_order_receive(
                purchase_order=purchase_order, lines=form.cleaned_data["received"], user=request.user
            )
        except DomainError as exc:
            return render(request, self.template_name, {"po": purchase_order, "form": refuse(form, exc)})
        received = sum(move.quantity for move in result.moves)
        if result.served:
            messages.success(
                request,
                _("%(count)d received. Allocated to backorders: %(served)s.")
                % {
                    "count": received,
                    "served": "、".join(f"{r.demand} ({r.allocated_now})" for r in result.served),
                },
            )
        else:
            messages.success(request, _("%(count)d received. No backorder was waiting.") % {"count": received})
        return redirect("inventory:purchase_order_detail", pk)


urlpatterns = [
    path("purchasing/suggestions/", SuggestionListView.as_view(), name="purchase_suggestions"),
    path("purchasing/orders/", PurchaseOrderListView.as_view(), name="purchase_order_list"),
    path("purchasing/orders/new/", PurchaseOrderEditView.as_view(), name="purchase_order_new"),
    path("purchasing/orders/<int:pk>/", PurchaseOrderDetailView.as_view(), name="purchase_order_detail"),
    path("purchasing/orders/<int:pk>/edit/", PurchaseOrderEditView.as_view(), name="purchase_order_edit"),
    path("purchasing/orders/<int:pk>/issue/", PurchaseOrderIssueView.as_view(), name="purchase_order_issue"),
    path("purchasing/orders/<int:pk>/receive/", PurchaseOrderReceiveView.as_view(), name="purchase_order_receive"),
    path("purchasing/orders/<int:pk>/cancel/", PurchaseOrderCancelView.as_view(), name="purchase_order_cancel"),
]
