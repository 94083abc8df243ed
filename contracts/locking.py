"""Row locks of the contracts app (ARCHITECTURE.md's order: a contract is locked before the
document counter its issue takes)."""

from __future__ import annotations

from .models import Contract


def lock_contract(contract_id: int) -> Contract:
    return (
        Contract.objects.select_for_update(of=("self",), no_key=True)
        .select_related("customer", "template")
        .get(pk=contract_id)
    )
