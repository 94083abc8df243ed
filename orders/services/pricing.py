"""Lines as entered, priced for a customer, their totals, and their rows: the pricing
every quote and order goes through."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.exceptions import InvalidInput, NotAllowed
from backoffice.formatting import percent
from backoffice.money import ZERO, compute_totals, line_amount
from backoffice.roles import Role, has_role
from backoffice.selectors import company_profile
from backoffice.services import model_update
from inventory.models import Product

from ..models import Customer, Order, Quote
from ..selectors import unit_prices_for

# A line's fields as entered, in the order forms show them.
LINE_INPUT_FIELDS = (
    "product",
    "description",
    "quantity",
    "unit",
    "unit_price",
    "discount_rate",
    "tax_rate",
    "tax_rate_override",
)


@dataclass(frozen=True)
class LineInput:
    """One line as entered: a product with a quantity, or a free-text line (description).

    Unit, tax rate and unit price left empty (""/None) come from the product and the
    customer's price. A product line's tax rate is its product's: a different rate is
    refused unless `tax_rate_override` says it is meant (sales admins; audited)."""

    quantity: int
    product: Product | None = None
    description: str = ""
    unit_price: Decimal | None = None
    discount_rate: Decimal = ZERO
    unit: str = ""
    tax_rate: int | None = None
    tax_rate_override: bool = False

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LineInput:
        """The line from input data (an API line): its fields given, an empty one left to the
        default, except the unit price (None: the customer's price)."""
        return cls(**{k: v for k, v in data.items() if k in LINE_INPUT_FIELDS and (v is not None or k == "unit_price")})


@dataclass(frozen=True)
class PricedLine:
    position: int
    product: Product | None
    sku: str
    description: str
    quantity: int
    unit: str
    unit_price: Decimal | None
    discount_rate: Decimal
    tax_rate: int
    amount: Decimal
    tracks_stock: bool
    customer_price: Decimal | None
    product_tax_rate: int | None = None  # set when the line's rate was overridden


def price_lines(
    *,
    customer: Customer,
    lines: Sequence[LineInput],
    user,
    require_prices: bool,
    mode: str,
    field: str = "lines",
) -> list[PricedLine]:
    """Validate and price lines for a customer: product active, quantity within limits,
    unit price defaulting to the customer's price (得意先別単価 / 掛率), amount rounded
    by the company mode. Only sales admins may price below the customer price or give
    a discount."""
    limits = settings.LIMITS
    if not lines:
        raise InvalidInput(_("Enter at least one line."), field=field)
    if len(lines) > limits["max_lines_per_document"]:
        raise InvalidInput(
            _("At most %(max)d lines per document.") % {"max": limits["max_lines_per_document"]}, field=field
        )
    products = [line.product for line in lines if line.product is not None]
    customer_prices = unit_prices_for(customer=customer, products=products, rounding_mode=mode)
    is_admin = has_role(user, Role.SALES_ADMIN)
    priced = []
    for position, line in enumerate(lines, start=1):
        where = f"{field}[{position - 1}]"
        if not 1 <= line.quantity <= limits["max_quantity"]:
            raise InvalidInput(
                _("Line %(n)d: quantity must be from 1 to %(max)s.") % {"n": position, "max": limits["max_quantity"]},
                field=f"{where}.quantity",
            )
        product = line.product
        if product is not None and not product.is_active:
            raise InvalidInput(
                _("Line %(n)d: product %(sku)s is inactive.") % {"n": position, "sku": product.sku},
                field=f"{where}.product",
            )
        if product is None and not line.description:
            raise InvalidInput(
                _("Line %(n)d: choose a product or enter a description.") % {"n": position},
                field=f"{where}.description",
            )
        customer_price = customer_prices.get(product.pk) if product is not None else None
        unit_price = line.unit_price if line.unit_price is not None else customer_price
        if unit_price is None and require_prices:
            raise InvalidInput(_("Line %(n)d: enter a unit price.") % {"n": position}, field=f"{where}.unit_price")
        if unit_price is not None and not ZERO <= unit_price <= limits["max_unit_price"]:
            raise InvalidInput(
                _("Line %(n)d: the unit price must be from 0 to %(max)s.")
                % {"n": position, "max": limits["max_unit_price"]},
                field=f"{where}.unit_price",
            )
        discount = line.discount_rate or ZERO
        if not ZERO <= discount <= 100:
            raise InvalidInput(
                _("Line %(n)d: the discount rate must be from 0 to 100.") % {"n": position},
                field=f"{where}.discount_rate",
            )
        if not is_admin:
            if discount:
                raise NotAllowed(_("Line %(n)d: only sales admins give discounts.") % {"n": position})
            if customer_price is not None and unit_price is not None and unit_price < customer_price:
                raise NotAllowed(
                    _("Line %(n)d: only sales admins price below the customer price %(price)s.")
                    % {"n": position, "price": customer_price}
                )
        tax_rate = line.tax_rate if line.tax_rate is not None else (product.tax_rate if product is not None else 10)
        if tax_rate not in (0, 8, 10):
            raise InvalidInput(
                _("Line %(n)d: tax rate must be 10, 8 or 0.") % {"n": position}, field=f"{where}.tax_rate"
            )
        overridden = product is not None and tax_rate != product.tax_rate
        if overridden and not line.tax_rate_override:
            raise InvalidInput(
                _(
                    "Line %(n)d: %(sku)s is taxed at %(product_rate)s, not %(rate)s. "
                    "Leave the tax rate empty, or mark it as a deliberate override."
                )
                % {
                    "n": position,
                    "sku": product.sku,
                    "product_rate": percent(product.tax_rate),
                    "rate": percent(tax_rate),
                },
                field=f"{where}.tax_rate",
            )
        if overridden and not is_admin:
            raise NotAllowed(_("Line %(n)d: only sales admins override a product's tax rate.") % {"n": position})
        amount = line_amount(line.quantity, unit_price, mode, discount) if unit_price is not None else ZERO
        if amount > limits["max_amount"]:
            raise InvalidInput(_("Line %(n)d: the amount is too large.") % {"n": position}, field=f"{where}.quantity")
        priced.append(
            PricedLine(
                position=position,
                product=product,
                sku=product.sku if product is not None else "",
                description=(line.description or (product.name if product is not None else ""))[:200],
                quantity=line.quantity,
                unit=line.unit or (product.unit if product is not None else "式"),
                unit_price=unit_price,
                discount_rate=discount,
                tax_rate=tax_rate,
                amount=amount,
                tracks_stock=bool(product is not None and product.track_stock),
                customer_price=customer_price,
                product_tax_rate=product.tax_rate if overridden else None,
            )
        )
    return priced


def totals_for(rated_amounts: Iterable[tuple[int, Decimal]], *, customer: Customer, mode: str) -> dict[str, Any]:
    """Totals fields (subtotal, tax_total, total, tax_breakdown) for a customer's
    (tax rate, amount) pairs: tax once per rate, tax-inclusive customers extracted once per rate."""
    totals = compute_totals(
        rated_amounts,
        mode=mode,
        tax_mode=customer.tax_mode,
    )
    return {
        "subtotal": totals.subtotal,
        "tax_total": totals.tax_total,
        "total": totals.total,
        "tax_breakdown": [
            {"rate": b.rate, "subtotal": str(b.subtotal), "tax": str(b.tax), "total": str(b.total)}
            for b in totals.breakdown
        ],
    }


def write_lines(model, parent_field: str, parent, priced: Sequence[PricedLine], *, user, replace: bool = True) -> None:
    """Write a quote's or an order's priced lines (replacing the old ones), in one INSERT."""
    if replace:
        model.objects.filter(**{parent_field: parent}).delete()
    fields = {f.name for f in model._meta.concrete_fields}
    rows = []
    for line in priced:
        values = {k: v for k, v in line.__dict__.items() if k in fields and k != "customer_price"}
        rows.append(model(**{parent_field: parent}, **values))
    model.objects.bulk_create(rows)
    # A rate other than the product's was asked for explicitly: keep who did it and why it differs.
    audit.record_many(
        actor=user,
        action=f"{parent._meta.model_name}.tax_rate_override",
        items=[
            (
                parent,
                {"line": line.position, "sku": line.sku, "product_rate": line.product_tax_rate, "rate": line.tax_rate},
            )
            for line in priced
            if line.product_tax_rate is not None
        ],
    )


def priced_with_totals(
    customer: Customer, lines: Sequence[LineInput], user, *, require_prices: bool, mode: str
) -> tuple[list[PricedLine], dict[str, Any]]:
    """A quote's or an order's priced lines and its totals fields (`mode`: the company's rounding)."""
    priced = price_lines(customer=customer, lines=lines, user=user, require_prices=require_prices, mode=mode)
    return priced, totals_for([(line.tax_rate, line.amount) for line in priced], customer=customer, mode=mode)


def replace_lines(
    parent: Quote | Order, model, parent_field: str, lines, user, *, require_prices: bool, mode: str
) -> None:
    """Replace a quote's or an order's lines and save its new totals."""
    priced, totals = priced_with_totals(parent.customer, lines, user, require_prices=require_prices, mode=mode)
    write_lines(model, parent_field, parent, priced, user=user)
    for name, value in totals.items():
        setattr(parent, name, value)
    parent.save(update_fields=[*totals, "updated_at"])


def update_with_lines(
    parent: Quote | Order, *, user, data: dict[str, Any], fields: Sequence[str], lines, require_prices: bool
) -> None:
    """Change a quote's or an order's header `fields` found in `data` (audited as
    <model>.update) and, when `lines` are given, replace its lines and totals (audited as
    <model>.lines)."""
    name = parent._meta.model_name
    values = {k: v for k, v in data.items() if k in fields}
    if values:
        model_update(instance=parent, user=user, data=values, action=f"{name}.update")
    if lines is not None:
        mode = company_profile().rounding_mode
        replace_lines(parent, parent.lines.model, name, lines, user, require_prices=require_prices, mode=mode)
        audit.record(
            actor=user, action=f"{name}.lines", obj=parent, changes={"lines": len(lines), "total": parent.total}
        )
