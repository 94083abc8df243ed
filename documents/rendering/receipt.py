"""受領書: the page a delivery note carries for a customer who signs on delivery. The same
items as the 納品書, addressed back to the issuer, with a 受領日 line and a 受領印 box; the
customer signs it and returns it. It is part of the issued PDF (the snapshot says so with
`extra["receipt"]`), so the archived bytes and their SHA-256 include it from the start.
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer

from ..types import DocumentData, Issuer
from .layout import BODY_WIDTH, GRID, date_jp, wrap_text
from .tables import LineTable, totals_block

TITLE = "受領書"
GREETING = "下記の通り受領いたしました。"


class _ReceiptHead(Flowable):
    """The issuer with 御中 (the receipt goes back to them) on the left; the facts of the
    delivery note (number, date, order number) and the customer who signs on the right."""

    RIGHT_X = 112 * mm

    def __init__(self, data: DocumentData, issuer: Issuer, number: str, font: str):
        super().__init__()
        self.font = font
        self.addressee = wrap_text(f"{issuer.name} 御中", font, 14, 98 * mm)
        facts = [("納品書番号", number), ("納品日", date_jp(data.document_date))]
        if data.extra.get("order_number"):
            facts.append(("ご注文番号", str(data.extra["order_number"])))
        self.facts = facts
        self.customer = wrap_text(data.recipient.name if data.recipient else "", font, 10, BODY_WIDTH - self.RIGHT_X)
        self.height = max(len(self.addressee) * 19 + 34, len(facts) * 14 + len(self.customer) * 14 + 20)

    def wrap(self, available_width, available_height):
        return BODY_WIDTH, self.height

    def draw(self):
        canv, font = self.canv, self.font
        y = self.height
        canv.setFont(font, 14)
        for line in self.addressee:
            y -= 19
            canv.drawString(0, y + 2, line)
        canv.setLineWidth(0.8)
        canv.line(0, y - 2, 98 * mm, y - 2)
        canv.setFont(font, 9)
        canv.drawString(0, y - 20, GREETING)
        y = self.height
        for label, value in self.facts:
            y -= 14
            canv.drawString(self.RIGHT_X, y + 3, label)
            canv.drawString(self.RIGHT_X + 22 * mm, y + 3, value)
            canv.setStrokeColor(GRID)
            canv.setLineWidth(0.3)
            canv.line(self.RIGHT_X, y, BODY_WIDTH, y)
            canv.setStrokeColor(colors.black)
        y -= 6
        canv.setFont(font, 10)
        for line in self.customer:
            y -= 14
            canv.drawString(self.RIGHT_X, y + 3, line)


class _SignatureBox(Flowable):
    """受領日 to fill in, and the 受領印 box."""

    SIZE = 26 * mm

    def __init__(self, font: str):
        super().__init__()
        self.font = font

    def wrap(self, available_width, available_height):
        return BODY_WIDTH, self.SIZE + 14

    def draw(self):
        canv, size = self.canv, self.SIZE
        x = BODY_WIDTH - size
        canv.setFont(self.font, 10)
        canv.drawString(x - 92 * mm, size / 2, "受領日　　　　年　　　月　　　日")
        canv.setLineWidth(0.4)
        canv.line(x - 92 * mm, size / 2 - 3, x - 8 * mm, size / 2 - 3)
        canv.setLineWidth(0.8)
        canv.rect(x, 0, size, size, fill=0, stroke=1)
        canv.line(x, size - 14, x + size, size - 14)
        canv.setFont(self.font, 9)
        canv.drawCentredString(x + size / 2, size - 10, "受領印")


def receipt_story(data: DocumentData, issuer: Issuer, number: str, font: str) -> list[Flowable]:
    """The 受領書 page's flowables (the caller starts a new page under the 受領書 title)."""
    return [
        _ReceiptHead(data, issuer, number, font),
        Spacer(0, 5 * mm),
        LineTable.for_lines(data, font),
        Spacer(0, 3 * mm),
        KeepTogether([totals_block(data, font), Spacer(0, 8 * mm), _SignatureBox(font)]),
    ]
