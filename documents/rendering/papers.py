"""Internal papers (受注伝票, 出荷指示書 / ピッキングリスト): printed for the office and the
warehouse, never sent to a customer and never issued (no number taken, nothing archived).
They share the documents' page header (title, number, date), Japanese font and table look.

Several papers go in one PDF (the day's batch), each from a new page, each with its own
header and its own "page / pages" (a form per paper, filled in at save time, as the issued
documents count their pages). Tables are drawn straight on the canvas like the documents'
line table: a header that repeats on every page, rows that split between pages.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate

from ..fonts import document_font
from .layout import BODY_WIDTH, FOOTER_HEIGHT, GRID, HEADER_HEIGHT, MARGIN_X, PAGE_HEIGHT, SHADE, TEXT_SIZE, wrap_text
from .page import HEADER_TOP, draw_header, header_layout

STAMP_RED = colors.Color(0.78, 0.1, 0.1)


@dataclass(frozen=True)
class PaperHeader:
    """What every page of one paper shows at the top: title, number, the date and what it
    is (受注日, 出荷日), and a stamp at the top left (社内用, 再印刷 and its time)."""

    title: str
    number: str
    date: dt.date
    date_label: str
    stamps: tuple[str, ...] = ()
    footer: str = ""  # bottom left, after the number


@dataclass(frozen=True)
class Paper:
    header: PaperHeader
    story: list[Flowable]


@dataclass(frozen=True)
class Column:
    title: str
    width: float  # in mm
    numeric: bool = False
    wraps: bool = False


class GridTable(Flowable):
    """Rows of strings under a shaded header, drawn straight on the canvas. Splits between
    rows; every part draws the header. Cells of a `wraps` column break into lines."""

    HEADER_HEIGHT = 16
    LEADING = TEXT_SIZE + 2.5
    PADDING = 2.75

    def __init__(self, columns: Sequence[Column], rows: Sequence[tuple[tuple[str, ...], ...]], font: str):
        super().__init__()
        self.columns, self.rows, self.font = tuple(columns), list(rows), font
        self.widths = [c.width * mm for c in self.columns]
        self.heights = [max(len(cell) for cell in row) * self.LEADING + 2 * self.PADDING for row in self.rows]
        self.height = self.HEADER_HEIGHT + sum(self.heights)

    @classmethod
    def of(cls, columns: Sequence[Column], rows: Sequence[Sequence[str]], font: str) -> GridTable:
        """Cells as strings; a wrapping column's cells are broken into lines here, once."""
        prepared = []
        for row in rows:
            cells = []
            for column, cell in zip(columns, row, strict=True):
                if column.wraps:
                    cells.append(tuple(wrap_text(cell, font, TEXT_SIZE, column.width * mm - 2 * cls.PADDING)))
                else:
                    cells.append((cell,))
            prepared.append(tuple(cells))
        return cls(columns, prepared, font)

    def wrap(self, available_width, available_height):
        return BODY_WIDTH, self.height

    def split(self, available_width, available_height):
        used, count = self.HEADER_HEIGHT, 0
        for height in self.heights:
            if used + height > available_height:
                break
            used += height
            count += 1
        if count == 0:
            return []
        return [
            GridTable(self.columns, self.rows[:count], self.font),
            GridTable(self.columns, self.rows[count:], self.font),
        ]

    def draw(self):
        canv, font, widths, pad = self.canv, self.font, self.widths, self.PADDING
        lefts = [sum(widths[:i]) for i in range(len(widths))]
        top = self.height
        canv.setFillColor(SHADE)
        canv.rect(0, top - self.HEADER_HEIGHT, BODY_WIDTH, self.HEADER_HEIGHT, fill=1, stroke=0)
        canv.setFillColor(colors.black)
        text = canv.beginText()
        text.setFont(font, TEXT_SIZE)
        for column, left, width in zip(self.columns, lefts, widths, strict=True):
            text.setTextOrigin(left + (width - stringWidth(column.title, font, TEXT_SIZE)) / 2, top - 11)
            text.textOut(column.title)
        y = top - self.HEADER_HEIGHT
        rules = []
        for row, height in zip(self.rows, self.heights, strict=True):
            bottom = y - height
            single = bottom + (height - TEXT_SIZE) / 2 + 1.5
            for index, cell in enumerate(row):
                column = self.columns[index]
                line_y = single if len(cell) == 1 and not column.wraps else y - pad - TEXT_SIZE + 0.5
                for line in cell:
                    if column.numeric:
                        x = lefts[index] + widths[index] - pad - stringWidth(line, font, TEXT_SIZE)
                    else:
                        x = lefts[index] + pad
                    text.setTextOrigin(x, line_y)
                    text.textOut(line)
                    line_y -= self.LEADING
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


