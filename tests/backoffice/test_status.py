"""The one status machine: every model with a status declares its moves, and every move
goes through backoffice.status (a StatusEvent row and an audit event, or a StateConflict
and nothing written)."""

import itertools

import pytest
from django.apps import apps

from backoffice.exceptions import StateConflict
from backoffice.models import AuditEvent, StatusEvent
from backoffice.status import change_status, change_status_many, check_move, status_history
from orders.models import Order
from tests.factories import CustomerFactory


def _status_models():
    for model in apps.get_models():
        field = next((f for f in model._meta.concrete_fields if f.name == "status"), None)
        if field is not None and field.choices:
            yield model


@pytest.mark.parametrize("model", list(_status_models()), ids=lambda m: m._meta.label_lower)
def test_every_status_model_has_a_complete_map_and_check_move_follows_it(model):
    statuses = set(model.Status.values)
    moves = model.TRANSITIONS
    assert set(moves) == statuses, "every status is a key of the map"
    for targets in moves.values():
        assert set(targets) <= statuses
    for from_status, to_status in itertools.product(statuses, repeat=2):
        obj = model(status=from_status)
        if to_status == from_status or to_status in moves[from_status]:
            check_move(obj, to_status)
        else:
            with pytest.raises(StateConflict) as refused:
                check_move(obj, to_status)
            assert refused.value.code == "invalid_transition"
            assert refused.value.status_code == 409


@pytest.mark.django_db
def test_a_move_writes_one_status_event_and_one_audit_event_at_once(admin_user):
    order = Order.objects.create(
        customer=CustomerFactory(), order_date="2026-12-03", entered_by=admin_user, number="SO-1"
    )
    change_status(order, Order.Status.ON_HOLD, user=admin_user, comment="与信超過")
    # written now, inside the caller's transaction, with the time of the move
    event = status_history(order).get()
    assert (event.from_status, event.to_status, event.actor, event.comment) == (
        "draft",
        "on_hold",
        admin_user,
        "与信超過",
    )
    audit = AuditEvent.objects.get(action="order.on_hold")
    assert audit.changes == {"status": {"before": "draft", "after": "on_hold"}, "comment": "与信超過"}
    assert Order.objects.get(pk=order.pk).status == "on_hold"

    change_status(order, Order.Status.ON_HOLD, user=admin_user)  # no move, no event
    assert status_history(order).count() == 1


@pytest.mark.django_db
def test_a_refused_move_writes_nothing(admin_user):
    order = Order.objects.create(
        customer=CustomerFactory(), order_date="2026-12-03", entered_by=admin_user, number="SO-1"
    )
    with pytest.raises(StateConflict, match="「下書き」のため「請求済み」にできません"):
        change_status(order, Order.Status.INVOICED, user=admin_user)
    assert Order.objects.get(pk=order.pk).status == "draft"
    assert not StatusEvent.objects.exists() and not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_many_moves_are_checked_first_and_written_together(admin_user):
    customer = CustomerFactory()
    held, draft, cancelled = (
        Order.objects.create(
            customer=customer, order_date="2026-12-03", status=status, entered_by=admin_user, number=f"SO-{n}"
        )
        for n, status in enumerate(("on_hold", "draft", "cancelled"))
    )
    with pytest.raises(StateConflict):
        change_status_many([held, draft, cancelled], Order.Status.CONFIRMED, user=admin_user)
    assert not StatusEvent.objects.exists()
    assert set(Order.objects.values_list("status", flat=True)) == {"on_hold", "draft", "cancelled"}

    assert change_status_many([held, draft], Order.Status.CONFIRMED, user=admin_user) == 2
    assert sorted(StatusEvent.objects.values_list("object_type", "from_status", "to_status")) == [
        ("orders.order", "draft", "confirmed"),
        ("orders.order", "on_hold", "confirmed"),
    ]
    assert AuditEvent.objects.filter(action="order.confirmed").count() == 2

    stale = Order.objects.get(pk=held.pk)
    stale.status = "draft"  # another request moved it meanwhile
    with pytest.raises(StateConflict, match="状態が変わりました"):
        change_status_many([stale], Order.Status.CANCELLED, user=admin_user)
