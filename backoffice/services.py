from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from . import audit
from .authentication import password_fingerprint
from .locking import lock_company_profile
from .models import ApiToken, BankAccount, CompanyProfile
from .selectors import company_profile

_BANK_FIELDS = ("bank_name", "branch_name", "account_type", "account_number", "account_holder_kana")
_ACCOUNT_KEY = ("bank_name", "branch_name", "account_type", "account_number")


@transaction.atomic
def company_profile_update(*, user, data: dict[str, Any]) -> CompanyProfile:
    """Change the issuer profile. `bank_accounts`, when given, replaces the list."""
    profile = lock_company_profile(company_profile().pk)
    bank_accounts = data.pop("bank_accounts", None)
    before = audit.snapshot(profile)
    for name, value in data.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    changes = audit.diff(before, audit.snapshot(profile))
    if bank_accounts is not None:
        old = [{f: getattr(b, f) for f in _BANK_FIELDS} for b in profile.bank_accounts.all()]
        new = [{f: b.get(f, "") for f in _BANK_FIELDS} for b in bank_accounts]
        if old != new:
            _replace_bank_accounts(profile, bank_accounts)
            changes["bank_accounts"] = {"before": old, "after": new}
    if changes:
        audit.record(actor=user, action="company_profile.update", obj=profile, changes=changes)
    return profile


def _replace_bank_accounts(profile: CompanyProfile, wanted: list[dict[str, Any]]) -> None:
    """Make the profile's accounts the `wanted` list, keeping the rows of the accounts that
    stay (billing's CSV layouts and imports refer to them): an account is the same one when
    its bank, branch, type and number are unchanged (it moved, or its holder was edited), else
    when it keeps its place (one of those was edited)."""
    existing = list(profile.bank_accounts.all())
    kept: list[BankAccount | None] = [None] * len(wanted)
    free = list(existing)
    for index, account in enumerate(wanted):
        same = next((row for row in free if all(getattr(row, f) == account.get(f, "") for f in _ACCOUNT_KEY)), None)
        if same is not None:
            kept[index] = same
            free.remove(same)
    for index in range(len(wanted)):
        if kept[index] is None and index < len(existing) and existing[index] in free:
            kept[index] = existing[index]
            free.remove(existing[index])
    BankAccount.objects.filter(pk__in=[row.pk for row in free]).delete()
    for position, (row, account) in enumerate(zip(kept, wanted, strict=True)):
        row = row or BankAccount(company=profile)
        for field in _BANK_FIELDS:
            if field in account:
                setattr(row, field, account[field])
        row.position = position
        row.full_clean()
        row.save()


def model_create(*, model, user, data: dict[str, Any], action: str, validate: bool = True):
    """Create a row with model validation and an audit event. Business apps wrap this
    in their own named service (`customer_create`, ...). `validate=False` is for rows a
    service builds from values it has already checked (an order from a validated
    request): the database constraints still guard them, without a query per check."""
    instance = model(**data)
    if validate:
        instance.full_clean()
    instance.save()
    audit.record(actor=user, action=action, obj=instance, changes=audit.diff({}, audit.snapshot(instance)))
    return instance


def model_update(*, instance, user, data: dict[str, Any], action: str):
    """Change fields of a master row, validate, save only what changed, audit the diff."""
    before = audit.snapshot(instance)
    for name, value in data.items():
        setattr(instance, name, value)
    instance.full_clean()
    after = audit.snapshot(instance)
    changes = audit.diff(before, after)
    if changes:
        instance.save(update_fields=[instance._meta.get_field(name).name for name in changes])
        audit.record(actor=user, action=action, obj=instance, changes=changes)
    return instance


@transaction.atomic
def api_token_issue(*, user) -> tuple[ApiToken, str]:
    """A new API token for a user who has just proved their password: the row (hashed)
    and the key to hand out once. The user's expired tokens are swept at the same time."""
    ApiToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()
    return ApiToken.objects.create(user=user, password_fingerprint=password_fingerprint(user))


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> None:
    """The caller's own token stops working (sign-out)."""
    ApiToken.objects.filter(pk=token.pk).delete()


@transaction.atomic
def api_tokens_revoke_all(*, user, actor) -> int:
    """Every API token of `user` stops working (an administrator's decision, or the user
    was deactivated). Returns how many were revoked; audited."""
    revoked, _ = ApiToken.objects.filter(user=user).delete()
    audit.record(actor=actor, action="api_tokens.revoke_all", obj=user, changes={"revoked": revoked})
    return revoked
