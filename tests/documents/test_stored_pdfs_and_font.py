"""Issue #12, items 16 and 17: stored PDFs are served only as they were stored, and no
document is issued without a TrueType font embedded in its PDF."""

import csv
import hashlib
import io
import zipfile
from decimal import Decimal

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from backoffice.models import AuditEvent
from documents import fonts
from documents.exceptions import DocumentFontMissing, DocumentPDFTampered
from documents.models import DocumentCounter, IssuedDocument, RenderStatus
from documents.services import document_issue, document_render, document_send
from documents.types import DocumentKind
from orders import services as order_services
from orders.models import Customer, Quote
from orders.services import LineInput
from tests.factories import CustomerFactory, ProductFactory

from .factories import document_data

pytestmark = pytest.mark.django_db

URL = "/api/v1/documents/"
FONT_MISSING = (
    "PDFに埋め込む日本語TrueTypeフォントがないため、書類を発行できません。フォントをインストールする"
    "（Debian/Ubuntu: apt-get install fonts-ipaexfont）か、"
    "設定 DOCUMENTS_FONT_PATH に .ttf ファイルを指定してください。"
    " (/nonexistent/ipaexg.ttf does not exist)"
)


def tamper(document):
    with open(document.pdf.path, "r+b") as file:
        file.seek(100)
        file.write(b"X")


@pytest.fixture
def damaged(issue):
    """(intact, tampered, missing): an invoice left as stored, a delivery note whose bytes
    were altered, a quote whose file is gone."""
    intact = issue()
    tampered = issue(document_data(DocumentKind.DELIVERY_NOTE))
    missing = issue(document_data(DocumentKind.QUOTE))
    tamper(tampered)
    missing.pdf.storage.delete(missing.pdf.name)
    return intact, tampered, missing


def refusal(response):
    """(status, code, detail) of a refused PDF, whose body also names the document."""
    body = response.json()
    assert body["number"] == "INV-2026-000001"
    assert set(body) == {"detail", "code", "number"}
    return response.status_code, body["code"], body["detail"]


def events(document, action):
    return list(
        AuditEvent.objects.filter(object_id=str(document.pk), action=action).values_list("actor__username", "changes")
    )


# --- 16. a stored PDF is served only with the SHA-256 it was stored with -----------------------------------


def test_an_intact_pdf_is_served_and_nothing_is_recorded(admin_api, issue):
    document = issue()
    assert admin_api.get(f"{URL}{document.pk}/pdf/").status_code == 200  # its bytes: test_api.py
    assert not AuditEvent.objects.filter(action__startswith="document.pdf_").exists()


def test_a_tampered_pdf_is_refused_409_and_recorded(admin_api, admin_user, issue):
    document = issue()
    tamper(document)
    with document.pdf.open("rb") as file:
        actual = hashlib.sha256(file.read()).hexdigest()

    response = admin_api.get(f"{URL}{document.pk}/pdf/")

    detail = "文書 INV-2026-000001 のPDFが改ざんされています（SHA-256 不一致）。"
    assert refusal(response) == (409, "pdf_tampered", detail)
    assert events(document, "document.pdf_tampered") == [
        (
            "admin1",
            {
                "file": "documents/invoice/2026/INV-2026-000001.pdf",
                "expected_sha256": document.sha256,
                "actual_sha256": actual,
            },
        )
    ]
    # the same with a client that asks for the PDF itself
    assert admin_api.get(f"{URL}{document.pk}/pdf/", HTTP_ACCEPT="application/pdf").status_code == 409


def test_a_missing_pdf_is_410_naming_the_document(admin_api, issue):
    document = issue()
    document.pdf.storage.delete(document.pdf.name)

    response = admin_api.get(f"{URL}{document.pk}/pdf/")

    assert refusal(response) == (410, "pdf_missing", "文書 INV-2026-000001 のPDFファイルが見つかりません。")
    assert events(document, "document.pdf_missing") == [
        ("admin1", {"file": "documents/invoice/2026/INV-2026-000001.pdf"})
    ]


