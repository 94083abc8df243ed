"""What a report shows for a group key: product and customer labels from their apps,
rep names, months and days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from inventory.selectors import product_labels
from orders.selectors import customer_labels


def month_label(month: dt.date) -> str:
    return _("%(year)d-%(month)02d") % {"year": month.year, "month": month.month}


def user_label(user) -> str:
    return (f"{user.last_name} {user.first_name}".strip() or user.username) if user else _("(no rep)")


def labels_for(dimension: str, keys: Iterable) -> dict:
    """Key → label for one dimension, one query for products, customers or reps."""
    keys = set(keys)
    ids = [k for k in keys if k is not None]
    labels: dict = {}
    # Past a few hundred ids, the whole master table (a few thousand rows) is cheaper
    # to read than to bind a long IN list.
    some = None if len(ids) > 300 else ids
    if dimension == "product":
        labels = product_labels(some)
        labels[None] = _("(no product)")
    elif dimension == "customer":
        labels = customer_labels(some)
    elif dimension == "rep":
        users = get_user_model().objects.order_by()
        labels = {user.pk: user_label(user) for user in (users if some is None else users.filter(pk__in=some))}
        labels[None] = _("(no rep)")
    elif dimension == "category":
        labels = {k: k or _("(no category)") for k in keys}
    elif dimension == "month":
        labels = {k: month_label(k) for k in ids}
    elif dimension == "day":
        labels = {k: k.isoformat() for k in ids}
    return labels


def key_text(dimension: str, key) -> str:
    if key is None:
        return ""
    if dimension == "month":
        return f"{key:%Y-%m}"
    if isinstance(key, dt.date):
        return key.isoformat()
    return str(key)
