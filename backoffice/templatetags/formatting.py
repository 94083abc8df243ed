"""Template filters for numbers people read, shared by screens, PDFs and exports:
`{% load formatting %}` then `{{ line.discount_rate|percent }}`, `{{ line.quantity|number }}`,
`{{ invoice.total|yen }}`."""

from decimal import Decimal

from django import template

from backoffice import formatting

register = template.Library()


@register.filter
def percent(value) -> str:
    """12.5%; a dash for none."""
    return formatting.percent(value) or "—"


@register.filter
def number(value) -> str:
    """1,200 or 12.5; a dash for none."""
    return formatting.number(value) or "—"


@register.filter
def yen(value) -> str:
    """¥1,234,567 or -¥1,234; a dash for none."""
    return formatting.yen(value) or "—"


@register.filter
def fraction_percent(value) -> str:
    """A fraction as a percentage to one decimal: 0.875 → 87.5%, 1 → 100%; a dash for none."""
    if value is None or value == "":
        return "—"
    return formatting.percent((Decimal(value) * 100).quantize(Decimal("0.1")))
