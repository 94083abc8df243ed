"""Render a document to PDF bytes: one Japanese business layout for every kind.

Pure: data in, bytes out, no database. The same data gives the same bytes (reportlab's
invariant mode, creation date = document date), so a stored SHA-256 can be re-checked
and a failed render simply retried.

Layout, A4 portrait: on every page the title, number and issue date at the top and
"page / pages" at the bottom; on the first page the recipient with 御中/様 (left), the
issuer with address, phone, registration number and seal (right), the amount box and
the kind's own facts (支払期限, 有効期限, ...); then the line table whose header repeats
on each page, the totals per tax rate once at the end, and for invoices the bank
accounts. Speed: plain strings in table cells (a Paragraph only for a name that must
wrap), the font parsed once per process (documents.fonts), the page total drawn from
one form XObject filled in at save time instead of a second layout pass.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate, Spacer, Table

from backoffice.formatting import number
from backoffice.money import REDUCED_RATES, TaxMode

from .fonts import document_font
from .types import INVOICE_KINDS, DocumentData, DocumentKind, DocumentLine, Issuer


@dataclass(frozen=True)
class KindLayout:
    title: str
    amount_label: str
    greeting: str


KIND_LAYOUTS = {
    DocumentKind.QUOTE: KindLayout("御見積書", "御見積金額", "下記の通り御見積申し上げます。"),
    DocumentKind.ORDER_CONFIRMATION: KindLayout("注文請書", "ご注文金額", "下記の通りご注文をお請けいたします。"),
    DocumentKind.DELIVERY_NOTE: KindLayout("納品書", "納品金額", "下記の通り納品いたしました。"),
    DocumentKind.INVOICE: KindLayout("請求書", "ご請求金額", "下記の通りご請求申し上げます。"),
    DocumentKind.CONSOLIDATED_INVOICE: KindLayout("合計請求書", "今回御請求額", "下記の通りご請求申し上げます。"),
    DocumentKind.CREDIT_NOTE: KindLayout(
        "適格返還請求書（返品・値引）", "返還金額", "下記の通り返品・値引により返還いたします。"
    ),
    DocumentKind.PURCHASE_ORDER: KindLayout("発注書", "発注金額", "下記の通り発注いたします。"),
}

# The kind's own facts under the amount box, in this order, when the data has them.
INFO_ROWS = (
    ("period", "請求期間"),
    ("transaction_date", "取引年月日"),
    ("due_date", "お支払期限"),
    ("valid_until", "有効期限"),
    ("valid_for", "有効期限"),
    ("delivery_date", "納期"),
    ("delivery_terms", "納期"),
    ("delivery_place", "納品場所"),
    ("payment_terms", "お支払条件"),
    ("order_number", "ご注文番号"),
    ("original_number", "元請求書番号"),
    ("original_date", "元取引日"),
    ("reason", "返品・値引理由"),
)
INFO_LABEL_OVERRIDES = {
    DocumentKind.DELIVERY_NOTE: {"delivery_date": "納品日"},
    DocumentKind.PURCHASE_ORDER: {"order_number": "発注番号"},
}
ACCOUNT_TYPES = {"ordinary": "普通", "checking": "当座"}
REDUCED_MARK = "※"
REDUCED_LEGEND = "※は軽減税率対象"
DRAFT_NUMBER = "（未採番）"

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_X = 15 * mm
BODY_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
HEADER_HEIGHT = 36 * mm  # title, number and date, drawn on every page
FOOTER_HEIGHT = 14 * mm
PAGE_COUNT_FORM = "pageCount"
TEXT_SIZE = 8.5
GRID = colors.Color(0.55, 0.55, 0.55)
SHADE = colors.Color(0.9, 0.92, 0.95)
LINE_COLUMNS = (("品番", 24), ("品名", 74), ("数量", 16), ("単位", 12), ("単価", 24), ("金額", 30))


def render_pdf(data: DocumentData, *, number: str, issuer: Issuer, seal_image: bytes | None = None) -> bytes:
    """The PDF of one document. `seal_image` (PNG/JPEG bytes) is drawn only on a document
    that needs no approval or has it; a draft shows a 下書き / DRAFT watermark instead."""
    font = document_font().name
    layout = KIND_LAYOUTS[DocumentKind(data.kind)]
    seal = None if data.is_draft or not seal_image else seal_image
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=HEADER_HEIGHT,
        bottomMargin=FOOTER_HEIGHT,
        title=f"{layout.title} {number}",
        author=issuer.name,
        subject=data.recipient.addressee if data.recipient else "",
        creator="backoffice documents",
        invariant=1,
        initialFontName=font,  # else reportlab references (unembedded) Helvetica
    )
    chrome = _PageChrome(data, number, layout.title, font)
    frame = Frame(MARGIN_X, FOOTER_HEIGHT, BODY_WIDTH, PAGE_HEIGHT - HEADER_HEIGHT - FOOTER_HEIGHT, id="body")
    template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=chrome.begin, onPageEnd=chrome.end)])
    template.build(
        _story(data, issuer, seal, layout, font),
        canvasmaker=lambda *args, **kwargs: _DocumentCanvas(*args, font=font, date=data.document_date, **kwargs),
    )
    return buffer.getvalue()


# --- formatting ---------------------------------------------------------------------------


def yen(value: Decimal) -> str:
    return f"-¥{-value:,.0f}" if value < 0 else f"¥{value:,.0f}"


def unit_price_text(value: Decimal) -> str:
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"


def date_jp(value: dt.date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def wrap_text(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines no wider than `width`, anywhere (Japanese has no spaces)."""
    lines = []
    for paragraph in text.splitlines() or [""]:
        if stringWidth(paragraph, font, size) <= width:  # the usual case: no measuring per character
            lines.append(paragraph)
            continue
        line, line_width = "", 0.0
        for char in paragraph:
            char_width = stringWidth(char, font, size)
            if line and line_width + char_width > width:
                lines.append(line)
                line, line_width = "", 0.0
            line += char
            line_width += char_width
        lines.append(line)
    return lines


