"""On every page: the title, number and issue date at the top (measured so that none
overlaps another), "page / pages" at the bottom, the draft watermark; and the canvas
that dates the PDF on the document date and fills in the page total at save time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import getAscentDescent, stringWidth
from reportlab.pdfgen.canvas import Canvas

from ..types import DocumentData
from .layout import BODY_WIDTH, MARGIN_X, PAGE_COUNT_FORM, PAGE_HEIGHT, PAGE_WIDTH, date_jp

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


def header_layout(
    title: str, number: str, document_date: dt.date, font: str, *, date_label: str = "発行日"
) -> HeaderLayout:
    """Where the title, its rule, the number and the issue date go, measured so that none
    overlaps another whatever their lengths: the title is centred with the number and
    date to its right; a title that would reach them moves left, and when it cannot the
    number and date go under the title's rule. A title or number too wide for the page
    is set smaller. `date_label`: what the date is (an internal paper prints 受注日, 出荷日)."""
    right = PAGE_WIDTH - MARGIN_X
    lines = (f"No. {number}", f"{date_label} {date_jp(document_date)}")
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


class DocumentCanvas(Canvas):
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


class PageChrome:
    def __init__(self, data: DocumentData, number: str, title: str, font: str):
        self.data, self.number, self.title, self.font = data, number, title, font
        self.header = header_layout(title, number, data.document_date, font)

    def begin(self, canv: Canvas, doc) -> None:
        draw_header(canv, self.header, self.font)

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


def draw_header(canv: Canvas, header: HeaderLayout, font: str) -> None:
    """The title with its double rule, the number and the date (every page of every paper)."""
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
