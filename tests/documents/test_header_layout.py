"""Issue #12, item 10: every kind's page header keeps its title, number and date apart."""

import datetime as dt
import re
import shutil
import subprocess

import pytest

from documents.fonts import document_font
from documents.numbering import default_prefix
from documents.rendering import (
    HEADER_HEIGHT,
    KIND_LAYOUTS,
    MARGIN_X,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    header_layout,
    render_pdf,
)
from documents.types import DocumentKind, Issuer

from .factories import customer_party, document_data

LONG_NAME = "株式会社とても長い名前の取引先ホールディングス西日本営業本部第二営業部購買課"
ISSUER = Issuer(
    name="株式会社サンプル商事ホールディングス東日本販売",
    postal_code="100-0001",
    address="東京都千代田区千代田1-1-1 サンプルビルディング十二階",
    phone="03-1234-5678",
    registration_number="T7000012050002",
    bank_accounts=(
        {
            "bank_name": "みずほ銀行",
            "branch_name": "本店",
            "account_type": "ordinary",
            "account_number": "1234567",
            "account_holder_kana": "カ)サンプルシヨウジ",
        },
    ),
)


def ten_digit_number(kind: str) -> str:
    return f"{default_prefix(kind)}-2026-0000000123"


@pytest.mark.parametrize("kind", list(DocumentKind))
@pytest.mark.parametrize("number", ["{prefix}-2026-0000000123", "{prefix}-2026-000000000000012345-12"])
def test_the_header_layout_keeps_number_and_date_off_the_title_and_its_rule(kind, number):
    number = number.format(prefix=default_prefix(kind))
    layout = header_layout(KIND_LAYOUTS[kind].title, number, dt.date(2026, 12, 31), document_font().name)

    assert layout.number.text == f"No. {number}"
    assert layout.date.text == "発行日 2026年12月31日"
    for text in (layout.number, layout.date):
        assert not layout.title_block.overlaps(text.box), (kind, text.text)
    assert not layout.number.box.overlaps(layout.date.box)
    for box in (layout.title_block, layout.number.box, layout.date.box):  # inside the margins and the header
        assert box.x0 >= MARGIN_X - 0.01 and box.x1 <= PAGE_WIDTH - MARGIN_X + 0.01
        assert box.y0 >= PAGE_HEIGHT - HEADER_HEIGHT


def test_a_title_too_long_for_the_page_is_set_smaller_and_the_number_goes_under_it():
    title = "とても長い表題の書類" * 3  # 30 characters: wider than the page at 18 pt
    layout = header_layout(title, "CN-2026-0000000123", dt.date(2026, 12, 31), document_font().name)

    assert layout.title.size < 18
    assert layout.title_block.x0 >= MARGIN_X - 0.01 and layout.title_block.x1 <= PAGE_WIDTH - MARGIN_X + 0.01
    assert layout.number.box.y1 < layout.title_block.y0
    assert not layout.title_block.overlaps(layout.date.box)


def word_boxes(pdf: bytes) -> list[tuple[str, float, float, float, float]]:
    """(text, x0, top, x1, bottom) of each word on page 1, in points from the top left (pdftotext -bbox)."""
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    html = subprocess.run(  # noqa: S603
        [pdftotext, "-bbox", "-f", "1", "-l", "1", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    pattern = r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
    return [(text, float(a), float(b), float(c), float(d)) for a, b, c, d, text in re.findall(pattern, html)]


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_rendered_headers_leave_room_between_the_title_with_its_rule_and_the_number(kind):
    title = KIND_LAYOUTS[kind].title
    number = ten_digit_number(kind)
    data = document_data(kind, recipient=customer_party(name=LONG_NAME))
    words = word_boxes(render_pdf(data, number=number, issuer=ISSUER))

    (title_box,) = [w for w in words if w[0] == title and w[2] < HEADER_HEIGHT]
    (number_box,) = [w for w in words if w[0] == number and w[2] < HEADER_HEIGHT]
    # The title's double rule runs 5.5 pt under its box and 8 pt beyond each end.
    _, x0, top, x1, bottom = title_box
    block = (x0 - 8, top, x1 + 8, bottom + 6)
    _, nx0, ntop, nx1, nbottom = number_box
    apart = nx0 >= block[2] or nx1 <= block[0] or ntop >= block[3] or nbottom <= block[1]
    assert apart, (title_box, number_box)
    # No two words of the header overlap, and they stay inside the margins.
    header = [w for w in words if w[2] < HEADER_HEIGHT]
    for i, a in enumerate(header):
        for b in header[i + 1 :]:
            assert not (a[1] < b[3] and b[1] < a[3] and a[2] < b[4] and b[2] < a[4]), (a, b)
    assert all(w[1] >= MARGIN_X - 1 and w[3] <= PAGE_WIDTH - MARGIN_X + 1 for w in header)
