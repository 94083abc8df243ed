import dataclasses
import datetime as dt
import hashlib
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.models import AuditEvent, BankAccount, CompanyProfile
from backoffice.money import compute_totals
from documents.models import DocumentCounter, IssuedDocument, RenderStatus
from documents.services import document_issue, document_render, documents_render_pending
from documents.types import DocumentKind, DocumentLine

from .factories import document_data, numbered_lines

pytestmark = pytest.mark.django_db


def counter_value(prefix="INV", year=2026):
    counter = DocumentCounter.objects.filter(prefix=prefix, fiscal_year=year).first()
    return counter.last_value if counter else 0


def test_issue_numbers_stores_snapshot_audits_and_renders_after_commit(
    admin_user, company, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = document_issue(data=document_data(), user=admin_user, source=("orders.invoice", 7))

    # Before commit: numbered and archived, the PDF pending.
    assert document.number == "INV-2026-000001"
    assert (document.kind, document.revision, document.fiscal_year, document.sequence) == ("invoice", 1, 2026, 1)
    assert document.render_status == RenderStatus.PENDING
    assert document.amount == Decimal("5975")  # 3,579 + 1,888 + tax 357 + 151 (FIELD-NOTES example)
    assert (document.counterparty_kind, document.counterparty_id) == ("customer", 1)
    assert document.counterparty_name == "株式会社山田製作所"
    assert (document.source_type, document.source_id) == ("orders.invoice", "7")
    assert document.data["number"] == "INV-2026-000001"
    assert document.data["issuer"]["registration_number"] == "T7000012050002"
    assert document.data["document"]["totals"]["breakdown"] == [
        {"rate": 10, "subtotal": "3579", "tax": "357"},
        {"rate": 8, "subtotal": "1888", "tax": "151"},
    ]
    event = AuditEvent.objects.get(action="document.issue")
    assert event.object_id == str(document.pk)
    assert event.changes["number"] == "INV-2026-000001"
    assert len(callbacks) == 1

    callbacks[0]()  # the commit: the render task runs (eagerly)
    document.refresh_from_db()
    assert document.render_status == RenderStatus.RENDERED
    assert len(document.sha256) == 64
    assert document.pdf.name == "documents/invoice/2026/INV-2026-000001.pdf"
    assert default_storage.open(document.pdf.name).read()[:5] == b"%PDF-"


def test_numbers_follow_each_other_per_prefix_and_fiscal_year(issue, company):
    assert issue().number == "INV-2026-000001"
    assert issue().number == "INV-2026-000002"
    assert issue(document_data(DocumentKind.QUOTE)).number == "Q-2026-000001"
    assert issue(document_data(DocumentKind.DELIVERY_NOTE)).number == "DN-2026-000001"
    assert issue(document_data(DocumentKind.ORDER_CONFIRMATION)).number == "SO-2026-000001"
    assert issue(document_data(DocumentKind.CREDIT_NOTE)).number == "CN-2026-000001"
    assert issue(document_data(DocumentKind.PURCHASE_ORDER)).number == "PO-2026-000001"
    # A consolidated invoice shares the INV sequence: the numbers never collide.
    assert issue(document_data(DocumentKind.CONSOLIDATED_INVOICE)).number == "INV-2026-000003"
    # The fiscal year starts in April (the company default): March 2027 is still 2026.
    assert issue(document_data(document_date=dt.date(2027, 3, 31))).number == "INV-2026-000004"
    assert issue(document_data(document_date=dt.date(2027, 4, 1))).number == "INV-2027-000001"
    assert issue(document_data(document_date=dt.date(2026, 3, 31))).number == "INV-2025-000001"


def test_fiscal_year_follows_the_company_profile(issue, company):
    CompanyProfile.objects.filter(pk=company.pk).update(fiscal_year_start_month=1)
    assert issue(document_data(document_date=dt.date(2027, 3, 31))).number == "INV-2027-000001"


def test_prefixes_come_from_settings(issue, settings):
    settings.DOCUMENTS_NUMBER_PREFIXES = {"invoice": "SEI", "quote": "MITSU"}
    assert issue().number == "SEI-2026-000001"
    assert issue(document_data(DocumentKind.QUOTE)).number == "MITSU-2026-000001"
    assert issue(document_data(DocumentKind.CONSOLIDATED_INVOICE)).number == "INV-2026-000001"


def test_a_rolled_back_issue_gives_its_number_back(admin_user, company, issue):
    issue()
    with pytest.raises(RuntimeError), transaction.atomic():
        document_issue(data=document_data(), user=admin_user, source=None)
        raise RuntimeError("the caller's transaction fails after issuing")
    assert counter_value() == 1
    assert issue().number == "INV-2026-000002"
    assert list(IssuedDocument.objects.values_list("sequence", flat=True).order_by("sequence")) == [1, 2]


def test_quote_revision_keeps_the_base_number(issue):
    original = issue(document_data(DocumentKind.QUOTE))
    second = issue(document_data(DocumentKind.QUOTE, subject="改訂"), supersedes=original)
    third = issue(document_data(DocumentKind.QUOTE), revision_of_number="Q-2026-000001")
    assert [original.number, second.number, third.number] == ["Q-2026-000001", "Q-2026-000001-2", "Q-2026-000001-3"]
    assert (second.revision, second.supersedes, second.sequence) == (2, original, 1)
    assert third.supersedes == second
    assert counter_value("Q") == 1  # a revision takes no new number
    assert issue(document_data(DocumentKind.QUOTE)).number == "Q-2026-000002"


def test_revising_an_outdated_revision_is_a_conflict(issue):
    original = issue(document_data(DocumentKind.QUOTE))
    issue(document_data(DocumentKind.QUOTE), supersedes=original)
    # Found under the revisions' lock, so it fails the caller's transaction (here its own atomic).
    with pytest.raises(StateConflict) as error, transaction.atomic():
        issue(document_data(DocumentKind.QUOTE), supersedes=original)
    assert error.value.field == "supersedes"
    with pytest.raises(InvalidInput) as error, transaction.atomic():
        issue(document_data(DocumentKind.QUOTE), revision_of_number="Q-2026-000099")
    assert error.value.field == "revision_of_number"


def test_credit_note_points_at_the_invoice_with_its_own_number(issue):
    invoice = issue()
    credit = issue(document_data(DocumentKind.CREDIT_NOTE), supersedes=invoice)
    assert credit.number == "CN-2026-000001"
    assert credit.supersedes == invoice
    assert list(invoice.superseded_by.all()) == [credit]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"lines": []}, "lines"),
        ({"recipient": None}, "recipient"),
        ({"recipient": "blank name"}, "recipient.name"),
        ({"recipient": "double honorific"}, "recipient.name"),
        ({"lines": "bad rate"}, "lines[0].tax_rate"),
        ({"lines": "float price"}, "lines[0].unit_price"),
        ({"totals": "wrong"}, "totals"),
        ({"extra": {"due_date": "2026-12-31"}}, "extra.due_date"),
        ({"extra": {"colour": "red"}}, "extra.colour"),
        ({"extra": {}}, "extra.due_date"),
    ],
)
def test_bad_input_names_the_field_and_takes_no_number(admin_user, company, change, field):
    data = document_data()
    line = data.lines[0]
    if change.get("recipient") == "blank name":
        change = {"recipient": dataclasses.replace(data.recipient, name="  ")}
    elif change.get("recipient") == "double honorific":
        change = {"recipient": dataclasses.replace(data.recipient, name="株式会社山田製作所 御中")}
    elif change.get("lines") == "bad rate":
        change = {"lines": [dataclasses.replace(line, tax_rate=5)]}
    elif change.get("lines") == "float price":
        change = {"lines": [dataclasses.replace(line, unit_price=1234.0)]}
    elif change.get("totals") == "wrong":
        change = {"totals": compute_totals([(10, Decimal("999"))])}
    with pytest.raises(InvalidInput) as error:
        document_issue(data=dataclasses.replace(data, **change), user=admin_user, source=None)
    assert error.value.field == field
    assert counter_value() == 0
    assert not IssuedDocument.objects.exists()