@pytest.mark.django_db(transaction=True)
def test_the_record_of_a_refusal_is_committed_on_its_own(admin_api, issue):
    """No test transaction around the request: the refusal's event is in the database for
    good once the 409 / 410 is answered (the PDF is read outside any transaction)."""
    tampered = issue()
    missing = issue(document_data(DocumentKind.DELIVERY_NOTE))
    tamper(tampered)
    missing.pdf.storage.delete(missing.pdf.name)

    assert admin_api.get(f"{URL}{tampered.pk}/pdf/").status_code == 409
    assert admin_api.get(f"{URL}{missing.pk}/pdf/").status_code == 410
    assert admin_api.post(f"{URL}{tampered.pk}/send/", {"to": ["keiri@customer.example.jp"]}).status_code == 409

    assert not connection.in_atomic_block
    assert len(events(tampered, "document.pdf_tampered")) == 2
    assert len(events(missing, "document.pdf_missing")) == 1
    assert events(tampered, "document.send") == []


def test_a_tampered_pdf_is_not_mailed_and_the_refusal_is_recorded(
    admin_api, admin_user, issue, django_capture_on_commit_callbacks
):
    document = issue()
    tamper(document)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(f"{URL}{document.pk}/send/", {"to": ["keiri@customer.example.jp"]})

    assert response.status_code == 409
    assert response.json()["code"] == "pdf_tampered"
    assert not mail.outbox
    assert events(document, "document.send") == []  # nothing sent, nothing recorded as sent ...
    assert len(events(document, "document.pdf_tampered")) == 1  # ... the refusal is recorded
    # the same through a POST with an Idempotency-Key, which runs the view in a transaction
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(
            f"{URL}{document.pk}/send/", {"to": ["keiri@customer.example.jp"]}, HTTP_IDEMPOTENCY_KEY="send-1"
        )
    assert response.status_code == 409
    assert events(document, "document.send") == []
    assert len(events(document, "document.pdf_tampered")) == 2
    # the service itself
    with pytest.raises(DocumentPDFTampered):
        document_send(document=document, user=admin_user, to=["keiri@customer.example.jp"])
    assert len(events(document, "document.pdf_tampered")) == 3


def test_a_missing_pdf_is_not_mailed_and_the_refusal_is_recorded(admin_api, issue):
    document = issue()
    document.pdf.storage.delete(document.pdf.name)

    response = admin_api.post(f"{URL}{document.pk}/send/", {"to": ["keiri@customer.example.jp"]})

    assert response.status_code == 410
    assert response.json()["code"] == "pdf_missing"
    assert not mail.outbox
    assert events(document, "document.send") == []
    assert events(document, "document.pdf_missing") == [
        ("admin1", {"file": "documents/invoice/2026/INV-2026-000001.pdf"})
    ]


def test_the_export_holds_only_verified_pdfs(admin_api, damaged):
    intact, tampered, missing = damaged

    response = admin_api.get(f"{URL}export/", {"date_from": "2026-11-01", "date_to": "2026-11-30"})

    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == ["index.csv", "pdf/2026-11/INV-2026-000001.pdf"]
    rows = list(csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
    assert [(r[2], r[9], r[10]) for r in rows[1:]] == [
        ("DN-2026-000001", "", "不一致"),
        ("INV-2026-000001", "pdf/2026-11/INV-2026-000001.pdf", "OK"),
        ("Q-2026-000001", "", "ファイルなし"),
    ]
    assert len(events(tampered, "document.pdf_tampered")) == 1
    assert len(events(missing, "document.pdf_missing")) == 1
    assert events(intact, "document.pdf_tampered") == []


def test_verify_documents_reports_each_changed_and_missing_pdf_and_exits_non_zero(damaged, capsys):
    intact, tampered, missing = damaged

    with pytest.raises(CommandError) as raised:
        call_command("verify_documents")

    assert raised.value.returncode == 1
    assert str(raised.value) == "3 PDFs checked, 2 problems, 0 not rendered yet."
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"DN-2026-000001 (id {tampered.pk}): mismatch; expected {tampered.sha256}, found ")
    assert err[0].endswith("(the stored bytes changed: documents/delivery_note/2026/DN-2026-000001.pdf)")
    assert err[1] == (
        f"Q-2026-000001 (id {missing.pk}): missing; expected {missing.sha256}, found - "
        "(no file: documents/quote/2026/Q-2026-000001.pdf)"
    )
    assert len(err) == 2
    assert intact.number not in "\n".join(err)


# --- 17. no document without an embedded TrueType font -------------------------------------------------------


@pytest.fixture
def no_font(settings, monkeypatch):
    """A machine without fonts-ipaexfont, DOCUMENTS_FONT_PATH pointing at nothing."""
    settings.DOCUMENTS_FONT_PATH = "/nonexistent/ipaexg.ttf"
    monkeypatch.setattr(fonts, "FONT_SEARCH_PATHS", ("/nonexistent/ipaexg.ttf",))
    fonts._load.cache_clear()
    yield settings
    fonts._load.cache_clear()


