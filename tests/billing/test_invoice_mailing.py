"""E-mailing a closing run's invoices: each to its customer's billing contacts (To/CC from
the customer), once; the send log (requested, delivered or failed, re-sent) complete; a
customer with no address reported; a failed mail (a backend that raises) re-sent."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from backoffice.exceptions import InvalidInput, NotAllowed, StateConflict
from billing import services
from billing.models import ClosingRun, Invoice
from documents.models import DocumentMailing
from orders.models import ContactPerson
from tests.billing.conftest import ship
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

NOVEMBER = dt.date(2026, 11, 30)


class FailingBackend(BaseEmailBackend):
    """The mail server refuses every message."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP server mail.example.jp refused the connection")


@pytest.fixture
def customers(company, rep_user):
    """Three 末締め customers: two flagged contacts and an own address; only an own
    address; no address at all."""
    yamada = CustomerFactory(code="C001", name="株式会社山田製作所", email="info@yamada.example.jp")
    ContactPerson.objects.create(
        customer=yamada, name="経理 花子", email="keiri@yamada.example.jp", receives_documents=True
    )
    ContactPerson.objects.create(customer=yamada, name="購買 太郎", email="buyer@yamada.example.jp")
    ContactPerson.objects.create(
        customer=yamada, name="経理 次郎", email="keiri2@yamada.example.jp", receives_documents=True
    )
    tanaka = CustomerFactory(code="C002", name="株式会社田中商店", email="tanaka@tanaka.example.jp")
    sato = CustomerFactory(code="C003", name="株式会社佐藤工業", email="")
    ContactPerson.objects.create(customer=sato, name="佐藤 一郎", email="", receives_documents=True)
    return yamada, tanaka, sato


@pytest.fixture
def run(admin_user, customers, django_capture_on_commit_callbacks):
    for customer, amount in zip(customers, (10000, 20000, 30000), strict=True):
        ship(admin_user, customer, [(amount, 10)], dt.date(2026, 11, 10))
    with django_capture_on_commit_callbacks(execute=True):  # the PDFs render after commit
        return services.closing_run(closing_date=NOVEMBER, user=admin_user)


def send(django_capture_on_commit_callbacks, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):  # the delivery task runs after commit
        return services.closing_send_invoices(**kwargs)


def test_to_and_cc_come_from_the_customer(customers):
    yamada, tanaka, sato = customers

    assert services.invoice_recipients(yamada) == services.mailing.Recipients(
        to=["keiri@yamada.example.jp"], cc=["keiri2@yamada.example.jp", "info@yamada.example.jp"]
    )
    assert services.invoice_recipients(tanaka) == services.mailing.Recipients(to=["tanaka@tanaka.example.jp"], cc=[])
    assert services.invoice_recipients(sato) == services.mailing.Recipients(to=[], cc=[])


def test_all_invoices_of_the_run_are_mailed_once_and_logged(
    admin_user, customers, run, django_capture_on_commit_callbacks
):
    yamada, tanaka, sato = customers
    invoices = {i.customer_id: i for i in Invoice.objects.filter(closing_run=run)}

    report = send(django_capture_on_commit_callbacks, run=run, user=admin_user)

    assert [i.customer for i in report.sent] == [yamada, tanaka]
    assert [i.customer for i in report.no_address] == [sato]  # reported, not skipped in silence
    assert [(m.to, m.cc) for m in mail.outbox] == [
        (["keiri@yamada.example.jp"], ["keiri2@yamada.example.jp", "info@yamada.example.jp"]),
        (["tanaka@tanaka.example.jp"], []),
    ]
    first = mail.outbox[0]
    assert first.subject == f"【株式会社サンプル商事】合計請求書 {invoices[yamada.pk].number}"
    ((name, content, mimetype),) = first.attachments
    assert (name, mimetype) == (f"{invoices[yamada.pk].number}.pdf", "application/pdf")
    assert content.startswith(b"%PDF")
    log = list(DocumentMailing.objects.order_by("pk"))
    assert [(m.document_id, m.status, m.attempt, m.requested_by, m.error) for m in log] == [
        (invoices[yamada.pk].document_id, "delivered", 1, admin_user, ""),
        (invoices[tanaka.pk].document_id, "delivered", 1, admin_user, ""),
    ]
    assert all(m.finished_at is not None for m in log)

    again = send(django_capture_on_commit_callbacks, run=run, user=admin_user)

    assert (again.requested, [i.customer for i in again.already_sent]) == (0, [yamada, tanaka])
    assert [i.customer for i in again.no_address] == [sato]
    assert len(mail.outbox) == 2
    assert DocumentMailing.objects.count() == 2


