"""Screens: contracts (list, page and its actions by role, the fragments on the customer, order
and home pages)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from contracts import services
from contracts.models import Contract
from tests.contracts.helpers import draft_master, issue, signed, standard_templates
from tests.factories import CustomerFactory
from tests.web.pages import client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return dt.date(2026, 12, 4)


@pytest.fixture
def customer(rep_user):
    return CustomerFactory(code="C0100", name="株式会社北斗精機", sales_rep=rep_user)


@pytest.fixture
def master():
    return standard_templates()["master"]


def test_the_list_shows_a_rep_only_their_customers_contracts(
    company, admin_user, rep_user, other_rep, customer, master
):
    mine = draft_master(admin_user, customer, master)
    draft_master(admin_user, CustomerFactory(name="株式会社他社", sales_rep=other_rep), master)
    text = text_of(client_for(rep_user).get("/contracts/"))
    assert "株式会社北斗精機" in text and "株式会社他社" not in text
    assert client_for(rep_user).get(f"/contracts/{mine.pk + 1}/").status_code == 404
    page = text_of(client_for(admin_user).get("/contracts/?kind=master&status=draft"))
    assert "株式会社他社" in page and "（未発行）" in page


def test_actions_offered_by_role_and_status(
    company, admin_user, rep_user, customer, master, django_capture_on_commit_callbacks
):
    contract = draft_master(admin_user, customer, master)
    admin_page = text_of(client_for(admin_user).get(f"/contracts/{contract.pk}/"))
    assert "発行" in admin_page and "毎月末日締め、翌月末日払い" in admin_page  # the wording, filled in
    rep_page = client_for(rep_user).get(f"/contracts/{contract.pk}/").content.decode()
    assert f"/contracts/{contract.pk}/issue/" not in rep_page
    assert client_for(rep_user).post(f"/contracts/{contract.pk}/issue/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(f"/contracts/{contract.pk}/issue/")
    assert response.status_code == 302
    page = text_of(client_for(admin_user).get(f"/contracts/{contract.pk}/"))
    assert "CT-2026-000001" in page and "¥4,000" in page and "第7号文書" in page
    assert "署名済み契約書をアップロード" in page


def test_a_bad_signed_copy_stays_on_the_page_with_the_reason(
    company, admin_user, customer, master, django_capture_on_commit_callbacks
):
    contract = issue(draft_master(admin_user, customer, master), admin_user, django_capture_on_commit_callbacks)
    upload = SimpleUploadedFile("scan.gif", b"GIF89a....", content_type="image/gif")
    response = client_for(admin_user).post(f"/contracts/{contract.pk}/sign/", {"file": upload})
    assert response.status_code == 400
    assert "PDF・JPEG・PNG のいずれかでアップロードしてください" in text_of(response)
    assert Contract.objects.get(pk=contract.pk).status == "issued"


def test_customer_fragment_and_master_warning(
    company, admin_user, rep_user, customer, master, django_capture_on_commit_callbacks
):
    detail = client_for(rep_user).get(f"/customers/{customer.pk}/").content.decode()
    assert f'hx-get="/contracts/customers/{customer.pk}/"' in detail
    contract = signed(draft_master(admin_user, customer, master), admin_user, django_capture_on_commit_callbacks)
    fragment = text_of(client_for(rep_user).get(f"/contracts/customers/{customer.pk}/"))
    assert "CT-2026-000001 取引基本契約書 2026/12/01 – 2027/11/30 締結済" in fragment
    assert text_of(client_for(rep_user).get(f"/contracts/customers/{customer.pk}/master-warning/")) == ""
    services.contract_end(contract=contract, user=admin_user, reason="cancelled", ended_on=dt.date(2026, 12, 4))
    warning = text_of(client_for(rep_user).get(f"/contracts/customers/{customer.pk}/master-warning/"))
    assert "株式会社北斗精機との取引基本契約書（CT-2026-000001）は有効ではありません。" in warning


def test_home_queue_for_admins_reps_and_managers(
    company, admin_user, rep_user, manager_user, customer, master, django_capture_on_commit_callbacks
):
    signed(
        draft_master(
            admin_user,
            customer,
            master,
            starts_on=dt.date(2026, 1, 1),
            ends_on=dt.date(2027, 1, 31),
            auto_renew_months=0,
        ),
        admin_user,
        django_capture_on_commit_callbacks,
    )
    pending = draft_master(admin_user, customer, master, body=master.body + "\n特約")
    services.contract_submit(contract=pending, user=admin_user)
    assert 'hx-get="/contracts/home-queue/"' in client_for(admin_user).get("/").content.decode()
    for user in (admin_user, rep_user):
        text = text_of(client_for(user).get("/contracts/home-queue/"))
        assert "60日以内に満了・解約予告期限を迎える契約 1" in text
        assert "CT-2026-000001 取引基本契約書 株式会社北斗精機 2027/01/31 58" in text
    manager = text_of(client_for(manager_user).get("/contracts/home-queue/"))
    assert "承認待ちの契約書 1" in manager and "60日以内" not in manager


def test_a_sales_admin_drafts_and_edits_a_contract_on_screen(company, admin_user, rep_user, customer, master):
    client = client_for(admin_user)
    assert "取引基本契約書（標準）" in text_of(client.get(f"/contracts/new/?customer={customer.pk}"))
    assert client_for(rep_user).get("/contracts/new/").status_code == 403
    form = {
        "customer": customer.pk,
        "template": master.pk,
        "starts_on": "2026-12-01",
        "ends_on": "2026-11-01",
        "auto_renew_months": "12",
        "notice_days": "90",
        "tax_rate": "10",
        "on_paper": "on",
        "stamp_class": "",
    }
    refused = client.post("/contracts/new/", form)
    assert refused.status_code == 400 and not Contract.objects.exists()
    assert "契約期間の終了日が開始日より前です。" in text_of(refused)
    response = client.post("/contracts/new/", {**form, "ends_on": "2027-11-30"})
    contract = Contract.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/contracts/{contract.pk}/"
    assert (contract.kind, contract.title, contract.stamp_class, contract.body) == (
        "master",
        "取引基本契約書",
        "no7",
        master.body,
    )
    response = client.post(f"/contracts/{contract.pk}/edit/", {**form, "ends_on": "2027-11-30", "notice_days": "60"})
    assert response.status_code == 302
    contract.refresh_from_db()
    assert contract.notice_days == 60 and not contract.requires_approval