def amount_due(data: DocumentData) -> Decimal:
    """What the document asks for: its total, plus the balance a 合計請求書 carries over,
    less the customer credit already applied to an invoice."""
    extra = data.extra
    return data.totals.total + extra.get("carried_over", Decimal(0)) - extra.get("credit_applied", Decimal(0))


def line_detail(line: DocumentLine) -> str:
    """The small print under a line's name: its delivery date and note (the delivery note number)."""
    delivered = f"納品日 {date_jp(line.delivery_date)}" if line.delivery_date else ""
    return " ".join(part for part in (delivered, line.note) if part)


def info_rows(data: DocumentData) -> list[tuple[str, str]]:
    extra = data.extra
    values = dict(extra)
    if "period_start" in extra and "period_end" in extra:
        values["period"] = f"{date_jp(extra['period_start'])} 〜 {date_jp(extra['period_end'])}"
    labels = INFO_LABEL_OVERRIDES.get(DocumentKind(data.kind), {})
    rows = [("件名", data.subject)] if data.subject else []
    for key, label in INFO_ROWS:
        value = values.get(key)
        if value in (None, ""):
            continue
        rows.append((labels.get(key, label), date_jp(value) if isinstance(value, dt.date) else str(value)))
    return rows


# --- the page header: title, number and date ------------------------------------------------

TITLE_SIZE, TITLE_CHAR_SPACE = 18, 6
HEADER_TEXT_SIZE, HEADER_TEXT_MIN_SIZE = 9, 6
HEADER_TOP = PAGE_HEIGHT - 14 * mm
RULE_OVERHANG, RULE_OFFSETS, RULE_WIDTH = 8, (4, 5.5), 0.6
HEADER_GAP = 6  # the least white space between the title block and the number / date


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box) -> bool:
        return self.x0 < other.x1 and other.x0 < self.x1 and self.y0 < other.y1 and other.y0 < self.y1


@dataclass(frozen=True)
class HeaderText:
    text: str
    x: float  # left end of the baseline
    y: float
    size: float
    box: Box  # the ink's extent: width measured, height from the font's ascent and descent
    char_space: float = 0


@dataclass(frozen=True)
class HeaderLayout:
    title: HeaderText
    rule_span: tuple[float, float]
    rule_ys: tuple[float, ...]
    number: HeaderText
    date: HeaderText

    @property
    def title_block(self) -> Box:
        """The title with its double rule: nothing else may be drawn in it."""
        title = self.title.box
        return Box(self.rule_span[0], min(self.rule_ys) - RULE_WIDTH, self.rule_span[1], title.y1)


def _header_text(text: str, font: str, size: float, x: float, y: float, char_space: float = 0) -> HeaderText:
    ascent, descent = getAscentDescent(font, size)
    width = stringWidth(text, font, size) + char_space * max(len(text) - 1, 0)
    return HeaderText(text, x, y, size, Box(x, y + descent, x + width, y + ascent), char_space)


