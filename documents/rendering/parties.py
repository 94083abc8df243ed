"""The first page's block: recipient, greeting, amount box and the kind's facts on the
left; the issuer and its seal on the right."""

from __future__ import annotations

import io
from collections.abc import Iterable

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from backoffice.formatting import yen

from ..types import DocumentData, Issuer
from .layout import BODY_WIDTH, GRID, SHADE, KindLayout, amount_due, info_rows, wrap_text


class PartiesBlock(Flowable):
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
