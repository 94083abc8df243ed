"""Contract templates: an admin writes them; every edit is a new version, so a contract keeps
the wording it was drafted from. Which wording is the standard (a contract from it needs no
approval) is a manager's call: a sales admin's new wording is saved as not standard, and a
manager marks it (contract_template_mark_standard)."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from backoffice import audit
from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.roles import Role, has_role, require_role
from backoffice.services import model_create, model_update

from ..models import ContractTemplate

TEMPLATE_FIELDS = ("kind", "code", "name", "body", "is_standard", "stamp_class", "is_construction")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# Anything written like a placeholder ({顧客名}, {customer name}): an unknown one is refused
# rather than printed as typed on a contract.
PLACEHOLDER_LIKE = re.compile(r"\{([^{}\n]{1,40})\}")

# What a template may ask for, filled in from the company, the customer and the deal.
PLACEHOLDERS = {
    "company_name": gettext_lazy("our company's name"),
    "company_address": gettext_lazy("our company's address"),
    "company_signatory": gettext_lazy("our signatory (title and name)"),
    "customer_name": gettext_lazy("the customer's name"),
    "customer_address": gettext_lazy("the customer's address"),
    "customer_signatory": gettext_lazy("the customer's signatory (title and name)"),
    "starts_on": gettext_lazy("start of the term"),
    "ends_on": gettext_lazy("end of the term"),
    "term_months": gettext_lazy("term in months"),
    "renewal": gettext_lazy("automatic renewal clause"),
    "notice_days": gettext_lazy("notice period in days"),
    "payment_terms": gettext_lazy("payment terms from the customer's closing and payment days"),
    "amount": gettext_lazy("contract amount excluding tax"),
    "tax": gettext_lazy("consumption tax"),
    "total": gettext_lazy("amount including tax"),
    "deal_number": gettext_lazy("the quote or order number"),
    "amends_number": gettext_lazy("the number of the amended contract"),
    "amends_title": gettext_lazy("the title of the amended contract"),
    "amends_date": gettext_lazy("the date of the amended contract"),
}


def check_placeholders(body: str, *, field: str = "body") -> None:
    unknown = sorted({name for name in PLACEHOLDER_LIKE.findall(body) if name not in PLACEHOLDERS})
    if unknown:
        raise InvalidInput(
            _("Unknown placeholders: %(names)s. Use one of %(known)s.")
            % {"names": ", ".join(f"{{{n}}}" for n in unknown), "known": ", ".join(sorted(PLACEHOLDERS))},
            field=field,
        )


def fill_placeholders(body: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), body)


def _standard_mark(user, data: dict[str, Any], *, unchanged_standard: bool) -> bool:
    """Whether a new version is the standard wording. Without a manager, only when its
    wording is that of the standard version it replaces; asking for more is refused."""
    if has_role(user, Role.MANAGER):
        return data.get("is_standard", unchanged_standard)
    if data.get("is_standard") and not unchanged_standard:
        raise InvalidInput(
            _("Only a manager marks new wording as the standard: save it as not standard, then ask a manager."),
            field="is_standard",
        )
    return unchanged_standard and data.get("is_standard", True)


@transaction.atomic
def contract_template_create(*, user, data: dict[str, Any]) -> ContractTemplate:
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins edit contract templates."))
    values = {k: v for k, v in data.items() if k in TEMPLATE_FIELDS}
    values["is_standard"] = _standard_mark(user, data, unchanged_standard=False)
    check_placeholders(values.get("body", ""))
    if ContractTemplate.objects.filter(code=values.get("code")).exists():
        raise InvalidInput(_("A template with this code exists: edit it to make a new version."), field="code")
    return model_create(
        model=ContractTemplate,
        user=user,
        data={**values, "version": 1, "is_current": True, "created_by": user},
        action="contract_template.create",
    )


@transaction.atomic
def contract_template_update(*, template: ContractTemplate, user, data: dict[str, Any]) -> ContractTemplate:
    """A new version of the template, made current; the contracts drafted from the old one keep it."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins edit contract templates."))
    current = ContractTemplate.objects.select_for_update(of=("self",), no_key=True).get(
        code=template.code, is_current=True
    )
    values = {name: getattr(current, name) for name in TEMPLATE_FIELDS}
    values.update({k: v for k, v in data.items() if k in TEMPLATE_FIELDS and k != "code"})
    same_wording = values["body"].strip() == current.body.strip()
    values["is_standard"] = _standard_mark(user, data, unchanged_standard=current.is_standard and same_wording)
    check_placeholders(values["body"])
    if all(values[name] == getattr(current, name) for name in TEMPLATE_FIELDS):
        return current
    current.is_current = False
    current.save(update_fields=["is_current"])
    new = ContractTemplate(**values, version=current.version + 1, is_current=True, created_by=user)
    new.full_clean()
    new.save()
    audit.record(
        actor=user,
        action="contract_template.new_version",
        obj=new,
        changes={
            "version": {"before": current.version, "after": new.version},
            **audit.diff(audit.snapshot(current, list(TEMPLATE_FIELDS)), audit.snapshot(new, list(TEMPLATE_FIELDS))),
        },
    )
    return new


@transaction.atomic
def contract_template_mark_standard(*, template: ContractTemplate, user) -> ContractTemplate:
    """A manager makes the current version's wording the standard: contracts drafted from it
    with its wording unchanged need no approval from then on."""
    require_role(user, Role.MANAGER, message=_("Only managers decide which wording is the standard."))
    locked = ContractTemplate.objects.select_for_update(of=("self",), no_key=True).get(pk=template.pk)
    if not locked.is_current:
        raise StateConflict(_("Only the current version can be made the standard."))
    if locked.is_standard:
        raise StateConflict(_("This version is already the standard wording."))
    return model_update(
        instance=locked, user=user, data={"is_standard": True}, action="contract_template.mark_standard"
    )
