"""Screens: orders (受注). The list with its filters; the phone-order entry with its live
answer (prices, totals per tax rate, the stock answer per line, the credit warning) while
the sales admin types; the order page with its lines, stock, shipments, documents and
history; and the actions each role may take on it (confirm, cancel, issue the 注文請書,
release a credit hold).

Each action parses its input with a form and calls the orders services; a service's
refusal is shown next to the field it names (or as a message), never as a 500."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from backoffice.api.fields import MAX_ID
from backoffice.exceptions import DomainError
from backoffice.roles import Role, has_role, restrict_to_own_customers
from backoffice.screens import refuse, role_required
from backoffice.selectors import company_profile
from backoffice.status import status_history
from backoffice.validators import business_date
from documents.models import IssuedDocument
from inventory.models import Product
from inventory.selectors import availabilities

from ..forms.orders import (
    PAGE_SIZE,
    CommentForm,
    OrderEntryForm,
    OrderFilterForm,
    blank_line_form,
    default_ship_to,
    line_formset,
)
from ..models import Customer, Order, OrderLine, Shipment
from ..selectors import order_line_stock
from ..services import (
    LineInput,
    LineStockAnswer,
    credit_check,
    order_cancel,
    order_confirm,
    order_confirmation_issue,
    order_create,
    order_update,
    price_lines,
    totals_for,
)

ANSWER_KEY = "orders.answer.%d"  # the confirm's answer, kept in the session for the order page


def _visible_orders(user):
    return restrict_to_own_customers(Order.objects.all(), user, "customer")


def _visible_order(user, pk: int) -> Order:
    """The order if this user may see it; a 404 for another rep's customer."""
    return get_object_or_404(_visible_orders(user).select_related("customer"), pk=pk)


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


# --- the list -------------------------------------------------------------------------


class OrderDrillDownForm(forms.Form):
    """The filters the reports link with (the orders behind a figure): a rep, a customer, a
    product, orders with goods shipped in a period (by the rep recorded on the shipment,
    as the sales figures count them), open orders (受注残). Invalid values are ignored."""

    rep = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    customer_id = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    product = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    shipped_from = forms.DateField(required=False, validators=[business_date])
    shipped_to = forms.DateField(required=False, validators=[business_date])
    open = forms.BooleanField(required=False)

    def chosen(self) -> dict:
        if not (self.is_bound and self.is_valid()):
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value not in (None, False, "")}

    def filter(self, orders):
        data = self.chosen()
        if not data:
            return orders
        if data.get("customer_id"):
            orders = orders.filter(customer=data["customer_id"])
        if data.get("product"):
            orders = orders.filter(lines__product=data["product"])
        if data.get("open"):
            orders = orders.filter(status__in=[Order.Status.CONFIRMED, Order.Status.PARTIALLY_SHIPPED])
        shipped = {}
        if data.get("shipped_from"):
            shipped["shipments__shipped_on__gte"] = data["shipped_from"]
        if data.get("shipped_to"):
            shipped["shipments__shipped_on__lte"] = data["shipped_to"]
        if shipped:
            if data.get("rep"):
                shipped["shipments__sales_rep"] = data["rep"]
            orders = orders.filter(shipments__status=Shipment.Status.SHIPPED, **shipped)
        elif data.get("rep"):
            orders = orders.filter(customer__sales_rep=data["rep"])
        return orders.distinct()

    def described(self) -> list[tuple[str, str]]:
        """The chosen filters for people: [(what, value)]."""
        data = self.chosen()
        described = []
        if data.get("rep"):
            rep = get_user_model().objects.filter(pk=data["rep"]).first()
            described.append(
                (_("sales rep"), (f"{rep.last_name} {rep.first_name}".strip() or rep.username) if rep else "—")
            )
        if data.get("customer_id"):
            customer = Customer.objects.filter(pk=data["customer_id"]).first()
            described.append((_("customer"), f"{customer.code} {customer.name}" if customer else "—"))
        if data.get("product"):
            product = Product.objects.filter(pk=data["product"]).first()
            described.append((_("product"), f"{product.sku} {product.name}" if product else "—"))
        if data.get("shipped_from") or data.get("shipped_to"):
            start, end = data.get("shipped_from"), data.get("shipped_to")
            text = (f"{start:%Y/%m/%d}" if start else "") + " – " + (f"{end:%Y/%m/%d}" if end else "")
            described.append((_("shipped on"), text))
        if data.get("open"):
            described.append((_("status"), _("open orders (confirmed, not fully shipped)")))
        return described


