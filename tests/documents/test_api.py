import csv
import dataclasses
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from django.core import mail
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator

from backoffice.models import AuditEvent
from documents.services import document_issue
from documents.types import DocumentKind
from tests.factories import CustomerFactory

from .factories import customer_party, document_data, field_notes_lines

pytestmark = pytest.mark.django_db

URL = "/api/v1/documents/"


@pytest.fixture
def archive(issue, rep_user, other_rep):
    """Five documents: two for rep1's customer, two for rep2's, one to a supplier."""
    mine = CustomerFactory(sales_rep=rep_user, name="株式会社自社顧客")
    theirs = CustomerFactory(sales_rep=other_rep, name="株式会社他社顧客")
    lines = field_notes_lines()
    return {
        "mine_invoice": issue(document_data(recipient=customer_party(mine.pk, mine.name))),
        "mine_quote": issue(
            document_data(
                DocumentKind.QUOTE,
                recipient=customer_party(mine.pk, mine.name),
                lines=lines[:1],
                document_date=dt.date(2026, 10, 1),
            )
        ),
        "theirs_invoice": issue(
            document_data(
                recipient=customer_party(theirs.pk, theirs.name), lines=lines[2:], document_date=dt.date(2026, 12, 1)
            )
        ),
        "theirs_note": issue(
            document_data(DocumentKind.DELIVERY_NOTE, recipient=customer_party(theirs.pk, theirs.name))
        ),
        "supplier_po": issue(
            document_data(
                DocumentKind.PURCHASE_ORDER,
                recipient=dataclasses.replace(customer_party(900, "仕入先株式会社"), counterparty_kind="supplier"),
            )
        ),
        "mine": mine,
        "theirs": theirs,
    }


def numbers(response):
    assert response.status_code == 200, response.content
    return sorted(row["number"] for row in response.json()["results"])


def test_list_shows_the_archive_fields(admin_api, archive):
    response = admin_api.get(URL, {"number": "INV-2026-000001"})
    (row,) = response.json()["results"]
    document = archive["mine_invoice"]
    assert row == {
        "id": document.pk,
        "kind": "invoice",
        "number": "INV-2026-000001",
        "revision": 1,
        "issued_at": row["issued_at"],
        "issued_by": "admin1",
        "document_date": "2026-11-21",
        "counterparty": {"kind": "customer", "id": archive["mine"].pk, "name": "株式会社自社顧客"},
        "amount": "5975",
        "sha256": document.sha256,
        "render_status": "rendered",
        "pdf_url": f"http://testserver/api/v1/documents/{document.pk}/pdf/",
        "supersedes": None,
    }
    assert row["issued_at"].endswith("+09:00")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, ["DN-2026-000001", "INV-2026-000001", "INV-2026-000002", "PO-2026-000001", "Q-2026-000001"]),
        ({"kind": "invoice"}, ["INV-2026-000001", "INV-2026-000002"]),
        ({"number": "INV-2026-000002"}, ["INV-2026-000002"]),
        ({"date_from": "2026-11-21"}, ["DN-2026-000001", "INV-2026-000001", "INV-2026-000002", "PO-2026-000001"]),
        ({"date_to": "2026-11-20"}, ["Q-2026-000001"]),
        ({"date_from": "2026-11-22", "date_to": "2026-12-31"}, ["INV-2026-000002"]),
        ({"amount_min": "5975"}, ["DN-2026-000001", "INV-2026-000001", "PO-2026-000001"]),
        ({"amount_max": "2039"}, ["INV-2026-000002", "Q-2026-000001"]),  # 1,888 + 151; 1,234 + 123
        ({"amount_min": "1500", "amount_max": "2100"}, ["INV-2026-000002"]),
        ({"counterparty_kind": "supplier"}, ["PO-2026-000001"]),
        ({"counterparty_name": "他社"}, ["DN-2026-000001", "INV-2026-000002"]),
        ({"kind": "invoice", "date_from": "2026-11-01", "amount_min": "5000"}, ["INV-2026-000001"]),
    ],
)
def test_filters_combine(admin_api, archive, params, expected):
    assert numbers(admin_api.get(URL, params)) == expected


def test_filter_by_counterparty_id(admin_api, archive):
    theirs = archive["theirs"].pk
    assert numbers(admin_api.get(URL, {"counterparty": f"customer:{theirs}"})) == ["DN-2026-000001", "INV-2026-000002"]
    assert numbers(admin_api.get(URL, {"customer": theirs, "kind": "delivery_note"})) == ["DN-2026-000001"]


