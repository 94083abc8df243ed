"""The 売掛金元帳 of one customer as a PDF: an internal report, not an issued document (no
number, reprinted at will). A4 portrait in the documents' font, table style and canvas
(invariant output, "page / pages"): on every page the title, the customer, the period, the
company and the day it was printed, and the table's header; the opening balance first,
the entries with the running balance, the closing balance and the period's totals last."""

from __future__ import annotations

import datetime as dt
import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Table

from backoffice.formatting import yen
from documents.fonts import document_font
from documents.rendering.layout import BODY_WIDTH, MARGIN_X, PAGE_COUNT_FORM, PAGE_HEIGHT, PAGE_WIDTH
from documents.rendering.page import DocumentCanvas
from documents.rendering.tables import table_style

from .ledger import Ledger

TITLE = "売掛金元帳"
HEADER_HEIGHT = 34 * mm
FOOTER_HEIGHT = 14 * mm
COLUMNS = (
    ("日付", 23),
    ("摘要", 49),
    ("伝票番号", 34),
    ("売上", 24),
    ("入金・返品値引", 26),
    ("前受充当", 22),
    ("残高", 26),
)


def _date(value: dt.date) -> str:
    return f"{value:%Y/%m/%d}"


def _money(value) -> str:
    return yen(value) if value else ""


def ledger_pdf(ledger: Ledger, *, company_name: str, printed_on: dt.date) -> bytes:
    font = document_font().name
    customer = ledger.customer
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=HEADER_HEIGHT,
        bottomMargin=FOOTER_HEIGHT,
        title=f"{TITLE} {customer.code} {customer.name}",
        author=company_name,
        creator="backoffice billing",
        invariant=1,
        initialFontName=font,
    )
    period = f"期間 {_date(ledger.date_from)} ～ {_date(ledger.date_to)}"

    def page_header(canv, doc):
        top = PAGE_HEIGHT - 14 * mm
        canv.setFont(font, 16)
        canv.drawCentredString(PAGE_WIDTH / 2, top, TITLE)
        canv.setLineWidth(0.6)
        canv.line(PAGE_WIDTH / 2 - 32 * mm, top - 2.5 * mm, PAGE_WIDTH / 2 + 32 * mm, top - 2.5 * mm)
        canv.setFont(font, 10)
        canv.drawString(MARGIN_X, top - 10 * mm, f"得意先 {customer.code} {customer.name}")
        canv.drawString(MARGIN_X, top - 15.5 * mm, period)
        canv.setFont(font, 8.5)
        canv.drawRightString(PAGE_WIDTH - MARGIN_X, top - 10 * mm, company_name)
        canv.drawRightString(PAGE_WIDTH - MARGIN_X, top - 15.5 * mm, f"作成日 {_date(printed_on)}")

    def page_footer(canv, doc):
        canv.setFont(font, 8)
        x = PAGE_WIDTH / 2
        canv.drawRightString(x, 8 * mm, f"{canv.getPageNumber()} / ")
        canv.saveState()
        canv.translate(x, 8 * mm)
        canv.doForm(PAGE_COUNT_FORM)
        canv.restoreState()
        canv.drawString(MARGIN_X, 8 * mm, f"{TITLE} {customer.code}")

    frame = Frame(MARGIN_X, FOOTER_HEIGHT, BODY_WIDTH, PAGE_HEIGHT - HEADER_HEIGHT - FOOTER_HEIGHT, id="body")
    template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=page_header, onPageEnd=page_footer)])
    rows = [[label for label, _width in COLUMNS]]
    rows.append([_date(ledger.date_from), "前期繰越", "", "", "", "", yen(ledger.opening_balance)])
    for entry in ledger.entries:
        rows.append(
            [
                _date(entry.date),
                entry.description[:26],
                entry.number,
                _money(entry.charge),
                _money(entry.received),
                _money(entry.applied),
                yen(entry.balance),
            ]
        )
    rows.append(
        [
            _date(ledger.date_to),
            "次期繰越（期末残高）",
            "",
            yen(ledger.total_charged),
            yen(ledger.total_received),
            "",
            yen(ledger.closing_balance),
        ]
    )
    total = sum(width for _label, width in COLUMNS)
    widths = [BODY_WIDTH * width / total for _label, width in COLUMNS]
    style = table_style(font, numeric_columns=(3, 4, 5, 6))
    style += [("LINEABOVE", (0, -1), (-1, -1), 0.8, "black"), ("LINEBELOW", (0, 1), (-1, 1), 0.8, "black")]
    table = Table(rows, colWidths=widths, repeatRows=1, style=style)
    template.build(
        [table], canvasmaker=lambda *args, **kwargs: DocumentCanvas(*args, font=font, date=printed_on, **kwargs)
    )
    return buffer.getvalue()
