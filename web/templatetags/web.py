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

# Badge colour per status value, across every model that has a status: one colour per
# meaning, so a person reads any list the same way. A value means the same in every model
# (tests/web/test_status_badges.py checks every status choice of every model is here).
DONE, WAITING, FAILED, ACTIVE, NEUTRAL = "success", "warning", "danger", "info", "neutral"
TONES = {
    # not started, or over without a result
    "draft": NEUTRAL,
    "expired": NEUTRAL,
    "superseded": NEUTRAL,
    "ended": NEUTRAL,
    "ignored": NEUTRAL,
    # under way: out of our hands, nothing to do yet
    "handed_off": ACTIVE,
    "approved": ACTIVE,
    "issued": ACTIVE,
    "sent": ACTIVE,
    "confirmed": ACTIVE,
    "partially_shipped": ACTIVE,
    "partially_received": ACTIVE,
    "partially_paid": ACTIVE,
    "running": ACTIVE,
    # waiting for someone to act
    "open": WAITING,
    "pending_approval": WAITING,
    "on_hold": WAITING,
    "unmatched": WAITING,
    "requested": WAITING,
    "pending": WAITING,
    # done
    "accepted": DONE,
    "shipped": DONE,
    "invoiced": DONE,
    "resolved": DONE,
    "paid": DONE,
    "done": DONE,
    "received": DONE,
    "signed": DONE,
    "matched": DONE,
    "delivered": DONE,
    "rendered": DONE,
    # failed, refused or cancelled
    "rejected": FAILED,
    "declined": FAILED,
    "cancelled": FAILED,
    "failed": FAILED,
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
        '<span class="badge badge-{}" data-status="{}">{}</span>', TONES.get(value, NEUTRAL), value, label
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
