import hashlib
import io
import re
import shutil
import subprocess
from decimal import Decimal

import pypdf
import pytest
from django.core.files.base import ContentFile
from PIL import Image

from backoffice.models import CompanyProfile
from documents import fonts
from documents.checks import check_document_font
from documents.rendering import render_pdf
from documents.services import issuer_snapshot, render_snapshot
from documents.types import DocumentKind

from .factories import document_data, numbered_lines, pdf_text


@pytest.fixture
def issuer(company):
    return issuer_snapshot(CompanyProfile.objects.prefetch_related("bank_accounts").get(pk=company.pk))


def render(data, issuer, number="INV-2026-000123", **kwargs):
    return render_pdf(data, number=number, issuer=issuer, **kwargs)


def test_invoice_shows_what_a_qualified_invoice_must_show(issuer):
    pdf = render(document_data(), issuer)
    (text,) = pdf_text(pdf)
    for expected in [
        "請求書",
        "No. INV-2026-000123",
        "発行日 2026年11月21日",
        "株式会社山田製作所 御中",
        "株式会社サンプル商事",
        "登録番号 T7000012050002",
        "コピー用紙 A4",
        "緑茶ティーバッグ ※",
        "※は軽減税率対象",
        "10%対象\n¥3,579",
        "消費税（10%）\n¥357",
        "8%対象※\n¥1,888",
        "消費税（8%）\n¥151",
        "合計（税込）\n¥5,975",
        "¥5,975-",
        "お支払期限",
        "2026年12月31日",
        "みずほ銀行",
        "口座名義 カ)サンプルシヨウジ",
        "振込手数料は貴社にてご負担ください。",
    ]:
        assert expected in text, expected
    assert "様" not in text


def test_text_is_extractable_with_pdftotext(issuer):
    pdf = render(document_data(), issuer)
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    text = subprocess.run([pdftotext, "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()  # noqa: S603
    for expected in ["請求書", "株式会社山田製作所 御中", "トナーカートリッジ", "T7000012050002", "¥5,975"]:
        assert expected in text


def test_a_person_gets_sama_and_never_onchu(issuer):
    from .factories import customer_party

    data = document_data(recipient=customer_party(name="株式会社山田製作所 営業部 山田太郎", honorific="様"))
    (text,) = pdf_text(render(data, issuer))
    assert "株式会社山田製作所 営業部 山田太郎 様" in text
    assert "御中" not in text


def test_the_font_is_embedded(issuer):
    pdf = render(document_data(), issuer)
    assert b"/FontFile2" in pdf  # an embedded TrueType program (subset)
    assert re.search(rb"/BaseFont /[A-Z]{6}\+IPAexGothic", pdf)


def test_same_data_gives_the_same_bytes(issuer):
    data = document_data()
    first = render(data, issuer)
    assert render(data, issuer) == first
    assert pypdf.PdfReader(io.BytesIO(first)).metadata["/CreationDate"] == "D:20261121000000+09'00'"


def test_an_issued_document_rerenders_to_its_stored_hash(issue):
    document = issue()
    assert hashlib.sha256(render_snapshot(document.data)).hexdigest() == document.sha256


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        (
            DocumentKind.QUOTE,
            ["御見積書", "御見積金額（税込）", "有効期限", "2026年12月21日", "受注後2週間", "月末締め翌月末払い"],
        ),
        (DocumentKind.ORDER_CONFIRMATION, ["注文請書", "ご注文金額（税込）", "ご注文番号", "PO-778", "2026年12月5日"]),
        (DocumentKind.DELIVERY_NOTE, ["納品書", "納品金額（税込）", "納品日"]),
        (DocumentKind.INVOICE, ["請求書", "ご請求金額（税込）", "お支払期限"]),
        (
            DocumentKind.CONSOLIDATED_INVOICE,
            [
                "合計請求書",
                "前回御請求額",
                "¥50,000",
                "ご入金額",
                "¥30,000",
                "繰越金額",
                "¥20,000",
                "今回売上額",
                "¥5,467",
                "消費税額",
                "¥508",
                "今回御請求額",
                "¥25,975",
                "2026年11月1日 〜 2026年11月30日",
                "DN-2026-000010",
                "DN-2026-000011",
                "今回お買上額（税込）\n¥5,975",  # the period's sales, not to be read as the amount due
            ],
        ),
        (
            DocumentKind.CREDIT_NOTE,
            [
                "適格返還請求書（返品・値引）",
                "返還金額（税込）",
                "INV-2026-000001",
                "元取引日",
                "2026年11月1日",
                "破損品の返品",
            ],
        ),
        (DocumentKind.PURCHASE_ORDER, ["発注書", "発注金額（税込）", "納品場所", "本社倉庫"]),
    ],
)
def test_each_kind_has_its_title_and_blocks(issuer, kind, expected):
    text = "\n".join(pdf_text(render(document_data(kind), issuer)))
    for snippet in expected:
        assert snippet in text, snippet