def test_too_many_lines_is_refused(admin_user, company):
    with pytest.raises(InvalidInput) as error:
        document_issue(data=document_data(lines=numbered_lines(501)), user=admin_user, source=None)
    assert error.value.field == "lines"


@pytest.mark.parametrize(
    ("missing", "field"),
    [
        ({"registration_number": ""}, "company.registration_number"),
        ({"address": ""}, "company.address"),
        ({"name": "(未設定)"}, "company.name"),
    ],
)
def test_an_invoice_needs_a_complete_company_profile(admin_user, company, missing, field):
    CompanyProfile.objects.filter(pk=company.pk).update(**missing)
    with pytest.raises(InvalidInput) as error:
        document_issue(data=document_data(), user=admin_user, source=None)
    assert error.value.field == field
    assert str(error.value)
    assert counter_value() == 0


def test_an_invoice_needs_a_bank_account_but_a_quote_does_not(admin_user, company, issue):
    BankAccount.objects.all().delete()
    CompanyProfile.objects.filter(pk=company.pk).update(registration_number="")
    with pytest.raises(InvalidInput) as error:
        document_issue(data=document_data(), user=admin_user, source=None)
    assert error.value.field == "company.registration_number"
    assert issue(document_data(DocumentKind.QUOTE)).number == "Q-2026-000001"


