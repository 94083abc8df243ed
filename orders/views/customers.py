"""Screens: customers. Find a customer by code, name or kana (やまだ, ﾔﾏﾀﾞ and ヤマダ all find
山田製作所); open one to see their terms, contacts, ship-to addresses, balance and, in one
timeline, what is open with them: quotes, orders, shipments, invoices and inquiries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Model, Q
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.roles import restrict_to_own_customers
from backoffice.screens import role_required
from documents.selectors import documents_visible_to
from documents.types import INVOICE_KINDS, CounterpartyKind

from ..forms.customers import CustomerSearchForm
from ..models import Customer, Inquiry, Order, Quote, Shipment
from ..selectors import customers_matching, own_customer_ids
from ..services import OPEN_ORDER_STATUSES, credit_check

PAGE_SIZE = 50
TIMELINE_PER_KIND = 20  # the most recent of each kind
RECENT_DAYS = 92  # shipped shipments and issued invoices this recent are shown too

OPEN_QUOTE_STATUSES = (
    Quote.Status.DRAFT,
    Quote.Status.PENDING_APPROVAL,
    Quote.Status.APPROVED,
    Quote.Status.REJECTED,
    Quote.Status.ISSUED,
)
OPEN_INQUIRY_STATUSES = (Inquiry.Status.OPEN, Inquiry.Status.HANDED_OFF)


@role_required()
def customer_list(request):
    form = CustomerSearchForm(request.GET or None)
    text = form.cleaned_data["q"] if form.is_valid() else ""
    customers = customers_matching(user=request.user, text=text, limit=None).select_related("sales_rep")
    page = Paginator(customers, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "orders/customers/list.html",
        {"form": form, "page_obj": page, "customers": page.object_list, "searched": bool(text)},
    )


def terms_label(customer: Customer) -> str:
    """The customer's terms as people say them: 「末締め 翌月末払い」, 「20日締め 翌月10日払い」."""
    if customer.closing_day == 31:
        closing = _("month-end closing")
    else:
        closing = _("closing on day %(day)d") % {"day": customer.closing_day}
    month = {
        0: _("this month"),
        1: _("next month"),
        2: _("the month after next"),
    }.get(customer.payment_month_offset) or _("%(n)d months later") % {"n": customer.payment_month_offset}
    if customer.payment_day == 31:
        payment = _("paid at the end of %(month)s") % {"month": month}
    else:
        payment = _("paid on day %(day)d of %(month)s") % {"day": customer.payment_day, "month": month}
    return f"{closing} {payment}"


@dataclass(frozen=True)
class TimelineEntry:
    """One line of the customer's timeline: what, when, its status, amount and page."""

    day: dt.date
    kind: str  # quote, order, shipment, invoice, inquiry
    kind_label: str
    title: str
    obj: Model | None  # for the status badge; None for an issued invoice (no status here)
    amount: Decimal | None
    url_name: str
    url_arg: int


def customer_timeline(customer: Customer, user) -> list[TimelineEntry]:
    """What is open with the customer, newest first: quotes not yet accepted or declined,
    orders not yet shipped, shipments being prepared or shipped lately, invoices issued lately
    (from the document archive: orders reads no billing tables), open inquiries. At most
    TIMELINE_PER_KIND of each; five queries."""
    since = timezone.localdate() - dt.timedelta(days=RECENT_DAYS)
    entries: list[TimelineEntry] = []
    quotes = customer.quotes.filter(status__in=OPEN_QUOTE_STATUSES).order_by("-pk")[:TIMELINE_PER_KIND]
    for quote in quotes:
        entries.append(
            TimelineEntry(
                day=quote.issue_date or timezone.localdate(quote.created_at),
                kind="quote",
                kind_label=_("Quote"),
                title=f"{quote} {quote.subject}",
                obj=quote,
                amount=quote.total if quote.total else None,
                url_name="orders:quote_detail",
                url_arg=quote.pk,
            )
        )
    orders = customer.orders.filter(status__in=(Order.Status.DRAFT, *OPEN_ORDER_STATUSES)).order_by(
        "-order_date", "-pk"
    )[:TIMELINE_PER_KIND]
    for order in orders:
        entries.append(
            TimelineEntry(
                day=order.order_date,
                kind="order",
                kind_label=_("Order"),
                title=str(order),
                obj=order,
                amount=order.total,
                url_name="orders:order_detail",
                url_arg=order.pk,
            )
        )
    shipments = customer.shipments.filter(
        Q(status=Shipment.Status.DRAFT) | Q(status=Shipment.Status.SHIPPED, shipped_on__gte=since)
    ).order_by("-pk")[:TIMELINE_PER_KIND]
    for shipment in shipments:
        entries.append(
            TimelineEntry(
                day=shipment.shipped_on or timezone.localdate(shipment.created_at),
                kind="shipment",
                kind_label=_("Shipment"),
                title=str(shipment),
                obj=shipment,
                amount=shipment.total,
                url_name="orders:shipment_detail",
                url_arg=shipment.pk,
            )
        )
    invoices = documents_visible_to(own_customer_ids(user)).filter(
        counterparty_kind=CounterpartyKind.CUSTOMER,
        counterparty_id=customer.pk,
        kind__in=INVOICE_KINDS,
        document_date__gte=since,
    )[:TIMELINE_PER_KIND]
    for document in invoices:
        entries.append(
            TimelineEntry(
                day=document.document_date,
                kind="invoice",
                kind_label=document.get_kind_display(),
                title=document.number,
                obj=None,
                amount=document.amount,
                url_name="documents:document_pdf",
                url_arg=document.pk,
            )
        )
    inquiries = (
        customer.inquiries.filter(status__in=OPEN_INQUIRY_STATUSES)
        .select_related("assigned_to")
        .order_by("-received_at", "-pk")[:TIMELINE_PER_KIND]
    )
    for inquiry in inquiries:
        entries.append(
            TimelineEntry(
                day=timezone.localdate(inquiry.received_at),
                kind="inquiry",
                kind_label=_("Inquiry"),
                title=inquiry.subject,
                obj=inquiry,
                amount=None,
                url_name="orders:inquiry_detail",
                url_arg=inquiry.pk,
            )
        )
    entries.sort(key=lambda e: (e.day, e.url_arg), reverse=True)
    return entries


@role_required()
def customer_detail(request, pk: int):
    customers = restrict_to_own_customers(Customer.objects.select_related("sales_rep"), request.user, "")
    customer = get_object_or_404(customers, pk=pk)
    # The credit position as order confirmation counts it (receivables are billing's, read
    # through orders.services): an order of ¥0 adds nothing.
    credit = credit_check(Order(customer=customer))
    context = {
        "customer": customer,
        "terms": terms_label(customer),
        "contacts": list(customer.contacts.all()),
        "ship_to_addresses": list(customer.ship_to_addresses.all()),
        "credit": credit,
        "credit_left": credit.limit - credit.exposure if credit.limit is not None else None,
        "timeline": customer_timeline(customer, request.user),
    }
    return render(request, "orders/customers/detail.html", context)


urlpatterns = [
    path("customers/", customer_list, name="customer_list"),
    path("customers/<int:pk>/", customer_detail, name="customer_detail"),
]
