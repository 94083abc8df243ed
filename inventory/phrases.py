"""The stock answer in words, for a quantity of one product: what a sales admin reads to the
customer on the phone. 「50 箱: 30 箱 即日出荷、残り 20 箱は 2026/12/11 出荷予定」.

Neutral of orders (inventory may not import them): it words an `inventory.selectors.Availability`,
so the products screen and any other caller of `availability` say the same thing."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .selectors import Availability


def availability_phrase(answer: Availability, *, unit: str) -> str:
    """The answer in the user's language: all today, part today and the rest on a date, or
    everything on a date; the date as 2026/12/11."""
    values = {
        "quantity": answer.quantity,
        "unit": unit,
        "now": answer.shippable_quantity,
        "rest": answer.quantity - answer.shippable_quantity,
        "date": answer.expected_date.strftime("%Y/%m/%d") if answer.expected_date else _("a date not yet known"),
    }
    if answer.can_ship_now:
        return _("%(quantity)d %(unit)s: all ship today") % values
    if answer.shippable_quantity:
        return (
            _("%(quantity)d %(unit)s: %(now)d %(unit)s ship today, the other %(rest)d %(unit)s ship on %(date)s")
            % values
        )
    return _("%(quantity)d %(unit)s: none in stock now, all ship on %(date)s") % values


def expected_date_basis(answer: Availability) -> str:
    """Where the date of the rest comes from, in a few words (empty when all ship today)."""
    if answer.can_ship_now:
        return ""
    if answer.expected_date_source == "purchase_order":
        return _("date from the open purchase orders")
    return _("date estimated from the supplier's lead time")
