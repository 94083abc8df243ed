"""Retries with an Idempotency-Key never double nor block a write, under faults (issue #16)."""

import datetime as dt

import pytest
import time_machine
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.test import Client

from backoffice.models import IdempotencyRecord
from orders.api import flow_views
from orders.models import Order

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """A worker process killed mid-request: no cleanup code runs, its transaction rolls back."""


def post_order(client, customer, product_a, key):
    body = {"customer": customer.pk, "lines": [{"product": product_a.pk, "quantity": 2}], "customer_po_number": "PO-7"}
    return client.post("/api/v1/orders/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


@pytest.fixture
def client(admin_user):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    return client


def test_a_fault_after_commit_is_replayed_not_redone(client, company, customer, product_a, monkeypatch):
    original = XFrameOptionsMiddleware.process_response
    faults = iter([ConnectionResetError("connection to the client dropped")])

    def drop_once(self, request, response):
        for fault in faults:
            raise fault
        return original(self, request, response)

    monkeypatch.setattr(XFrameOptionsMiddleware, "process_response", drop_once)

    first = post_order(client, customer, product_a, "order-1")
    retry = post_order(client, customer, product_a, "order-1")

    assert first.status_code == 500  # the order was committed, the answer lost on the way out
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert Order.objects.count() == 1
    assert retry.json()["number"] == Order.objects.get().number


def test_a_server_error_inside_the_view_writes_nothing_and_the_retry_runs(
    client, company, customer, product_a, monkeypatch
):
    original = flow_views.OrderViewSet.create
    faults = iter([RuntimeError("database connection lost while building the response")])

    def fail_after_writing(self, request, *args, **kwargs):
        response = original(self, request, *args, **kwargs)
        for fault in faults:
            raise fault
        return response

    monkeypatch.setattr(flow_views.OrderViewSet, "create", fail_after_writing)

    first = post_order(client, customer, product_a, "order-2")
    assert first.status_code == 500
    assert Order.objects.count() == 0  # rolled back with the lost answer

    retry = post_order(client, customer, product_a, "order-2")
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert Order.objects.count() == 1


def test_a_key_left_in_progress_by_a_killed_worker_frees_after_the_lease(
    client, company, customer, product_a, monkeypatch, settings
):
    settings.IDEMPOTENCY_LEASE_SECONDS = 30
    original = flow_views.OrderViewSet.create
    kills = iter([WorkerKilled()])

    def killed(self, request, *args, **kwargs):
        for kill in kills:
            raise kill
        return original(self, request, *args, **kwargs)

    monkeypatch.setattr(flow_views.OrderViewSet, "create", killed)
    start = dt.datetime(2026, 12, 3, 10, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        with pytest.raises(WorkerKilled):
            post_order(client, customer, product_a, "order-3")
        assert IdempotencyRecord.objects.get().completed is False

        busy = post_order(client, customer, product_a, "order-3")
        assert busy.status_code == 409
        assert busy.json() == {"detail": "この Idempotency-Key のリクエストはまだ処理中です。"}

    with time_machine.travel(start + dt.timedelta(seconds=31), tick=False):
        retry = post_order(client, customer, product_a, "order-3")

    assert retry.status_code == 201
    assert Order.objects.count() == 1
    assert IdempotencyRecord.objects.get().completed is True


def test_a_request_that_outlived_its_lease_rolls_back_when_a_retry_took_over(
    client, company, customer, product_a, monkeypatch
):
    original = flow_views.OrderViewSet.create

    def slow(self, request, *args, **kwargs):
        response = original(self, request, *args, **kwargs)
        # meanwhile the lease ended and a retry took the key over
        IdempotencyRecord.objects.update(lease_until=dt.datetime(2030, 1, 1, tzinfo=dt.UTC))
        return response

    monkeypatch.setattr(flow_views.OrderViewSet, "create", slow)

    late = post_order(client, customer, product_a, "order-4")

    assert late.status_code == 409
    assert late.json() == {
        "detail": "この Idempotency-Key は再試行のリクエストに引き継がれました。何も行っていません。"
    }
    assert Order.objects.count() == 0