def test_tax_inclusive_documents_show_the_tax_contained(issuer):
    from dataclasses import replace

    from backoffice.money import compute_totals

    data = document_data()
    data = replace(
        data,
        tax_mode="inclusive",
        totals=compute_totals(((line.tax_rate, line.amount) for line in data.lines), tax_mode="inclusive"),
    )
    (text,) = pdf_text(render(data, issuer))
    assert "10%対象（税込）\n¥3,579" in text
    assert "内消費税（10%）\n¥325" in text


def test_a_500_line_invoice_paginates_with_the_header_on_every_page(issuer):
    data = document_data(lines=numbered_lines(500))
    pages = pdf_text(render(data, issuer))
    assert len(pages) == 14
    for number, text in enumerate(pages, start=1):
        assert "請求書" in text
        assert "No. INV-2026-000123" in text
        assert re.search(rf"{number} / \s*14", text)
        if number <= 13:  # every page with lines (the bank details follow alone on page 14)
            assert "品番 品名 数量 単位 単価 金額\nSKU-" in text
    # 31 rows fit under the first page's header block, 39 on the following pages.
    assert "SKU-0030 テスト商品0030 ※ 2 個 130 260" in pages[0]
    assert "品番 品名 数量 単位 単価 金額\nSKU-0031 テスト商品0031 2 個 131 262" in pages[1]
    everything = "\n".join(pages)
    assert all(everything.count(f"テスト商品{i:04d}") == 1 for i in range(500))
    assert everything.count("合計（税込）") == 1
    assert f"合計（税込）\n¥{data.totals.total:,}" in pages[12]
    assert "SKU-0499" in pages[12]
    assert "お振込先" in pages[13]


def test_a_long_product_name_wraps_instead_of_being_cut(issuer):
    from documents.types import DocumentLine

    name = "とても長い商品名" * 8
    line = DocumentLine("L-1", name, 1, "式", Decimal("1000"), Decimal("1000"), 10)
    (text,) = pdf_text(render(document_data(lines=[line]), issuer))
    assert name in text.replace("\n", "")


def seal_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGBA", (120, 120), (200, 30, 30, 255)).save(buffer, "PNG")
    return buffer.getvalue()


def test_the_seal_is_drawn_on_an_approved_document_only(company, issuer):
    seal = seal_png()
    approved = document_data(DocumentKind.QUOTE, requires_approval=True, approved=True)
    not_approved = document_data(DocumentKind.QUOTE, requires_approval=True, approved=False)

    page = pypdf.PdfReader(io.BytesIO(render(approved, issuer, seal_image=seal))).pages[0]
    assert len(page.images) == 1
    assert "下書き" not in page.extract_text()

    page = pypdf.PdfReader(io.BytesIO(render(not_approved, issuer, seal_image=seal))).pages[0]
    assert len(page.images) == 0
    assert "下書き" in page.extract_text()
    assert "DRAFT" in page.extract_text()


def test_the_seal_comes_from_the_company_profile(company, issue):
    company.seal_image.save("seal.png", ContentFile(seal_png()))
    document = issue()
    assert document.data["issuer"]["seal_sha256"] == hashlib.sha256(seal_png()).hexdigest()
    with document.pdf.open("rb") as file:
        assert len(pypdf.PdfReader(file).pages[0].images) == 1


@pytest.fixture
def no_truetype_font(settings, monkeypatch):
    settings.DOCUMENTS_FONT_PATH = ""
    monkeypatch.setattr(fonts, "FONT_SEARCH_PATHS", ("/nonexistent/ipaexg.ttf",))
    fonts._load.cache_clear()
    yield
    fonts._load.cache_clear()


def test_without_a_truetype_font_a_warning_and_the_cid_fallback(no_truetype_font, settings, issuer):
    (warning,) = check_document_font(None)
    assert warning.id == "documents.W001"
    assert "documents cannot be issued" in warning.msg
    assert "fonts-ipaexfont" in warning.hint
    settings.DOCUMENTS_ALLOW_CID_FONT = True  # the renderer's fallback, allowed by this setting only
    assert "HeiseiKakuGo-W5 CID font" in check_document_font(None)[0].msg
    pdf = render(document_data(), issuer)
    assert b"HeiseiKakuGo-W5" in pdf
    assert b"FontFile2" not in pdf


def test_with_the_font_installed_no_warning():
    assert check_document_font(None) == []


def test_a_configured_font_path_that_does_not_exist_is_reported(settings):
    settings.DOCUMENTS_FONT_PATH = "/nonexistent/font.ttf"
    try:
        (warning,) = check_document_font(None)
        assert warning.id == "documents.W002"
        assert "/nonexistent/font.ttf does not exist" in warning.msg
    finally:
        fonts._load.cache_clear()
