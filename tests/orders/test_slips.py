"""受注伝票 (issue #18): the internal slip of an order, one by one or as the day's batch, and
the 受領書 page the delivery note carries for a customer who signs on delivery."""

import datetime as dt
import hashlib
import io

import pypdf
import pytest
import time_machine

from backoffice.exceptions import StateConflict
from billing.services import shipment_ship_and_bill
from documents.models import IssuedDocument
from documents.services import document_pdf_bytes
from orders import services
from orders.models import Order, OrderSlipPrint, ShipToAddress
from orders.services import LineInput
from orders.services.slips import order_slips_print
from tests.factories import CustomerFactory, ProductFactory
from tests.orders.conftest import open_purchase_order, stock
from tests.orders.slip_helpers import pdf_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def named_rep(rep_user):
    rep_user.last_name, rep_user.first_name = "鈴木", "一郎"
    rep_user.save(update_fields=["last_name", "first_name"])
    return rep_user


@pytest.fixture
def slip_customer(named_rep):
    customer = CustomerFactory(
        code="C001",
        name="株式会社山田製作所",
        postal_code="100-0005",
        address="東京都千代田区丸の内1-1-1",
        phone="03-1111-2222",
        sales_rep=named_rep,
    )
    return customer


def confirmed_order(admin_user, customer, lines, **data) -> Order:
    order = services.order_create(user=admin_user, data={"customer": customer, **data}, lines=lines)
    return services.order_confirm(order=order, user=admin_user).order


@pytest.fixture
def order(admin_user, company, warehouse, slip_customer, product_a, service_fee):
    # 50 ordered, 30 on hand, 40 expected on 12/3: 30 allocated, 20 backordered until 12/3
    stock(product_a, warehouse, 30)
    open_purchase_order(product_a, 40, dt.date(2026, 12, 3))
    admin_user.last_name, admin_user.first_name = "佐藤", "花子"
    admin_user.save(update_fields=["last_name", "first_name"])
    ship_to = ShipToAddress.objects.create(
        customer=slip_customer, name="山田製作所 川崎工場", postal_code="210-0001", address="神奈川県川崎市川崎区1-2"
    )
    return confirmed_order(
        admin_user,
        slip_customer,
        [LineInput(product=product_a, quantity=50), LineInput(product=service_fee, quantity=1)],
        customer_po_number="PO-5521",
        requested_date=dt.date(2026, 11, 27),
        ship_to=ship_to,
        note="午前中必着",
    )


def test_the_slip_prints_the_order_its_parties_lines_stock_and_totals(admin_user, order):
    (page,) = pdf_pages(order_slips_print(orders=[order], user=admin_user))

    assert "受注伝票" in page.replace(" ", "")
    assert "No. SO-2026-000001" in page
    assert "受注日 2026年11月20日" in page
    assert "社内用" in page
    assert "得意先 C001 株式会社山田製作所" in page
    assert "〒100-0005 東京都千代田区丸の内1-1-1" in page
    assert "TEL 03-1111-2222" in page
    assert "納品先 山田製作所 川崎工場" in page
    assert "〒210-0001 神奈川県川崎市川崎区1-2" in page
    assert "客先注文番号 PO-5521" in page
    assert "担当者 鈴木 一郎" in page
    assert "入力者 佐藤 花子" in page
    assert "希望納期 2026年11月27日" in page
    assert "状態 受注確定" in page
    # 品番 品名 数量 単位 単価 金額 引当 入荷待 入荷予定
    assert "1 A-100 ステンレスボルト M8 50 箱 1,980 99,000 30 20 2026/12/03" in page
    assert "2 S-900 送料 1 式 1,500 1,500 — —" in page
    assert "小計（税抜） ¥100,500" in page
    assert "消費税 ¥10,050" in page
    assert "合計（税込） ¥110,550" in page
    assert "備考 午前中必着" in page
    assert "1/1" in page
    assert "再印刷" not in page


def test_the_slip_is_internal_no_qualified_invoice_items(admin_user, company, order):
    (page,) = pdf_pages(order_slips_print(orders=[order], user=admin_user))

    assert company.registration_number not in page
    for item in ("登録番号", "適格", "※", "軽減税率", "御中", "様", "10%対象", company.name):
        assert item not in page


def test_the_second_print_is_stamped_reprint_with_its_time(admin_user, order):
    first = pdf_pages(order_slips_print(orders=[order], user=admin_user))[0]
    with time_machine.travel(dt.datetime(2026, 11, 21, 14, 35, tzinfo=dt.timezone(dt.timedelta(hours=9))), tick=False):
        second = pdf_pages(order_slips_print(orders=[order], user=admin_user))[0]

    assert "再印刷" not in first
    assert "再印刷 2026/11/21 14:35" in second
    assert "No. SO-2026-000001" in second  # the order's number, none of its own
    prints = list(OrderSlipPrint.objects.filter(order=order).values_list("printed_by", flat=True))
    assert prints == [admin_user.pk, admin_user.pk]


def test_the_days_batch_is_one_pdf_one_order_per_page(admin_user, company, warehouse, slip_customer, product_a):
    stock(product_a, warehouse, 100)
    other = CustomerFactory(code="C002", name="有限会社川口商店")
    first = confirmed_order(admin_user, slip_customer, [LineInput(product=product_a, quantity=3)])
    second = confirmed_order(admin_user, other, [LineInput(product=product_a, quantity=2)])
    from orders.slips import day_slip_orders

    orders = list(day_slip_orders(dt.date(2026, 11, 20)))
    pdf = order_slips_print(orders=orders, user=admin_user)
    pages = pdf_pages(pdf)

    assert [o.pk for o in orders] == [first.pk, second.pk]
    assert len(pages) == 2
    assert "No. SO-2026-000001" in pages[0] and "C001 株式会社山田製作所" in pages[0]
    assert "1 A-100 ステンレスボルト M8 3 箱 1,980 5,940 3 0" in pages[0]
    assert "合計（税込） ¥6,534" in pages[0]
    assert "No. SO-2026-000002" in pages[1] and "C002 有限会社川口商店" in pages[1]
    assert "合計（税込） ¥4,356" in pages[1]
    assert "1/1" in pages[0] and "1/1" in pages[1]  # each order counts its own pages


