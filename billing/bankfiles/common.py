"""What every bank-file reader returns."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

# Whole yen above zero, as BankStatementLine stores it (14 digits).
MAX_AMOUNT = Decimal(99_999_999_999)


@dataclass(frozen=True)
class StatementRow:
    """One deposit to import: where it is in the file (row or record number), the date,
    the amount and the payer name as the bank printed it (not yet normalised)."""

    number: int
    date: dt.date
    amount: Decimal
    payer_name: str


@dataclass(frozen=True)
class ParsedStatement:
    """The deposits of a file, and what was left out: withdrawals (出金) and, in a 振込入金通知,
    cancelled notices (取消)."""

    file_format: str
    rows: list[StatementRow]
    withdrawals: int = 0
    withdrawals_total: Decimal = Decimal(0)
    cancellations: int = 0
    account_number: int | None = None  # the account the file is for, when it says so (全銀 header)
