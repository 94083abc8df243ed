"""The shipment screens: the sales admin's list of what can ship, preparing a shipment with
partial quantities, shipping it (the 納品書 opens), cancelling a draft; each role sees only
what it may do (a rep never opens /shipments/, another rep's customer's shipment is a 404)."""

import datetime as dt
from decimal import Decimal

import pytest

from billing.services import shipment_ship_and_bill
from documents.models import IssuedDocument
from orders import services
from orders.models import Order, Shipment
from orders.services import LineInput
from tests.factories import CustomerFactory, ProductFactory, stock
from tests.web.pages import client_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def bolt(db):
    return ProductFactory(sku="A-100", name="ステンレスボルト M8", unit="箱", list_price=Decimal("1980"))


@pytest.fixture
def customer(db, rep_user):
    return CustomerFactory(code="C001", name="株式会社山田製作所", sales_rep=rep_user)


@pytest.fixture
def order(admin_user, company, warehouse, customer, bolt):
    """50 箱 ordered, 30 in stock: 30 allocated, 20 backordered."""
    stock(bolt, warehouse, 30)
    created = services.order_create(
        user=admin_user, data={"customer": customer, "order_date": TODAY}, lines=[LineInput(product=bolt, quantity=50)]
    )
    services.order_confirm(order=created, user=admin_user)
    created.refresh_from_db()
    return created


# --- who may open what -------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/shipments/", "/shipments/new/?order=1"])
def test_a_rep_and_a_manager_never_open_the_shipment_screens(rep_user, manager_user, url):
    for user in (rep_user, manager_user):
        response = client_for(user).get(url)

        assert response.status_code == 403
        assert "この画面を開く権限がありません。" in response.content.decode()


def test_the_navigation_offers_shipments_to_the_admin_only(admin_user, rep_user):
    assert 'href="/shipments/"' in client_for(admin_user).get("/").content.decode()
    assert 'href="/shipments/"' not in client_for(rep_user).get("/").content.decode()


def test_a_rep_reads_their_own_customers_shipment_without_actions(admin_user, rep_user, other_rep, order):
    shipment = services.shipment_create(order=order, user=admin_user)

    mine = client_for(rep_user).get(f"/shipments/{shipment.pk}/")
    theirs = client_for(other_rep).get(f"/shipments/{shipment.pk}/")

    assert mine.status_code == 200
    text = mine.content.decode()
    assert "株式会社山田製作所" in text and "¥59,400" in text
    assert f"/shipments/{shipment.pk}/ship/" not in text and f"/shipments/{shipment.pk}/cancel/" not in text
    assert theirs.status_code == 404
    assert client_for(rep_user).post(f"/shipments/{shipment.pk}/ship/", {"shipped_on": "2026-11-20"}).status_code == 403
    assert client_for(rep_user).post(f"/shipments/{shipment.pk}/cancel/").status_code == 403
    assert Shipment.objects.get().status == Shipment.Status.DRAFT


# --- the list ----------------------------------------------------------------------------


def test_the_list_shows_ready_orders_drafts_and_todays_shipments(
    admin_user, order, customer, bolt, warehouse, django_assert_max_num_queries
):
    stock(bolt, warehouse, 100)  # counted 100: 20 serve the backorder, 50 stay free
    ready = services.order_create(
        user=admin_user, data={"customer": customer, "order_date": TODAY}, lines=[LineInput(product=bolt, quantity=7)]
    )
    services.order_confirm(order=ready, user=admin_user)
    draft = services.shipment_create(order=ready, user=admin_user)
    client = client_for(admin_user)

    with django_assert_max_num_queries(16):
        response = client.get("/shipments/")

    text = response.content.decode()
    assert response.status_code == 200
    assert order.number in text and "1 行 50" in text  # 50 now allocated: ready
    assert f"/shipments/new/?order={order.pk}" in text
    assert f"/shipments/new/?order={ready.pk}" not in text  # all of it is on the draft
    assert f'href="/shipments/{draft.pk}/"' in text
    assert "¥15,246" in text  # the draft: 7 × 1,980 = 13,860 + 10% tax


def test_the_list_costs_the_same_queries_for_more_orders(
    admin_user, customer, bolt, warehouse, company, django_assert_max_num_queries
):
    stock(bolt, warehouse, 100)
    for _n in range(6):
        created = services.order_create(
            user=admin_user,
            data={"customer": customer, "order_date": TODAY},
            lines=[LineInput(product=bolt, quantity=2)],
        )
        services.order_confirm(order=created, user=admin_user)
        services.shipment_create(order=created, user=admin_user, lines=[(created.lines.get().pk, 1)])
    client = client_for(admin_user)

    with django_assert_max_num_queries(16):
        assert client.get("/shipments/").status_code == 200


# --- preparing a shipment ------------------------------------------------------------------


