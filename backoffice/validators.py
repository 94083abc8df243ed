"""Validators shared by models, forms, serializers, filters, imports and commands."""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def business_date(value: dt.date) -> None:
    """A date a business document can carry: its year within settings.BUSINESS_YEARS
    (a typo such as 0089-06-12 or 1550-01-01 is refused, not archived for ever)."""
    first, last = settings.BUSINESS_YEARS
    if value is not None and not first <= value.year <= last:
        raise ValidationError(
            _("Enter a date from %(first)d-01-01 to %(last)d-12-31.") % {"first": first, "last": last},
            code="date_out_of_range",
        )


def parse_business_date(text: str) -> dt.date:
    """A YYYY-MM-DD (or YYYY/MM/DD) date typed in a file or on a command line, in range."""
    try:
        value = dt.date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        raise ValidationError(_("Enter a date as YYYY-MM-DD."), code="invalid") from None
    business_date(value)
    return value