def test_bad_filter_values_are_400(admin_api, archive):
    response = admin_api.get(URL, {"date_from": "21/11/2026", "amount_min": "lots"})
    assert response.status_code == 400
    assert set(response.json()) == {"date_from", "amount_min"}


def test_a_rep_sees_only_their_own_customers_documents(rep_api, manager_api, archive):
    assert numbers(rep_api.get(URL)) == ["INV-2026-000001", "Q-2026-000001"]
    assert len(numbers(manager_api.get(URL))) == 5
    for hidden in ("theirs_invoice", "theirs_note", "supplier_po"):
        document = archive[hidden]
        assert rep_api.get(f"{URL}{document.pk}/").status_code == 404
        assert rep_api.get(f"{URL}{document.pk}/pdf/").status_code == 404
    assert rep_api.get(f"{URL}{archive['mine_invoice'].pk}/").status_code == 200


def test_a_user_without_a_role_sees_nothing(api_as, archive):
    from tests.factories import make_user

    assert api_as(make_user(None)).get(URL).status_code == 403


def test_list_query_count_does_not_grow_with_rows(admin_api, rep_api, archive, django_assert_num_queries):
    admin_api.get(URL)  # roles are cached on the user after the first request
    rep_api.get(URL)
    with django_assert_num_queries(2):  # count + page
        assert admin_api.get(URL).status_code == 200
    with django_assert_num_queries(2):  # the rep's customers are a subquery, not a query
        assert rep_api.get(URL).status_code == 200


def test_detail_has_the_snapshot_and_source(admin_api, archive):
    document = archive["mine_invoice"]
    body = admin_api.get(f"{URL}{document.pk}/").json()
    assert body["source"] == {"type": "orders.invoice", "id": "1"}
    assert body["fiscal_year"] == 2026
    assert body["data"]["document"]["totals"]["total"] == "5975"


