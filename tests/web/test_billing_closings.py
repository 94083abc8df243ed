"""The closing screens: the preview (the run's own figures, exact yen), the run and its page
(progress polled by htmx, then the invoices with links), a rerun that says nothing is
invoiced twice, sending all invoices by e-mail with the send log, bad input kept next to
the field, and the roles (sales admins run and send, managers read, reps neither)."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from billing import services
from billing.models import ClosingRun, Invoice
from documents.models import DocumentMailing
from orders.models import ContactPerson
from tests.billing.conftest import ship
from tests.factories import CustomerFactory
from tests.web.pages import client_for, text_of

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 1)
NOVEMBER = "2026-11-30"


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def customers(company, rep_user, admin_user):
    """Two 末締め customers with November sales (one with a billing contact), a 20日締め one."""
    yamada = CustomerFactory(code="C001", name="株式会社山田製作所", email="info@yamada.example.jp", sales_rep=rep_user)
    ContactPerson.objects.create(
        customer=yamada, name="経理 花子", email="keiri@yamada.example.jp", receives_documents=True
    )
    sato = CustomerFactory(code="C003", name="株式会社佐藤工業", email="", sales_rep=rep_user)
    twentieth = CustomerFactory(code="C020", name="株式会社二十日商事", closing_day=20)
    ship(admin_user, yamada, [(12345, 10), (6789, 8)], dt.date(2026, 11, 16))
    ship(admin_user, sato, [(50000, 10)], dt.date(2026, 11, 10))
    ship(admin_user, twentieth, [(1000, 10)], dt.date(2026, 11, 10))
    return yamada, sato, twentieth


def run_closing(client, django_capture_on_commit_callbacks, day=NOVEMBER):
    with django_capture_on_commit_callbacks(execute=True):  # the task (eager) and the PDFs after commit
        return client.post("/billing/closings/run/", {"closing_date": day})


def test_the_preview_shows_what_the_run_will_invoice(admin_user, customers):
    response = client_for(admin_user).get("/billing/closings/preview/", {"closing_date": NOVEMBER})

    assert response.status_code == 200
    text = text_of(response)
    assert "締め処理の事前確認 2026/11/30" in text
    assert "この日に締める顧客： 末締め — 2 社" in text
    assert (
        "C001 株式会社山田製作所 2026/11/01 – 2026/11/30 ¥0 ¥0 ¥0 ¥0 10% ¥12,345 8%※ ¥6,789 ¥1,234 ¥543"
        " ¥20,911 2026/12/30" in text
    )
    assert "C003 株式会社佐藤工業 2026/11/01 – 2026/11/30 ¥0 ¥0 ¥0 ¥0 10% ¥50,000 ¥5,000 ¥55,000" in text
    assert "合計 ¥0 ¥0 ¥0 ¥0 ¥69,134 ¥6,777 ¥75,911" in text
    assert "株式会社二十日商事" not in text
    assert "締め処理を実行" in text
    assert Invoice.objects.filter(kind="consolidated").count() == 0  # nothing written


def test_run_then_its_page_lists_the_invoices_and_a_rerun_invoices_nothing_twice(
    admin_user, customers, django_capture_on_commit_callbacks
):
    yamada, sato, _twentieth = customers
    client = client_for(admin_user)

    response = run_closing(client, django_capture_on_commit_callbacks)

    run = ClosingRun.objects.get(closing_date=dt.date(2026, 11, 30))
    assert response.status_code == 302 and response["Location"] == f"/billing/closings/{run.pk}/"
    page = client.get(response["Location"])
    text = text_of(page)
    first, second = Invoice.objects.filter(closing_run=run).order_by("customer__code")
    assert "締め処理 2026/11/30 完了" in text
    assert "請求書を 2 件作成しました。" in text
    assert f"C001 株式会社山田製作所 {first.number} ¥20,911 2026/12/30" in text
    assert f"C003 株式会社佐藤工業 {second.number} ¥55,000" in text
    assert f'href="/billing/invoices/{first.pk}/"' in page.content.decode()

    # 佐藤's invoice cancelled (issued by mistake), then the same date again
    services.invoice_cancel(invoice=second, user=admin_user, reason="単価誤り")
    preview = text_of(client.get("/billing/closings/preview/", {"closing_date": NOVEMBER}))
    assert "この締め日は実行済みです" in preview
    assert "再実行しても問題ありません。二重に請求されることはなく" in preview
    assert "締め処理を再実行" in preview

    with time_machine.travel(dt.datetime(2026, 12, 1, 15, 0, tzinfo=dt.UTC), tick=False):  # later that day
        again = client.get(run_closing(client, django_capture_on_commit_callbacks)["Location"])

    text = text_of(again)
    assert "再実行しました：新しい請求書は 1 件です。" in text
    assert "以前に作成した請求書 1 件は作り直していません。二重に請求されることはありません。" in text
    assert Invoice.objects.filter(closing_run=run).exclude(status="cancelled").count() == 2
    assert Invoice.objects.filter(customer=sato).exclude(status="cancelled").get().total == 55000
    assert Invoice.objects.filter(customer=yamada).count() == 1


def test_progress_is_polled_while_the_run_runs_then_the_page_reloads(admin_user, manager_user, customers):
    run = ClosingRun.objects.create(
        closing_date=dt.date(2026, 11, 30), status="running", customers_total=3, customers_done=1, invoices_created=1
    )
    client = client_for(manager_user)

    page = client.get(f"/billing/closings/{run.pk}/")
    assert 'hx-trigger="every 2s"' in page.content.decode()
    assert "3 社中 1 社完了" in text_of(page)
    part = client.get(f"/billing/closings/{run.pk}/", headers={"HX-Request": "true"})
    assert part.status_code == 200 and "3 社中 1 社完了" in text_of(part)
    assert "<html" not in part.content.decode()

    ClosingRun.objects.filter(pk=run.pk).update(status="done", customers_done=3)
    done = client.get(f"/billing/closings/{run.pk}/", headers={"HX-Request": "true"})
    assert done.headers["HX-Refresh"] == "true"


def test_send_all_mails_each_invoice_once_and_reports_the_customer_without_address(
    admin_user, customers, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    location = run_closing(client, django_capture_on_commit_callbacks)["Location"]
    run = ClosingRun.objects.get()
    yamada_invoice = Invoice.objects.get(customer__code="C001")
    assert "メールアドレスなし" in text_of(client.get(location))

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/billing/closings/{run.pk}/send/")
    page = client.get(response["Location"])
    text = text_of(page)  # the messages, and the log after the mail went
    assert "請求書 1 件をメールで送信しました。" in text
    assert '<button class="btn" id="send-all" disabled' in page.content.decode()  # nothing left to send
    assert "メールアドレスのある請求書はすべて送信済みです。" in text
    assert "メールアドレスがないため送信していません：C003 株式会社佐藤工業。" in text
    ((message,),) = [mail.outbox]
    assert (message.to, message.cc) == (["keiri@yamada.example.jp"], ["info@yamada.example.jp"])
    assert (
        f"{yamada_invoice.number} ¥20,911 2026/12/30 送信済み keiri@yamada.example.jp / CC info@yamada.example.jp"
        in text
    )

    with django_capture_on_commit_callbacks(execute=True):  # the send task runs after commit
        client.post(f"/billing/closings/{run.pk}/send/")
    again = text_of(client.get(f"/billing/closings/{run.pk}/"))
    assert "送信先のある請求書はすべて送信済みです。二重には送信していません。" in again
    assert len(mail.outbox) == 1

    invoice_page = text_of(client.get(f"/billing/invoices/{yamada_invoice.pk}/"))
    assert "メール送信履歴" in invoice_page
    assert "1 送信済み keiri@yamada.example.jp info@yamada.example.jp" in invoice_page


def test_a_failed_mail_shows_its_error_and_is_re_sent_from_the_invoice_page(
    admin_user, customers, settings, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    run_closing(client, django_capture_on_commit_callbacks)
    run = ClosingRun.objects.get()
    settings.EMAIL_BACKEND = "tests.billing.test_invoice_mailing.FailingBackend"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/billing/closings/{run.pk}/send/")
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    failed = DocumentMailing.objects.get()
    invoice = Invoice.objects.get(document=failed.document)

    run_page = text_of(client.get(f"/billing/closings/{run.pk}/"))
    assert (
        "失敗" in run_page and "ConnectionRefusedError: SMTP server mail.example.jp refused the connection" in run_page
    )
    assert "送信に失敗したメールを再送する (1)" in run_page
    page = client.get(f"/billing/invoices/{invoice.pk}/")
    assert f'action="/billing/invoices/{invoice.pk}/mailings/{failed.pk}/resend/"' in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/billing/invoices/{invoice.pk}/mailings/{failed.pk}/resend/")
    response = client.get(response["Location"])  # the mail goes after commit

    text = text_of(response)
    assert f"{invoice.number} を再送しました。" in text
    assert "2 再送 送信済み keiri@yamada.example.jp" in text
    assert len(mail.outbox) == 1
    # the failed attempt is re-sent once: no second button, a second POST refused
    assert f"/mailings/{failed.pk}/resend/" not in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(f"/billing/invoices/{invoice.pk}/mailings/{failed.pk}/resend/", follow=True)
    assert "この失敗したメールは再送済みです。" in text_of(refused)
    assert DocumentMailing.objects.count() == 2


def test_bad_dates_stay_in_the_form_with_the_message_and_write_nothing(admin_user, customers):
    client = client_for(admin_user)

    future = client.post("/billing/closings/run/", {"closing_date": "2026-12-31"})
    garbage = client.get("/billing/closings/preview/", {"closing_date": "2026-13-45"})
    empty = client.post("/billing/closings/run/", {})

    assert future.status_code == 200 and 'id="id_closing_date_error"' in future.content.decode()
    assert "未来の日付は指定できません。" in text_of(future) or "未来" in text_of(future)
    assert garbage.status_code == 200 and 'id="id_closing_date_error"' in garbage.content.decode()
    assert empty.status_code == 200 and 'id="id_closing_date_error"' in empty.content.decode()
    assert ClosingRun.objects.count() == 0


def test_managers_read_reps_do_not_and_only_sales_admins_run_and_send(
    admin_user, manager_user, rep_user, customers, django_capture_on_commit_callbacks
):
    run_closing(client_for(admin_user), django_capture_on_commit_callbacks)
    run = ClosingRun.objects.get()
    invoice = Invoice.objects.filter(closing_run=run).first()
    manager = client_for(manager_user)

    assert manager.get("/billing/closings/").status_code == 200
    preview = manager.get("/billing/closings/preview/", {"closing_date": NOVEMBER})
    assert preview.status_code == 200 and "締め処理を再実行" not in text_of(preview)
    page = manager.get(f"/billing/closings/{run.pk}/")
    assert page.status_code == 200 and "請求書をまとめてメール送信" not in text_of(page)
    assert manager.post("/billing/closings/run/", {"closing_date": NOVEMBER}).status_code == 403
    assert manager.post(f"/billing/closings/{run.pk}/send/").status_code == 403
    rep = client_for(rep_user)
    for url in (
        "/billing/closings/",
        f"/billing/closings/{run.pk}/",
        "/billing/closings/preview/?closing_date=2026-11-30",
    ):
        assert rep.get(url).status_code == 403
    assert rep.post(f"/billing/invoices/{invoice.pk}/mailings/1/resend/").status_code == 403
    assert DocumentMailing.objects.count() == 0


def test_the_list_shows_the_runs(admin_user, customers, django_capture_on_commit_callbacks):
    client = client_for(admin_user)
    run_closing(client, django_capture_on_commit_callbacks)

    text = text_of(client.get("/billing/closings/"))

    assert "締め処理の履歴" in text
    assert "2026/11/30 完了 2 / 2 2" in text
    assert 'value="2026-11-30"' in client.get("/billing/closings/").content.decode()  # last month end by default


def test_the_send_shows_its_progress_while_it_runs_then_the_page_reloads(
    admin_user, manager_user, customers, django_capture_on_commit_callbacks
):
    client = client_for(admin_user)
    run_closing(client, django_capture_on_commit_callbacks)
    run = ClosingRun.objects.get()
    with django_capture_on_commit_callbacks(execute=False):  # a broker: the task has not run yet
        response = client.post(f"/billing/closings/{run.pk}/send/")
    page = client.get(response["Location"])
    assert 'id="send-progress"' in page.content.decode()
    assert f'hx-get="/billing/closings/{run.pk}/?part=send"' in page.content.decode()
    assert 'id="send-all"' not in page.content.decode()  # no second send while this one runs

    reader = client_for(manager_user)
    part = reader.get(f"/billing/closings/{run.pk}/?part=send", headers={"HX-Request": "true"})
    assert part.status_code == 200 and "<html" not in part.content.decode()
    assert "0 / 2" in part.content.decode()

    send = run.sends.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.closing_send_invoices(run=run, user=admin_user, send=send)
    done = reader.get(f"/billing/closings/{run.pk}/?part=send", headers={"HX-Request": "true"})
    assert done.headers["HX-Refresh"] == "true"
    assert "請求書 1 件をメールで送信しました。" in text_of(client.get(f"/billing/closings/{run.pk}/"))
    assert len(mail.outbox) == 1
