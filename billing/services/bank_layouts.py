"""The CSV layout of a company bank account (銀行CSVの列設定): which columns of the bank's
internet-banking export are the date, the deposit, the withdrawal and the payer. One per
account; saving replaces it, and every change is audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.exceptions import InvalidInput
from backoffice.models import BankAccount
from backoffice.roles import Role, require_role

from ..models import BankCsvLayout

FIELDS = ("date_column", "deposit_column", "withdrawal_column", "description_column", "encoding", "date_format")


@transaction.atomic
def bank_csv_layout_save(*, bank_account: BankAccount, data: dict[str, Any], user) -> BankCsvLayout:
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins set bank CSV layouts."))
    values = {name: (data.get(name) or "").strip() for name in FIELDS}
    named = [values[name] for name in ("date_column", "deposit_column", "withdrawal_column", "description_column")]
    for name in ("date_column", "deposit_column", "description_column"):
        if not values[name]:
            raise InvalidInput(_("Give the name of this column as the file's header row writes it."), field=name)
    if len([name for name in named if name]) != len({name for name in named if name}):
        raise InvalidInput(_("Each column may be named once."), field="withdrawal_column")
    layout = BankCsvLayout.objects.filter(bank_account=bank_account).first()
    before = audit.snapshot(layout, list(FIELDS)) if layout is not None else {}
    layout = layout or BankCsvLayout(bank_account=bank_account)
    for name, value in values.items():
        setattr(layout, name, value)
    layout.full_clean()
    layout.save()
    changes = audit.diff(before, audit.snapshot(layout, list(FIELDS)))
    if changes:
        audit.record(actor=user, action="bank_csv_layout.save", obj=layout, changes=changes)
    return layout


@transaction.atomic
def bank_csv_layout_delete(*, bank_account: BankAccount, user) -> None:
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins set bank CSV layouts."))
    layout = BankCsvLayout.objects.filter(bank_account=bank_account).first()
    if layout is not None:
        audit.record(
            actor=user,
            action="bank_csv_layout.delete",
            obj=layout,
            changes=audit.diff(audit.snapshot(layout, list(FIELDS)), {}),
        )
        layout.delete()