@require_GET
@role_required()
def order_list(request):
    form = OrderFilterForm(request.GET or None, user=request.user)
    drill_down = OrderDrillDownForm(request.GET or None)
    orders = drill_down.filter(form.filter(_visible_orders(request.user)))
    orders = orders.select_related("customer").order_by("-order_date", "-pk")
    page = Paginator(orders, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list.prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("position"))))
    expected = _expected_by_order(rows)
    return render(
        request,
        "orders/orders/list.html",
        {
            "form": form,
            "page_obj": page,
            "rows": [(order, expected.get(order.pk)) for order in rows],
            "drill_down": drill_down.described(),
            "drill_down_fields": [(name, request.GET[name]) for name in drill_down.chosen()],
        },
    )


def _expected_by_order(orders) -> dict[int, dict]:
    """Per open order: the latest expected date of its backordered lines, or that all is
    allocated. Seven queries for the page, however many orders."""
    open_orders = [o for o in orders if o.status in (Order.Status.CONFIRMED, Order.Status.PARTIALLY_SHIPPED)]
    stock = order_line_stock([line for order in open_orders for line in order.lines.all()])
    answer = {}
    for order in open_orders:
        figures = [stock[line.pk] for line in order.lines.all() if line.pk in stock]
        waiting = [f for f in figures if f["backordered"]]
        if waiting:
            dates = [f["expected_date"] for f in waiting if f["expected_date"]]
            answer[order.pk] = {"backordered": True, "date": max(dates) if dates else None}
        else:
            answer[order.pk] = {"backordered": False, "date": None}
    return answer


# --- the entry ------------------------------------------------------------------------


@role_required(Role.SALES_ADMIN)
def order_new(request):
    if request.method != "POST":
        form = OrderEntryForm(user=request.user, initial=_prefill(request))
        return _entry_page(request, form, line_formset())
    return _entry_save(request, None)


@role_required(Role.SALES_ADMIN)
def order_edit(request, pk: int):
    """A draft order in the same entry screen: its header and lines filled in, saved with
    order_update (or confirmed in the same step)."""
    order = _visible_order(request.user, pk)
    if order.status != Order.Status.DRAFT:
        messages.error(request, _("Only a draft order can be edited."))
        return redirect("orders:order_detail", pk=order.pk)
    if request.method != "POST":
        initial = {
            "customer": order.customer_id,
            "ship_to": order.ship_to_id,
            "customer_po_number": order.customer_po_number,
            "requested_date": order.requested_date,
            "note": order.note,
        }
        lines = [
            {"product": line.product_id, "quantity": line.quantity}
            for line in order.lines.filter(cancelled=False).order_by("position")
        ]
        form = OrderEntryForm(user=request.user, initial=initial)
        return _entry_page(request, form, line_formset(initial=lines), order=order)
    return _entry_save(request, order)


def _prefill(request) -> dict:
    """/orders/new/?customer=<id>: the entry opens with that customer chosen."""
    customer = request.GET.get("customer", "")
    return {"customer": int(customer)} if customer.isdigit() else {}


def _entry_save(request, editing: Order | None):
    order = editing
    form = OrderEntryForm(request.POST, user=request.user)
    formset = line_formset(request.POST)
    if not (form.is_valid() and formset.is_valid()):
        return _entry_page(request, form, formset, order=editing)
    filled = formset.filled()
    lines = [LineInput(product=f.cleaned_data["product"], quantity=f.cleaned_data["quantity"]) for f in filled]
    confirm = request.POST.get("action") == "confirm"
    try:
        # Confirming in one step is all or nothing: a refused confirmation leaves no draft behind
        # (and a draft being edited as it was).
        with transaction.atomic():
            if order is None:
                order = order_create(user=request.user, data=form.order_data(), lines=lines)
            else:
                order = order_update(order=order, user=request.user, data=form.order_data(), lines=lines)
            result = order_confirm(order=order, user=request.user) if confirm else None
    except DomainError as exc:
        refuse(form, exc, formset=SimpleNamespace(forms=filled))
        return _entry_page(request, form, formset, order=editing)
    if result is None:
        messages.success(request, _("Saved as a draft. Confirm it when the customer is sure."))
    else:
        _tell_confirmed(request, result)
    return redirect("orders:order_detail", pk=order.pk)


