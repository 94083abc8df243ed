from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from backoffice.money import apply_price_rate
from backoffice.selectors import company_profile
from inventory.models import Product

from .models import Customer, CustomerPrice


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