def header_layout(title: str, number: str, document_date: dt.date, font: str) -> HeaderLayout:
    """Where the title, its rule, the number and the issue date go, measured so that none
    overlaps another whatever their lengths: the title is centred with the number and
    date to its right; a title that would reach them moves left, and when it cannot the
    number and date go under the title's rule. A title or number too wide for the page
    is set smaller."""
    right = PAGE_WIDTH - MARGIN_X
    lines = (f"No. {number}", f"発行日 {date_jp(document_date)}")
    size = HEADER_TEXT_SIZE
    widest = max(stringWidth(line, font, size) for line in lines)
    if widest > BODY_WIDTH / 2:
        size = max(HEADER_TEXT_MIN_SIZE, size * BODY_WIDTH / 2 / widest)
        widest = max(stringWidth(line, font, size) for line in lines)

    title_size, char_space = TITLE_SIZE, TITLE_CHAR_SPACE
    gaps = max(len(title) - 1, 0)

    def title_width() -> float:
        return stringWidth(title, font, title_size) + char_space * gaps

    room = BODY_WIDTH - 2 * RULE_OVERHANG
    if title_width() > room:  # close up the letters, then set smaller
        char_space = max(0.0, (room - stringWidth(title, font, title_size)) / gaps) if gaps else 0.0
    if title_width() > room:
        title_size = title_size * room / stringWidth(title, font, title_size)
    width = title_width()
    baseline = HEADER_TOP - title_size
    rule_ys = tuple(baseline - offset for offset in RULE_OFFSETS)
    rule_bottom = min(rule_ys) - RULE_WIDTH

    def placed(x: float, number_y: float) -> HeaderLayout:
        text = _header_text(title, font, title_size, x, baseline, char_space)
        number_line, date_line = (
            _header_text(line, font, size, right - stringWidth(line, font, size), y)
            for line, y in zip(lines, (number_y, number_y - size * 4 / 3), strict=True)
        )
        return HeaderLayout(text, (x - RULE_OVERHANG, x + width + RULE_OVERHANG), rule_ys, number_line, date_line)

    def clear(layout: HeaderLayout) -> bool:
        block = layout.title_block
        block = Box(block.x0 - HEADER_GAP, block.y0 - HEADER_GAP, block.x1 + HEADER_GAP, block.y1)
        return not (block.overlaps(layout.number.box) or block.overlaps(layout.date.box))

    beside = HEADER_TOP - 28  # the number's baseline next to the title (the customary place)
    centred = placed((PAGE_WIDTH - width) / 2, beside)
    if clear(centred):
        return centred
    leftmost = MARGIN_X + RULE_OVERHANG
    shifted = placed(max(leftmost, right - widest - HEADER_GAP - RULE_OVERHANG - width), beside)
    if clear(shifted):
        return shifted
    ascent, _descent = getAscentDescent(font, size)
    return placed((PAGE_WIDTH - width) / 2, rule_bottom - HEADER_GAP - ascent)


# --- canvas and page chrome -------------------------------------------------------------------


class _DocumentCanvas(Canvas):
    """Invariant output dated on the document date; the page total is a form filled in at save."""

    def __init__(self, *args, font: str, date: dt.date, **kwargs):
        kwargs["invariant"] = 1
        super().__init__(*args, **kwargs)
        self._font_name = font
        stamp = f"D:{date:%Y%m%d}000000+09'00'"
        self.setDateFormatter(lambda *_: stamp)

    def save(self):
        self.beginForm(PAGE_COUNT_FORM)
        self.setFont(self._font_name, 8)
        self.drawString(0, 0, str(self.getPageNumber() - 1))
        self.endForm()
        super().save()


