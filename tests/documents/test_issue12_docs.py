"""Issue #12, items 16 and 17: stored PDFs are served only as they were stored, and no
document is issued without a TrueType font embedded in its PDF."""

import csv
import hashlib
import io
import zipfile

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from backoffice.models import AuditEvent
from documents.exceptions import DocumentPDFTampered
from documents.services import document_send
from documents.types import DocumentKind

from .factories import document_data

pytestmark = pytest.mark.django_db

URL = "/api/v1/documents/"


def tamper(document):
    with open(document.pdf.path, "r+b") as file:
        file.seek(100)
        file.write(b"X")


def events(document, action):
    return list(
        AuditEvent.objects.filter(object_id=str(document.pk), action=action).values_list("actor__username", "changes")
    )


# --- 16. a stored PDF is served only with the SHA-256 it was stored with -----------------------------------


def test_an_intact_pdf_is_served(admin_api, issue):
    document = issue()
    response = admin_api.get(f"{URL}{document.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="INV-2026-000001.pdf"' in response["Content-Disposition"]
    with document.pdf.open("rb") as file:
        assert b"".join(response.streaming_content) == file.read()
    assert not AuditEvent.objects.filter(action__startswith="document.pdf_").exists()


def test_a_tampered_pdf_is_refused_409_and_recorded(admin_api, admin_user, issue):
    document = issue()
    tamper(document)
    with document.pdf.open("rb") as file:
        actual = hashlib.sha256(file.read()).hexdigest()

    response = admin_api.get(f"{URL}{document.pk}/pdf/")

    assert response.status_code == 409
    assert response.json() == {
        "detail": "文書 INV-2026-000001 のPDFが改ざんされています（SHA-256 不一致）。",
        "code": "pdf_tampered",
        "number": "INV-2026-000001",
    }
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

    assert response.status_code == 410
    assert response.json() == {
        "detail": "文書 INV-2026-000001 のPDFファイルが見つかりません。",
        "code": "pdf_missing",
        "number": "INV-2026-000001",
    }
    assert events(document, "document.pdf_missing") == [
        ("admin1", {"file": "documents/invoice/2026/INV-2026-000001.pdf"})
    ]


def test_a_tampered_pdf_is_not_mailed_and_the_refusal_outlives_the_rolled_back_unit(
    admin_api, admin_user, issue, django_capture_on_commit_callbacks
):
    document = issue()
    tamper(document)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(f"{URL}{document.pk}/send/", {"to": ["keiri@customer.example.jp"]})

    assert response.status_code == 409
    assert response.json()["code"] == "pdf_tampered"
    assert not mail.outbox
    assert events(document, "document.send") == []  # the unit of work rolled back ...
    assert len(events(document, "document.pdf_tampered")) == 1  # ... its refusal is kept
    # the service itself, inside its own unit of work
    with pytest.raises(DocumentPDFTampered):
        document_send(document=document, user=admin_user, to=["keiri@customer.example.jp"])
    assert len(events(document, "document.pdf_tampered")) == 2


def test_the_export_holds_only_verified_pdfs(admin_api, issue):
    intact = issue()
    tampered = issue(document_data(DocumentKind.DELIVERY_NOTE))
    missing = issue(document_data(DocumentKind.QUOTE))
    tamper(tampered)
    missing.pdf.storage.delete(missing.pdf.name)

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


def test_verify_documents_reports_each_changed_and_missing_pdf_and_exits_non_zero(issue, capsys):
    intact = issue()
    tampered = issue(document_data(DocumentKind.DELIVERY_NOTE))
    missing = issue(document_data(DocumentKind.QUOTE))
    tamper(tampered)
    missing.pdf.storage.delete(missing.pdf.name)

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
