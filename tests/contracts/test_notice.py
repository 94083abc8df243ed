"""Notice not to renew (更新拒絶の通知): given by the notice date, the contract stays in force to
its term end and then ends (cancelled) instead of renewing; after that date it renews."""

import datetime as dt

import pytest
from django.utils import translation

from backoffice.exceptions import InvalidInput, StateConflict
from backoffice.models import AuditEvent
from contracts import services
from contracts.models import Contract
from contracts.selectors import contracts_due, master_agreement_state
from tests.contracts.helpers import draft_master, signed
from tests.web.pages import client_for, text_of

pytestmark = pytest.mark.django_db

URL = "/api/v1/contracts/"


@pytest.fixture
def renewing(company, admin_user, customer, templates, django_capture_on_commit_callbacks):
    """2026-12-01 – 2027-11-30, renews by 12 months unless notice by 2027-09-01 (90 days before)."""
    return signed(
        draft_master(admin_user, customer, templates["master"]),
        admin_user,
        django_capture_on_commit_callbacks,
        issue_date=dt.date(2026, 11, 20),
        signed_on=dt.date(2026, 11, 25),
    )


def test_notice_on_the_notice_date_ends_the_contract_at_its_term_end(admin_user, customer, renewing):
    contract = services.contract_give_notice(contract=renewing, user=admin_user, given_on=dt.date(2027, 9, 1))
    assert contract.notice_given_on == dt.date(2027, 9, 1)
    event = AuditEvent.objects.get(action="contract.notice")
    assert event.changes == {"notice_given_on": {"before": None, "after": "2027-09-01"}, "ends_on": "2027-11-30"}
    # still in force until its end: no warning on the customer's orders
    assert master_agreement_state(customer.pk, today=dt.date(2027, 11, 30)).in_force == contract
    # the daily roll the day after the end: cancelled at the term end, not renewed
    assert services.contracts_roll(today=dt.date(2027, 12, 1)) == {"renewed": 0, "expired": 1}
    contract.refresh_from_db()
    assert (contract.status, contract.end_reason, contract.ended_on) == ("ended", "cancelled", dt.date(2027, 11, 30))
    assert contract.renewals.count() == 0
    assert master_agreement_state(customer.pk, today=dt.date(2027, 12, 1)).ended


def test_notice_after_the_notice_date_is_refused_and_the_contract_renews(admin_user, renewing):
    with pytest.raises(InvalidInput) as refused:
        services.contract_give_notice(contract=renewing, user=admin_user, given_on=dt.date(2027, 9, 2))
    assert refused.value.field == "given_on"
    assert "2027年9月1日" in str(refused.value.message) and "2027年12月1日" in str(refused.value.message)
    assert Contract.objects.get(pk=renewing.pk).notice_given_on is None
    assert services.contracts_roll(today=dt.date(2027, 12, 1)) == {"renewed": 1, "expired": 0}
    assert Contract.objects.get(pk=renewing.pk).term_end == dt.date(2028, 11, 30)


def test_notice_is_given_once_and_stops_a_manual_renewal(admin_user, renewing):
    services.contract_give_notice(contract=renewing, user=admin_user, given_on=dt.date(2027, 3, 1))
    with pytest.raises(StateConflict):
        services.contract_give_notice(contract=renewing, user=admin_user, given_on=dt.date(2027, 4, 1))
    with pytest.raises(StateConflict) as refused:
        services.contract_renew(contract=renewing, user=admin_user, months=12)
    assert "2027年11月30日" in str(refused.value.message)
    assert Contract.objects.get(pk=renewing.pk).term_end == dt.date(2027, 11, 30)


def test_notice_needs_a_signed_contract_that_renews_itself(
    company, admin_user, rep_user, customer, templates, django_capture_on_commit_callbacks
):
    fixed = signed(
        draft_master(admin_user, customer, templates["master"], auto_renew_months=0),
        admin_user,
        django_capture_on_commit_callbacks,
    )
    with pytest.raises(StateConflict):
        services.contract_give_notice(contract=fixed, user=admin_user)
    draft = draft_master(admin_user, customer, templates["master"])
    with pytest.raises(StateConflict):
        services.contract_give_notice(contract=draft, user=admin_user)


def test_the_reminder_after_notice_is_the_term_end_only(admin_user, renewing):
    [before] = contracts_due(today=dt.date(2027, 8, 20), days=60)
    assert (before.notice_on, before.days_left) == (dt.date(2027, 9, 1), 12)
    services.contract_give_notice(contract=renewing, user=admin_user, given_on=dt.date(2027, 8, 20))
    assert contracts_due(today=dt.date(2027, 8, 20), days=60) == []  # the end is 102 days away
    [after] = contracts_due(today=dt.date(2027, 10, 1), days=60)
    assert (after.notice_on, after.ends_on, after.days_left) == (None, dt.date(2027, 11, 30), 60)


def test_notice_through_the_api(admin_api, rep_api, renewing):
    assert rep_api.post(f"{URL}{renewing.pk}/notice/", {}, format="json").status_code == 403
    response = admin_api.post(f"{URL}{renewing.pk}/notice/", {"given_on": "2027-09-02"}, format="json")
    assert response.status_code == 400 and "given_on" in response.json()
    response = admin_api.post(f"{URL}{renewing.pk}/notice/", {"given_on": "2027-06-30"}, format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["notice_given_on"], response.json()["term_end"]) == ("2027-06-30", "2027-11-30")
    assert admin_api.post(f"{URL}{renewing.pk}/notice/", {}, format="json").status_code == 409
    assert admin_api.post(f"{URL}{renewing.pk}/renew/", {}, format="json").status_code == 409


def test_notice_on_the_contracts_page(admin_user, rep_user, renewing):
    url = f"/contracts/{renewing.pk}/"
    assert f"{url}notice/" in client_for(admin_user).get(url).content.decode()
    assert f"{url}notice/" not in client_for(rep_user).get(url).content.decode()
    refused = client_for(admin_user).post(f"{url}notice/", {"given_on": "2027-09-02"})
    assert refused.status_code == 400 and "2027年9月1日" in text_of(refused)
    assert client_for(admin_user).post(f"{url}notice/", {"given_on": "2027-06-30"}).status_code == 302
    page = client_for(admin_user).get(url)
    with translation.override("ja"):
        ends = translation.gettext("Ends on %(end)s without renewal") % {"end": "2027/11/30"}
    assert f"2027/06/30 {ends}" in text_of(page)
    assert f"{url}renew/" not in page.content.decode() and f"{url}notice/" not in page.content.decode()
