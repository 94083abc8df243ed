"""Bank statement import (入金明細の取込): the deposits of a bank file matched to customers by
their payer names and to invoices by amount.

One service reads every kind of file, told apart by its content (`read_statement`): a 全銀
fixed-length file (入出金取引明細 or 振込入金通知, `billing.bankfiles.zengin`); a CSV with a
header row `date,amount,payer_name` (or 日付,金額,振込依頼人名), UTF-8 (with or without BOM)
or Shift_JIS (CP932); or a bank's own CSV export read through the column layout of the
company bank account chosen on upload, or of the one account whose layout's columns the
file has (`billing.bankfiles.csv_layout`). Withdrawals are counted, not imported. Every row
is validated first; a bad file writes nothing. Payer names are compared as `backoffice.kana.kana_key`
makes them (ｼﾖｳｼﾞ, ショウジ and しょうじ are one name). A row's payer is the customer the
name was learned for, else the one active customer whose kana reading is the name without
the bank's legal-form mark (ｶ)ﾔﾏﾀﾞｾｲｻｸｼﾖ → ヤマダセイサクシヨ). A row whose payer name was
learned and whose amount equals one open invoice's open amount (or falls short of it by
no more than the bank fee tolerance, which is then recorded as the fee) becomes a payment
matched to that invoice at once. A payer found only by the customer's kana (the first
transfer under that name) is proposed, with the invoice its amount settles, and waits
for an admin to confirm it; so does every other row. Confirming records the payment
(to the invoice chosen, or oldest first) and learns the payer name for next time;
ignoring records nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.csvfiles import csv_rows
from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.kana import kana_key
from backoffice.models import BankAccount
from backoffice.money import ZERO
from backoffice.roles import Role, require_role
from backoffice.status import change_status
from backoffice.validators import parse_business_date
from orders.models import Customer
from orders.selectors import customer_ids_by_kana

from ..bankfiles import ParsedStatement, StatementRow, csv_layout, zengin
from ..locking import lock_bank_line
from ..models import BankCsvLayout, BankStatementImport, BankStatementLine, Invoice, PayerName
from ..selectors import OPEN_STATUSES
from .matching import bank_fee_shortfall
from .payments import AllocationInput, payment_record_inner
from .settings import billing_settings

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


def _standard_columns(header: list[str]) -> tuple[dict[str, int], list[str]]:
    """The standard columns a CSV header names ({column: index}) and those it lacks."""
    columns = {HEADERS.get(name.strip().lower(), HEADERS.get(name.strip())): i for i, name in enumerate(header)}
    return columns, [name for name in ("date", "amount", "payer_name") if name not in columns]


def _standard_columns_missing(content: bytes) -> list[str]:
    """The standard columns a CSV's header lacks when it has some of them (else [])."""
    _columns, missing = _standard_columns(next(iter(csv_rows(content)), None) or [])
    return missing if len(missing) < 3 else []