def _tell_confirmed(request, result) -> None:
    """The confirm's outcome on the order page: held for credit (why), or confirmed with
    the answer to read to the customer (kept in the session until the page shows it)."""
    number = result.order.number
    if result.on_hold:
        text = _("Order %(number)s waits for a manager: %(reason)s")
        messages.warning(request, text % {"number": number, "reason": result.message})
        return
    messages.success(request, _("Order %(number)s is confirmed.") % {"number": number})
    request.session[ANSWER_KEY % result.order.pk] = [answer.message for answer in result.lines]


def _entry_page(request, form, formset, *, order: Order | None = None):
    """The entry (new, or a draft's edit when `order` is given), with the live answer for
    what has been typed."""
    preview = _preview_for(request.user, form, formset) if form.is_bound else None
    infos = preview.lines if preview else [None] * len(formset.forms)
    return render(
        request,
        "orders/orders/new.html",
        {
            "form": form,
            "formset": formset,
            "preview": preview,
            "order": order,
            "rows": list(zip(formset.forms, infos, strict=True)),
        },
    )


@require_GET
@role_required(Role.SALES_ADMIN)
def order_entry_ship_to(request):
    """The ship-to select for the customer chosen (htmx swaps it in): that customer's
    addresses only, their default chosen. A customer this user may not see has none."""
    customer_id = OrderEntryForm(request.GET, user=request.user).customer_id()
    if (
        customer_id is not None
        and not restrict_to_own_customers(
            Customer.objects.filter(pk=customer_id, is_active=True), request.user, ""
        ).exists()
    ):
        customer_id = None
    chosen = default_ship_to(customer_id)
    form = OrderEntryForm(
        initial={"customer": customer_id, "ship_to": chosen.pk if chosen else None}, user=request.user
    )
    return render(request, "orders/orders/_ship_to.html", {"field": form["ship_to"]})


@require_POST
@role_required(Role.SALES_ADMIN)
def order_entry_preview(request):
    """The live answer while the order is typed (htmx): per line the unit, tax rate,
    customer's price, amount and stock answer; the totals per tax rate; the credit
    warning; and a new blank row when the last one has been filled."""
    form = OrderEntryForm(request.POST, user=request.user)
    formset = line_formset(request.POST)
    form.is_valid()
    formset.is_valid()
    preview = _preview_for(request.user, form, formset)
    last = formset.forms[-1] if formset.forms else None
    new_row = None
    if last is not None and not last.is_blank and len(formset.forms) < formset.max_num:
        new_row = blank_line_form(len(formset.forms))
    return render(
        request,
        "orders/orders/_entry_preview.html",
        {"preview": preview, "new_row": new_row, "total_forms": len(formset.forms) + (1 if new_row else 0)},
    )


@dataclass
class LinePreview:
    index: int
    unit: str = ""
    tax_rate: int | None = None
    unit_price: Decimal | None = None
    amount: Decimal | None = None
    answer: str = ""
    error: str = ""


@dataclass
class EntryPreview:
    lines: list[LinePreview] = field(default_factory=list)
    totals: dict | None = None
    credit_warning: str = ""
    problem: str = ""

    @property
    def answers(self) -> list[str]:
        return [line.answer for line in self.lines if line.answer]


