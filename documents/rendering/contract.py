"""A contract's PDF (契約書, 覚書): its own title, number and date at the top of every page;
the parties; a summary box (契約期間, 自動更新, 契約金額, 収入印紙); the articles as
written, wrapped; the closing signature block of 甲 (the issuer) and 乙 (the customer)
with a seal box each.

Pure, like every layout here: the snapshot's plain data in, bytes out. The articles come
filled in by the caller (contracts fills a template); documents never looks them up.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, KeepTogether, PageTemplate, Paragraph, Spacer, Table

from backoffice.formatting import yen

from ..types import DocumentData, Issuer
from .layout import BODY_WIDTH, FOOTER_HEIGHT, GRID, HEADER_HEIGHT, MARGIN_X, PAGE_HEIGHT, SHADE, date_jp
from .page import DocumentCanvas, PageChrome

BODY_SIZE = 9.5
HEADING_SIZE = 10.5
SEAL_BOX = 16 * mm


def render_contract_pdf(data: DocumentData, *, number: str, issuer: Issuer, font: str) -> bytes:
    title = data.extra.get("contract_title") or "契約書"
    buffer = io.BytesIO()
    template = BaseDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=HEADER_HEIGHT,
        bottomMargin=FOOTER_HEIGHT,
        title=f"{title} {number}",
        author=issuer.name,
        subject=data.recipient.name if data.recipient else "",
        creator="backoffice documents",
        invariant=1,
        initialFontName=font,
    )
    chrome = PageChrome(data, number, title, font)
    frame = Frame(MARGIN_X, FOOTER_HEIGHT, BODY_WIDTH, PAGE_HEIGHT - HEADER_HEIGHT - FOOTER_HEIGHT, id="body")
    template.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=chrome.begin, onPageEnd=chrome.end)])
    template.build(
        _story(data, issuer, font),
        canvasmaker=lambda *args, **kwargs: DocumentCanvas(*args, font=font, date=data.document_date, **kwargs),
    )
    return buffer.getvalue()


def _styles(font: str) -> tuple[ParagraphStyle, ParagraphStyle]:
    body = ParagraphStyle(
        "contract-body",
        fontName=font,
        fontSize=BODY_SIZE,
        leading=BODY_SIZE * 1.65,
        alignment=TA_LEFT,
        wordWrap="CJK",
        spaceAfter=1,
    )
    heading = ParagraphStyle("contract-heading", parent=body, fontSize=HEADING_SIZE, spaceBefore=5, spaceAfter=2)
    return body, heading


def _is_heading(line: str) -> bool:
    """「第1条（目的）」: an article's heading line."""
    stripped = line.strip()
    return stripped.startswith("第") and "条" in stripped[:6]


def _story(data: DocumentData, issuer: Issuer, font: str) -> list[Flowable]:
    body, heading = _styles(font)
    story: list[Flowable] = [_summary(data, issuer, font), Spacer(0, 6 * mm)]
    for line in data.extra["contract_body"].splitlines():
        if not line.strip():
            story.append(Spacer(0, 2 * mm))
            continue
        story.append(Paragraph(escape(line), heading if _is_heading(line) else body))
    if data.notes.strip():
        story += [Spacer(0, 3 * mm), Paragraph(escape("備考：" + data.notes), body)]
    story += [Spacer(0, 8 * mm), KeepTogether(_signatures(data, issuer, font))]
    return story


def _summary(data: DocumentData, issuer: Issuer, font: str) -> Table:
    extra = data.extra
    rows = [["甲", issuer.name], ["乙", data.recipient.name]]
    if "term_start" in extra and "term_end" in extra:
        rows.append(["契約期間", f"{date_jp(extra['term_start'])} 〜 {date_jp(extra['term_end'])}"])
    if extra.get("renewal"):
        rows.append(["自動更新", extra["renewal"]])
    if data.lines:
        totals = data.totals
        rows.append(["契約金額", f"{yen(totals.subtotal)}（消費税 {yen(totals.tax_total)}、税込 {yen(totals.total)}）"])
    if extra.get("deal_number"):
        rows.append(["対象取引", extra["deal_number"]])
    if extra.get("amends_number"):
        rows.append(["原契約", extra["amends_number"]])
    if extra.get("stamp_duty"):
        rows.append(["収入印紙", extra["stamp_duty"]])
    value_style = ParagraphStyle("contract-summary", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    rows = [[label, Paragraph(escape(value), value_style)] for label, value in rows]
    style = [
        ("FONT", (0, 0), (-1, -1), font, 9, 12),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("GRID", (0, 0), (-1, -1), 0.4, GRID),
        ("BOX", (0, 0), (-1, -1), 0.8, colors.black),
        ("BACKGROUND", (0, 0), (0, -1), SHADE),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    return Table(rows, colWidths=[28 * mm, BODY_WIDTH - 28 * mm], style=style, hAlign="LEFT")


class _SealBox(Flowable):
    """The 印 square a party stamps beside its name."""

    def __init__(self, font: str):
        super().__init__()
        self.font = font

    def wrap(self, available_width, available_height):
        return SEAL_BOX, SEAL_BOX

    def draw(self):
        canv = self.canv
        canv.setStrokeColor(GRID)
        canv.setLineWidth(0.6)
        canv.circle(SEAL_BOX / 2, SEAL_BOX / 2, SEAL_BOX / 2 - 1, stroke=1, fill=0)
        canv.setFillColor(GRID)
        canv.setFont(self.font, 9)
        canv.drawCentredString(SEAL_BOX / 2, SEAL_BOX / 2 - 3, "印")
        canv.setFillColor(colors.black)
        canv.setStrokeColor(colors.black)


def _party_text(label: str, address: str, name: str, signatory: str) -> str:
    lines = [f"{label}（住所）{address}" if address else f"{label}", f"（名称）{name}"]
    if signatory:
        lines.append(f"（代表者）{signatory}")
    return "\n".join(lines)


def _signatures(data: DocumentData, issuer: Issuer, font: str) -> list[Flowable]:
    extra = data.extra
    recipient = data.recipient
    closing = f"{date_jp(data.document_date)}"
    rows = [
        [
            _party_text("甲", issuer.address, issuer.name, extra.get("issuer_signatory", "")),
            _SealBox(font),
        ],
        [
            _party_text("乙", recipient.address, recipient.name, extra.get("recipient_signatory", "")),
            _SealBox(font),
        ],
    ]
    style = [
        ("FONT", (0, 0), (-1, -1), font, 9.5, 15),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 6),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ("LINEBELOW", (0, 0), (-1, -1), 0.3, GRID),
    ]
    body, _heading = _styles(font)
    return [
        Paragraph(escape(closing), body),
        Spacer(0, 3 * mm),
        Table(rows, colWidths=[BODY_WIDTH - SEAL_BOX - 12 * mm, SEAL_BOX + 12 * mm], style=style, hAlign="LEFT"),
    ]
