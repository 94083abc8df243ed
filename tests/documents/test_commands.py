import csv
import io
import zipfile

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def test_verify_documents_passes_on_an_intact_archive(issue, capsys):
    issue()
    issue()
    call_command("verify_documents")
    assert "2 PDFs checked, 0 problems, 0 not rendered yet." in capsys.readouterr().out


def test_verify_documents_fails_on_a_changed_pdf(issue, capsys):
    document = issue()
    with open(document.pdf.path, "r+b") as file:
        file.seek(100)
        file.write(b"X")
    with pytest.raises(CommandError, match="1 PDFs checked, 1 problems"):
        call_command("verify_documents")
    assert f"{document.number} (id {document.pk}): mismatch; expected {document.sha256}" in capsys.readouterr().err


def test_export_documents_writes_the_zip(issue, tmp_path, capsys):
    document = issue()
    output = tmp_path / "export.zip"
    call_command("export_documents", "--from", "2026-11-01", "--to", "2026-11-30", "--output", str(output))
    assert "1 documents written" in capsys.readouterr().out
    archive = zipfile.ZipFile(output)
    assert sorted(archive.namelist()) == ["index.csv", "pdf/2026-11/INV-2026-000001.pdf"]
    rows = list(csv.reader(io.StringIO(archive.read("index.csv").decode("utf-8-sig"))))
    assert rows[1][:7] == ["2026-11-21", "請求書", "INV-2026-000001", "得意先", "1", "株式会社山田製作所", "5975"]
    assert rows[1][8] == document.sha256


def test_export_documents_refuses_a_bad_range(tmp_path):
    with pytest.raises(CommandError):
        call_command("export_documents", "--from", "2026-12-01", "--to", "2026-11-01", "--output", str(tmp_path / "x"))


def test_render_documents_renders_what_is_pending(admin_user, company, django_capture_on_commit_callbacks, capsys):
    from documents.services import document_issue

    from .factories import document_data

    with django_capture_on_commit_callbacks(execute=False):
        document = document_issue(data=document_data(), user=admin_user, source=None)
    call_command("render_documents")
    assert "1 PDFs rendered." in capsys.readouterr().out
    document.refresh_from_db()
    assert document.is_rendered