class FactsBlock(Flowable):
    """Label / value rows in two columns side by side (the head of a slip): a shaded label
    cell and its value, which wraps. Drawn straight on the canvas."""

    LABEL_WIDTH = 22 * mm
    GAP = 4 * mm
    SIZE = 9
    LEADING = 12
    PADDING = 3

    def __init__(self, left: Sequence[tuple[str, str]], right: Sequence[tuple[str, str]], font: str):
        super().__init__()
        self.font = font
        self.column_width = (BODY_WIDTH - self.GAP) / 2
        value_width = self.column_width - self.LABEL_WIDTH - 2 * self.PADDING
        self.columns = [
            [(label, wrap_text(value, font, self.SIZE, value_width)) for label, value in rows] for rows in (left, right)
        ]
        self.height = max(self._height(rows) for rows in self.columns)

    def _height(self, rows) -> float:
        return sum(len(lines) * self.LEADING + 2 * self.PADDING for _, lines in rows)

    def wrap(self, available_width, available_height):
        return BODY_WIDTH, self.height

    def draw(self):
        canv, font = self.canv, self.font
        for index, rows in enumerate(self.columns):
            x = index * (self.column_width + self.GAP)
            y = self.height
            text = canv.beginText()
            text.setFont(font, self.SIZE)
            boxes = []
            for label, lines in rows:
                height = len(lines) * self.LEADING + 2 * self.PADDING
                bottom = y - height
                boxes.append((bottom, height))
                canv.setFillColor(SHADE)
                canv.rect(x, bottom, self.LABEL_WIDTH, height, fill=1, stroke=0)
                canv.setFillColor(colors.black)
                text.setTextOrigin(x + self.PADDING, y - self.PADDING - self.SIZE + 0.5)
                text.textOut(label)
                line_y = y - self.PADDING - self.SIZE + 0.5
                for line in lines:
                    text.setTextOrigin(x + self.LABEL_WIDTH + self.PADDING, line_y)
                    text.textOut(line)
                    line_y -= self.LEADING
                y = bottom
            canv.drawText(text)
            canv.setStrokeColor(GRID)
            canv.setLineWidth(0.4)
            canv.lines([(x, bottom, x + self.column_width, bottom) for bottom, _ in boxes[:-1]])
            canv.line(x + self.LABEL_WIDTH, y, x + self.LABEL_WIDTH, self.height)
            canv.setStrokeColor(colors.black)
            canv.setLineWidth(0.8)
            if rows:
                canv.rect(x, y, self.column_width, self.height - y, fill=0, stroke=1)


class TextLine(Flowable):
    """One line of text (a note, a heading)."""

    def __init__(self, text: str, font: str, size: float = 9, *, color=colors.black):
        super().__init__()
        self.text, self.font, self.size, self.color = text, font, size, color

    def wrap(self, available_width, available_height):
        return BODY_WIDTH, self.size + 5

    def draw(self):
        self.canv.setFillColor(self.color)
        self.canv.setFont(self.font, self.size)
        self.canv.drawString(0, 3, self.text)
        self.canv.setFillColor(colors.black)


