"""The tables: the line items (header repeated on each page), the totals per tax rate,
a 合計請求書's summary and delivery notes, the bank accounts and the notes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from backoffice.formatting import number, yen
from backoffice.money import REDUCED_RATES, TaxMode

from ..types import DocumentData, DocumentKind, Issuer
from .layout import (
    ACCOUNT_TYPES,
    BODY_WIDTH,
    GRID,
    LINE_COLUMNS,
    REDUCED_LEGEND,
    REDUCED_MARK,
    SHADE,
    TEXT_SIZE,
    amount_due,
    date_jp,
    line_detail,
    unit_price_text,
    wrap_text,
)


def table_style(font: str, numeric_columns: Iterable[int], *, header: bool = True) -> list[tuple]:
    style = [
        ("FONT", (0, 0), (-1, -1), font, TEXT_SIZE, TEXT_SIZE + 2.5),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
    ]
    for column in numeric_columns:
        style.append(("ALIGN", (column, 1 if header else 0), (column, -1), "RIGHT"))
    if header:
        style += [
            ("BACKGROUND", (0, 0), (-1, 0), SHADE),
            ("ALIGN", (0, 0), (-1, 0), "CENTER"),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
        ]
    return style


@dataclass(frozen=True)
class _Row:
    cells: tuple[str, ...]  # 品番, (品名 lines drawn separately), 数量, 単位, 単価, 金額
    name_lines: tuple[str, ...]
    height: float


class LineTable(Flowable):
    """The line items, drawn straight on the canvas: a platypus Table per row costs a
    third of the render time here. Splits between rows; every part draws the header,
    so it repeats on each page. Long names wrap inside their cell."""

    HEADER_HEIGHT = 16
    LEADING = TEXT_SIZE + 2.5
    PADDING = 2.75
    NUMERIC = (False, False, True, False, True, True)

    def __init__(self, rows: list[_Row], font: str):
        super().__init__()
        self.rows, self.font = rows, font
        self.widths = [w * mm for _, w in LINE_COLUMNS]
        self.height = self.HEADER_HEIGHT + sum(row.height for row in rows)

    @classmethod
    def for_lines(cls, data: DocumentData, font: str) -> LineTable:
        name_width = LINE_COLUMNS[1][1] * mm - 2 * cls.PADDING
        rows = []
        for line in data.lines:
            name = f"{line.name} {REDUCED_MARK}" if line.tax_rate in REDUCED_RATES else line.name
            detail = line_detail(line)
            name_lines = wrap_text(f"{name}\n{detail}" if detail else name, font, TEXT_SIZE, name_width)
            cells = (
                line.sku,
                "",
                number(line.quantity),
                line.unit,
                unit_price_text(line.unit_price),
                f"{line.amount:,.0f}",
            )
            height = len(name_lines) * cls.LEADING + 2 * cls.PADDING
            rows.append(_Row(cells, tuple(name_lines), height))
        return cls(rows, font)

    def wrap(self, available_width, available_height):
        return BODY_WIDTH, self.height

    def split(self, available_width, available_height):
        used, count = self.HEADER_HEIGHT, 0
        for row in self.rows:
            if used + row.height > available_height:
                break
            used += row.height
            count += 1
        if count == 0:
            return []  # not even one row fits: next page
        return [LineTable(self.rows[:count], self.font), LineTable(self.rows[count:], self.font)]

    def draw(self):
        canv, font, widths, pad = self.canv, self.font, self.widths, self.PADDING
        lefts = [sum(widths[:i]) for i in range(len(widths))]
        top = self.height
        canv.setFillColor(SHADE)
        canv.rect(0, top - self.HEADER_HEIGHT, BODY_WIDTH, self.HEADER_HEIGHT, fill=1, stroke=0)
        canv.setFillColor(colors.black)
        text = canv.beginText()
        text.setFont(font, TEXT_SIZE)
        for (title, _), left, width in zip(LINE_COLUMNS, lefts, widths, strict=True):
            text.setTextOrigin(left + (width - stringWidth(title, font, TEXT_SIZE)) / 2, top - 11)
            text.textOut(title)
        y = top - self.HEADER_HEIGHT
        rules = []
        for row in self.rows:
            bottom = y - row.height
            middle = bottom + (row.height - TEXT_SIZE) / 2 + 1.5
            for index, cell in enumerate(row.cells):
                if index == 1:  # the name, one or more lines from the top of the cell
                    line_y = y - pad - TEXT_SIZE + 0.5
                    for name_line in row.name_lines:
                        text.setTextOrigin(lefts[1] + pad, line_y)
                        text.textOut(name_line)
                        line_y -= self.LEADING
                    continue
                if self.NUMERIC[index]:
                    x = lefts[index] + widths[index] - pad - stringWidth(cell, font, TEXT_SIZE)
                else:
                    x = lefts[index] + pad
                text.setTextOrigin(x, middle)
                text.textOut(cell)
            rules.append(bottom)
            y = bottom
        canv.drawText(text)
        canv.setStrokeColor(GRID)
        canv.setLineWidth(0.4)
        canv.lines([(0, r, BODY_WIDTH, r) for r in rules[:-1]])
        canv.lines([(x, 0, x, top) for x in lefts[1:]])
        canv.setStrokeColor(colors.black)
        canv.setLineWidth(0.8)
        canv.line(0, top - self.HEADER_HEIGHT, BODY_WIDTH, top - self.HEADER_HEIGHT)
        canv.rect(0, 0, BODY_WIDTH, top, fill=0, stroke=1)


def totals_block(data: DocumentData, font: str) -> Table:
    """Amount and tax per rate, then the grand total; the legend sits to the left."""
    inclusive = TaxMode(data.tax_mode) == TaxMode.INCLUSIVE
    rows = []
    for line in data.totals.breakdown:
        mark = REDUCED_MARK if line.rate in REDUCED_RATES else ""
        if inclusive:
            rows.append([f"{line.rate}%対象{mark}（税込）", yen(line.subtotal + line.tax)])
            rows.append([f"　内消費税（{line.rate}%）", yen(line.tax)])
        elif line.rate:
            rows.append([f"{line.rate}%対象{mark}", yen(line.subtotal)])
            rows.append([f"消費税（{line.rate}%）", yen(line.tax)])
        else:
            rows.append(["非課税・対象外", yen(line.subtotal)])
    rows.append(["小計（税抜）", yen(data.totals.subtotal)])
    rows.append(["消費税合計", yen(data.totals.tax_total)])
    # On a 合計請求書 the amount due (今回御請求額) includes the carried-over balance;
    # this box is only the period's sales, so it must not read like the amount due.
    is_consolidated = data.kind == DocumentKind.CONSOLIDATED_INVOICE
    rows.append(["今回お買上額（税込）" if is_consolidated else "合計（税込）", yen(data.totals.total)])
    credit = data.extra.get("credit_applied", Decimal(0))
    if credit:  # customer credit settled part of it: the last line is what is still to pay
        rows.append(["前回までのお預り金充当", yen(-credit)])
        rows.append(["ご請求金額（税込）", yen(amount_due(data))])
    has_reduced = any(line.tax_rate in REDUCED_RATES for line in data.lines)
    legend = REDUCED_LEGEND if has_reduced else ""
    table_rows = [[legend if i == 0 else "", *row] for i, row in enumerate(rows)]
    style = [
        ("FONT", (0, 0), (-1, -1), font, TEXT_SIZE + 0.5, TEXT_SIZE + 3),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("ALIGN", (2, 0), (2, -1), "RIGHT"),
        ("GRID", (1, 0), (-1, -1), 0.4, GRID),
        ("BOX", (1, 0), (-1, -1), 0.8, colors.black),
        ("BACKGROUND", (1, 0), (1, -1), SHADE),
        ("FONT", (1, -1), (-1, -1), font, 11, 14),
        ("LINEABOVE", (1, -1), (-1, -1), 0.8, colors.black),
    ]
    return Table(table_rows, colWidths=[BODY_WIDTH - 90 * mm, 50 * mm, 40 * mm], style=style)


def consolidated_summary(data: DocumentData, font: str) -> Table:
    extra = data.extra
    zero = Decimal(0)
    # 繰越 = 前回 − 入金 − 返品・値引; 今回御請求額 = 繰越 + 今回売上 + 消費税: each figure its own column.
    header = ["前回御請求額", "ご入金額", "返品・値引", "繰越金額", "今回売上額", "消費税額", "今回御請求額"]
    values = [
        yen(extra.get("previous_balance", zero)),
        yen(extra.get("payments", zero)),
        yen(extra.get("credits", zero)),
        yen(extra.get("carried_over", zero)),
        yen(data.totals.subtotal),
        yen(data.totals.tax_total),
        yen(amount_due(data)),
    ]
    columns = len(header)
    style = table_style(font, range(columns))
    style.append(("FONT", (columns - 1, 1), (columns - 1, 1), font, 10, 13))
    return Table([header, values], colWidths=[BODY_WIDTH / columns] * columns, style=style)


def delivery_notes_table(data: DocumentData, font: str) -> Table:
    rows = [["納品日", "納品書番号", "金額（税抜）"]]
    rows += [[date_jp(n["date"]), n["number"], yen(n["amount"])] for n in data.extra["delivery_notes"]]
    widths = [40 * mm, 70 * mm, 40 * mm]
    return Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT", style=table_style(font, (2,)))


def bank_block(data: DocumentData, issuer: Issuer, font: str) -> list[Flowable]:
    accounts = data.extra.get("bank_accounts") or issuer.bank_accounts
    if not accounts:
        return []
    rows = [["お振込先", "", "", "", ""]]
    for a in accounts:
        kind = ACCOUNT_TYPES.get(a["account_type"], a["account_type"])
        rows.append(
            [a["bank_name"], a["branch_name"], kind, a["account_number"], f"口座名義 {a['account_holder_kana']}"]
        )
    style = table_style(font, ())
    style += [("SPAN", (0, 0), (-1, 0)), ("ALIGN", (0, 0), (-1, 0), "LEFT")]
    table = Table(rows, colWidths=[40 * mm, 36 * mm, 14 * mm, 22 * mm, 68 * mm], style=style)
    block: list[Flowable] = [Spacer(0, 4 * mm), table]
    footnotes = []
    if "due_date" in data.extra:
        footnotes.append(f"お支払期限：{date_jp(data.extra['due_date'])}までに上記口座へお振込みください。")
    if issuer.transfer_fee_note:
        footnotes.append(issuer.transfer_fee_note)
    block += [_TextLines(footnotes, font, 8.5)] if footnotes else []
    return [KeepTogether(block)]


def notes_block(notes: str, font: str) -> list[Flowable]:
    if not notes.strip():
        return []
    lines = wrap_text(notes, font, TEXT_SIZE, BODY_WIDTH - 12)
    style = table_style(font, (), header=True)
    table = Table([["備考"], ["\n".join(lines)]], colWidths=[BODY_WIDTH], style=style)
    table.setStyle([("ALIGN", (0, 0), (0, 0), "LEFT"), ("VALIGN", (0, 1), (0, 1), "TOP")])
    return [Spacer(0, 4 * mm), table]


class _TextLines(Flowable):
    def __init__(self, lines: list[str], font: str, size: float):
        super().__init__()
        self.lines, self.font, self.size = lines, font, size
        self.leading = size + 4

    def wrap(self, available_width, available_height):
        return BODY_WIDTH, self.leading * len(self.lines) + 3

    def draw(self):
        self.canv.setFont(self.font, self.size)
        y = self.leading * len(self.lines) + 3
        for line in self.lines:
            y -= self.leading
            self.canv.drawString(0, y, line)
