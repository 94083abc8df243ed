from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Prefetch, Q, QuerySet, Sum

from backoffice.kana import without_legal_form
from backoffice.money import apply_price_rate
from backoffice.roles import Role, has_role, restrict_to_own_customers, sees_all_customers
from backoffice.selectors import company_profile
from inventory.models import Product, StockDemand
from inventory.selectors import demands_by_reference, expected_dates

from .models import Customer, CustomerPrice, Order, OrderLine, Quote, Shipment, ShipmentLine

QuoteStatus = Quote.Status


def unit_prices_for(
    *, customer: Customer, products: Iterable[Product], rounding_mode: str | None = None
) -> dict[int, Decimal]:
    """The customer's unit price per product id, in one query: their own price (得意先別単価)
    if set, else list price x price rate (掛率) rounded to the yen by the company mode."""
    products = list(products)
    mode = rounding_mode or company_profile().rounding_mode
    specific = dict(
        CustomerPrice.objects.filter(customer=customer, product__in=[p.pk for p in products]).values_list(
            "product_id", "unit_price"
        )
    )
    prices = {}
    for product in products:
        if product.pk in specific:
            prices[product.pk] = specific[product.pk]
        elif customer.price_rate == 1:
            prices[product.pk] = product.list_price  # keeps decimals of a list price as they are
        else:
            prices[product.pk] = apply_price_rate(product.list_price, customer.price_rate, mode)
    return prices


def unit_price_for(*, customer: Customer, product: Product) -> Decimal:
    return unit_prices_for(customer=customer, products=[product])[product.pk]


def order_line_stock(lines) -> dict[int, dict]:
    """Per order line id: allocated and backordered quantities (from inventory's demands)
    and the expected date of the backordered rest. One query, three when some wait."""
    stock_lines = [line for line in lines if line.tracks_stock and not line.cancelled]
    if not stock_lines:
        return {}
    # The demands' own figures only: their allocations per warehouse are not needed here.
    demands = demands_by_reference([line.demand_reference for line in stock_lines], with_allocations=False)
    waiting = [d for d in demands.values() if d.backordered]
    dates = expected_dates(waiting) if waiting else {}
    answer = {}
    for line in stock_lines:
        demand = demands.get(line.demand_reference)
        if demand is None:
            continue
        answer[line.pk] = {
            "allocated": demand.allocated,
            "backordered": demand.backordered,
            "expected_date": dates.get(demand.pk),
        }
    return answer


# --- for billing ---


def uninvoiced_shipments(*, customer_ids, up_to):
    """Shipped, not yet invoiced shipments of these customers dated up to `up_to`, with
    their lines and order lines: three queries for any number of customers and shipments."""
    return list(
        Shipment.objects.filter(
            customer_id__in=list(customer_ids), status=Shipment.Status.SHIPPED, invoiced=False, shipped_on__lte=up_to
        )
        .select_related("order")
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ShipmentLine.objects.select_related("order_line").order_by("order_line__position", "pk"),
            )
        )
        .order_by("customer_id", "shipped_on", "pk")
    )


# --- for reports: the rows sales are read from ----------------------------------------


def shipped_lines():
    """Lines of shipped shipments: sales are recognised when the goods leave (出荷基準)."""
    return ShipmentLine.objects.filter(shipment__status=Shipment.Status.SHIPPED).order_by()


def open_order_lines():
    """Lines of confirmed orders not yet fully shipped (受注残)."""
    return OrderLine.objects.filter(
        order__status__in=[Order.Status.CONFIRMED, Order.Status.PARTIALLY_SHIPPED],
        cancelled=False,
        shipped_quantity__lt=F("quantity"),
    ).order_by()


def all_quotes():
    return Quote.objects.order_by()


def customer_labels(ids: Iterable[int] | None) -> dict[int, str]:
    """Customer id → "code name"; None: every customer (cheaper than a long IN list)."""
    customers = Customer.objects.order_by()
    if ids is not None:
        customers = customers.filter(pk__in=list(ids))
    return {pk: f"{code} {name}" for pk, code, name in customers.values_list("pk", "code", "name")}


def customer_ids_by_kana(names: Iterable[str]) -> dict[str, int]:
    """Kana names as banks print payers (kana_key form, maybe with a legal-form mark such as
    カ)) → the id of the one active customer whose kana reading is that name; names that
    fit no customer, or several, are left out."""
    wanted = {name: without_legal_form(name) for name in names}
    if not wanted:
        return {}
    candidates = Customer.objects.filter(is_active=True, name_kana_key__in={*wanted, *wanted.values()} - {""})
    by_reading: dict[str, set[int]] = {}
    for pk, key in candidates.values_list("pk", "name_kana_key"):
        by_reading.setdefault(without_legal_form(key), set()).add(pk)
    matches = {name: by_reading.get(reading, set()) for name, reading in wanted.items()}
    return {name: ids.pop() for name, ids in matches.items() if len(ids) == 1}


