"""Document number prefixes changed by a sales admin: a new prefix starts with a fiscal year
(the current one only while it has no number of the kind), issued documents keep their
numbers, kinds never share a sequence, every change kept and audited; and the screen."""

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation

from backoffice.exceptions import InvalidInput, NotAllowed, StateConflict
from backoffice.models import AuditEvent
from documents import numbering
from documents.models import DocumentCounter, IssuedDocument, NumberPrefix
from documents.services import (
    document_issue,
    number_prefix_cancel,
    number_prefix_schedule,
    number_take,
)
from documents.services import issue as issuing
from documents.types import DocumentKind
from tests.factories import complete_company_profile, make_user

from .factories import document_data

pytestmark = pytest.mark.django_db

# Fiscal years start in April (the company default): 2026-11-25 is in fiscal year 2026.
TODAY = dt.date(2026, 11, 25)
APRIL_2027 = dt.date(2027, 4, 1)


@pytest.fixture
def today():
    return TODAY


def schedule(user, kind=DocumentKind.INVOICE, prefix="SEI", year=2027):
    return number_prefix_schedule(kind=kind, prefix=prefix, from_fiscal_year=year, user=user)


def test_a_kind_with_numbers_this_year_changes_from_next_year_and_keeps_its_numbers(admin_user, issue):
    first = issue()
    assert first.number == "INV-2026-000001"

    with pytest.raises(StateConflict) as refused:
        schedule(admin_user, year=2026)
    assert refused.value.field == "from_fiscal_year"
    assert "INV-2026-000001" in str(refused.value.message)
    assert "2027" in str(refused.value.message)
    assert NumberPrefix.objects.count() == 0

    rows = schedule(admin_user, prefix="sei")  # typed in lower case: stored as the prefix prints

    # invoices and consolidated invoices share one sequence: they change together
    assert sorted((row.kind, row.prefix, row.from_fiscal_year) for row in rows) == [
        ("consolidated_invoice", "SEI", 2027),
        ("invoice", "SEI", 2027),
    ]
    # the rest of fiscal year 2026 goes on with INV, without a gap
    assert issue(document_data(document_date=dt.date(2027, 3, 31))).number == "INV-2026-000002"
    # fiscal year 2027 starts the new sequence at 1, shared by both kinds
    assert issue(document_data(document_date=APRIL_2027)).number == "SEI-2027-000001"
    assert (
        issue(document_data(DocumentKind.CONSOLIDATED_INVOICE, document_date=dt.date(2027, 4, 30))).number
        == "SEI-2027-000002"
    )
    assert issue(document_data(DocumentKind.QUOTE, document_date=APRIL_2027)).number == "Q-2027-000001"
    first.refresh_from_db()
    assert first.number == "INV-2026-000001"  # an issued document is never renumbered
    assert not DocumentCounter.objects.filter(prefix="INV", fiscal_year=2027, last_value__gt=0).exists()
    events = AuditEvent.objects.filter(action="document.number_prefix.schedule")
    assert sorted(e.changes["kind"] for e in events) == ["consolidated_invoice", "invoice"]
    assert {e.actor_id for e in events} == {admin_user.pk}


def test_the_current_year_while_no_number_of_the_kind_has_been_drawn(admin_user, issue):
    issue()  # an invoice: the quotes' sequence of 2026 is still empty

    schedule(admin_user, kind=DocumentKind.QUOTE, prefix="MITSU", year=2026)

    assert issue(document_data(DocumentKind.QUOTE)).number == "MITSU-2026-000001"
    assert issue(document_data(DocumentKind.QUOTE)).number == "MITSU-2026-000002"
    assert numbering.prefix_for(DocumentKind.QUOTE, 2025) == "Q"  # earlier years keep theirs
    # a second change of the same year is refused: that year has numbers now
    with pytest.raises(StateConflict) as refused:
        schedule(admin_user, kind=DocumentKind.QUOTE, prefix="MT", year=2026)
    assert refused.value.field == "from_fiscal_year"


def test_a_number_held_from_before_the_change_is_still_issued(admin_user, company, issue):
    """An order took SO-2026-000001 at confirmation; its 注文請書 is issued after SO changed
    from 2027: the number belongs to SO's 2026 sequence, which keeps that prefix."""
    with transaction.atomic():
        held = number_take(kind=DocumentKind.ORDER_CONFIRMATION, document_date=TODAY, start_month=4)
    schedule(admin_user, kind=DocumentKind.ORDER_CONFIRMATION, prefix="JC")

    document = issue(document_data(DocumentKind.ORDER_CONFIRMATION), number=held)

    assert document.number == held == "SO-2026-000001"
    with transaction.atomic():
        later = number_take(kind=DocumentKind.ORDER_CONFIRMATION, document_date=APRIL_2027, start_month=4)
    assert later == "JC-2027-000001"


