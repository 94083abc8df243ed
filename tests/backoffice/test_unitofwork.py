"""One service call = one unit of work: memoized reads, no savepoints inside, all or nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backoffice import audit
from backoffice.models import AuditEvent, CompanyProfile
from backoffice.selectors import company_profile, company_profile_with_bank_accounts
from backoffice.services import company_profile_update
from backoffice.unitofwork import before_commit, in_unit_of_work, memoized, unit_of_work
from tests.factories import complete_company_profile

pytestmark = pytest.mark.django_db


def _queries(call) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        call()
    return [q["sql"] for q in captured.captured_queries]


def test_the_profile_is_read_once_per_unit_and_again_in_the_next():
    complete_company_profile()

    def twice():
        with unit_of_work():
            first = company_profile_with_bank_accounts()
            second = company_profile()
            assert first is second
            assert [b.bank_name for b in second.bank_accounts.all()] == ["みずほ銀行"]

    reads = [sql for sql in _queries(twice) if "companyprofile" in sql or "bankaccount" in sql]
    assert len(reads) == 2  # the profile, its bank accounts
    assert len([sql for sql in _queries(twice) if "companyprofile" in sql]) == 1
    # outside a unit nothing is kept
    assert (
        len([sql for sql in _queries(lambda: (company_profile(), company_profile())) if "companyprofile" in sql]) == 2
    )


def test_a_profile_change_inside_a_unit_is_seen_by_the_rest_of_it(admin_user):
    complete_company_profile()
    with unit_of_work():
        assert company_profile().name == "株式会社サンプル商事"
        company_profile_update(user=admin_user, data={"name": "株式会社新社名"})
        assert company_profile().name == "株式会社新社名"


def test_memo_lives_only_as_long_as_the_outermost_unit():
    loads = []
    with unit_of_work():
        assert in_unit_of_work()
        with unit_of_work():
            memoized("k", lambda: loads.append(1) or "v")
        memoized("k", lambda: loads.append(2) or "v")
    assert not in_unit_of_work()
    memoized("k", lambda: loads.append(3) or "v")
    assert loads == [1, 3]


def test_nested_units_take_no_savepoint_and_fail_together():
    profile = complete_company_profile()

    def outer():
        with unit_of_work():
            AuditEvent.objects.create(action="outer", object_type="x", object_id="1")
            with unit_of_work():
                CompanyProfile.objects.filter(pk=profile.pk).update(name="書き換え")
                raise ValueError("inner step failed")

    with CaptureQueriesContext(connection) as captured, pytest.raises(ValueError):
        outer()
    savepoints = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SAVEPOINT")]
    assert len(savepoints) == 1  # the outer unit's, inside the test's transaction; none for the inner one
    # the outer unit rolled back as a whole, and the test's transaction is usable again
    assert not AuditEvent.objects.filter(action="outer").exists()
    assert CompanyProfile.objects.get(pk=profile.pk).name == "株式会社サンプル商事"


def test_a_decorated_service_gets_a_fresh_unit_per_call():
    seen = []

    @unit_of_work()
    def service(n):
        seen.append(memoized("n", lambda: n))
        if n < 3:
            service(n + 1)  # nested: the same unit, the same memo

    service(1)
    service(7)
    assert seen == [1, 1, 1, 7]


def test_a_failed_unit_writes_no_audit_events(admin_user):
    profile = complete_company_profile()
    with pytest.raises(RuntimeError), unit_of_work():
        audit.record(actor=admin_user, action="lost", obj=profile)
        raise RuntimeError
    assert not AuditEvent.objects.filter(action="lost").exists()
    # outside a unit an event is written at once
    audit.record(actor=admin_user, action="now", obj=profile)
    assert AuditEvent.objects.filter(action="now").exists()


def test_a_failing_before_commit_step_rolls_the_unit_back(admin_user):
    profile = complete_company_profile()

    def fail():
        raise ValueError("late failure")

    with pytest.raises(ValueError), unit_of_work():
        CompanyProfile.objects.filter(pk=profile.pk).update(name="書き換え")
        before_commit(fail)
    assert CompanyProfile.objects.get(pk=profile.pk).name == "株式会社サンプル商事"
