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

import io

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
)

from ..fonts import document_font
from ..types import INVOICE_KINDS, DocumentData, DocumentKind, Issuer
from .contract import render_contract_pdf
from .layout import (
    BODY_WIDTH,
    DRAFT_NUMBER,
    FOOTER_HEIGHT,
    HEADER_HEIGHT,
    KIND_LAYOUTS,
    MARGIN_X,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    KindLayout,
    date_jp,
)
from .page import DocumentCanvas, PageChrome, header_layout
from .parties import PartiesBlock
from .receipt import TITLE as RECEIPT_TITLE
from .receipt import receipt_story
from .tables import LineTable, bank_block, consolidated_summary, delivery_notes_table, notes_block, totals_block

__all__ = [
    "DRAFT_NUMBER",
    "HEADER_HEIGHT",
    "KIND_LAYOUTS",
    "MARGIN_X",
    "PAGE_HEIGHT",
    "PAGE_WIDTH",
    "date_jp",
    "header_layout",
    "render_pdf",
]


def render_pdf(data: DocumentData, *, number: str, issuer: Issuer, seal_image: bytes | None = None) -> bytes:
    """The PDF of one document. `seal_image` (PNG/JPEG bytes) is drawn only on a document
    that needs no approval or has it; a draft shows a 下書き / DRAFT watermark instead."""
    font = document_font().name
    if data.kind == DocumentKind.CONTRACT:  # articles and signatures, not a line table
        return render_contract_pdf(data, number=number, issuer=issuer, font=font)
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
    chrome = PageChrome(data, number, layout.title, font)
    frame = Frame(MARGIN_X, FOOTER_HEIGHT, BODY_WIDTH, PAGE_HEIGHT - HEADER_HEIGHT - FOOTER_HEIGHT, id="body")
    templates = [PageTemplate(id="page", frames=[frame], onPage=chrome.begin, onPageEnd=chrome.end)]
    story = _story(data, issuer, seal, layout, font)
    if data.kind == DocumentKind.DELIVERY_NOTE and data.extra.get("receipt"):
        # The 受領書 the customer signs: its own page(s) under its own title, same number and date.
        receipt = PageChrome(data, number, RECEIPT_TITLE, font)
        templates.append(PageTemplate(id="receipt", frames=[frame], onPage=receipt.begin, onPageEnd=receipt.end))
        story += [NextPageTemplate("receipt"), PageBreak(), *receipt_story(data, issuer, number, font)]
    template.addPageTemplates(templates)
    template.build(
        story,
        canvasmaker=lambda *args, **kwargs: DocumentCanvas(*args, font=font, date=data.document_date, **kwargs),
    )
    return buffer.getvalue()


def _story(data: DocumentData, issuer: Issuer, seal: bytes | None, layout: KindLayout, font: str) -> list[Flowable]:
    story: list[Flowable] = [PartiesBlock(data, issuer, seal, layout, font), Spacer(0, 5 * mm)]
    if data.kind == DocumentKind.CONSOLIDATED_INVOICE:
        story += [consolidated_summary(data, font), Spacer(0, 4 * mm)]
        if data.extra.get("delivery_notes"):
            story += [delivery_notes_table(data, font), Spacer(0, 4 * mm)]
    story += [LineTable.for_lines(data, font), Spacer(0, 3 * mm), KeepTogether([totals_block(data, font)])]
    if data.kind in INVOICE_KINDS:
        story += bank_block(data, issuer, font)
    story += notes_block(data.notes, font)
    return story
