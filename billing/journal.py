"""Accounting export: the journal entries of a period, as CSV, in two layouts.

- `generic`: one row per debit or credit line, UTF-8 with BOM, with a header (see
  billing/README.md for the columns).
- `yayoi`: the 弥生会計 import format (弥生インポート形式, 仕訳日記帳), 25 columns, Shift_JIS
  (CP932), no header, one balanced single-line entry (識別フラグ 2000) per row, amounts
  including tax with the tax amount in its own column.

Entries: sales per invoice and tax rate (売掛金 / 売上高 + 仮受消費税等), credit notes per
rate (売上値引高 / 売掛金), payments (預金 / 売掛金) and the bank fees customers deducted
(支払手数料 / 売掛金).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from backoffice.csvfiles import csv_text
from backoffice.exceptions import InvalidInput
from backoffice.money import ZERO, quantize_yen

from .models import CreditNote, Invoice, Payment, PaymentMethod

LAYOUTS = ("generic", "yayoi")
MAX_DAYS = 366

ACCOUNTS_RECEIVABLE = "売掛金"
SALES = "売上高"
SALES_RETURNS = "売上値引高"
TAX_RECEIVED = "仮受消費税等"
BANK_FEES = "支払手数料"
DEPOSIT_ACCOUNTS = {
    PaymentMethod.TRANSFER: "普通預金",
    PaymentMethod.CASH: "現金",
    PaymentMethod.NOTE: "受取手形",
    PaymentMethod.OFFSET: "買掛金",
}
# 弥生会計's tax categories (税区分) for tax-included amounts.
YAYOI_SALES_TAX = {10: "課税売上込10%", 8: "課税売上込8%(軽)", 0: "対象外"}
YAYOI_FEE_TAX = "課対仕入込10%"
FEE_TAX_RATE = 10


@dataclass(frozen=True)
class Entry:
    """One balanced entry: debit account = credit account = amount (including tax);
    `tax` is the consumption tax inside it, on the side named by `tax_side`."""

    date: dt.date
    kind: str  # sale, credit_note, payment, bank_fee
    number: str
    customer_code: str
    customer_name: str
    debit: str
    credit: str
    amount: Decimal
    tax_rate: int | None = None
    tax: Decimal = ZERO
    tax_side: str = ""  # "credit" for sales, "debit" for returns and fees

    @property
    def description(self) -> str:
        return f"{self.customer_name} {self.number}".strip()


def journal_entries(*, date_from: dt.date, date_to: dt.date) -> list[Entry]:
    """Every entry of the period in date order; three queries."""
    if date_to < date_from:
        raise InvalidInput(_("The end date is before the start date."), field="date_to")
    if (date_to - date_from).days > MAX_DAYS:
        raise InvalidInput(_("Export at most one year at a time."), field="date_to")
    entries: list[Entry] = []
    invoices = (
        Invoice.objects.filter(issue_date__range=(date_from, date_to))
        .exclude(status=Invoice.Status.CANCELLED)
        .select_related("customer")
        .order_by("issue_date", "pk")
    )
    for invoice in invoices:
        entries.extend(_per_rate(invoice, "sale", ACCOUNTS_RECEIVABLE, SALES, tax_side="credit"))
    notes = CreditNote.objects.filter(issue_date__range=(date_from, date_to)).select_related("customer")
    for note in notes.order_by("issue_date", "pk"):
        entries.extend(_per_rate(note, "credit_note", SALES_RETURNS, ACCOUNTS_RECEIVABLE, tax_side="debit"))
    payments = Payment.objects.filter(received_on__range=(date_from, date_to)).select_related("customer")
    for payment in payments.order_by("received_on", "pk"):
        reference = f"入金#{payment.pk}"
        entries.append(
            Entry(
                payment.received_on, "payment", reference, payment.customer.code, payment.customer.name,
                DEPOSIT_ACCOUNTS[payment.method], ACCOUNTS_RECEIVABLE, payment.amount,
            )
        )  # fmt: skip
        if payment.bank_fee:
            fee_tax = quantize_yen(payment.bank_fee * FEE_TAX_RATE / (100 + FEE_TAX_RATE))
            entries.append(
                Entry(
                    payment.received_on, "bank_fee", reference, payment.customer.code, payment.customer.name,
                    BANK_FEES, ACCOUNTS_RECEIVABLE, payment.bank_fee, FEE_TAX_RATE, fee_tax, "debit",
                )
            )  # fmt: skip
    entries.sort(key=lambda e: e.date)
    return entries


def _per_rate(document: Invoice | CreditNote, kind: str, debit: str, credit: str, *, tax_side: str):
    """One entry per tax rate of an invoice or a credit note, from its tax breakdown; a rate
    of nothing (a statement invoice's) books nothing."""
    for row in document.tax_breakdown:
        subtotal, tax = Decimal(row["subtotal"]), Decimal(row["tax"])
        if subtotal + tax == 0:
            continue
        customer = document.customer
        yield Entry(
            document.issue_date, kind, document.number, customer.code, customer.name,
            debit, credit, subtotal + tax, int(row["rate"]), tax, tax_side,
        )  # fmt: skip


GENERIC_HEADER = [
    "date",
    "entry_no",
    "kind",
    "document_number",
    "side",
    "account",
    "amount",
    "tax_rate",
    "tax_amount",
    "customer_code",
    "customer_name",
    "description",
]


def _generic_rows(entries: list[Entry]):
    """Debit and credit lines per entry; a sale splits its credit into 売上高 and 仮受消費税等,
    a return or fee shows the tax inside its debit."""
    for number, e in enumerate(entries, start=1):
        common = [e.customer_code, e.customer_name, e.description]
        rate = "" if e.tax_rate is None else str(e.tax_rate)
        date = e.date.isoformat()
        if e.tax_side == "credit":
            yield [date, number, e.kind, e.number, "debit", e.debit, e.amount, rate, "", *common]
            yield [date, number, e.kind, e.number, "credit", e.credit, e.amount - e.tax, rate, "", *common]
            if e.tax:
                yield [date, number, e.kind, e.number, "credit", TAX_RECEIVED, e.tax, rate, e.tax, *common]
        else:
            tax = e.tax if e.tax_side == "debit" else ""
            yield [date, number, e.kind, e.number, "debit", e.debit, e.amount, rate, tax, *common]
            yield [date, number, e.kind, e.number, "credit", e.credit, e.amount, "", "", *common]


def _yayoi_rows(entries: list[Entry]):
    for e in entries:
        debit_tax = credit_tax = "対象外"
        debit_tax_amount = credit_tax_amount = ""
        if e.kind == "sale":
            credit_tax, credit_tax_amount = YAYOI_SALES_TAX.get(e.tax_rate, "対象外"), e.tax
        elif e.kind == "credit_note":
            debit_tax, debit_tax_amount = YAYOI_SALES_TAX.get(e.tax_rate, "対象外"), e.tax
        elif e.kind == "bank_fee":
            debit_tax, debit_tax_amount = YAYOI_FEE_TAX, e.tax
        yield [
            "2000",  # 識別フラグ: a one-line entry
            "",  # 伝票No.
            "",  # 決算
            e.date.strftime("%Y/%m/%d"),
            e.debit,
            "",  # 借方補助科目 (left empty: an unknown one stops the import)
            "",  # 借方部門
            debit_tax,
            e.amount,
            debit_tax_amount,
            e.credit,
            "",  # 貸方補助科目
            "",  # 貸方部門
            credit_tax,
            e.amount,
            credit_tax_amount,
            e.description[:64],  # 摘要
            e.number[:10],  # 番号
            "",  # 期日
            "0",  # タイプ: 仕訳データ
            "",  # 生成元
            "",  # 仕訳メモ
            "",  # 付箋1
            "",  # 付箋2
            "no",  # 調整
        ]


def journal_csv(*, date_from: dt.date, date_to: dt.date, layout: str = "generic") -> tuple[bytes, str]:
    """The CSV bytes and a file name."""
    if layout not in LAYOUTS:
        raise InvalidInput(_("Choose the layout generic or yayoi."), field="layout")
    entries = journal_entries(date_from=date_from, date_to=date_to)
    if layout == "generic":
        content = ("\ufeff" + csv_text(_generic_rows(entries), header=GENERIC_HEADER)).encode("utf-8")
    else:
        content = csv_text(_yayoi_rows(entries)).encode("cp932", errors="replace")
    return content, f"journal-{layout}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.csv"
