from decimal import Decimal

from django import template

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