def test_the_form_offers_what_is_ready_and_names_the_backorder(admin_user, order):
    text = client_for(admin_user).get(f"/shipments/new/?order={order.pk}").content.decode()

    line = order.lines.get()
    assert f'name="line_{line.pk}"' in text and 'value="30"' in text
    assert "20 箱（2026/11/30 入荷予定）" in text  # the supplier's 5 business days; 11/23 is a holiday


def test_a_partial_shipment_is_prepared_with_the_quantities_typed(admin_user, order):
    line = order.lines.get()

    response = client_for(admin_user).post(f"/shipments/new/?order={order.pk}", {f"line_{line.pk}": "12"})

    shipment = Shipment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/shipments/{shipment.pk}/"
    assert [(sl.order_line_id, sl.quantity) for sl in shipment.lines.all()] == [(line.pk, 12)]
    assert shipment.total == Decimal("26136")  # 12 × 1,980 = 23,760 + 2,376


def test_more_than_is_ready_stays_in_the_form_with_the_message_next_to_the_line(admin_user, order):
    line = order.lines.get()

    response = client_for(admin_user).post(f"/shipments/new/?order={order.pk}", {f"line_{line.pk}": "31"})

    assert response.status_code == 200
    text = response.content.decode()
    assert 'value="31"' in text
    assert '<p class="error" role="alert">この行で出荷できるのは 30 までです。</p>' in text
    assert not Shipment.objects.exists()


def test_zero_everywhere_is_refused_at_the_top(admin_user, order):
    line = order.lines.get()

    response = client_for(admin_user).post(f"/shipments/new/?order={order.pk}", {f"line_{line.pk}": "0"})

    assert response.status_code == 200
    assert "少なくとも1行に出荷数量を入力してください。" in response.content.decode()
    assert not Shipment.objects.exists()


def test_a_draft_order_cannot_be_prepared(admin_user, customer, bolt, company):
    draft = services.order_create(
        user=admin_user, data={"customer": customer, "order_date": TODAY}, lines=[LineInput(product=bolt, quantity=1)]
    )

    response = client_for(admin_user).get(f"/shipments/new/?order={draft.pk}")

    assert response.status_code == 200
    text = response.content.decode()
    assert "確定済みの受注のみ出荷できます。" in text and 'name="line_' not in text


# --- shipping and cancelling ---------------------------------------------------------------


def test_shipping_opens_the_delivery_note_and_the_order_is_partially_shipped(
    admin_user, order, django_capture_on_commit_callbacks
):
    shipment = services.shipment_create(order=order, user=admin_user, lines=[(order.lines.get().pk, 30)])
    client = client_for(admin_user)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/shipments/{shipment.pk}/ship/", {"shipped_on": "2026-11-20"})

    shipment.refresh_from_db()
    assert shipment.status == Shipment.Status.SHIPPED and shipment.shipped_on == TODAY
    assert response.status_code == 302
    assert response["Location"] == f"/documents/{shipment.delivery_note_id}/pdf"
    pdf = client.get(response["Location"])
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == f'inline; filename="{shipment.number}.pdf"'
    order.refresh_from_db()
    assert order.status == Order.Status.PARTIALLY_SHIPPED


def test_a_future_shipping_date_stays_in_the_form(admin_user, order):
    shipment = services.shipment_create(order=order, user=admin_user)

    response = client_for(admin_user).post(f"/shipments/{shipment.pk}/ship/", {"shipped_on": "2026-11-21"})

    assert response.status_code == 200
    text = response.content.decode()
    assert 'value="2026-11-21"' in text
    assert "出荷日に未来の日付は指定できません。" in text
    assert Shipment.objects.get().status == Shipment.Status.DRAFT


def test_shipping_twice_is_a_message_not_a_500(admin_user, order, django_capture_on_commit_callbacks):
    shipment = services.shipment_create(order=order, user=admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        shipment_ship_and_bill(shipment=shipment, user=admin_user, shipped_on=TODAY)

    client = client_for(admin_user)

    response = client.post(f"/shipments/{shipment.pk}/ship/", {"shipped_on": "2026-11-20"}, follow=True)

    assert response.redirect_chain == [(f"/shipments/{shipment.pk}/", 302)]
    assert '<p class="msg msg-error">この出荷は出荷済みか取消済みです。</p>' in response.content.decode()
    assert IssuedDocument.objects.count() == 1


def test_a_draft_is_cancelled_and_its_stock_is_ready_again(admin_user, order):
    shipment = services.shipment_create(order=order, user=admin_user)
    client = client_for(admin_user)

    response = client.post(f"/shipments/{shipment.pk}/cancel/")

    assert response.status_code == 302 and response["Location"] == "/shipments/"
    assert Shipment.objects.get().status == Shipment.Status.CANCELLED
    assert f"/shipments/new/?order={order.pk}" in client.get("/shipments/").content.decode()