def test_without_the_font_a_document_is_refused_and_takes_no_number(admin_user, company, no_font):
    with pytest.raises(DocumentFontMissing) as raised:
        document_issue(data=document_data(), user=admin_user, source=None)

    assert str(raised.value) == FONT_MISSING
    assert not IssuedDocument.objects.exists()
    assert not DocumentCounter.objects.exists()


def test_without_the_font_issuing_a_quote_over_the_api_is_503_and_changes_nothing(
    admin_api, admin_user, company, no_font
):
    customer = CustomerFactory(code="C001", name="株式会社山田製作所")
    product = ProductFactory(sku="A-100", name="ステンレスボルト M8", unit="箱", list_price=Decimal("1980"))
    quote = order_services.quote_create(
        user=admin_user, data={"customer": customer, "subject": "見積"}, lines=[LineInput(product=product, quantity=10)]
    )
    order_services.quote_submit(quote=quote, user=admin_user)

    response = admin_api.post(f"/api/v1/quotes/{quote.pk}/issue/")

    assert response.status_code == 503
    assert response.json() == {"detail": FONT_MISSING, "code": "document_font_missing"}
    assert Quote.objects.get(pk=quote.pk).status == Quote.Status.APPROVED
    assert Quote.objects.get(pk=quote.pk).number == ""
    assert not IssuedDocument.objects.exists()
    assert not DocumentCounter.objects.exists()


def test_a_render_without_the_font_stores_no_pdf_and_is_retried_later(
    admin_user, company, django_capture_on_commit_callbacks, settings, monkeypatch
):
    """A worker without the font (the document was issued where the font was)."""
    with django_capture_on_commit_callbacks(execute=False):
        document = document_issue(data=document_data(), user=admin_user, source=None)
    settings.DOCUMENTS_FONT_PATH = ""
    monkeypatch.setattr(fonts, "FONT_SEARCH_PATHS", ("/nonexistent/ipaexg.ttf",))
    fonts._load.cache_clear()
    try:
        with pytest.raises(DocumentFontMissing):
            document_render(document)
        document.refresh_from_db()
        assert (document.render_status, document.pdf.name, document.sha256) == (RenderStatus.FAILED, "", "")
        assert document.render_error.startswith("DocumentFontMissing: ")
    finally:
        monkeypatch.undo()
        fonts._load.cache_clear()
    document_render(document)
    assert document.render_status == RenderStatus.RENDERED
    with document.pdf.open("rb") as file:
        assert b"/FontFile2" in file.read()


def test_the_cid_fallback_only_when_a_setting_allows_it(
    admin_user, company, no_font, django_capture_on_commit_callbacks
):
    no_font.DOCUMENTS_ALLOW_CID_FONT = True
    with django_capture_on_commit_callbacks(execute=True):
        document = document_issue(data=document_data(), user=admin_user, source=None)
    document.refresh_from_db()
    with document.pdf.open("rb") as file:
        pdf = file.read()
    assert b"HeiseiKakuGo-W5" in pdf
    assert b"/FontFile2" not in pdf


def test_check_document_font_names_the_font_or_says_how_to_install_one(no_font, capsys):
    with pytest.raises(CommandError) as raised:
        call_command("check_document_font")
    assert raised.value.returncode == 1
    assert str(raised.value) == (
        "Documents are not issued without an embedded Japanese TrueType font. Install one (Debian/Ubuntu: "
        "apt-get install fonts-ipaexfont) or set DOCUMENTS_FONT_PATH to a .ttf file. (/nonexistent/ipaexg.ttf "
        "does not exist)\n"
        "  Debian/Ubuntu: sudo apt-get install fonts-ipaexfont   (make demo does it when run as root)\n"
        "  elsewhere: DOCUMENTS_FONT_PATH=/path/to/a/japanese-font.ttf (OpenType/CFF fonts such as Noto Sans CJK "
        "do not load)"
    )


def test_check_document_font_with_the_font_installed(capsys):
    call_command("check_document_font")
    assert capsys.readouterr().out == "PDFs embed /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf\n"


def test_load_demo_without_the_font_stops_before_writing_anything(no_font):
    with pytest.raises(CommandError, match="DOCUMENTS_FONT_PATH"):
        call_command("load_demo", stdout=io.StringIO())
    assert not Customer.objects.exists()
    assert not IssuedDocument.objects.exists()
    assert not AuditEvent.objects.exists()