def _parse_csv(content: bytes) -> ParsedStatement | None:
    """The rows of a CSV with the standard header, or None when its header is not that."""
    reader = iter(csv_rows(content))
    header = next(reader, None)
    if header is None:
        raise InvalidInput(_("The file is empty."), field="file")
    columns, missing = _standard_columns(header)
    if missing:
        return None
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
            day = parse_business_date(cells["date"])
        except ValidationError as error:
            raise InvalidInput(
                _("Row %(row)d: %(error)s") % {"row": number, "error": error.messages[0]}, field="file"
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
        payer = kana_key(cells["payer_name"])
        if not payer or len(payer) > 100:
            raise InvalidInput(_("Row %(row)d: give the payer name (at most 100).") % {"row": number}, field="file")
        rows.append(StatementRow(number=number, date=day, amount=amount, payer_name=payer))
    return ParsedStatement(file_format=BankStatementImport.FileFormat.CSV, rows=rows)


def _layout_of(bank_account: BankAccount) -> BankCsvLayout | None:
    return BankCsvLayout.objects.filter(bank_account=bank_account).select_related("bank_account").first()


def read_statement(
    content: bytes, bank_account: BankAccount | None = None
) -> tuple[ParsedStatement, BankAccount | None]:
    """The deposits of a bank file, whatever its kind, and the company bank account it is
    for: the one chosen, else the one a 全銀 header names (by account number) or whose CSV
    layout the file matches. Refuses (InvalidInput on `file`) a file no reader accepts."""
    if not content.strip():
        raise InvalidInput(_("The file is empty."), field="file")
    if zengin.looks_like_zengin(content):
        parsed = zengin.parse(content)
        if bank_account is None and parsed.account_number is not None:
            accounts = [
                account
                for account in BankAccount.objects.all()
                if account.account_number.isdigit() and int(account.account_number) == parsed.account_number
            ]
            bank_account = accounts[0] if len(accounts) == 1 else None
        return parsed, bank_account
    layout = _layout_of(bank_account) if bank_account is not None else None
    if layout is not None:
        return csv_layout.parse(content, layout), bank_account
    parsed = _parse_csv(content)
    if parsed is not None:
        return parsed, bank_account
    if bank_account is None:
        layouts = [
            layout
            for layout in BankCsvLayout.objects.select_related("bank_account")
            if csv_layout.headers_match(content, layout)
        ]
        if len(layouts) == 1:
            return csv_layout.parse(content, layouts[0]), layouts[0].bank_account
        if len(layouts) > 1:
            raise InvalidInput(
                _("The columns of this file match the layouts of several bank accounts: choose the account."),
                field="bank_account",
            )
    missing = _standard_columns_missing(content)
    if missing:
        # Nearly the standard CSV (some of its columns are there): say which ones are not.
        raise InvalidInput(
            _("The header needs the columns date, amount and payer_name (missing: %(names)s).")
            % {"names": ", ".join(missing)},
            field="file",
        )
    raise InvalidInput(
        _(
            "The file is neither a 全銀 file nor a CSV with the columns date, amount and payer_name, and no "
            "bank account's CSV layout matches its columns. Set the layout of the account (bank CSV layouts) "
            "or choose the account."
        ),
        field="file",
    )


def _matching_invoice(customer_id: int, amount: Decimal, tolerance: Decimal) -> tuple[Invoice, Decimal] | None:
    """The oldest open invoice the amount settles exactly, or short by at most the fee tolerance."""
    invoices = Invoice.objects.filter(customer_id=customer_id, status__in=OPEN_STATUSES).order_by("due_date", "pk")
    for invoice in invoices:
        fee = bank_fee_shortfall(open_amount=invoice.open_amount, paid=amount, fee_limit=tolerance)
        if fee is not None:
            return invoice, fee
    return None


def _payer_customers(payers: set[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Payer name → customer id: (the learned names, the names found by the customers' kana)."""
    learned = dict(PayerName.objects.filter(name__in=payers).values_list("name", "customer_id"))
    return learned, customer_ids_by_kana(payers - learned.keys())


@dataclass(frozen=True)
class Proposal:
    """What a transfer waiting for review is proposed to be: the customer found by kana (or
    by a learned name, when the amount matched no invoice) and the open invoice its amount
    settles (None when it settles none), with the bank fee the shortfall would be."""

    customer: Customer
    invoice: Invoice | None
    bank_fee: Decimal
    learned: bool = False


def bank_line_proposal_for(line: BankStatementLine, customer: Customer) -> Proposal:
    """The open invoice of `customer` this transfer's amount settles (with the fee), for the
    admin who picks the customer of a transfer waiting for review."""
    match = _matching_invoice(customer.pk, line.amount, billing_settings().bank_fee_tolerance)
    invoice, fee = match if match is not None else (None, ZERO)
    return Proposal(customer=customer, invoice=invoice, bank_fee=fee)


def bank_line_proposals(lines: Sequence[BankStatementLine]) -> dict[int, Proposal]:
    """The proposal of each line waiting for review whose payer was found by kana (line.pk →
    Proposal), the invoice read as it is now. One query per customer proposed."""
    waiting = [
        line for line in lines if line.status == BankStatementLine.Status.UNMATCHED and line.customer_id is not None
    ]
    if not waiting:
        return {}
    tolerance = billing_settings().bank_fee_tolerance
    learned = set(
        PayerName.objects.filter(name__in={kana_key(line.payer_name) for line in waiting}).values_list(
            "name", flat=True
        )
    )
    proposals = {}
    for line in waiting:
        match = _matching_invoice(line.customer_id, line.amount, tolerance)
        invoice, fee = match if match is not None else (None, ZERO)
        proposals[line.pk] = Proposal(
            customer=line.customer, invoice=invoice, bank_fee=fee, learned=kana_key(line.payer_name) in learned
        )
    return proposals


@transaction.atomic
def bank_statement_import(
    *, content: bytes, user, file_name: str = "", bank_account: BankAccount | None = None
) -> BankStatementImport:
    """Import a bank file (any kind `read_statement` reads): its deposits become statement
    lines, matched at once when the payer name was learned and the amount settles an open
    invoice, else waiting for review; withdrawals (and cancelled 振込入金通知) are counted."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins import bank statements."))
    parsed, bank_account = read_statement(content, bank_account)
    if not parsed.rows:
        raise InvalidInput(
            _("The file has no deposits (%(count)d withdrawals skipped).") % {"count": parsed.withdrawals}
            if parsed.withdrawals
            else _("The file has no transfers."),
            field="file",
        )
    rows = [(row.number, row.date, row.amount, kana_key(row.payer_name)) for row in parsed.rows]
    digest = hashlib.sha256(content).hexdigest()
    if BankStatementImport.objects.filter(sha256=digest).exists():
        raise StateConflict(_("This file has already been imported."), field="file")
    statement = BankStatementImport.objects.create(
        file_name=file_name[:200],
        sha256=digest,
        imported_by=user,
        file_format=parsed.file_format,
        bank_account=bank_account,
        withdrawals_skipped=parsed.withdrawals,
        withdrawals_total=parsed.withdrawals_total,
        cancellations_skipped=parsed.cancellations,
    )
    learned, by_kana = _payer_customers({payer for *_rest, payer in rows})
    tolerance = billing_settings().bank_fee_tolerance
    lines = []
    for number, day, amount, payer in rows:
        customer_id = learned.get(payer)
        # Only a learned name is matched without asking: a kana reading is a proposal.
        match = _matching_invoice(customer_id, amount, tolerance) if customer_id else None
        customer_id = customer_id or by_kana.get(payer)
        payment = None
        if match is not None:
            invoice, fee = match
            payment = payment_record_inner(
                customer=invoice.customer,
                received_on=day,
                amount=amount,
                bank_fee=fee,
                payer_name=payer,
                user=user,
                allocations=[AllocationInput(invoice=invoice, amount=amount)],  # the fee settles the rest
            )
        lines.append(
            BankStatementLine(
                statement=statement,
                row_number=number,
                transaction_date=day,
                amount=amount,
                payer_name=payer,
                customer_id=customer_id,
                payment=payment,
                # Its first status, not a move: matched as it is imported, or waiting for review.
                status=BankStatementLine.Status.UNMATCHED if payment is None else BankStatementLine.Status.MATCHED,
            )
        )
    BankStatementLine.objects.bulk_create(lines)
    matched = sum(1 for line in lines if line.payment is not None)
    audit.record(
        actor=user,
        action="bank_statement.import",
        obj=statement,
        changes={
            "rows": len(rows),
            "matched": matched,
            "file_name": file_name[:200],
            "file_format": parsed.file_format,
            "bank_account": bank_account.pk if bank_account else None,
            "withdrawals_skipped": parsed.withdrawals,
            "cancellations_skipped": parsed.cancellations,
        },
    )
    return statement


@transaction.atomic
def bank_line_confirm(
    *,
    line: BankStatementLine,
    customer,
    user,
    bank_fee: Decimal = Decimal(0),
    allocations: Sequence | None = None,
    invoice: Invoice | None = None,
):
    """An admin says whose transfer this is: the payment is recorded and matched (to the
    `invoice` chosen, as the `allocations` given, or oldest first), and the payer name is
    learned for the customer. With an invoice and no fee given, a shortfall within the bank
    fee tolerance is the fee (as the import does)."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins confirm bank transfers."))
    line = lock_bank_line(line.pk)
    if line.status not in (BankStatementLine.Status.UNMATCHED, BankStatementLine.Status.IGNORED):
        raise StateConflict(_("This transfer has already been recorded."))
    if invoice is not None:
        bank_fee, allocations = _to_invoice(line, customer, invoice, bank_fee, allocations)
    payer = kana_key(line.payer_name)  # lines imported before the key took small kana as large
    known = PayerName.objects.filter(name=payer).first()
    if known is not None and known.customer_id != customer.pk:
        raise InvalidInput(
            _("This payer name is registered to another customer (%(code)s).") % {"code": known.customer.code},
            field="customer",
        )
    payment = payment_record_inner(
        customer=customer,
        received_on=line.transaction_date,
        amount=line.amount,
        bank_fee=bank_fee,
        payer_name=line.payer_name,
        user=user,
        allocations=allocations,
    )
    if known is None and payer != kana_key(zengin.NO_PAYER_NAME):
        learned = PayerName.objects.create(customer=customer, name=payer)
        audit.record(actor=user, action="payer_name.learn", obj=learned, changes={"customer": customer.pk})
    line.customer = customer
    line.payment = payment
    change_status(line, BankStatementLine.Status.CONFIRMED, user=user, fields=["customer", "payment"])
    return payment


def _to_invoice(line: BankStatementLine, customer, invoice: Invoice, bank_fee, allocations):
    """(bank fee, allocations) that put the transfer on the one invoice the admin chose; what
    the invoice does not need stays as customer credit."""
    if allocations is not None:
        raise InvalidInput(_("Choose an invoice or give the allocations, not both."), field="invoice")
    if invoice.customer_id != customer.pk:
        raise InvalidInput(_("This invoice is another customer's."), field="invoice")
    if invoice.status not in OPEN_STATUSES:
        raise StateConflict(
            _("Invoice %(number)s has nothing left to pay.") % {"number": invoice.number}, field="invoice"
        )
    open_amount = invoice.open_amount
    if not bank_fee:
        tolerance = billing_settings().bank_fee_tolerance
        bank_fee = bank_fee_shortfall(open_amount=open_amount, paid=line.amount, fee_limit=tolerance) or ZERO
    take = min(line.amount, open_amount - bank_fee)
    if take <= 0 or bank_fee > line.amount:
        raise InvalidInput(
            _("The bank fee is more than invoice %(number)s leaves open (¥%(open)s).")
            % {"number": invoice.number, "open": f"{open_amount:,}"},
            field="bank_fee",
        )
    return bank_fee, [AllocationInput(invoice=invoice, amount=take, bank_fee=bank_fee)]


@transaction.atomic
def bank_line_ignore(*, line: BankStatementLine, user) -> BankStatementLine:
    """Not a customer payment (an interest credit, a refund): nothing is recorded."""
    require_role(user, Role.SALES_ADMIN, message=_("Only sales admins review bank transfers."))
    line = lock_bank_line(line.pk)
    if line.status != BankStatementLine.Status.UNMATCHED:
        raise StateConflict(_("Only a transfer waiting for review can be ignored."))
    change_status(line, BankStatementLine.Status.IGNORED, user=user)
    return line
