"""出荷指示書 / ピッキングリスト (issue #18): what the warehouse picks, per warehouse and
product, with the orders it goes to; one shipment's, or the day's."""

import datetime as dt

import pytest

from backoffice.exceptions import NotAllowed, StateConflict
from billing.services import shipment_ship_and_bill
from inventory.models import Warehouse
from orders import services
from orders.services import LineInput
from orders.services.slips import day_picking_list, shipment_picking_list
from tests.factories import CustomerFactory, ProductFactory, WarehouseFactory
from tests.orders.conftest import stock
from tests.orders.slip_helpers import pdf_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def osaka(db):
    return WarehouseFactory(code="OSAKA", name="大阪倉庫")


@pytest.fixture
def bolt(db):
    return ProductFactory(sku="A-100", name="ステンレスボルト M8", unit="箱")


@pytest.fixture
def nut(db):
    return ProductFactory(sku="B-200", name="六角ナット M8", unit="袋")


@pytest.fixture
def stocked(warehouse, osaka, bolt, nut):
    stock(bolt, warehouse, 100)  # the bolts in Tokyo (the default warehouse)
    stock(nut, osaka, 50)  # the nuts in Osaka only


def prepared(admin_user, customer, lines, **data):
    order = services.order_create(user=admin_user, data={"customer": customer, **data}, lines=lines)
    services.order_confirm(order=order, user=admin_user)
    return services.shipment_create(order=order, user=admin_user)


def test_a_shipments_list_has_a_page_per_warehouse_with_what_to_pick(
    admin_user, company, stocked, customer, bolt, nut, service_fee
):
    shipment = prepared(
        admin_user,
        customer,
        [
            LineInput(product=bolt, quantity=5),
            LineInput(product=nut, quantity=3),
            LineInput(product=service_fee, quantity=1),
        ],
        customer_po_number="PO-77",
        requested_date=dt.date(2026, 11, 25),
    )

    tokyo, osaka = pdf_pages(shipment_picking_list(shipment=shipment, user=admin_user))

    for page in (tokyo, osaka):
        assert "出荷指示書" in page.replace(" ", "")
        assert f"No. 出荷準備 #{shipment.pk}" in page
        assert "作成日 2026年11月20日" in page
        assert "受注番号 SO-2026-000001" in page
        assert "得意先 C001 株式会社山田製作所" in page
        assert "納品先 得意先に同じ" in page
        assert "客先注文番号 PO-77" in page
        assert "希望納期 2026/11/25" in page
        assert "送料" not in page  # a service is not picked
    assert "倉庫 TOKYO 東京倉庫" in tokyo
    assert "1 A-100 ステンレスボルト M8 5 箱 SO-2026-000001 株式会社山田製作所" in tokyo
    assert "ピッキング 1品目 計5" in tokyo
    assert "B-200" not in tokyo
    assert "倉庫 OSAKA 大阪倉庫" in osaka
    assert "1 B-200 六角ナット M8 3 袋 SO-2026-000001 株式会社山田製作所" in osaka
    assert "A-100" not in osaka


def test_a_shipped_shipments_list_is_read_from_its_stock_moves(admin_user, company, stocked, customer, bolt, nut):
    shipment = prepared(admin_user, customer, [LineInput(product=bolt, quantity=4), LineInput(product=nut, quantity=2)])
    shipment = shipment_ship_and_bill(shipment=shipment, user=admin_user, shipped_on=dt.date(2026, 11, 20))

    tokyo, osaka = pdf_pages(shipment_picking_list(shipment=shipment, user=admin_user))

    assert f"No. {shipment.number}" in tokyo
    assert "出荷日 2026年11月20日" in tokyo
    assert "1 A-100 ステンレスボルト M8 4 箱 SO-2026-000001" in tokyo
    assert "1 B-200 六角ナット M8 2 袋 SO-2026-000001" in osaka


def test_the_days_list_adds_up_each_product_and_names_the_orders(
    admin_user, company, stocked, customer, warehouse, bolt, nut
):
    other = CustomerFactory(code="C002", name="有限会社川口商店")
    first = prepared(admin_user, customer, [LineInput(product=bolt, quantity=5), LineInput(product=nut, quantity=1)])
    shipment_ship_and_bill(shipment=first, user=admin_user, shipped_on=dt.date(2026, 11, 20))
    prepared(admin_user, other, [LineInput(product=bolt, quantity=7)])  # a draft still to ship

    tokyo, osaka = pdf_pages(day_picking_list(on=dt.date(2026, 11, 20), warehouse=None, user=admin_user))

    assert "ピッキングリスト" in tokyo.replace(" ", "")
    assert "No. PL-20261120" in tokyo
    assert "出荷日 2026年11月20日" in tokyo
    assert "出荷件数 2件" in tokyo
    assert "1 A-100 12 箱" in tokyo and "ステンレスボルト M8" in tokyo
    assert "SO-2026-000001 株式会社山田製作所 ×5" in tokyo
    assert "SO-2026-000002 有限会社川口商店 ×7" in tokyo
    assert "ピッキング 1品目 計12" in tokyo
    assert "1 B-200 六角ナット M8 1 袋 SO-2026-000001 株式会社山田製作所" in osaka

    (only_osaka,) = pdf_pages(
        day_picking_list(on=dt.date(2026, 11, 20), warehouse=Warehouse.objects.get(code="OSAKA"), user=admin_user)
    )
    assert "No. PL-20261120-OSAKA" in only_osaka
    assert "出荷件数 1件" in only_osaka
    assert "A-100" not in only_osaka


def test_a_day_without_shipments_prints_that_there_is_nothing_to_pick(admin_user, company, stocked):
    (page,) = pdf_pages(day_picking_list(on=dt.date(2026, 11, 19), warehouse=None, user=admin_user))

    assert "ピッキングする出荷はありません。" in page
    assert "出荷件数 0件" in page


def test_a_cancelled_shipment_has_nothing_to_pick_and_reps_print_no_lists(
    admin_user, rep_user, company, stocked, customer, bolt
):
    shipment = prepared(admin_user, customer, [LineInput(product=bolt, quantity=1)])
    with pytest.raises(NotAllowed):
        shipment_picking_list(shipment=shipment, user=rep_user)
    with pytest.raises(NotAllowed):
        day_picking_list(on=dt.date(2026, 11, 20), warehouse=None, user=rep_user)
    services.shipment_cancel(shipment=shipment, user=admin_user)
    shipment.refresh_from_db()
    with pytest.raises(StateConflict):
        shipment_picking_list(shipment=shipment, user=admin_user)
