"""Template tags of the screens' design system: `{% load web %}`.

Dates as 2026/12/03 (and 2026/12/03 14:05 with a time), people by name, statuses as
coloured badges with their Japanese names. Numbers and yen come from
`{% load formatting %}` (backoffice), which PDFs and exports use too."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()

# Badge colour per status value, across every model that has a status: one palette.
TONES = {
    "draft": "neutral",
    "open": "info",
    "handed_off": "info",
    "pending_approval": "warning",
    "on_hold": "warning",
    "approved": "info",
    "issued": "primary",
    "sent": "primary",
    "confirmed": "primary",
    "partially_shipped": "info",
    "accepted": "success",
    "shipped": "success",
    "invoiced": "success",
    "resolved": "success",
    "paid": "success",
    "done": "success",
    "received": "success",
    "rejected": "danger",
    "declined": "danger",
    "cancelled": "muted",
    "expired": "muted",
    "superseded": "muted",
}


@register.filter
def jdate(value) -> str:
    """2026/12/03; with a time, in Tokyo time: 2026/12/03 14:05; a dash for none."""
    if not value:
        return "—"
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y/%m/%d %H:%M")
    return value.strftime("%Y/%m/%d")


@register.filter
def person(user) -> str:
    """A person by name (family name first, as in Japan), else their user name."""
    if user is None:
        return "—"
    full = f"{user.last_name} {user.first_name}".strip()
    return full or user.get_username()


@register.simple_tag
def status_badge(obj, field: str = "status"):
    """The object's status as a coloured badge with its display name."""
    value = getattr(obj, field)
    label = getattr(obj, f"get_{field}_display")()
    return format_html(
        '<span class="badge badge-{}" data-status="{}">{}</span>', TONES.get(value, "neutral"), value, label
    )


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (for paging and sorting links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"