@pytest.mark.parametrize(
    ("kind", "prefix", "year", "field", "says"),
    [
        ("invoice", "", 2027, "prefix", "Enter the prefix"),
        ("invoice", "SEI-1", 2027, "prefix", "A-Z"),
        ("invoice", "SEI 1", 2027, "prefix", "A-Z"),
        ("invoice", "1SEI", 2027, "prefix", "starting with a letter"),
        ("invoice", "請求", 2027, "prefix", "A-Z"),
        ("invoice", "ABCDEFGHIJK", 2027, "prefix", "10"),
        ("invoice", "CN", 2027, "prefix", "適格返還請求書（返品・値引）"),  # the credit notes' prefix
        ("credit_note", "INV", 2027, "prefix", "請求書"),
        ("invoice", "INV", 2027, "prefix", "already"),
        ("invoice", "SEI", 2025, "from_fiscal_year", "2025"),
        ("invoice", "SEI", 2032, "from_fiscal_year", "2031"),
        ("invoice", "SEI", "来年", "from_fiscal_year", "2027"),
        ("receipt", "RC", 2027, "kind", "kind"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(admin_user, company, kind, prefix, year, field, says):
    # The msgids (English) are checked; the screens show their Japanese translations.
    with translation.override("en"), pytest.raises(InvalidInput) as refused:
        number_prefix_schedule(kind=kind, prefix=prefix, from_fiscal_year=year, user=admin_user)

    assert refused.value.field == field
    assert says in str(refused.value.message)
    assert NumberPrefix.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="document.number_prefix").exists()


def test_full_width_input_is_the_half_width_prefix(admin_user, company):
    (row, _consolidated) = schedule(admin_user, prefix="ｓｅｉ２")
    assert row.prefix == "SEI2"


def test_a_prefix_taken_by_another_kind_later_is_refused_too(admin_user, company):
    schedule(admin_user, kind=DocumentKind.QUOTE, prefix="MITSU", year=2028)

    with pytest.raises(InvalidInput) as refused:
        schedule(admin_user, kind=DocumentKind.DELIVERY_NOTE, prefix="MITSU", year=2027)

    assert refused.value.field == "prefix"
    assert "御見積書" in str(refused.value.message)


def test_only_sales_admins_change_prefixes(rep_user, manager_user, company):
    for user in (rep_user, manager_user):
        with pytest.raises(NotAllowed):
            schedule(user)
    assert NumberPrefix.objects.count() == 0


def test_a_scheduled_change_is_cancelled_and_kept_until_a_number_uses_it(admin_user, issue):
    rows = schedule(admin_user)
    number_prefix_cancel(change=rows[0], user=admin_user)

    assert issue(document_data(document_date=APRIL_2027)).number == "INV-2027-000001"
    assert sorted((r.kind, r.prefix, r.cancelled_by_id is not None) for r in NumberPrefix.objects.all()) == [
        ("consolidated_invoice", "SEI", True),
        ("invoice", "SEI", True),
    ]
    with pytest.raises(StateConflict):
        number_prefix_cancel(change=rows[0], user=admin_user)  # already cancelled

    # the quotes' change is used by a number of 2027 (a quote dated ahead): it stays
    (quote_change,) = schedule(admin_user, kind=DocumentKind.QUOTE, prefix="MITSU", year=2027)
    assert issue(document_data(DocumentKind.QUOTE, document_date=APRIL_2027)).number == "MITSU-2027-000001"
    with pytest.raises(StateConflict) as refused:
        number_prefix_cancel(change=quote_change, user=admin_user)
    assert "MITSU-2027-000001" in str(refused.value.message)
    assert NumberPrefix.objects.get(pk=quote_change.pk).cancelled_at is None
    assert AuditEvent.objects.filter(action="document.number_prefix.cancel").count() == 2


# --- the screen ------------------------------------------------------------------------


def test_the_screen_shows_the_prefixes_and_schedules_a_change(client, admin_user, issue):
    issue()
    client.force_login(admin_user)
    url = reverse("documents:number_prefixes")

    page = client.get(url).content.decode()
    assert "INV-2026-000001" in page  # the last number this year
    assert 'data-kind="invoice"' in page and 'data-kind="consolidated_invoice"' not in page  # one sequence

    refused = client.post(url, {"kind": "invoice", "prefix": "SEI", "from_fiscal_year": "2026"})
    assert refused.status_code == 400
    assert "INV-2026-000001" in refused.context["form"].errors["from_fiscal_year"][0]
    assert NumberPrefix.objects.count() == 0

    bad = client.post(url, {"kind": "invoice", "prefix": "SEI-1", "from_fiscal_year": "2027"})
    assert bad.status_code == 400
    assert list(bad.context["form"].errors) == ["prefix"]
    assert 'value="SEI-1"' in bad.content.decode()  # the input stays

    done = client.post(url, {"kind": "invoice", "prefix": "SEI", "from_fiscal_year": "2027"}, follow=True)
    assert done.redirect_chain == [(url, 302)]
    page = done.content.decode()
    assert "SEI-2027-000001" in page
    # The confirmation names the kind whose numbers change, and the history the fiscal year.
    (message,) = [str(m) for m in done.context["messages"]]
    assert "請求書・合計請求書" in message and "SEI" in message and "2027" in message
    assert '<td data-label="適用開始年度">2027年度</td>' in page
    (change,) = NumberPrefix.objects.filter(kind="invoice")

    cancelled = client.post(reverse("documents:number_prefix_cancel", args=[change.pk]), follow=True)
    assert cancelled.status_code == 200
    (message,) = [str(m) for m in cancelled.context["messages"]]
    assert "請求書・合計請求書" in message and "SEI" in message and "2027" in message
    assert NumberPrefix.objects.filter(cancelled_at__isnull=False).count() == 2


def test_the_screen_is_for_sales_admins(client, rep_user, manager_user, company):
    for user in (rep_user, manager_user):
        client.force_login(user)
        assert client.get(reverse("documents:number_prefixes")).status_code == 403
        response = client.post(
            reverse("documents:number_prefixes"), {"kind": "invoice", "prefix": "SEI", "from_fiscal_year": "2027"}
        )
        assert response.status_code == 403
    assert NumberPrefix.objects.count() == 0


def test_the_django_admin_adds_through_the_service(client, company):
    superuser = make_user(None, username="root", is_superuser=True, is_staff=True)
    client.force_login(superuser)

    response = client.post(
        reverse("admin:documents_numberprefix_add"), {"kind": "invoice", "prefix": "ｓｅｉ", "from_fiscal_year": "2027"}
    )

    assert response.status_code == 302
    assert sorted(NumberPrefix.objects.values_list("kind", "prefix")) == [
        ("consolidated_invoice", "SEI"),
        ("invoice", "SEI"),
    ]
    refused = client.post(
        reverse("admin:documents_numberprefix_add"), {"kind": "quote", "prefix": "SEI", "from_fiscal_year": "2027"}
    )
    assert refused.status_code == 302  # back to the form with the reason as a message
    assert NumberPrefix.objects.filter(kind="quote").count() == 0


# --- concurrency (PostgreSQL) ----------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_issue_racing_the_change_takes_the_new_prefix_and_leaves_no_gap(monkeypatch):
    """An issue reads the old prefix, then the change commits for the current year before
    the issue takes its number: the issue takes 000001 of the new prefix, and the old
    prefix has no number of that year."""
    complete_company_profile()
    admin = make_user(None, username="settings-admin", is_superuser=True)
    issuer = make_user(None, username="issuer", is_superuser=True)
    monkeypatch.setattr(issuing, "_schedule_render", lambda documents: None)  # numbering only
    read_old_prefix, change_committed = threading.Event(), threading.Event()
    original = numbering.prefix_for
    calls = []

    def slow_prefix_for(kind, fiscal_year=None):
        prefix = original(kind, fiscal_year)
        if threading.current_thread().name == "issuer" and not calls:
            calls.append(prefix)
            read_old_prefix.set()
            change_committed.wait(10)
        return prefix

    monkeypatch.setattr(numbering, "prefix_for", slow_prefix_for)
    numbers, errors = [], []

    def issue_one():
        try:
            with transaction.atomic():
                numbers.append(document_issue(data=document_data(DocumentKind.QUOTE), user=issuer, source=None).number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=issue_one, name="issuer")
    thread.start()
    assert read_old_prefix.wait(10)
    try:
        number_prefix_schedule(kind="quote", prefix="MITSU", from_fiscal_year=2026, user=admin)
    finally:
        change_committed.set()
    thread.join()

    assert errors == []
    assert calls == ["Q"]
    assert numbers == ["MITSU-2026-000001"]
    assert DocumentCounter.objects.get(prefix="Q", fiscal_year=2026).last_value == 0
    assert list(IssuedDocument.objects.values_list("number", flat=True)) == ["MITSU-2026-000001"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_issues_and_a_change_of_the_current_year_stay_one_gapless_sequence(monkeypatch):
    """8 threads issue quotes while a ninth changes the quotes' prefix from this year:
    either the change came first (every number is MITSU) or it is refused (every number
    is Q); in both cases the numbers are 1..N of one prefix."""
    complete_company_profile()
    admin = make_user(None, username="settings-admin", is_superuser=True)
    issuer = make_user(None, username="issuer", is_superuser=True)
    monkeypatch.setattr(issuing, "_schedule_render", lambda documents: None)
    workers, per_worker = 8, 10
    start = threading.Barrier(workers + 1)
    outcome, errors = [], []

    def issuing_worker():
        try:
            start.wait()
            for _ in range(per_worker):
                with transaction.atomic():
                    document_issue(data=document_data(DocumentKind.QUOTE), user=issuer, source=None)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    def changing_worker():
        try:
            start.wait()
            number_prefix_schedule(kind="quote", prefix="MITSU", from_fiscal_year=2026, user=admin)
            outcome.append("changed")
        except StateConflict:
            outcome.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=issuing_worker) for _ in range(workers)]
    threads.append(threading.Thread(target=changing_worker))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    total = workers * per_worker
    prefix = "MITSU" if outcome == ["changed"] else "Q"
    assert sorted(IssuedDocument.objects.values_list("number", flat=True)) == [
        f"{prefix}-2026-{n:06d}" for n in range(1, total + 1)
    ]
    other = "Q" if prefix == "MITSU" else "MITSU"
    assert not DocumentCounter.objects.filter(prefix=other, fiscal_year=2026, last_value__gt=0).exists()
