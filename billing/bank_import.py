"""Bank statement import (入金明細の取込): a CSV of transfers matched to customers by their
registered payer names and to invoices by amount.

The CSV has a header row with `date,amount,payer_name` (or 日付,金額,振込依頼人名), UTF-8
(with or without BOM) or Shift_JIS (CP932) as banks export it. Every row is validated
first; a bad file writes nothing. A row whose payer name is registered to a customer
and whose amount equals one open invoice's open amount (or falls short of it by no
more than the bank fee tolerance, which is then recorded as the fee) becomes a payment
matched to that invoice. Every other row waits for review: an admin confirms it with
a customer (the payer name is then learned for next time) or ignores it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.csvfiles import csv_rows
from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.unitofwork import unit_of_work

from .models import BankStatementImport, BankStatementLine, Invoice, PayerName
from .services import (
    OPEN_STATUSES,
    AllocationInput,
    _require_admin,
    bank_fee_shortfall,
    billing_settings,
    payment_record,
)

MAX_ROWS = 5000
HEADERS = {
    "date": "date",
    "日付": "date",
    "取引日": "date",
    "amount": "amount",
    "金額": "amount",
    "入金額": "amount",
    "payer_name": "payer_name",
    "振込依頼人名": "payer_name",
    "依頼人名": "payer_name",
}


def normalize_payer_name(name: str) -> str:
    """Half-width kana to full width, no spaces: how payer names are stored and compared."""
    return "".join(unicodedata.normalize("NFKC", name or "").split()).upper()


def _parse(content: bytes) -> list[tuple[int, dt.date, Decimal, str]]:
    reader = iter(csv_rows(content))
    header = next(reader, None)
    if header is None:
        raise InvalidInput(_("The file is empty."), field="file")
    columns = {HEADERS.get(name.strip().lower(), HEADERS.get(name.strip())): i for i, name in enumerate(header)}
    missing = [name for name in ("date", "amount", "payer_name") if name not in columns]
    if missing:
        raise InvalidInput(
            _("The header needs the columns date, amount and payer_name (missing: %(names)s).")
            % {"names": ", ".join(missing)},
            field="file",
        )
    rows = []
    for number, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(rows) >= MAX_ROWS:
            raise InvalidInput(_("At most %(count)d rows per file.") % {"count": MAX_ROWS}, field="file")
        try:
            cells = {name: row[index].strip() for name, index in columns.items() if name}
        except IndexError:
            raise InvalidInput(_("Row %(row)d has too few columns.") % {"row": number}, field="file") from None
        try:
            day = dt.date.fromisoformat(cells["date"].replace("/", "-"))
        except ValueError:
            raise InvalidInput(
                _("Row %(row)d: the date must look like 2026-12-01.") % {"row": number}, field="file"
            ) from None
        try:
            amount = Decimal(cells["amount"].replace(",", ""))
        except InvalidOperation:
            raise InvalidInput(_("Row %(row)d: the amount is not a number.") % {"row": number}, field="file") from None
        if amount <= 0 or amount != amount.to_integral_value() or amount > 99_999_999_999:
            raise InvalidInput(
                _("Row %(row)d: the amount must be whole yen above zero.") % {"row": number}, field="file"
            )
        if day > timezone.localdate():
            raise InvalidInput(_("Row %(row)d: the date is in the future.") % {"row": number}, field="file")
        payer = normalize_payer_name(cells["payer_name"])
        if not payer or len(payer) > 100:
            raise InvalidInput(_("Row %(row)d: give the payer name (at most 100).") % {"row": number}, field="file")
        rows.append((number, day, amount, payer))
    if not rows:
        raise InvalidInput(_("The file has no transfers."), field="file")
    return rows


def _matching_invoice(customer_id: int, amount: Decimal, tolerance: Decimal) -> tuple[Invoice, Decimal] | None:
    """The oldest open invoice the amount settles exactly, or short by at most the fee tolerance."""
    invoices = Invoice.objects.filter(customer_id=customer_id, status__in=OPEN_STATUSES).order_by("due_date", "pk")
    for invoice in invoices:
        fee = bank_fee_shortfall(open_amount=invoice.open_amount, paid=amount, fee_limit=tolerance)
        if fee is not None:
            return invoice, fee
    return None


@unit_of_work()
def bank_statement_import(*, content: bytes, user, file_name: str = "") -> BankStatementImport:
    _require_admin(user, _("Only sales admins import bank statements."))
    rows = _parse(content)
    digest = hashlib.sha256(content).hexdigest()
    if BankStatementImport.objects.filter(sha256=digest).exists():
        raise StateConflict(_("This file has already been imported."), field="file")
    statement = BankStatementImport.objects.create(file_name=file_name[:200], sha256=digest, imported_by=user)
    payers = dict(
        PayerName.objects.filter(name__in={payer for *_rest, payer in rows}).values_list("name", "customer_id")
    )
    tolerance = billing_settings().bank_fee_tolerance
    matched = 0
    for number, day, amount, payer in rows:
        line = BankStatementLine(
            statement=statement,
            row_number=number,
            transaction_date=day,
            amount=amount,
            payer_name=payer,
            customer_id=payers.get(payer),
            status=BankStatementLine.Status.UNMATCHED,
        )
        match = _matching_invoice(line.customer_id, amount, tolerance) if line.customer_id else None
        if match is not None:
            invoice, fee = match
            line.payment = payment_record(
                customer=invoice.customer,
                received_on=day,
                amount=amount,
                bank_fee=fee,
                payer_name=payer,
                user=user,
                allocations=[AllocationInput(invoice=invoice, amount=amount)],  # the fee settles the rest
            )
            line.status = BankStatementLine.Status.MATCHED
            matched += 1
        line.save()
    audit.record(
        actor=user,
        action="bank_statement.import",
        obj=statement,
        changes={"rows": len(rows), "matched": matched, "file_name": file_name[:200]},
    )
    return statement


@unit_of_work()
def bank_line_confirm(
    *, line: BankStatementLine, customer, user, bank_fee: Decimal = Decimal(0), allocations: Sequence | None = None
):
    """An admin says whose transfer this is: the payment is recorded and matched (oldest
    first, or as given), and the payer name is learned for the customer."""
    _require_admin(user, _("Only sales admins confirm bank transfers."))
    line = BankStatementLine.objects.select_for_update().get(pk=line.pk)
    if line.status not in (BankStatementLine.Status.UNMATCHED, BankStatementLine.Status.IGNORED):
        raise StateConflict(_("This transfer has already been recorded."))
    known = PayerName.objects.filter(name=line.payer_name).first()
    if known is not None and known.customer_id != customer.pk:
        raise InvalidInput(
            _("This payer name is registered to another customer (%(code)s).") % {"code": known.customer.code},
            field="customer",
        )
    payment = payment_record(
        customer=customer,
        received_on=line.transaction_date,
        amount=line.amount,
        bank_fee=bank_fee,
        payer_name=line.payer_name,
        user=user,
        allocations=allocations,
    )
    if known is None:
        learned = PayerName.objects.create(customer=customer, name=line.payer_name)
        audit.record(actor=user, action="payer_name.learn", obj=learned, changes={"customer": customer.pk})
    before = line.status
    line.customer = customer
    line.payment = payment
    line.status = BankStatementLine.Status.CONFIRMED
    line.save(update_fields=["customer", "payment", "status"])
    audit.record(
        actor=user,
        action="bank_line.confirm",
        obj=line,
        changes={"status": {"before": before, "after": line.status}, "payment": payment.pk},
    )
    return payment


@unit_of_work()
def bank_line_ignore(*, line: BankStatementLine, user) -> BankStatementLine:
    """Not a customer payment (an interest credit, a refund): nothing is recorded."""
    _require_admin(user, _("Only sales admins review bank transfers."))
    line = BankStatementLine.objects.select_for_update().get(pk=line.pk)
    if line.status != BankStatementLine.Status.UNMATCHED:
        raise StateConflict(_("Only a transfer waiting for review can be ignored."))
    line.status = BankStatementLine.Status.IGNORED
    line.save(update_fields=["status"])
    audit.record(
        actor=user, action="bank_line.ignore", obj=line, changes={"status": {"before": "unmatched", "after": "ignored"}}
    )
    return line