def _preview_for(user, form, formset) -> EntryPreview:
    """What the entry shows for the form as typed: read-only, through the same pricing,
    availability and credit check the services use (nothing is written)."""
    customer = form.cleaned_data.get("customer") if hasattr(form, "cleaned_data") else None
    preview = EntryPreview()
    wanted: list[tuple[LinePreview, object, int | None]] = []
    for index, line_form in enumerate(formset.forms):
        line = LinePreview(index=index)
        preview.lines.append(line)
        data = getattr(line_form, "cleaned_data", {}) or {}
        product = data.get("product")
        quantity = data.get("quantity")
        if line_form.errors.get("quantity") and product is not None:
            line.error = line_form.errors["quantity"][0]
        if product is None:
            continue
        line.unit, line.tax_rate = product.unit, product.tax_rate
        wanted.append((line, product, quantity))
    priced_rows = [(line, product, quantity) for line, product, quantity in wanted if quantity]
    if customer is not None and priced_rows:
        mode = company_profile().rounding_mode
        try:
            priced = price_lines(
                customer=customer,
                lines=[LineInput(product=product, quantity=quantity) for _line, product, quantity in priced_rows],
                user=user,
                require_prices=False,
                mode=mode,
            )
        except DomainError as exc:
            preview.problem = str(exc.message)
        else:
            for (line, _product, _quantity), priced_line in zip(priced_rows, priced, strict=True):
                line.unit_price, line.amount = priced_line.unit_price, priced_line.amount
            preview.totals = totals_for([(p.tax_rate, p.amount) for p in priced], customer=customer, mode=mode)
            if customer.credit_limit is not None:
                check = credit_check(Order(customer=customer, total=preview.totals["total"]))
                if check.exceeded:
                    preview.credit_warning = check.message()
    _stock_answers(priced_rows)
    return preview


def _stock_answers(rows) -> None:
    """The stock answer per line, worded as order_confirm words it. Lines of one product
    share its stock: each line is answered after the ones above it. One availability
    read for all lines (two queries)."""
    today = timezone.localdate()
    taken: dict[int, int] = defaultdict(int)
    befores = []
    for _line, product, quantity in rows:
        befores.append(taken[product.pk])
        taken[product.pk] += quantity
    stocks = availabilities(
        [(product, before + quantity) for (_l, product, quantity), before in zip(rows, befores, strict=True)], on=today
    )
    for (line, product, quantity), before, stock in zip(rows, befores, stocks, strict=True):
        if product.track_stock:
            now = max(0, min(quantity, stock.available - before))
            expected: dt.date | None = stock.expected_date if now < quantity else today
        else:
            now, expected = quantity, today
        line.answer = LineStockAnswer(
            line_id=0,
            position=line.index + 1,
            sku=product.sku,
            description=product.name,
            ordered=quantity,
            allocated_now=now,
            backordered=quantity - now,
            expected_date=expected,
            unit=product.unit,
        ).message


# --- the order page -------------------------------------------------------------------


@require_GET
@role_required()
def order_detail(request, pk: int):
    order = get_object_or_404(
        _visible_orders(request.user).select_related("customer", "ship_to", "entered_by"),
        pk=pk,
    )
    lines = list(order.lines.select_related("product").order_by("position"))
    stock = order_line_stock(lines)
    line_rows = [(line, stock.get(line.pk)) for line in lines]
    shipments = list(order.shipments.order_by("pk"))
    documents = _documents_of(order, shipments)
    user = request.user
    is_admin = has_role(user, Role.SALES_ADMIN)
    is_manager = has_role(user, Role.MANAGER)
    open_status = order.status in (Order.Status.DRAFT, Order.Status.ON_HOLD, Order.Status.CONFIRMED)
    can = {
        "confirm": is_admin and order.status == Order.Status.DRAFT,
        "cancel": (is_admin or is_manager) and open_status and not any(line.shipped_quantity for line in lines),
        "issue": is_admin
        and not order.confirmation_document_id
        and order.status
        in (Order.Status.CONFIRMED, Order.Status.PARTIALLY_SHIPPED, Order.Status.SHIPPED, Order.Status.INVOICED),
        "release": is_manager and order.status == Order.Status.ON_HOLD,
    }
    return render(
        request,
        "orders/orders/detail.html",
        {
            "order": order,
            "line_rows": line_rows,
            "shipments": shipments,
            "documents": documents,
            "history": _history(order),
            "answer": request.session.pop(ANSWER_KEY % order.pk, None),
            "can": can,
            "comment_form": CommentForm(),
        },
    )


