"""The billing settings (one row): whether the closing invoices a balance without sales,
and the bank fee tolerance of the bank statement import."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.roles import Role, require_role

from ..models import BillingSettings


def billing_settings() -> BillingSettings:
    current = BillingSettings.objects.order_by("pk").first()
    return current if current is not None else BillingSettings.objects.create()


@transaction.atomic
def billing_settings_update(*, user, data: dict[str, Any]) -> BillingSettings:
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins change billing settings."))
    current = billing_settings()
    before = audit.snapshot(current)
    for name in ("statement_without_sales", "bank_fee_tolerance"):
        if name in data:
            setattr(current, name, data[name])
    current.full_clean()
    current.save()
    audit.record(
        actor=user, action="billing_settings.update", obj=current, changes=audit.diff(before, audit.snapshot(current))
    )
    return current
