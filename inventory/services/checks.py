"""Argument checks the inventory services share: each raises InvalidInput (400) or
StateConflict (409) naming the field at fault."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from backoffice.exceptions import InvalidInput, StateConflict

from ..models import Product, StockDemand


def max_quantity() -> int:
    return settings.LIMITS["max_quantity"]


def check_quantity(value, field_name: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(_("Enter a whole number."), field=field_name)
    if value < minimum:
        if minimum == 1:
            raise InvalidInput(_("Enter a quantity of at least 1."), field=field_name)
        raise InvalidInput(_("Enter a quantity of at least %(min)d.") % {"min": minimum}, field=field_name)
    if value > max_quantity():
        raise InvalidInput(_("Enter a quantity of at most %(max)d.") % {"max": max_quantity()}, field=field_name)
    return value


def check_reference(reference: str | None) -> str:
    """What caused a move or names a demand: 1 to 100 characters."""
    if not reference or len(reference) > 100:
        raise InvalidInput(_("Give a reference of 1 to 100 characters."), field="reference")
    return reference


def check_tracked(product: Product, field_name: str = "product") -> None:
    if not product.track_stock:
        raise InvalidInput(
            _("%(product)s does not track stock (a service or charge): it has no stock to move.")
            % {"product": product},
            field=field_name,
        )


def check_open(demand: StockDemand) -> None:
    if demand.status != StockDemand.Status.OPEN:
        raise StateConflict(
            _("Demand %(reference)s is %(status)s.") % {"reference": demand, "status": demand.get_status_display()},
            field="demand",
        )