class _PageChrome:
    def __init__(self, data: DocumentData, number: str, title: str, font: str):
        self.data, self.number, self.title, self.font = data, number, title, font
        self.header = header_layout(title, number, data.document_date, font)

    def begin(self, canv: Canvas, doc) -> None:
        header, font = self.header, self.font
        title = header.title
        canv.saveState()  # character spacing is part of the graphics state: keep it to the title
        text = canv.beginText(title.x, title.y)
        text.setFont(font, title.size)
        text.setCharSpace(title.char_space)
        text.textOut(title.text)
        canv.drawText(text)
        canv.restoreState()
        canv.setLineWidth(RULE_WIDTH)
        x0, x1 = header.rule_span
        for y in header.rule_ys:  # the customary double rule under the title
            canv.line(x0, y, x1, y)
        for line in (header.number, header.date):
            canv.setFont(font, line.size)
            canv.drawString(line.x, line.y, line.text)

    def end(self, canv: Canvas, doc) -> None:
        if self.data.is_draft:
            canv.saveState()
            canv.setFillColor(colors.Color(0.85, 0.1, 0.1, alpha=0.18))
            canv.setFont(self.font, 64)
            canv.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
            canv.rotate(35)
            canv.drawCentredString(0, 10, "下書き")
            canv.drawCentredString(0, -60, "DRAFT")
            canv.restoreState()
        canv.setFont(self.font, 8)
        page_text = f"{canv.getPageNumber()} / "
        x = PAGE_WIDTH / 2
        canv.drawRightString(x, 8 * mm, page_text)
        canv.saveState()
        canv.translate(x, 8 * mm)
        canv.doForm(PAGE_COUNT_FORM)
        canv.restoreState()
        canv.drawString(MARGIN_X, 8 * mm, self.number)


# --- the first-page block: recipient, amount, facts | issuer, seal ----------------------------


class _PartiesBlock(Flowable):
    """Drawn straight on the canvas: a few dozen strings do not need a layout engine."""

    LEFT_WIDTH = 98 * mm
    RIGHT_X = 112 * mm
    SEAL_SIZE = 19 * mm

    def __init__(self, data: DocumentData, issuer: Issuer, seal: bytes | None, layout: KindLayout, font: str):
        super().__init__()
        self.font = font
        self.seal = seal
        self.left = self._left_ops(data, layout)
        self.right = self._right_ops(issuer)
        self.height = max(_ops_height(self.left), _ops_height(self.right), self.SEAL_SIZE + 6)

    def _left_ops(self, data: DocumentData, layout: KindLayout) -> list[tuple]:
        font, width = self.font, self.LEFT_WIDTH
        recipient = data.recipient
        ops: list[tuple] = []
        if recipient.postal_code:
            ops.append(("text", f"〒{recipient.postal_code}", 9, 12))
        ops += (
            [("text", line, 9, 12) for line in wrap_text(recipient.address, font, 9, width)]
            if recipient.address
            else []
        )
        ops.append(("gap", 3))
        name_lines = wrap_text(recipient.addressee, font, 14, width)
        ops += [("text", line, 14, 19) for line in name_lines]
        ops.append(("rule", width))
        ops.append(("gap", 10))
        ops.append(("text", layout.greeting, 9, 14))
        ops.append(("amount", f"{layout.amount_label}（税込）", f"{yen(amount_due(data))}-", width))
        ops.append(("gap", 6))
        for label, value in info_rows(data):
            lines = wrap_text(value, font, 9, width - 24 * mm)
            ops.append(("fact", label, lines[0], 9, 13))
            ops += [("fact", "", line, 9, 13) for line in lines[1:]]
        return ops

    def _right_ops(self, issuer: Issuer) -> list[tuple]:
        font, width = self.font, BODY_WIDTH - self.RIGHT_X
        ops: list[tuple] = [("text", line, 11, 15) for line in wrap_text(issuer.name, font, 11, width)]
        ops.append(("gap", 2))
        if issuer.postal_code:
            ops.append(("text", f"〒{issuer.postal_code}", 8.5, 11.5))
        ops += [("text", line, 8.5, 11.5) for line in wrap_text(issuer.address, font, 8.5, width)]
        phones = "  ".join(
            p for p in (f"TEL {issuer.phone}" if issuer.phone else "", f"FAX {issuer.fax}" if issuer.fax else "") if p
        )
        if phones:
            ops.append(("text", phones, 8.5, 11.5))
        if issuer.email:
            ops.append(("text", issuer.email, 8.5, 11.5))
        if issuer.registration_number:
            ops.append(("text", f"登録番号 {issuer.registration_number}", 8.5, 11.5))
        return ops

    def wrap(self, available_width, available_height):
        return BODY_WIDTH, self.height

    def draw(self):
        canv = self.canv
        _draw_ops(canv, self.left, 0, self.height, self.font)
        _draw_ops(canv, self.right, self.RIGHT_X, self.height, self.font)
        if self.seal:
            size = self.SEAL_SIZE
            canv.drawImage(
                ImageReader(io.BytesIO(self.seal)),
                BODY_WIDTH - size,
                self.height - size - 2,
                size,
                size,
                mask="auto",
                preserveAspectRatio=True,
            )