def test_a_failed_mail_is_logged_with_its_error_and_re_sent_once_when_asked(
    admin_user, customers, run, settings, django_capture_on_commit_callbacks
):
    yamada, tanaka, _sato = customers
    settings.EMAIL_BACKEND = "tests.billing.test_invoice_mailing.FailingBackend"

    report = send(django_capture_on_commit_callbacks, run=run, user=admin_user)

    assert report.requested == 2
    assert mail.outbox == []
    failed = list(DocumentMailing.objects.order_by("pk"))
    assert [(m.status, m.attempt) for m in failed] == [("failed", 1), ("failed", 1)]
    assert failed[0].error == "ConnectionRefusedError: SMTP server mail.example.jp refused the connection"
    assert failed[0].finished_at is not None

    # a second click does not send the failed ones again unless asked to
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    again = send(django_capture_on_commit_callbacks, run=run, user=admin_user)
    assert (again.requested, [i.customer for i in again.failed_before]) == (0, [yamada, tanaka])
    assert mail.outbox == []

    resent = send(django_capture_on_commit_callbacks, run=run, user=admin_user, resend_failed=True)

    assert [i.customer for i in resent.resent] == [yamada, tanaka]
    assert [(m.to, m.cc) for m in mail.outbox] == [
        (["keiri@yamada.example.jp"], ["keiri2@yamada.example.jp", "info@yamada.example.jp"]),
        (["tanaka@tanaka.example.jp"], []),
    ]
    log = list(DocumentMailing.objects.order_by("pk"))
    assert [(m.status, m.attempt, m.resend_of_id) for m in log] == [
        ("failed", 1, None),
        ("failed", 1, None),
        ("delivered", 2, failed[0].pk),
        ("delivered", 2, failed[1].pk),
    ]
    # once re-sent, a failed attempt is not re-sent again, by the run or on its invoice
    assert send(django_capture_on_commit_callbacks, run=run, user=admin_user, resend_failed=True).requested == 0
    invoice = Invoice.objects.get(document=failed[0].document)
    with pytest.raises(StateConflict):
        services.invoice_mailing_resend(invoice=invoice, mailing=failed[0], user=admin_user)
    assert DocumentMailing.objects.count() == 4


