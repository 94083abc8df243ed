from decimal import Decimal
from urllib.parse import urlencode

from django import template
from django.urls import reverse

from backoffice import formatting

register = template.Library()


@register.filter
def yen(value) -> str:
    """¥1,234,567 or -¥1,234 for a yen amount (backoffice.formatting.yen); a dash for none."""
    if value is None or value == "":
        return "—"
    return formatting.yen(Decimal(value))


@register.filter
def number(value) -> str:
    if value is None or value == "":
        return "—"
    return formatting.number(value)


@register.simple_tag
def period_url(name: str, period, **more) -> str:
    """The url `name` showing `period`, with more query parameters:
    {% period_url 'reports:sales_lines' period rep=row.rep_id %}."""
    return f"{reverse(name)}?{urlencode(period.query(**more))}"


@register.simple_tag
def url_with_query(name: str, query) -> str:
    """The url `name` with a query given as a dict (or None: the url alone)."""
    return f"{reverse(name)}?{urlencode(query)}" if query else reverse(name)
