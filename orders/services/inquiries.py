"""Inquiries (顧客対応): a customer's call or mail, logged, handed to a rep, resolved."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.notifications import notify
from backoffice.roles import Role, has_role
from backoffice.services import model_create, model_update
from backoffice.status import change_status

from ..locking import lock_inquiry
from ..models import Inquiry
from .customers import require_visible_customer

INQUIRY_FIELDS = ("customer", "caller_name", "contact_name", "channel", "subject", "body", "category", "assigned_to")


@transaction.atomic
def inquiry_create(*, user, data: dict[str, Any]) -> Inquiry:
    """Log a customer contact. Assigning a rep hands it off to them at once."""
    if not data.get("customer") and not data.get("caller_name"):
        raise InvalidInput(_("Choose a customer or enter the caller's name."), field="customer")
    require_visible_customer(user, data.get("customer"))
    values = {k: v for k, v in data.items() if k in INQUIRY_FIELDS}
    inquiry = model_create(model=Inquiry, user=user, data={**values, "received_by": user}, action="inquiry.create")
    if inquiry.assigned_to_id is not None:
        change_status(inquiry, Inquiry.Status.HANDED_OFF, user=user)
        _notify_handed_off(inquiry, user)
    return inquiry


@transaction.atomic
def inquiry_update(*, inquiry: Inquiry, user, data: dict[str, Any]) -> Inquiry:
    """Edit the inquiry; assigning a rep to an open one hands it off."""
    inquiry = lock_inquiry(inquiry.pk)
    before = inquiry.assigned_to_id
    data = {k: v for k, v in data.items() if k in (*INQUIRY_FIELDS, "resolution", "related_quote", "related_order")}
    model_update(instance=inquiry, user=user, data=data, action="inquiry.update")
    if data.get("assigned_to") is not None and inquiry.status == Inquiry.Status.OPEN:
        change_status(inquiry, Inquiry.Status.HANDED_OFF, user=user)
    if inquiry.assigned_to_id not in (None, before):
        _notify_handed_off(inquiry, user)
    return inquiry


@transaction.atomic
def inquiry_hand_off(*, inquiry: Inquiry, user, assigned_to) -> Inquiry:
    inquiry = lock_inquiry(inquiry.pk)
    _require_unresolved(inquiry)
    if not has_role(assigned_to, Role.SALES_REP, Role.SALES_ADMIN, Role.MANAGER):
        raise InvalidInput(_("Hand inquiries to a sales rep, admin or manager."), field="assigned_to")
    model_update(instance=inquiry, user=user, data={"assigned_to": assigned_to}, action="inquiry.hand_off")
    change_status(inquiry, Inquiry.Status.HANDED_OFF, user=user)  # handed on again: no move
    _notify_handed_off(inquiry, user)
    return inquiry


@transaction.atomic
def inquiry_resolve(*, inquiry: Inquiry, user, resolution: str = "") -> Inquiry:
    inquiry = lock_inquiry(inquiry.pk)
    _require_unresolved(inquiry)
    inquiry.resolution = resolution
    change_status(inquiry, Inquiry.Status.RESOLVED, user=user, comment=resolution, fields=["resolution"])
    return inquiry


def _notify_handed_off(inquiry: Inquiry, user) -> None:
    """Tell the person the inquiry was handed to (on their home, and by e-mail)."""
    who = inquiry.customer.name if inquiry.customer_id else inquiry.caller_name
    notify(
        recipients=[inquiry.assigned_to],
        text=_("Inquiry handed to you: %(subject)s (%(who)s)") % {"subject": inquiry.subject, "who": who},
        link=reverse("orders:inquiry_detail", args=[inquiry.pk]),
        actor=user,
    )


def _require_unresolved(inquiry: Inquiry) -> None:
    if inquiry.status == Inquiry.Status.RESOLVED:
        raise StateConflict(_("This inquiry is already resolved."))