def _history(order: Order) -> list[dict]:
    def label(status: str) -> str:
        return Order.Status(status).label if status in Order.Status.values else "—"

    return [
        {
            "occurred_at": event.occurred_at,
            "actor": event.actor,
            "from_label": label(event.from_status),
            "to_label": label(event.to_status),
            "comment": event.comment,
        }
        for event in status_history(order).select_related("actor")
    ]


def _documents_of(order: Order, shipments) -> list[IssuedDocument]:
    """The order's issued documents: its 注文請書, and per shipment the 納品書 and the
    per-shipment 請求書 (both issued with the shipment as their source). One query."""
    by_shipment = Q(source_type=Shipment._meta.label_lower, source_id__in=[str(s.pk) for s in shipments])
    by_order = Q(source_type=Order._meta.label_lower, source_id=str(order.pk))
    query = by_order | by_shipment if shipments else by_order
    if order.confirmation_document_id:
        query |= Q(pk=order.confirmation_document_id)
    return list(
        IssuedDocument.objects.filter(query)
        .only("pk", "kind", "number", "document_date", "amount", "revision")
        .order_by("document_date", "pk")
    )


# --- actions --------------------------------------------------------------------------


@require_POST
@role_required(Role.SALES_ADMIN)
def order_confirm_view(request, pk: int):
    order = _visible_order(request.user, pk)
    try:
        result = order_confirm(order=order, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect("orders:order_detail", pk=order.pk)
    _tell_confirmed(request, result)
    return redirect("orders:order_detail", pk=order.pk)


@require_POST
@role_required(Role.SALES_ADMIN, Role.MANAGER)
def order_cancel_view(request, pk: int):
    order = _visible_order(request.user, pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The comment is too long (at most 2,000 characters)."))
        return redirect("orders:order_detail", pk=order.pk)
    try:
        order_cancel(order=order, user=request.user, reason=form.cleaned_data["comment"])
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The order is cancelled; its stock is free again."))
    return redirect("orders:order_detail", pk=order.pk)


@require_POST
@role_required(Role.SALES_ADMIN)
def order_confirmation_issue_view(request, pk: int):
    order = _visible_order(request.user, pk)
    try:
        order = order_confirmation_issue(order=order, user=request.user)
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The order confirmation (注文請書) is issued."))
    return redirect("orders:order_detail", pk=order.pk)


@require_POST
@role_required(Role.MANAGER)
def order_release(request, pk: int):
    """A manager releases an order held for credit (as the API's release does:
    order_confirm with release_hold), with a comment kept in the order's history."""
    order = _visible_order(request.user, pk)
    back = _safe_next(request, reverse("orders:order_detail", args=[order.pk]))
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The comment is too long (at most 2,000 characters)."))
        return redirect(back)
    try:
        result = order_confirm(order=order, user=request.user, release_hold=True, comment=form.cleaned_data["comment"])
    except DomainError as exc:
        messages.error(request, str(exc.message))
        return redirect(back)
    messages.success(request, _("Order %(number)s is released and confirmed.") % {"number": result.order.number})
    return redirect(back)


urlpatterns = [
    path("orders/", order_list, name="order_list"),
    path("orders/new/", order_new, name="order_new"),
    path("orders/new/preview/", order_entry_preview, name="order_entry_preview"),
    path("orders/<int:pk>/edit/", order_edit, name="order_edit"),
    path("orders/new/ship-to/", order_entry_ship_to, name="order_entry_ship_to"),
    path("orders/<int:pk>/", order_detail, name="order_detail"),
    path("orders/<int:pk>/confirm/", order_confirm_view, name="order_confirm"),
    path("orders/<int:pk>/cancel/", order_cancel_view, name="order_cancel"),
    path("orders/<int:pk>/issue-confirmation/", order_confirmation_issue_view, name="order_confirmation_issue"),
    path("orders/<int:pk>/release/", order_release, name="order_release"),
]