def _ops_height(ops: Iterable[tuple]) -> float:
    height = 0.0
    for op in ops:
        if op[0] in ("text", "fact"):
            height += op[-1]
        elif op[0] == "gap":
            height += op[1]
        elif op[0] == "amount":
            height += 30
        elif op[0] == "rule":
            height += 2
    return height


def _draw_ops(canv: Canvas, ops: Iterable[tuple], x: float, top: float, font: str) -> None:
    y = top
    for op in ops:
        kind = op[0]
        if kind == "text":
            _, text, size, leading = op
            y -= leading
            canv.setFont(font, size)
            canv.drawString(x, y + (leading - size) / 2, text)
        elif kind == "fact":
            _, label, value, size, leading = op
            y -= leading
            canv.setFont(font, size)
            canv.drawString(x, y + 3, label)
            canv.drawString(x + 24 * mm, y + 3, value)
            canv.setStrokeColor(GRID)
            canv.setLineWidth(0.3)
            canv.line(x, y, x + 95 * mm, y)
            canv.setStrokeColor(colors.black)
        elif kind == "gap":
            y -= op[1]
        elif kind == "rule":
            y -= 2
            canv.setLineWidth(0.8)
            canv.line(x, y, x + op[1], y)
        elif kind == "amount":
            _, label, amount, width = op
            y -= 30
            canv.setFillColor(SHADE)
            canv.setLineWidth(1)
            canv.rect(x, y, width, 26, fill=1, stroke=1)
            canv.setFillColor(colors.black)
            canv.setFont(font, 10)
            canv.drawString(x + 6, y + 9, label)
            canv.setFont(font, 16)
            canv.drawRightString(x + width - 6, y + 7.5, amount)


# --- tables -------------------------------------------------------------------------------------


def _table_style(font: str, numeric_columns: Iterable[int], *, header: bool = True) -> list[tuple]:
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


class _LineTable(Flowable):
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
    def for_lines(cls, data: DocumentData, font: str) -> _LineTable:
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
        return [_LineTable(self.rows[:count], self.font), _LineTable(self.rows[count:], self.font)]

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


def _totals_block(data: DocumentData, font: str) -> Table:
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


def _consolidated_summary(data: DocumentData, font: str) -> Table:
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
    style = _table_style(font, range(columns))
    style.append(("FONT", (columns - 1, 1), (columns - 1, 1), font, 10, 13))
    return Table([header, values], colWidths=[BODY_WIDTH / columns] * columns, style=style)


def _delivery_notes_table(data: DocumentData, font: str) -> Table:
    rows = [["納品日", "納品書番号", "金額（税抜）"]]
    rows += [[date_jp(n["date"]), n["number"], yen(n["amount"])] for n in data.extra["delivery_notes"]]
    widths = [40 * mm, 70 * mm, 40 * mm]
    return Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT", style=_table_style(font, (2,)))


def _bank_block(data: DocumentData, issuer: Issuer, font: str) -> list[Flowable]:
    accounts = data.extra.get("bank_accounts") or issuer.bank_accounts
    if not accounts:
        return []
    rows = [["お振込先", "", "", "", ""]]
    for a in accounts:
        kind = ACCOUNT_TYPES.get(a["account_type"], a["account_type"])
        rows.append(
            [a["bank_name"], a["branch_name"], kind, a["account_number"], f"口座名義 {a['account_holder_kana']}"]
        )
    style = _table_style(font, ())
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


def _notes_block(notes: str, font: str) -> list[Flowable]:
    if not notes.strip():
        return []
    lines = wrap_text(notes, font, TEXT_SIZE, BODY_WIDTH - 12)
    style = _table_style(font, (), header=True)
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


def _story(data: DocumentData, issuer: Issuer, seal: bytes | None, layout: KindLayout, font: str) -> list[Flowable]:
    story: list[Flowable] = [_PartiesBlock(data, issuer, seal, layout, font), Spacer(0, 5 * mm)]
    if data.kind == DocumentKind.CONSOLIDATED_INVOICE:
        story += [_consolidated_summary(data, font), Spacer(0, 4 * mm)]
        if data.extra.get("delivery_notes"):
            story += [_delivery_notes_table(data, font), Spacer(0, 4 * mm)]
    story += [_LineTable.for_lines(data, font), Spacer(0, 3 * mm), KeepTogether([_totals_block(data, font)])]
    if data.kind in INVOICE_KINDS:
        story += _bank_block(data, issuer, font)
    story += _notes_block(data.notes, font)
    return story