def test_pdf_streams_the_stored_bytes(admin_api, archive):
    document = archive["mine_invoice"]
    response = admin_api.get(f"{URL}{document.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="INV-2026-000001.pdf"' in response["Content-Disposition"]
    with document.pdf.open("rb") as file:
        assert b"".join(response.streaming_content) == file.read()
    assert admin_api.get(f"{URL}{document.pk}/pdf/", HTTP_ACCEPT="application/pdf").status_code == 200


def test_pdf_of_a_pending_document_is_409_saying_so(admin_api, admin_user, company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        document = document_issue(data=document_data(), user=admin_user, source=None)
    response = admin_api.get(f"{URL}{document.pk}/pdf/")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "INV-2026-000001 のPDFは作成中です。",
        "render_status": "pending",
    }
    assert admin_api.get(URL).json()["results"][0]["pdf_url"] is None


def test_verify_reports_tampered_and_missing_files(admin_api, archive):
    assert admin_api.get(f"{URL}verify/").json() == {"ok": True, "checked": 5, "pending": 0, "problems": []}
    tampered, missing = archive["mine_invoice"], archive["theirs_note"]
    with open(tampered.pdf.path, "ab") as file:
        file.write(b"%")
    missing.pdf.storage.delete(missing.pdf.name)
    body = admin_api.get(f"{URL}verify/").json()
    assert (body["ok"], body["checked"]) == (False, 5)
    assert sorted((p["number"], p["problem"]) for p in body["problems"]) == [
        ("DN-2026-000001", "missing"),
        ("INV-2026-000001", "mismatch"),
    ]
    assert admin_api.get(f"{URL}verify/", {"kind": "quote"}).json()["ok"] is True


def test_verify_is_for_admins(rep_api, manager_api, archive):
    assert rep_api.get(f"{URL}verify/").status_code == 403
    assert manager_api.get(f"{URL}verify/").status_code == 403


def test_export_is_a_zip_of_pdfs_and_a_csv_index(admin_api, archive):
    response = admin_api.get(f"{URL}export/", {"date_from": "2026-11-01", "date_to": "2026-11-30"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="documents_20261101-20261130.zip"' in response["Content-Disposition"]
    archive_zip = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    index = archive_zip.read("index.csv")
    assert index.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(index.decode("utf-8-sig"))))
    header = ["取引年月日", "書類種別", "書類番号", "取引先区分", "取引先ID", "取引先名", "取引金額（税込）"]
    assert rows[0][:7] == header
    assert [(r[0], r[1], r[2], r[5], r[6], r[10]) for r in rows[1:]] == [
        ("2026-11-21", "納品書", "DN-2026-000001", "株式会社他社顧客", "5975", "OK"),
        ("2026-11-21", "請求書", "INV-2026-000001", "株式会社自社顧客", "5975", "OK"),
        ("2026-11-21", "発注書", "PO-2026-000001", "仕入先株式会社", "5975", "OK"),
    ]
    invoice = archive["mine_invoice"]
    with invoice.pdf.open("rb") as file:
        assert archive_zip.read("pdf/2026-11/INV-2026-000001.pdf") == file.read()
    assert len(archive_zip.namelist()) == 4


def test_export_needs_a_date_range(admin_api, rep_api, archive):
    response = admin_api.get(f"{URL}export/", {"date_from": "2026-11-30", "date_to": "2026-11-01"})
    assert response.status_code == 400
    assert "date_to" in response.json()
    assert set(admin_api.get(f"{URL}export/").json()) == {"date_from", "date_to"}
    assert rep_api.get(f"{URL}export/", {"date_from": "2026-11-01", "date_to": "2026-11-30"}).status_code == 403


def test_send_mails_the_pdf_and_records_it(admin_api, archive, django_capture_on_commit_callbacks):
    document = archive["mine_invoice"]
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(
            f"{URL}{document.pk}/send/",
            {
                "to": ["keiri@customer.example.jp"],
                "cc": ["rep@sample.example.jp"],
                "message": "よろしくお願いいたします。",
            },
        )
    assert response.status_code == 202, response.content
    (message,) = mail.outbox
    assert message.to == ["keiri@customer.example.jp"]
    assert message.cc == ["rep@sample.example.jp"]
    assert message.subject == "【株式会社サンプル商事】請求書 INV-2026-000001"
    assert message.body.startswith("株式会社自社顧客 御中\n")
    assert "よろしくお願いいたします。" in message.body
    ((filename, content, mimetype),) = message.attachments
    assert (filename, mimetype) == ("INV-2026-000001.pdf", "application/pdf")
    with document.pdf.open("rb") as file:
        assert content == file.read()
    actions = list(
        AuditEvent.objects.filter(object_type="documents.issueddocument", object_id=str(document.pk))
        .order_by("pk")
        .values_list("action", "changes")
    )
    assert actions[1:] == [
        ("document.send", {"to": ["keiri@customer.example.jp"], "cc": ["rep@sample.example.jp"]}),
        ("document.sent", {"to": ["keiri@customer.example.jp"], "cc": ["rep@sample.example.jp"]}),
    ]


def test_send_refuses_bad_addresses_and_other_reps_documents(admin_api, rep_api, archive):
    document = archive["mine_invoice"]
    response = admin_api.post(f"{URL}{document.pk}/send/", {"to": ["not-an-address"]})
    assert response.status_code == 400
    assert "to" in response.json()
    assert admin_api.post(f"{URL}{document.pk}/send/", {"to": []}).status_code == 400
    assert rep_api.post(f"{URL}{archive['theirs_invoice'].pk}/send/", {"to": ["a@b.jp"]}).status_code == 404
    assert not mail.outbox


def test_the_schema_has_no_warnings_about_documents():
    GENERATOR_STATS.reset()
    schema = SchemaGenerator(patterns=None).get_schema(request=None, public=True)
    assert {"/api/v1/documents/{id}/pdf/", "/api/v1/documents/export/", "/api/v1/documents/verify/"} <= set(
        schema["paths"]
    )
    messages = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    assert [m for m in messages if "Document" in m or "documents" in m] == []


def test_amounts_are_strings(admin_api, archive):
    amount = admin_api.get(URL).json()["results"][0]["amount"]
    assert isinstance(amount, str)
    assert Decimal(amount) > 0


def test_export_index_neutralises_formulas_in_names(admin_api, issue):
    from .factories import customer_party, document_data

    issue(document_data(recipient=customer_party(name='=HYPERLINK("http://x")')))

    response = admin_api.get(f"{URL}export/", {"date_from": "2026-11-01", "date_to": "2026-11-30"})

    archive_zip = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(csv.reader(io.StringIO(archive_zip.read("index.csv").decode("utf-8-sig"))))
    assert rows[1][5] == '\'=HYPERLINK("http://x")'
