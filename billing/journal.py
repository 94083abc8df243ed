"""Accounting export: the journal entries of a period, as the CSV an accounting package imports.

Layouts (billing/README.md has each one's columns and where it was checked):

- `generic`: one row per debit or credit line, UTF-8 with BOM, header.
- `yayoi`: 弥生会計's import format (弥生インポート形式), 25 columns, Shift_JIS, no header.
- `freee`: freee会計's journal import (仕訳のインポート, 借方・貸方 in separate columns), UTF-8.
- `mf`: マネーフォワード クラウド会計's 仕訳帳 import (27 columns A–AA), UTF-8.

What is booked, and on which day:

- Sales and 売掛金 on the day goods shipped (出荷基準), per shipment and tax rate at the
  delivery note's figures; the invoice that bills them books, on its own date, only what
  its tax computed once over the period changes (端数調整: 売掛金 / 売上高 / 仮受消費税等).
  `BillingSettings.sales_booking_basis = invoice` books sales on the invoice date instead.
- Credit notes (返品・値引) on their date, per rate.
- Payments on the day received: what they settled then is 売掛金 (with the bank fee the
  customer deducted as 支払手数料), the rest 前受金 until it is applied to an invoice issued
  later, on that invoice's date (前受金 / 売掛金).

Accounts and tax categories come from `DEFAULTS`, overridden by `JournalMapping` rows.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Prefetch
from django.utils.translation import gettext as _

from backoffice.csvfiles import csv_text
from backoffice.exceptions import InvalidInput
from backoffice.money import ZERO, quantize_yen
from orders.models import Shipment

from .models import Allocation, BillingSettings, CreditNote, Invoice, InvoiceShipment, JournalMapping, Payment
from .models import PaymentMethod as Method

LAYOUTS = ("generic", "yayoi", "freee", "mf")
MAX_DAYS = 366
FEE_TAX_RATE = 10
SUB_ACCOUNT_CHOICES = ("name", "code", "none")

# The built-in mapping: "account.*" are account names, "tax.*" tax categories (税区分) as the
# layout spells them, "sub_account" what identifies the customer in 売掛金 and 前受金.
_ACCOUNTS = {
    "account.receivable": "売掛金",
    "account.sales": "売上高",
    "account.tax_received": "仮受消費税等",
    "account.sales_returns": "売上値引高",
    "account.bank_fee": "支払手数料",
    "account.advances": "前受金",
    "account.deposit_transfer": "普通預金",
    "account.deposit_cash": "現金",
    "account.deposit_note": "受取手形",
    "account.deposit_offset": "買掛金",
}
DEFAULTS: dict[str, dict[str, str]] = {
    **{key: {"": value} for key, value in _ACCOUNTS.items()},
    # Sales and returns of a rate (returns are negative sales, on the debit side).
    "tax.sales_10": {"": "課税売上10%", "yayoi": "課税売上込10%", "mf": "課売 10%"},
    "tax.sales_8": {"": "課税売上8%（軽）", "yayoi": "課税売上込8%(軽)", "mf": "課売 8% (軽)"},
    "tax.sales_0": {"": "非課税売上", "mf": "非売"},  # exempt goods (0%): 非課税売上, not 対象外
    # The transfer fee a customer deducted: a purchase of a service at 10%, invoice-era category.
    "tax.fee_10": {"": "課対仕入10%", "yayoi": "課対仕入込10%適格", "mf": "課仕 10%"},
    "tax.none": {"": "対象外"},
    "sub_account": {"": "name", "freee": "none"},  # freee tracks the customer as 取引先
}
DEPOSIT_KEYS = {
    Method.TRANSFER: "account.deposit_transfer",
    Method.CASH: "account.deposit_cash",
    Method.NOTE: "account.deposit_note",
    Method.OFFSET: "account.deposit_offset",
}
PER_CUSTOMER = {"account.receivable", "account.advances"}


@dataclass(frozen=True)
class Line:
    """One debit or credit: `amount` includes the tax `tax` of `rate` when `taxed` names the
    kind of taxable line ("sales" or "fee"); an untaxed line is 対象外."""

    side: str  # "debit" | "credit"
    account: str  # a key of DEFAULTS ("account.*")
    amount: Decimal
    rate: int | None = None
    tax: Decimal = ZERO
    taxed: str = ""


@dataclass(frozen=True)
class Entry:
    """One balanced journal entry (仕訳): the debits' amounts equal the credits'."""

    date: dt.date
    kind: str  # sale, invoice_adjustment, credit_note, payment, advance_applied
    number: str
    customer_code: str
    customer_name: str
    lines: tuple[Line, ...]

    @property
    def description(self) -> str:
        return f"{self.number} {self.customer_name}".strip()

    def total(self, side: str) -> Decimal:
        return sum((line.amount for line in self.lines if line.side == side), ZERO)


def _line(side: str, account: str, amount: Decimal, **tax) -> Line | None:
    """A line, moved to the other side when the amount is negative; None for nothing."""
    if amount == 0 and not tax.get("tax"):
        return None
    if amount < 0:
        side = "credit" if side == "debit" else "debit"
        amount, tax = -amount, {**tax, "tax": -tax.get("tax", ZERO)}
    return Line(side, account, amount, **tax)


def _entry(date, kind, number, customer, lines: Iterable[Line | None]) -> Entry | None:
    kept = tuple(line for line in lines if line is not None)
    return Entry(date, kind, number, customer.code, customer.name, kept) if kept else None


def _breakdown(document) -> dict[int, tuple[Decimal, Decimal]]:
    """(excluding tax, tax) per rate, as the document states them."""
    rows: dict[int, tuple[Decimal, Decimal]] = {}
    for row in document.tax_breakdown or []:
        net, tax = rows.get(int(row["rate"]), (ZERO, ZERO))
        rows[int(row["rate"])] = (net + Decimal(row["subtotal"]), tax + Decimal(row["tax"]))
    return rows


def _sale(date, kind, number, customer, net: Decimal, tax: Decimal, rate: int) -> Entry | None:
    """売掛金 / 売上高 (tax included, the tax inside) for one rate."""
    return _entry(
        date, kind, number, customer,
        [
            _line("debit", "account.receivable", net + tax),
            _line("credit", "account.sales", net + tax, rate=rate, tax=tax, taxed="sales"),
        ],
    )  # fmt: skip


def journal_entries(*, date_from: dt.date, date_to: dt.date) -> list[Entry]:
    """Every entry of the period in date order."""
    if date_to < date_from:
        raise InvalidInput(_("The end date is before the start date."), field="date_to")
    if (date_to - date_from).days > MAX_DAYS:
        raise InvalidInput(_("Export at most one year at a time."), field="date_to")
    period = (date_from, date_to)
    basis = BillingSettings.objects.values_list("sales_booking_basis", flat=True).first()
    entries: list[Entry | None] = []
    if basis == BillingSettings.SalesBookingBasis.INVOICE:
        entries += _invoice_sales(period)
    else:
        entries += _shipment_sales(period)
        entries += _invoice_adjustments(period)
    entries += _credit_notes(period)
    entries += _payments(period)
    entries += _advances_applied(period)
    order = {"sale": 0, "invoice_adjustment": 1, "credit_note": 2, "payment": 3, "advance_applied": 4}
    kept = [entry for entry in entries if entry is not None]
    kept.sort(key=lambda e: (e.date, order[e.kind], e.number))
    return kept


def _shipment_sales(period) -> Iterator[Entry | None]:
    shipments = Shipment.objects.filter(status=Shipment.Status.SHIPPED, shipped_on__range=period)
    for shipment in shipments.select_related("customer").order_by("shipped_on", "pk"):
        for rate, (net, tax) in sorted(_breakdown(shipment).items(), reverse=True):
            yield _sale(shipment.shipped_on, "sale", shipment.number, shipment.customer, net, tax, rate)


def _invoice_sales(period) -> Iterator[Entry | None]:
    invoices = Invoice.objects.filter(issue_date__range=period).exclude(status=Invoice.Status.CANCELLED)
    for invoice in invoices.select_related("customer").order_by("issue_date", "pk"):
        for rate, (net, tax) in sorted(_breakdown(invoice).items(), reverse=True):
            yield _sale(invoice.issue_date, "sale", invoice.number, invoice.customer, net, tax, rate)


def _invoice_adjustments(period) -> Iterator[Entry | None]:
    """What an invoice's own figures change against the delivery notes it bills: the tax
    once per rate over the invoice (and a tax-inclusive customer's net amounts with it)."""
    invoices = (
        Invoice.objects.filter(issue_date__range=period)
        .exclude(status=Invoice.Status.CANCELLED)
        .select_related("customer")
        .prefetch_related(Prefetch("shipment_links", InvoiceShipment.objects.select_related("shipment")))
        .order_by("issue_date", "pk")
    )
    for invoice in invoices:
        billed = _breakdown(invoice)
        shipped: dict[int, tuple[Decimal, Decimal]] = defaultdict(lambda: (ZERO, ZERO))
        for link in invoice.shipment_links.all():
            for rate, (net, tax) in _breakdown(link.shipment).items():
                shipped[rate] = (shipped[rate][0] + net, shipped[rate][1] + tax)
        for rate in sorted(set(billed) | set(shipped), reverse=True):
            net = billed.get(rate, (ZERO, ZERO))[0] - shipped[rate][0]
            tax = billed.get(rate, (ZERO, ZERO))[1] - shipped[rate][1]
            yield _entry(
                invoice.issue_date, "invoice_adjustment", invoice.number, invoice.customer,
                [
                    _line("debit", "account.receivable", net + tax),
                    _line("credit", "account.sales", net),
                    _line("credit", "account.tax_received", tax),
                ],
            )  # fmt: skip


def _credit_notes(period) -> Iterator[Entry | None]:
    notes = CreditNote.objects.filter(issue_date__range=period).select_related("customer")
    for note in notes.order_by("issue_date", "pk"):
        for rate, (net, tax) in sorted(_breakdown(note).items(), reverse=True):
            yield _entry(
                note.issue_date, "credit_note", note.number, note.customer,
                [
                    _line("debit", "account.sales_returns", net + tax, rate=rate, tax=tax, taxed="sales"),
                    _line("credit", "account.receivable", net + tax),
                ],
            )  # fmt: skip


def _applied_on(allocation: Allocation, payment: Payment) -> dt.date:
    """The day a payment settles an invoice in the books: the day it was received, or, for
    money received before the invoice was issued (前受金), the invoice's date."""
    return max(payment.received_on, allocation.invoice.issue_date)


def _fee(amount: Decimal) -> Line | None:
    tax = quantize_yen(amount * FEE_TAX_RATE / (100 + FEE_TAX_RATE))
    return _line("debit", "account.bank_fee", amount, rate=FEE_TAX_RATE, tax=tax, taxed="fee")


def _payments(period) -> Iterator[Entry | None]:
    allocations = Allocation.objects.select_related("invoice").order_by("pk")
    payments = (
        Payment.objects.filter(received_on__range=period)
        .select_related("customer")
        .prefetch_related(Prefetch("allocations", allocations))
        .order_by("received_on", "pk")
    )
    for payment in payments:
        settled = [a for a in payment.allocations.all() if _applied_on(a, payment) == payment.received_on]
        amount = sum((a.amount for a in settled), ZERO)
        fee = sum((a.bank_fee for a in settled), ZERO)
        yield _entry(
            payment.received_on, "payment", f"入金#{payment.pk}", payment.customer,
            [
                _line("debit", DEPOSIT_KEYS[payment.method], payment.amount),
                _fee(fee),
                _line("credit", "account.receivable", amount + fee),
                _line("credit", "account.advances", payment.amount - amount),
            ],
        )  # fmt: skip


def _advances_applied(period) -> Iterator[Entry | None]:
    """Money held as 前受金 applied to an invoice issued in the period."""
    allocations = (
        Allocation.objects.filter(payment__isnull=False, invoice__issue_date__range=period)
        .filter(payment__received_on__lt=F("invoice__issue_date"))
        .select_related("invoice", "payment", "payment__customer")
        .order_by("pk")
    )
    for allocation in allocations:
        payment = allocation.payment
        day = _applied_on(allocation, payment)
        if day == payment.received_on:
            continue
        yield _entry(
            day, "advance_applied", allocation.invoice.number, payment.customer,
            [
                _line("debit", "account.advances", allocation.amount),
                _fee(allocation.bank_fee),
                _line("credit", "account.receivable", allocation.amount + allocation.bank_fee),
            ],
        )  # fmt: skip


# ---------------------------------------------------------------------------
# The mapping and the layouts
# ---------------------------------------------------------------------------


class Mapping:
    """What a layout writes for each item: the admin's JournalMapping rows over DEFAULTS."""

    def __init__(self, layout: str) -> None:
        self.values = {key: spellings.get(layout, spellings[""]) for key, spellings in DEFAULTS.items()}
        rows = JournalMapping.objects.filter(layout__in=["", layout]).order_by("layout")  # "" first, then the layout's
        for row in rows:
            if row.key in self.values:
                self.values[row.key] = row.value

    def account(self, line: Line) -> str:
        return self.values[line.account]

    def sub_account(self, line: Line, entry: Entry) -> str:
        if line.account not in PER_CUSTOMER:
            return ""
        return {"name": entry.customer_name, "code": entry.customer_code}.get(self.values["sub_account"], "")

    def tax_category(self, line: Line) -> str:
        if line.taxed == "sales":
            return self.values[f"tax.sales_{line.rate}"]
        if line.taxed == "fee":
            return self.values["tax.fee_10"]
        return self.values["tax.none"]


GENERIC_HEADER = [
    "date",
    "entry_no",
    "kind",
    "document_number",
    "side",
    "account",
    "sub_account",
    "amount",
    "tax_rate",
    "tax_amount",
    "tax_category",
    "customer_code",
    "customer_name",
    "description",
]


def _generic_rows(entries: list[Entry], mapping: Mapping):
    """A line per debit and credit; a taxed sale's credit splits into 売上高 (excluding tax)
    and 仮受消費税等, a return or fee shows the tax inside its debit."""
    tax_line = Line("credit", "account.tax_received", ZERO)
    for number, e in enumerate(entries, start=1):
        common = [e.customer_code, e.customer_name, e.description]
        head = [e.date.isoformat(), number, e.kind, e.number]
        for line in e.lines:
            rate = "" if line.rate is None else line.rate
            account, sub = mapping.account(line), mapping.sub_account(line, e)
            category = mapping.tax_category(line)
            if line.taxed == "sales" and line.side == "credit":
                yield [*head, line.side, account, sub, line.amount - line.tax, rate, "", category, *common]
                if line.tax:
                    tax_account = mapping.account(tax_line)
                    none = mapping.values["tax.none"]
                    yield [*head, line.side, tax_account, "", line.tax, rate, line.tax, none, *common]
            else:
                tax = line.tax if line.taxed else ""
                yield [*head, line.side, account, sub, line.amount, rate, tax, category, *common]


def _pairs(entry: Entry) -> list[tuple[Line | None, Line | None]]:
    """The entry as rows of (debit, credit), for the layouts with both sides on one row."""
    debits = [line for line in entry.lines if line.side == "debit"]
    credits = [line for line in entry.lines if line.side == "credit"]
    return [
        (debits[i] if i < len(debits) else None, credits[i] if i < len(credits) else None)
        for i in range(max(len(debits), len(credits)))
    ]


def _cp932_cut(text: str, limit: int) -> str:
    """The longest start of `text` that takes at most `limit` bytes in Shift_JIS."""
    while len(text.encode("cp932", errors="replace")) > limit:
        text = text[:-1]
    return text


def _yayoi_side(line: Line | None, entry: Entry, mapping: Mapping) -> list:
    if line is None:
        return ["", "", "", "", "", ""]
    tax = line.tax if line.taxed else ""
    return [mapping.account(line), mapping.sub_account(line, entry), "", mapping.tax_category(line), line.amount, tax]


def _yayoi_rows(entries: list[Entry], mapping: Mapping):
    for e in entries:
        pairs = _pairs(e)
        for index, (debit, credit) in enumerate(pairs):
            if len(pairs) == 1:
                flag = "2000"  # a one-line entry
            else:
                flag = "2110" if index == 0 else "2101" if index == len(pairs) - 1 else "2100"
            yield [
                flag,
                "",  # 伝票No. (numbered by 弥生)
                "",  # 決算
                e.date.strftime("%Y/%m/%d"),
                *_yayoi_side(debit, e, mapping),  # 借方勘定科目, 補助科目, 部門, 税区分, 金額, 税金額
                *_yayoi_side(credit, e, mapping),
                _cp932_cut(e.description, 64),  # 摘要: the document number first, never cut
                "",  # 番号 (10 characters: a document number does not fit; it is in 摘要 and 仕訳メモ)
                "",  # 期日
                "0",  # タイプ: 仕訳データ
                "",  # 生成元
                e.number,  # 仕訳メモ
                "",  # 付箋1
                "",  # 付箋2
                "no",  # 調整
            ]


FREEE_HEADER = [
    "日付", "伝票番号", "決算整理仕訳",
    "借方勘定科目", "借方補助科目", "借方取引先", "借方税区分", "借方金額", "借方税額",
    "貸方勘定科目", "貸方補助科目", "貸方取引先", "貸方税区分", "貸方金額", "貸方税額",
    "摘要",
]  # fmt: skip


def _freee_side(line: Line | None, entry: Entry, mapping: Mapping) -> list:
    if line is None:
        return ["", "", "", "", "", ""]
    tax = line.tax if line.taxed else ""
    return [
        mapping.account(line), mapping.sub_account(line, entry), entry.customer_name,
        mapping.tax_category(line), line.amount, tax,
    ]  # fmt: skip


def _freee_rows(entries: list[Entry], mapping: Mapping):
    for number, e in enumerate(entries, start=1):
        for debit, credit in _pairs(e):
            yield [
                e.date.strftime("%Y/%m/%d"), number, "",
                *_freee_side(debit, e, mapping), *_freee_side(credit, e, mapping),
                e.description,
            ]  # fmt: skip


MF_HEADER = [
    "取引No", "取引日",
    "借方勘定科目", "借方補助科目", "借方部門", "借方取引先",
    "借方税区分", "借方インボイス", "借方金額(円)", "借方税額",
    "貸方勘定科目", "貸方補助科目", "貸方部門", "貸方取引先",
    "貸方税区分", "貸方インボイス", "貸方金額(円)", "貸方税額",
    "摘要", "仕訳メモ", "タグ", "MF仕訳タイプ", "決算整理仕訳", "作成日時", "作成者", "最終更新日時", "最終更新者",
]  # fmt: skip


def _mf_side(line: Line | None, entry: Entry, mapping: Mapping) -> list:
    if line is None:
        return ["", "", "", "", "", "", "", ""]
    tax = line.tax if line.taxed else ""
    customer = entry.customer_name if line.account in PER_CUSTOMER else ""
    return [
        mapping.account(line), mapping.sub_account(line, entry), "", customer,
        mapping.tax_category(line), "", line.amount, tax,
    ]  # fmt: skip


def _mf_rows(entries: list[Entry], mapping: Mapping):
    for number, e in enumerate(entries, start=1):
        for debit, credit in _pairs(e):
            yield [
                number, e.date.strftime("%Y/%m/%d"),
                *_mf_side(debit, e, mapping), *_mf_side(credit, e, mapping),
                e.description, e.number, "", "", "", "", "", "", "",
            ]  # fmt: skip


def journal_csv(*, date_from: dt.date, date_to: dt.date, layout: str = "generic") -> tuple[bytes, str]:
    """The CSV bytes and a file name."""
    if layout not in LAYOUTS:
        raise InvalidInput(_("Choose the layout generic, yayoi, freee or mf."), field="layout")
    entries = journal_entries(date_from=date_from, date_to=date_to)
    mapping = Mapping(layout)
    if layout == "generic":
        content = ("\ufeff" + csv_text(_generic_rows(entries, mapping), header=GENERIC_HEADER)).encode("utf-8")
    elif layout == "yayoi":
        content = csv_text(_yayoi_rows(entries, mapping)).encode("cp932", errors="replace")
    elif layout == "freee":
        content = ("\ufeff" + csv_text(_freee_rows(entries, mapping), header=FREEE_HEADER)).encode("utf-8")
    else:
        content = ("\ufeff" + csv_text(_mf_rows(entries, mapping), header=MF_HEADER)).encode("utf-8")
    return content, f"journal-{layout}-{date_from:%Y%m%d}-{date_to:%Y%m%d}.csv"
