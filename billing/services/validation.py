"""Checks of billing input that several services share: amounts in yen, dates not in
the future, and the limits of settings.LIMITS (read when a service runs, not at import)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice.exceptions import InvalidInput


def max_document_lines() -> int:
    """The most lines one document (invoice, credit note) or one request holds."""
    return settings.LIMITS["max_lines_per_document"]


def check_amount(value, field: str, *, allow_zero: bool = False) -> Decimal:
    """A whole-yen Decimal (or int) above zero (or zero with `allow_zero`), at most
    LIMITS["max_amount"]; InvalidInput on `field` otherwise."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int) or not Decimal(value).is_finite():
        raise InvalidInput(_("Enter an amount in yen."), field=field)
    value = Decimal(value)
    if value != value.to_integral_value():
        raise InvalidInput(_("Amounts are whole yen."), field=field)
    if value < 0 or (value == 0 and not allow_zero):
        raise InvalidInput(
            _("The amount must be zero or more.") if allow_zero else _("The amount must be more than zero."),
            field=field,
        )
    if value > settings.LIMITS["max_amount"]:
        raise InvalidInput(_("The amount is too large."), field=field)
    return value


def check_not_in_future(day: dt.date, field: str) -> None:
    if day > timezone.localdate():
        raise InvalidInput(_("The date cannot be in the future."), field=field)


def check_text(value: str, field: str, *, max_length: int) -> None:
    if len(value) > max_length:
        raise InvalidInput(_("At most %(count)d characters.") % {"count": max_length}, field=field)
