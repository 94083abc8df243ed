"""The demo's sample bank file: today's 入出金取引明細 (全銀 03) of the company's main account,
written from the invoices the demo leaves open, so uploading it on 入金明細 shows every kind of
row the review has: transfers under a payer name learned earlier (matched at once, one of them
short by the bank fee), a first transfer under a customer's kana (proposed, to confirm), a
payer nobody knows (to pick or ignore) and a withdrawal (counted, not imported).

`load_demo` writes it to var/demo/; it is made again on every load, from the invoices then open."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

from billing.models import Invoice, PayerName
from billing.selectors import OPEN_STATUSES

from . import zengin_files as z

BANK_FEE = Decimal(440)
# The first-time payer: as the bank prints the customer's name (half-width kana, 株式会社 as ｶ)).
FIRST_TIME = ("C001", "ｶ)ﾔﾏﾀﾞｾｲｻｸｼﾖ")
UNKNOWN = ("ﾔﾏﾓﾄ ｼﾞﾛｳ", Decimal(27500))
WITHDRAWAL = ("ﾃﾞﾝｷﾘﾖｳｷﾝ", Decimal(48400))


def wareki(day: dt.date) -> str:
    """A 全銀 date: the Reiwa year, month and day, two digits each."""
    return f"{day.year - 2018:02d}{day:%m%d}"


def _transfers() -> list[tuple[str, Decimal]]:
    """(payer as the bank prints it, amount) for the oldest open invoice of each customer who
    has a learned payer name, the second of them short by the fee, and the first-time payer."""
    learned = {}
    for payer in PayerName.objects.order_by("pk"):
        learned.setdefault(payer.customer_id, payer.name)
    oldest = {}
    for invoice in (
        Invoice.objects.filter(status__in=OPEN_STATUSES).select_related("customer").order_by("due_date", "pk")
    ):
        oldest.setdefault(invoice.customer_id, invoice)
    transfers = []
    for customer_id, name in learned.items():
        invoice = oldest.get(customer_id)
        if invoice is not None:
            short = BANK_FEE if len(transfers) == 1 and invoice.open_amount > BANK_FEE else 0
            transfers.append((name, invoice.open_amount - short))
    first_time = next((i for i in oldest.values() if i.customer.code == FIRST_TIME[0]), None)
    if first_time is not None and first_time.customer_id not in learned:
        transfers.append((FIRST_TIME[1], first_time.open_amount))
    return transfers


def sample_statement(today: dt.date, *, account_number: int = 1234567) -> bytes:
    """Today's 入出金取引明細 of the account: the transfers, the unknown payer and a withdrawal."""
    day = wareki(today)
    records = []
    deposits = [*_transfers(), UNKNOWN]
    for number, (payer, amount) in enumerate(deposits, start=1):
        records.append(z.data_03(day=day, kind=11, amount=int(amount), payer=payer, number=number))
    records.append(
        z.data_03(
            day=day,
            deposit=False,
            kind=14,
            amount=int(WITHDRAWAL[1]),
            description=WITHDRAWAL[0],
            number=len(records) + 1,
        )
    )
    total = int(sum(amount for _payer, amount in deposits))
    first = wareki(today.replace(day=1))
    return z.file(
        z.header_03(created=day, start=first, end=day, account=account_number),
        *records,
        z.trailer_03(deposits=(len(deposits), total), withdrawals=(1, int(WITHDRAWAL[1])), records=len(records)),
        z.END,
    )


def write_sample_statement(today: dt.date, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"zengin_nyushukkin_{today:%Y%m%d}.txt"
    path.write_bytes(sample_statement(today))
    return path