class _Start(Flowable):
    """Zero-size marker at the top of a paper: the pages from here belong to it."""

    def __init__(self, chrome: _Chrome, index: int):
        super().__init__()
        self.chrome, self.index = chrome, index

    def wrap(self, available_width, available_height):
        return 0, 0

    def draw(self):
        self.chrome.current = self.index


class _Chrome:
    def __init__(self, papers: Sequence[Paper], font: str):
        self.papers, self.font = papers, font
        self.layouts: dict[tuple, object] = {}
        self.current = 0
        self.pages = [0] * len(papers)

    def _layout(self, header: PaperHeader):
        key = (header.title, header.number, header.date, header.date_label)
        if key not in self.layouts:
            self.layouts[key] = header_layout(
                header.title, header.number, header.date, self.font, date_label=header.date_label
            )
        return self.layouts[key]

    def end(self, canv: Canvas, doc) -> None:
        """Drawn when the page is full, so the paper that began on it is known."""
        index = self.current
        header = self.papers[index].header
        self.pages[index] += 1
        draw_header(canv, self._layout(header), self.font)
        x = MARGIN_X
        for stamp in header.stamps:
            size = 9
            width = stringWidth(stamp, self.font, size) + 8
            canv.setStrokeColor(STAMP_RED)
            canv.setFillColor(STAMP_RED)
            canv.setLineWidth(1)
            canv.rect(x, HEADER_TOP - 16, width, 15, fill=0, stroke=1)
            canv.setFont(self.font, size)
            canv.drawString(x + 4, HEADER_TOP - 12, stamp)
            x += width + 4
        canv.setStrokeColor(colors.black)
        canv.setFillColor(colors.black)
        canv.setFont(self.font, 8)
        middle = A4[0] / 2
        canv.drawRightString(middle, 8 * mm, f"{self.pages[index]} / ")
        canv.saveState()
        canv.translate(middle, 8 * mm)
        canv.doForm(_pages_form(index))
        canv.restoreState()
        canv.drawString(MARGIN_X, 8 * mm, " ".join(p for p in (header.number, header.footer) if p))


def _pages_form(index: int) -> str:
    return f"paperPages{index}"


class _PapersCanvas(Canvas):
    def __init__(self, *args, font: str, date: dt.date, chrome: _Chrome, **kwargs):
        kwargs["invariant"] = 1
        super().__init__(*args, **kwargs)
        self._font_name, self._chrome = font, chrome
        stamp = f"D:{date:%Y%m%d}000000+09'00'"
        self.setDateFormatter(lambda *_: stamp)

    def save(self):
        for index, pages in enumerate(self._chrome.pages):
            self.beginForm(_pages_form(index))
            self.setFont(self._font_name, 8)
            self.drawString(0, 0, str(pages))
            self.endForm()
        super().save()


def render_papers(papers: Sequence[Paper], *, title: str, author: str, date: dt.date) -> bytes:
    """One PDF of these papers, each from a new page. Pure: the same papers give the same bytes."""
    font = document_font().name
    papers = list(papers)
    chrome = _Chrome(papers, font)
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=HEADER_HEIGHT,
        bottomMargin=FOOTER_HEIGHT,
        title=title,
        author=author,
        creator="backoffice documents",
        invariant=1,
        initialFontName=font,
    )
    frame = Frame(MARGIN_X, FOOTER_HEIGHT, BODY_WIDTH, PAGE_HEIGHT - HEADER_HEIGHT - FOOTER_HEIGHT, id="body")
    template.addPageTemplates([PageTemplate(id="paper", frames=[frame], onPageEnd=chrome.end)])
    story: list[Flowable] = []
    for index, paper in enumerate(papers):
        if index:
            story.append(PageBreak())
        story.append(_Start(chrome, index))
        story += paper.story
    template.build(
        story,
        canvasmaker=lambda *args, **kwargs: _PapersCanvas(*args, font=font, date=date, chrome=chrome, **kwargs),
    )
    return buffer.getvalue()
