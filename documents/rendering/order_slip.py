"""受注伝票: the internal slip of one order, or the day's batch (one PDF, one order from a
new page). Plain data in, PDF bytes out.

An internal record, not a document the customer receives: it carries the order's own
number (no number is taken), no registration number and no qualified-invoice items (no
totals per tax rate, no ※ legend), and it may be printed again: a reprint is stamped
再印刷 with the time of that print.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from backoffice.formatting import number, yen

from ..fonts import document_font
from .layout import GRID, SHADE, TEXT_SIZE, date_jp, unit_price_text
from .papers import Column, FactsBlock, GridTable, Paper, PaperHeader, render_papers
from .tables import notes_block

TITLE = "受注伝票"
INTERNAL = "社内用"


@dataclass(frozen=True)
class SlipParty:
    """得意先 or 納品先 as the slip prints it (no honorific: it is not addressed to them)."""

    name: str
    code: str = ""
    postal_code: str = ""
    address: str = ""
    phone: str = ""


@dataclass(frozen=True)
class SlipLine:
    position: int
    sku: str
    name: str
    quantity: int
    unit: str
    unit_price: Decimal
    amount: Decimal
    allocated: int | None  # None: a line that does not track stock
    backordered: int | None
    expected_date: dt.date | None  # when the backordered rest is expected
    shipped: int = 0
    note: str = ""  # e.g. 値引 5%


@dataclass(frozen=True)
class OrderSlipData:
    number: str
    order_date: dt.date
    customer: SlipParty
    ship_to: SlipParty | None  # None: delivered to the customer's own address
    customer_po_number: str
    sales_rep: str  # 担当者
    entered_by: str  # 入力者
    requested_date: dt.date | None
    status: str
    lines: tuple[SlipLine, ...]
    subtotal: Decimal
    tax_total: Decimal
    total: Decimal
    note: str = ""
    reprinted_at: dt.datetime | None = None  # local time of this print when it is not the first


LINE_COLUMNS = (
    Column("No.", 8, numeric=True),
    Column("品番", 20),
    Column("品名", 44, wraps=True),
    Column("数量", 12, numeric=True),
    Column("単位", 11),
    Column("単価", 18, numeric=True),
    Column("金額", 21, numeric=True),
    Column("引当", 12, numeric=True),
    Column("入荷待", 13, numeric=True),
    Column("入荷予定", 21),
)


def reprint_stamp(at: dt.datetime) -> str:
    return f"再印刷 {at:%Y/%m/%d %H:%M}"


def _party_text(party: SlipParty) -> str:
    lines = [f"{party.code} {party.name}".strip()]
    address = " ".join(p for p in (f"〒{party.postal_code}" if party.postal_code else "", party.address) if p)
    if address:
        lines.append(address)
    if party.phone:
        lines.append(f"TEL {party.phone}")
    return "\n".join(lines)


def _short_date(value: dt.date | None) -> str:
    return f"{value:%Y/%m/%d}" if value else ""


def _line_row(line: SlipLine) -> tuple[str, ...]:
    name = f"{line.name}\n{line.note}" if line.note else line.name
    stocked = line.allocated is not None
    return (
        str(line.position),
        line.sku,
        name,
        number(line.quantity),
        line.unit,
        unit_price_text(line.unit_price),
        f"{line.amount:,.0f}",
        number(line.allocated) if stocked else "—",
        number(line.backordered) if stocked and line.backordered else ("0" if stocked else "—"),
        _short_date(line.expected_date) if line.backordered else "",
    )


def _totals(slip: OrderSlipData, font: str) -> Table:
    rows = [["小計（税抜）", yen(slip.subtotal)], ["消費税", yen(slip.tax_total)], ["合計（税込）", yen(slip.total)]]
    style = [
        ("FONT", (0, 0), (-1, -1), font, TEXT_SIZE + 0.5, TEXT_SIZE + 3),
        ("ALIGN", (1, 0), (1, -1), "RIGHT"),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
        ("BACKGROUND", (0, 0), (0, -1), SHADE),
        ("FONT", (0, -1), (-1, -1), font, 10.5, 13.5),
    ]
    return Table(rows, colWidths=[40 * mm, 40 * mm], style=style, hAlign="RIGHT")


def _story(slip: OrderSlipData, font: str) -> list[Flowable]:
    ship_to = _party_text(slip.ship_to) if slip.ship_to else "得意先に同じ"
    left = [("得意先", _party_text(slip.customer)), ("納品先", ship_to)]
    right = [
        ("受注番号", slip.number),
        ("受注日", date_jp(slip.order_date)),
        ("客先注文番号", slip.customer_po_number or "—"),
        ("担当者", slip.sales_rep or "—"),
        ("入力者", slip.entered_by or "—"),
        ("希望納期", date_jp(slip.requested_date) if slip.requested_date else "—"),
        ("状態", slip.status),
    ]
    table = GridTable.of(LINE_COLUMNS, [_line_row(line) for line in slip.lines], font)
    story: list[Flowable] = [FactsBlock(left, right, font), Spacer(0, 5 * mm), table, Spacer(0, 3 * mm)]
    story.append(KeepTogether([_totals(slip, font)]))
    story += notes_block(slip.note, font)
    return story


def render_order_slips(slips: Sequence[OrderSlipData], *, company: str = "") -> bytes:
    """The slips in one PDF, each order from a new page with its own page count."""
    if not slips:
        raise ValueError("no order slips to render")
    font = document_font().name
    papers = [
        Paper(
            PaperHeader(
                title=TITLE,
                number=slip.number,
                date=slip.order_date,
                date_label="受注日",
                stamps=(INTERNAL, reprint_stamp(slip.reprinted_at)) if slip.reprinted_at else (INTERNAL,),
                footer=slip.customer.name,
            ),
            _story(slip, font),
        )
        for slip in slips
    ]
    title = f"{TITLE} {slips[0].number}" if len(slips) == 1 else f"{TITLE} {len(slips)}件"
    return render_papers(papers, title=title, author=company, date=max(s.order_date for s in slips))