def customers_matching(*, user, text: str, limit: int = 20) -> QuerySet[Customer]:
    """Active customers this user may see whose code, name or kana reading contains `text`
    (kana normalised: やまだ, ﾔﾏﾀﾞ and ヤマダ all find 山田製作所), codes first."""
    customers = restrict_to_own_customers(Customer.objects.filter(is_active=True), user, "")
    text = (text or "").strip()
    if text:
        customers = customers.filter(
            Q(code__istartswith=text) | Q(name__icontains=text) | Q(name_kana_key__kana_contains=text)
        )
    return customers.order_by("code")[:limit]


def products_matching(*, text: str, limit: int = 20) -> QuerySet[Product]:
    """Active products whose SKU, name or kana reading contains `text`, SKUs first."""
    products = Product.objects.filter(is_active=True)
    text = (text or "").strip()
    if text:
        products = products.filter(
            Q(sku__istartswith=text) | Q(name__icontains=text) | Q(name_kana_key__kana_contains=text)
        )
    return products.order_by("sku")[:limit]


def own_customer_ids(user):
    """For what refers to customers by id only (documents' counterparties): None when the
    user sees every customer, else a subquery of the ids of the customers assigned to them
    (none for a user without a sales role)."""
    if sees_all_customers(user):
        return None
    if not has_role(user, Role.SALES_REP):
        return Customer.objects.none().values("pk")
    return Customer.objects.filter(sales_rep=user).values("pk")


# --- for the shipment screens and the home page: what is ready to ship -----------------

_LINE_REFERENCE = "orders.OrderLine:"  # OrderLine.demand_reference


ALLOCATED_LATER_AFTER = dt.timedelta(seconds=5)


@dataclass(frozen=True)
class ReadyLine:
    """An open order's line with goods ready for a new shipment: allocated stock (or, for a
    service line, what is not shipped yet) less what draft shipments already hold.
    `arrived_later`: the stock was allocated after the order was confirmed (a backorder
    whose goods came in), read as "the demand changed after it was created and holds stock"."""

    order_id: int
    line_id: int
    quantity: int
    arrived_later: bool


def lines_ready_to_ship(*, order_id: int | None = None) -> list[ReadyLine]:
    """Every line of confirmed or partially shipped orders that could go on a new shipment
    now (one order's with `order_id`). Four queries, driven by the demands holding stock,
    so the cost follows the stock on hand, not the number of orders."""
    open_statuses = [Order.Status.CONFIRMED, Order.Status.PARTIALLY_SHIPPED]
    demands = StockDemand.objects.filter(
        status=StockDemand.Status.OPEN, allocated__gt=0, reference__startswith=_LINE_REFERENCE
    )
    if order_id is not None:
        ids = list(OrderLine.objects.filter(order_id=order_id).values_list("pk", flat=True))
        demands = demands.filter(reference__in=[f"{_LINE_REFERENCE}{pk}" for pk in ids])
    held: dict[int, tuple[int, bool]] = {}
    for reference, allocated, created_at, updated_at in demands.values_list(
        "reference", "allocated", "created_at", "updated_at"
    ):
        number = reference.removeprefix(_LINE_REFERENCE)
        if number.isdigit():
            # A demand written and allocated at confirmation has both stamps within the
            # same moment; a later allocation (a receipt) moves updated_at on.
            held[int(number)] = (allocated, updated_at - created_at > ALLOCATED_LATER_AFTER)
    stock_lines = OrderLine.objects.filter(
        pk__in=list(held), tracks_stock=True, cancelled=False, order__status__in=open_statuses
    ).values_list("pk", "order_id")
    service_lines = OrderLine.objects.filter(
        tracks_stock=False, cancelled=False, order__status__in=open_statuses, shipped_quantity__lt=F("quantity")
    )
    if order_id is not None:
        service_lines = service_lines.filter(order_id=order_id)
    candidates: dict[int, tuple[int, int, bool]] = {pk: (order, *held[pk]) for pk, order in stock_lines}
    for pk, order, quantity, shipped in service_lines.values_list("pk", "order_id", "quantity", "shipped_quantity"):
        candidates[pk] = (order, quantity - shipped, False)
    if not candidates:
        return []
    pending = dict(
        ShipmentLine.objects.filter(shipment__status=Shipment.Status.DRAFT, order_line__in=list(candidates))
        .values("order_line")
        .annotate(total=Sum("quantity"))
        .values_list("order_line", "total")
    )
    ready = []
    for pk, (order, quantity, arrived_later) in sorted(candidates.items()):
        left = quantity - pending.get(pk, 0)
        if left > 0:
            ready.append(ReadyLine(order_id=order, line_id=pk, quantity=left, arrived_later=arrived_later))
    return ready