def test_a_long_order_counts_its_own_pages_in_the_batch(admin_user, company, warehouse, slip_customer):
    products = [ProductFactory(sku=f"L-{i:03d}", name=f"部品{i}") for i in range(60)]
    for product in products:
        stock(product, warehouse, 5)
    long_order = confirmed_order(admin_user, slip_customer, [LineInput(product=p, quantity=1) for p in products])
    short = confirmed_order(admin_user, slip_customer, [LineInput(product=products[0], quantity=1)])

    pages = pdf_pages(order_slips_print(orders=[long_order, short], user=admin_user))

    assert len(pages) == 3
    assert "1/2" in pages[0] and "2/2" in pages[1] and "No. SO-2026-000001" in pages[1]
    assert "No. SO-2026-000002" in pages[2] and "1/1" in pages[2]


def test_a_draft_order_has_no_slip(admin_user, company, slip_customer, product_a):
    draft = services.order_create(
        user=admin_user, data={"customer": slip_customer}, lines=[LineInput(product=product_a, quantity=1)]
    )
    with pytest.raises(StateConflict):
        order_slips_print(orders=[draft], user=admin_user)
    assert not OrderSlipPrint.objects.exists()


# --- 受領書 with the 納品書 -------------------------------------------------------------------


def _ship(admin_user, customer, product):
    order = confirmed_order(admin_user, customer, [LineInput(product=product, quantity=4)], customer_po_number="PO-9")
    shipment = services.shipment_create(order=order, user=admin_user)
    return shipment_ship_and_bill(shipment=shipment, user=admin_user, shipped_on=dt.date(2026, 11, 20))


def _stored_pages(document: IssuedDocument) -> tuple[bytes, list[str]]:
    pdf = document_pdf_bytes(document)
    return pdf, [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


def test_a_customer_who_signs_gets_a_receipt_page_in_the_issued_delivery_note(
    admin_user, company, warehouse, product_a, django_capture_on_commit_callbacks
):
    stock(product_a, warehouse, 10)
    signer = CustomerFactory(code="C010", name="株式会社受領商事", signs_receipt=True)
    with django_capture_on_commit_callbacks(execute=True):
        shipment = _ship(admin_user, signer, product_a)

    document = IssuedDocument.objects.get(pk=shipment.delivery_note_id)
    pdf, pages = _stored_pages(document)
    assert document.sha256 == hashlib.sha256(pdf).hexdigest()  # archived with the receipt in it
    assert document.data["document"]["extra"]["receipt"] is True
    assert len(pages) == 2
    note, receipt = (" ".join(page.split()) for page in pdf_pages(pdf))
    assert "受領書" not in note and "受領印" not in note
    assert "受 領 書" in receipt or "受領書" in receipt.replace(" ", "")
    assert f"{company.name} 御中" in receipt
    assert "下記の通り受領いたしました。" in receipt
    assert f"納品書番号 {document.number}" in receipt
    assert "納品日 2026年11月20日" in receipt
    assert "ご注文番号 PO-9" in receipt
    assert "株式会社受領商事" in receipt
    assert "A-100 ステンレスボルト M8 4 箱 1,980 7,920" in receipt
    assert "合計（税込） ¥8,712" in receipt
    assert "受領日 年 月 日" in receipt and "受領印" in receipt
    assert "2/2" in receipt


def test_other_customers_delivery_notes_are_unchanged(
    admin_user, company, warehouse, slip_customer, product_a, django_capture_on_commit_callbacks
):
    stock(product_a, warehouse, 10)
    with django_capture_on_commit_callbacks(execute=True):
        shipment = _ship(admin_user, slip_customer, product_a)

    document = IssuedDocument.objects.get(pk=shipment.delivery_note_id)
    pdf, pages = _stored_pages(document)
    assert "receipt" not in document.data["document"]["extra"]
    assert len(pages) == 1
    assert "受領" not in pdf_pages(pdf)[0]


def test_the_slips_data_takes_the_same_queries_for_one_order_or_many(
    admin_user, company, warehouse, slip_customer, product_a
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orders.slips import order_slip_data

    stock(product_a, warehouse, 5)
    orders = [confirmed_order(admin_user, slip_customer, [LineInput(product=product_a, quantity=3)]) for _ in range(4)]
    with CaptureQueriesContext(connection) as one:
        order_slip_data(orders[2:3], reprinted_at=None, reprinted=set())
    with CaptureQueriesContext(connection) as four:
        slips = order_slip_data(orders, reprinted_at=None, reprinted=set())
    assert len(four) == len(one) <= 8
    assert [(s.lines[0].allocated, s.lines[0].backordered) for s in slips] == [(3, 0), (2, 1), (0, 3), (0, 3)]


def test_the_receipt_setting_is_part_of_the_customers_terms_in_the_api(admin_api, slip_customer):
    response = admin_api.patch(f"/api/v1/customers/{slip_customer.pk}/", {"signs_receipt": True}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["signs_receipt"] is True
    slip_customer.refresh_from_db()
    assert slip_customer.signs_receipt is True