def test_one_invoice_failed_mail_is_re_sent_from_its_invoice(
    admin_user, customers, run, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.billing.test_invoice_mailing.FailingBackend"
    send(django_capture_on_commit_callbacks, run=run, user=admin_user)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    failed = DocumentMailing.objects.order_by("pk").first()
    invoice = Invoice.objects.get(document=failed.document)
    other = Invoice.objects.exclude(pk=invoice.pk).filter(closing_run=run).first()

    with pytest.raises(InvalidInput):  # the log of another invoice
        services.invoice_mailing_resend(invoice=other, mailing=failed, user=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        mailing = services.invoice_mailing_resend(invoice=invoice, mailing=failed, user=admin_user)

    mailing.refresh_from_db()
    assert (mailing.status, mailing.attempt, mailing.resend_of, mailing.to) == (
        "delivered",
        2,
        failed,
        ["keiri@yamada.example.jp"],
    )
    assert len(mail.outbox) == 1


def test_only_sales_admins_send_and_only_a_finished_run(
    rep_user, manager_user, admin_user, run, django_capture_on_commit_callbacks
):
    for user in (rep_user, manager_user):
        with pytest.raises(NotAllowed):
            services.closing_send_invoices(run=run, user=user)
    ClosingRun.objects.filter(pk=run.pk).update(status="running")
    with pytest.raises(InvalidInput):
        services.closing_send_invoices(run=run, user=admin_user)
    assert DocumentMailing.objects.count() == 0
    assert Invoice.objects.filter(closing_run=run).count() == 3
    assert sum(i.total for i in Invoice.objects.filter(closing_run=run)) == Decimal(66000)


# --- send-all as a Celery task (eager here, as without a broker) ----------------------------


def test_send_all_is_a_task_with_progress_and_an_item_per_invoice(
    admin_user, customers, run, django_capture_on_commit_callbacks
):
    yamada, tanaka, sato = customers
    invoices = {i.customer_id: i for i in Invoice.objects.filter(closing_run=run)}
    with django_capture_on_commit_callbacks(execute=True):  # the task, then each mail, after commit
        send = services.closing_send_schedule(run=run, user=admin_user)

    send.refresh_from_db()
    assert (send.status, send.invoices_total, send.invoices_done, send.requested_by) == ("done", 3, 3, admin_user)
    assert send.finished_at is not None
    items = {item.invoice.customer_id: item for item in send.items.select_related("invoice", "mailing")}
    assert {c: (items[c.pk].outcome, items[c.pk].mailing is not None) for c in customers} == {
        yamada: ("sent", True),
        tanaka: ("sent", True),
        sato: ("no_address", False),
    }
    assert items[yamada.pk].mailing.document_id == invoices[yamada.pk].document_id
    assert items[yamada.pk].mailing.status == "delivered"
    assert [(m.to, m.cc) for m in mail.outbox] == [
        (["keiri@yamada.example.jp"], ["keiri2@yamada.example.jp", "info@yamada.example.jp"]),
        (["tanaka@tanaka.example.jp"], []),
    ]


def test_progress_is_written_after_each_batch(admin_user, customers, run, django_capture_on_commit_callbacks):
    seen = []
    with django_capture_on_commit_callbacks(execute=True):
        services.closing_send_invoices(
            run=run, user=admin_user, batch_size=2, progress=lambda s: seen.append((s.invoices_done, s.invoices_total))
        )
    assert seen == [(2, 3), (3, 3)]


def test_the_task_run_again_or_after_a_crash_sends_nothing_twice(
    admin_user, customers, run, django_capture_on_commit_callbacks
):
    from billing.services import mailing as mailing_services
    from billing.tasks import send_closing_invoices

    with django_capture_on_commit_callbacks(execute=False):  # scheduled, the task not run yet
        send = services.closing_send_schedule(run=run, user=admin_user)
        # a second click while it is under way adds no second send
        assert services.closing_send_schedule(run=run, user=admin_user) == send
    # the worker mailed the first invoice, then died
    first = Invoice.objects.filter(closing_run=run).order_by("customer__code").first()
    with django_capture_on_commit_callbacks(execute=True):
        mailing_services._send_batch(
            send=send, invoice_ids=[first.pk], user=admin_user, report=mailing_services.SendReport()
        )
    assert len(mail.outbox) == 1

    with django_capture_on_commit_callbacks(execute=True):  # the broker delivers the task again
        result = send_closing_invoices.delay(send.pk).get()
    with django_capture_on_commit_callbacks(execute=True):  # and once more, after it finished
        again = send_closing_invoices.delay(send.pk).get()

    assert result == {"send": send.pk, "status": "done", "requested": 1}
    assert again == {"send": send.pk, "status": "done"}
    assert [m.to for m in mail.outbox] == [["keiri@yamada.example.jp"], ["tanaka@tanaka.example.jp"]]
    assert sorted(send.items.values_list("outcome", flat=True)) == ["no_address", "sent", "sent"]
    assert DocumentMailing.objects.count() == 2
    send.refresh_from_db()
    assert (send.status, send.invoices_done) == ("done", 3)


def test_re_sending_failed_mails_is_a_send_with_its_own_items(
    admin_user, customers, run, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "tests.billing.test_invoice_mailing.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        services.closing_send_schedule(run=run, user=admin_user)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True):
        plain = services.closing_send_schedule(run=run, user=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        resend = services.closing_send_schedule(run=run, user=admin_user, resend_failed=True)

    assert sorted(plain.items.values_list("outcome", flat=True)) == ["failed_before", "failed_before", "no_address"]
    assert sorted(resend.items.values_list("outcome", flat=True)) == ["no_address", "resent", "resent"]
    log = list(DocumentMailing.objects.order_by("pk").values_list("status", "attempt"))
    assert log == [("failed", 1), ("failed", 1), ("delivered", 2), ("delivered", 2)]
    assert len(mail.outbox) == 2
