"""What every part of the PDF shares: the kinds' titles and facts, the page geometry and
colours, and the texts as printed (dates, unit prices, wrapped lines, the amount due)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth

from ..types import DocumentData, DocumentKind, DocumentLine


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
    # A contract prints its own title (extra.contract_title); this one names the kind in the archive.
    DocumentKind.CONTRACT: KindLayout("契約書", "契約金額", ""),
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


# --- texts as printed ----------------------------------------------------------------------


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
