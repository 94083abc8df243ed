"""Row locks for billing, always in one order: payments, then credit notes, then
invoices, each by primary key. A lazy queryset takes no lock, so each helper
evaluates with list()."""

from __future__ import annotations

from collections.abc import Iterable

from .models import CreditNote, Invoice, Payment


def _locked(queryset, ids: Iterable[int]) -> list:
    ids = sorted(set(ids))
    if not ids:
        return []
    return list(queryset.filter(pk__in=ids).order_by("pk").select_for_update(of=("self",)))


def lock_payments(ids: Iterable[int]) -> list[Payment]:
    return _locked(Payment.objects.all(), ids)


def lock_credit_notes(ids: Iterable[int]) -> list[CreditNote]:
    return _locked(CreditNote.objects.all(), ids)


def lock_invoices(ids: Iterable[int]) -> list[Invoice]:
    return _locked(Invoice.objects.all(), ids)
