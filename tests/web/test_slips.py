"""The papers on the screens (issue #18): 受注伝票 from the order page and the day's batch
from the order list; 出荷指示書 from the shipment page and the day's ピッキングリスト (date
and warehouse) from the shipment list. Reps print their own customers' slips only; picking
lists are the sales admins'."""

import datetime as dt
from decimal import Decimal

import pytest

from orders import services
from orders.models import OrderSlipPrint
from orders.services import LineInput
from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory, stock
from tests.orders.slip_helpers import pdf_pages
from tests.web.pages import client_for, text_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def today():
    return dt.date(2026, 11, 20)


@pytest.fixture
def bolt(db):
    return ProductFactory(sku="A-100", name="ステンレスボルト M8", unit="箱", list_price=Decimal("1980"))


@pytest.fixture
def customer(db, rep_user):
    return CustomerFactory(code="C001", name="株式会社山田製作所", sales_rep=rep_user)


@pytest.fixture
def order(admin_user, company, warehouse, customer, bolt):
    stock(bolt, warehouse, 10)
    order = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=bolt, quantity=4)]
    )
    return services.order_confirm(order=order, user=admin_user).order


def _pdf(response) -> list[str]:
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return pdf_pages(b"".join(response.streaming_content))


def test_the_order_page_offers_the_slip_and_it_prints(admin_user, order):
    client = client_for(admin_user)
    page = client.get(f"/orders/{order.pk}/")
    assert f'href="/orders/{order.pk}/slip/"' in page.content.decode()
    assert "受注伝票を印刷" in text_of(page)

    (first,) = _pdf(client.get(f"/orders/{order.pk}/slip/"))
    (second,) = _pdf(client.get(f"/orders/{order.pk}/slip/"))
    assert "No. SO-2026-000001" in first and "再印刷" not in first
    assert "再印刷 2026/11/20 10:00" in second
    assert OrderSlipPrint.objects.filter(order=order).count() == 2


def test_a_draft_offers_no_slip(admin_user, company, customer, bolt):
    draft = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=bolt, quantity=1)]
    )
    client = client_for(admin_user)
    assert "受注伝票を印刷" not in text_of(client.get(f"/orders/{draft.pk}/"))
    assert client.get(f"/orders/{draft.pk}/slip/").status_code == 404


def test_a_rep_prints_their_own_customers_slips_only(rep_user, other_rep, order):
    (page,) = _pdf(client_for(rep_user).get(f"/orders/{order.pk}/slip/"))
    assert "C001 株式会社山田製作所" in page
    assert client_for(other_rep).get(f"/orders/{order.pk}/slip/").status_code == 404


def test_the_order_list_prints_the_days_batch(admin_user, rep_user, order, bolt):
    client = client_for(admin_user)
    listing = client.get("/orders/")
    assert 'id="slip-day-form"' in listing.content.decode()
    assert "受注伝票を一括印刷" in text_of(listing)

    (page,) = _pdf(client.get("/orders/slips/?date=2026-11-20"))
    assert "No. SO-2026-000001" in page

    response = client.get("/orders/slips/?date=2026-11-19", follow=True)
    assert "2026/11/19 の受注はありません。" in text_of(response)
    response = client.get("/orders/slips/?date=2026-02-30", follow=True)
    assert response.redirect_chain[-1][0] == "/orders/"
    assert "受注日: 日付を正" in text_of(response)


def test_the_shipment_screens_print_picking_lists_for_sales_admins(admin_user, rep_user, order, warehouse):
    shipment = services.shipment_create(order=order, user=admin_user)
    client = client_for(admin_user)
    detail = client.get(f"/shipments/{shipment.pk}/")
    assert f'href="/shipments/{shipment.pk}/picking-list/"' in detail.content.decode()
    assert "ピッキングリストを印刷" in text_of(detail)
    (page,) = _pdf(client.get(f"/shipments/{shipment.pk}/picking-list/"))
    assert "1 A-100 ステンレスボルト M8 4 箱 SO-2026-000001 株式会社山田製作所" in page

    listing = client.get("/shipments/")
    assert 'id="picking-day-form"' in listing.content.decode()
    assert "東京倉庫" in text_of(listing)
    (page,) = _pdf(client.get(f"/shipments/picking-list/?date=2026-11-20&warehouse={warehouse.pk}"))
    assert "No. PL-20261120-TOKYO" in page and "計4" in page
    (page,) = _pdf(client.get("/shipments/picking-list/?date=2026-11-20&warehouse="))
    assert "No. PL-20261120" in page

    response = client.get("/shipments/picking-list/?date=2026-11-20&warehouse=999999", follow=True)
    assert "倉庫: 一覧から倉庫を選んでください。" in text_of(response)

    rep = client_for(rep_user)
    assert "ピッキングリストを印刷" not in text_of(rep.get(f"/shipments/{shipment.pk}/"))
    assert rep.get(f"/shipments/{shipment.pk}/picking-list/").status_code == 403
    assert rep.get("/shipments/picking-list/?date=2026-11-20").status_code == 403


def test_a_cancelled_shipment_offers_no_picking_list(admin_user, order):
    shipment = services.shipment_create(order=order, user=admin_user)
    services.shipment_cancel(shipment=shipment, user=admin_user)
    client = client_for(admin_user)
    assert "ピッキングリストを印刷" not in text_of(client.get(f"/shipments/{shipment.pk}/"))
    response = client.get(f"/shipments/{shipment.pk}/picking-list/", follow=True)
    assert "取り消された出荷にピッキングするものはありません。" in text_of(response)


def test_other_warehouses_are_in_the_chooser(admin_user, order):
    WarehouseFactory(code="OSAKA", name="大阪倉庫")
    assert "OSAKA 大阪倉庫" in text_of(client_for(admin_user).get("/shipments/"))


def test_the_customer_page_says_whether_a_receipt_is_signed(admin_user, customer):
    client = client_for(admin_user)
    assert "受領書 不要" in text_of(client.get(f"/customers/{customer.pk}/"))
    customer.signs_receipt = True
    customer.save(update_fields=["signs_receipt"])
    assert "受領書 納品時に受領書あり（納品書に受領書を添付）" in text_of(client.get(f"/customers/{customer.pk}/"))