def test_validation_errors_are_in_japanese_by_default(admin_user, company):
    with pytest.raises(InvalidInput) as error:
        document_issue(data=document_data(lines=[]), user=admin_user, source=None)
    assert str(error.value) == "明細が1行以上必要です。"


def test_consolidated_invoice_checks_the_carried_over_amount(admin_user, company):
    data = document_data(DocumentKind.CONSOLIDATED_INVOICE, carried_over=Decimal("1"))
    with pytest.raises(InvalidInput) as error:
        document_issue(data=data, user=admin_user, source=None)
    assert error.value.field == "extra.carried_over"


def test_a_failed_render_is_recorded_and_retried(admin_user, company, django_capture_on_commit_callbacks, monkeypatch):
    from documents.services import archive

    real = archive.render_pdf

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(archive, "render_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        document = document_issue(data=document_data(), user=admin_user, source=None)
    document.refresh_from_db()
    assert document.render_status == RenderStatus.FAILED
    assert document.render_error == "OSError: disk full"
    assert document.number == "INV-2026-000001"  # issued all the same

    monkeypatch.setattr(archive, "render_pdf", real)
    assert documents_render_pending() == 1
    document.refresh_from_db()
    assert (document.render_status, document.render_error) == (RenderStatus.RENDERED, "")


def test_each_document_of_a_transaction_is_rendered_after_its_commit(
    admin_user, company, django_capture_on_commit_callbacks, django_assert_num_queries
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        first = document_issue(data=document_data(), user=admin_user, source=None)
        second = document_issue(data=document_data(DocumentKind.DELIVERY_NOTE), user=admin_user, source=None)
    assert len(callbacks) == 2  # one render step per document issued
    for callback in callbacks:
        with django_assert_num_queries(1):  # its PDF recorded in one statement
            callback()
    stored = {d.number: (d.render_status, d.pdf.name, d.sha256) for d in IssuedDocument.objects.all()}
    assert stored == {
        "INV-2026-000001": (RenderStatus.RENDERED, "documents/invoice/2026/INV-2026-000001.pdf", first.sha256),
        "DN-2026-000001": (RenderStatus.RENDERED, "documents/delivery_note/2026/DN-2026-000001.pdf", second.sha256),
    }
    for document in (first, second):
        assert len(document.sha256) == 64
        with default_storage.open(document.pdf.name) as file:
            assert hashlib.sha256(file.read()).hexdigest() == document.sha256


def test_a_document_of_a_rolled_back_savepoint_is_not_rendered(admin_user, company, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        kept = document_issue(data=document_data(), user=admin_user, source=None)
        with pytest.raises(RuntimeError), transaction.atomic():
            document_issue(data=document_data(DocumentKind.DELIVERY_NOTE), user=admin_user, source=None)
            raise RuntimeError("the caller's step fails after issuing")
    assert len(callbacks) == 1
    kept.refresh_from_db()
    assert kept.render_status == RenderStatus.RENDERED
    assert list(IssuedDocument.objects.values_list("number", flat=True)) == ["INV-2026-000001"]


def test_a_document_stored_meanwhile_keeps_the_other_renderers_file(
    admin_user, company, django_capture_on_commit_callbacks
):
    from documents.services import documents_render

    with django_capture_on_commit_callbacks(execute=False):
        first = document_issue(data=document_data(), user=admin_user, source=None)
        second = document_issue(data=document_data(), user=admin_user, source=None)
    elsewhere = IssuedDocument.objects.get(pk=first.pk)
    document_render(elsewhere)  # another worker got there first
    theirs = elsewhere.pdf.name
    before = set(default_storage.listdir("documents/invoice/2026")[1])

    documents_render([first, second])  # `first` still looks pending here

    assert (first.pdf.name, first.sha256) == (theirs, elsewhere.sha256)
    assert second.render_status == RenderStatus.RENDERED
    files = set(default_storage.listdir("documents/invoice/2026")[1])
    assert files - before == {second.pdf.name.rsplit("/", 1)[1]}  # our copy of `first` was dropped


def test_rendering_is_idempotent(issue):
    document = issue()
    name, digest = document.pdf.name, document.sha256
    assert document_render(document).pdf.name == name
    document.refresh_from_db()
    assert (document.pdf.name, document.sha256) == (name, digest)


def test_the_snapshot_keeps_the_issuer_as_it_was(issue, company):
    document = issue()
    CompanyProfile.objects.filter(pk=company.pk).update(name="株式会社新社名")
    assert document.data["issuer"]["name"] == "株式会社サンプル商事"


def test_lines_are_stored_exactly(issue):
    line = DocumentLine("X-1", "端数のある単価", 3, "kg", Decimal("333.33"), Decimal("999"), 10, note="ロット A")
    document = issue(document_data(lines=[line]))
    assert document.data["document"]["lines"] == [
        {
            "sku": "X-1",
            "name": "端数のある単価",
            "quantity": 3,
            "unit": "kg",
            "unit_price": "333.33",
            "amount": "999",
            "tax_rate": 10,
            "note": "ロット A",
        }
    ]


def test_a_profile_the_caller_holds_is_not_read_again(admin_user, company, django_capture_on_commit_callbacks):
    profile = CompanyProfile.objects.get()  # as a service that priced the lines holds it
    with django_capture_on_commit_callbacks(execute=False):
        document_issue(data=document_data(), user=admin_user, source=None)  # the counter row exists from here
        with CaptureQueriesContext(connection) as passed:
            first = document_issue(data=document_data(), user=admin_user, source=None, profile=profile)
        with CaptureQueriesContext(connection) as read:
            second = document_issue(data=document_data(), user=admin_user, source=None)

    profile_reads = [q["sql"] for q in passed.captured_queries if "backoffice_companyprofile" in q["sql"]]
    assert profile_reads == []
    assert len(read.captured_queries) == len(passed.captured_queries) + 1  # the profile itself
    assert first.data["issuer"] == second.data["issuer"]
    assert first.data["issuer"]["bank_accounts"]  # the accounts of the profile given were loaded
