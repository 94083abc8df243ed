"""backoffice.api.model_serializer: the fields DRF builds from a model are built once per
serializer class and limits, and every serializer instance still gets fields of its own."""

import pytest

from backoffice.api import model_serializer
from orders.api.flow_serializers import OrderLineSerializer, OrderSerializer

pytestmark = pytest.mark.django_db


def test_the_fields_are_built_once_and_each_instance_has_its_own(monkeypatch):
    monkeypatch.setattr(model_serializer, "_BUILT", {})
    first, second = OrderSerializer(), OrderSerializer()

    assert first.fields["customer"] is not second.fields["customer"]
    first.fields["customer"].queryset = first.fields["customer"].queryset.none()  # as a view scopes it
    assert second.fields["customer"].queryset.query.is_empty() is False
    assert [key[0] for key in model_serializer._BUILT].count(OrderSerializer) == 1


def test_changed_limits_build_the_fields_again(settings):
    settings.LIMITS = {**settings.LIMITS, "max_quantity": 7}
    assert OrderLineSerializer().fields["quantity"].max_value == 7
    settings.LIMITS = {**settings.LIMITS, "max_quantity": 9}
    assert OrderLineSerializer().fields["quantity"].max_value == 9
