"""Issue #12, item 16: the record of a refusal outlives the unit of work the refusal fails."""

import pytest

from backoffice import audit
from backoffice.exceptions import StateConflict
from backoffice.models import AuditEvent
from backoffice.unitofwork import unit_of_work
from tests.factories import complete_company_profile

pytestmark = pytest.mark.django_db


def test_an_event_kept_on_rollback_is_written_once_whether_the_unit_commits_or_fails(admin_user):
    profile = complete_company_profile()

    with pytest.raises(StateConflict), unit_of_work():
        audit.record(actor=admin_user, action="work.done", obj=profile)
        with unit_of_work():  # a nested service refuses
            audit.record(actor=admin_user, action="work.refused", obj=profile, keep_on_rollback=True)
            raise StateConflict("refused")

    assert list(AuditEvent.objects.values_list("action", "actor__username")) == [("work.refused", "admin1")]

    with unit_of_work():
        audit.record(actor=admin_user, action="work.checked", obj=profile, keep_on_rollback=True)
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == ["work.refused", "work.checked"]
