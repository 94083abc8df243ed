"""The billing settings (one row): whether the closing invoices a balance without sales,
and the bank fee tolerance of the bank statement import."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.roles import Role, require_role
from backoffice.services import model_create, model_update

from ..models import BillingSettings, JournalMapping


def billing_settings() -> BillingSettings:
    current = BillingSettings.objects.order_by("pk").first()
    return current if current is not None else BillingSettings.objects.create()


@transaction.atomic
def billing_settings_update(*, user, data: dict[str, Any]) -> BillingSettings:
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins change billing settings."))
    current = billing_settings()
    before = audit.snapshot(current)
    for name in ("statement_without_sales", "bank_fee_tolerance", "sales_booking_basis"):
        if name in data:
            setattr(current, name, data[name])
    current.full_clean()
    current.save()
    audit.record(
        actor=user, action="billing_settings.update", obj=current, changes=audit.diff(before, audit.snapshot(current))
    )
    return current


@transaction.atomic
def journal_mapping_create(*, user, data: dict[str, Any]) -> JournalMapping:
    """One account or tax category of the accounting export, for one layout or all."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins change billing settings."))
    return model_create(model=JournalMapping, user=user, data=data, action="journal_mapping.create")


@transaction.atomic
def journal_mapping_update(*, mapping: JournalMapping, user, data: dict[str, Any]) -> JournalMapping:
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins change billing settings."))
    return model_update(instance=mapping, user=user, data=data, action="journal_mapping.update")
