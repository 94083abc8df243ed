"""Readers of the files banks deliver, each returning the same plain rows
(`StatementRow`) that the one import service (`billing.services.bank_statements`) matches:

- `zengin`: the 全銀協 fixed-length formats (200-byte records): 入出金取引明細 (種別コード 03)
  and 振込入金通知 (種別コード 01).
- `csv_layout`: an internet-banking CSV export read through the column mapping the admin
  set for the company bank account (`billing.models.BankCsvLayout`).

The readers touch no database; they refuse a bad file with `InvalidInput` on `file`."""

from .common import ParsedStatement, StatementRow

__all__ = ["ParsedStatement", "StatementRow"]
