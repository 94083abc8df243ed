"""Row locks for billing, each `select_for_update(of=("self",), no_key=True)` (only the row itself, not
the rows of a join), evaluated at once (a lazy queryset takes no lock).

Order, after the rows of the apps billing builds on (customer -> order -> shipment ->
stock levels, see ARCHITECTURE.md): a closing run, then a bank statement line, then
payments, then credit notes, then invoices, each by primary key. A step that starts from
an invoice (a credit note, a cancel) locks the earlier rows it will change first."""

from __future__ import annotations

from collections.abc import Iterable

from .models import BankStatementLine, ClosingRun, CreditNote, Invoice, Payment


def _locked(queryset, ids: Iterable[int]) -> list:
    ids = sorted(set(ids))
    if not ids:
        return []
    return list(queryset.filter(pk__in=ids).order_by("pk").select_for_update(of=("self",), no_key=True))


def lock_closing_run(pk: int) -> ClosingRun:
    """A closing run: two runs of one date take turns, batch by batch."""
    return ClosingRun.objects.select_for_update(of=("self",), no_key=True).get(pk=pk)


def lock_payments(ids: Iterable[int]) -> list[Payment]:
    return _locked(Payment.objects.all(), ids)


def lock_credit_notes(ids: Iterable[int]) -> list[CreditNote]:
    return _locked(CreditNote.objects.all(), ids)


def lock_invoices(ids: Iterable[int]) -> list[Invoice]:
    return _locked(Invoice.objects.all(), ids)


def lock_bank_line(pk: int) -> BankStatementLine:
    return BankStatementLine.objects.select_for_update(of=("self",), no_key=True).get(pk=pk)
