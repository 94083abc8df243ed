from decimal import Decimal

from django import template

from backoffice import formatting

register = template.Library()


@register.filter
def yen(value) -> str:
    """¥1,234,567 for a yen amount; a dash for none."""
    if value is None or value == "":
        return "—"
    return f"¥{Decimal(value):,.0f}"


@register.filter
def number(value) -> str:
    if value is None or value == "":
        return "—"
    return formatting.number(value)
