"""The purchasing screens: the reorder suggestions with their arithmetic per line, drafts made
from the ticked ones, issuing (the 発注書 as the supplier reads it), receiving part of an order
and the backorders that receipt served; sales admins act, managers read, reps see none of it."""

import datetime as dt
from decimal import Decimal

import pytest

from documents.models import IssuedDocument
from inventory.models import PurchaseOrder, StockLevel, StockMove, Supplier
from tests.documents.factories import pdf_text
from tests.factories import ProductFactory, SupplierFactory, WarehouseFactory, stock
from tests.inventory.factories import make_demand
from tests.web.pages import client_for, text_of

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)
LABEL = "受注 SO-2026-000003 の 1 行目"


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def tokyo(db):
    return WarehouseFactory(
        code="TOKYO",
        name="東京倉庫",
        is_default=True,
        address="〒135-0061 東京都江東区豊洲3-2-1 豊洲ロジスティクスセンター",
    )


@pytest.fixture
def supplier(db) -> Supplier:
    return SupplierFactory(
        code="S001", name="東都工業株式会社", postal_code="101-0047", address="東京都千代田区内神田2-15-9"
    )


@pytest.fixture
def bolt(supplier):
    """Nothing on hand, 10 backordered: projected −10, below the reorder point 50."""
    return ProductFactory(
        sku="A-100",
        name="ステンレスボルト M8",
        unit="箱",
        cost=Decimal("1200"),
        reorder_point=50,
        reorder_quantity=100,
        supplier=supplier,
    )


@pytest.fixture
def panel(supplier, tokyo):
    """159 on hand, reorder point 200, reorder quantity 2: 200 + 2 − 159 = 43 suggested."""
    product = ProductFactory(
        sku="B-202", name="制御盤ユニット", unit="台", reorder_point=200, reorder_quantity=2, supplier=supplier
    )
    stock(product, tokyo, 159)
    return product


@pytest.fixture
def backorder(bolt, tokyo):
    return make_demand(bolt, 10, reference="orders.OrderLine:7", label=LABEL).demand


@pytest.fixture
def issued(admin_user, company, bolt, tokyo, backorder, django_capture_on_commit_callbacks):
    client = client_for(admin_user)
    client.post("/purchasing/suggestions/", {f"pick_{bolt.pk}": "on", f"quantity_{bolt.pk}": "100"})
    purchase_order = PurchaseOrder.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/purchasing/orders/{purchase_order.pk}/issue/")
    purchase_order.refresh_from_db()
    return purchase_order


# --- suggestions ---------------------------------------------------------------------------


def test_each_suggestion_shows_its_arithmetic_and_why(admin_user, backorder, panel):
    text = text_of(client_for(admin_user).get("/purchasing/suggestions/"))

    assert "S001 東都工業株式会社 リードタイム 5 営業日" in text
    assert "引当可能 0 ＋ 入荷予定 0 − 入荷待ち 10 ＝ -10（発注点 50 未満）" in text
    assert "100 箱" in text and "発注数量 100 で発注点に戻るため" in text
    assert "引当可能 159 ＋ 入荷予定 0 − 入荷待ち 0 ＝ 159（発注点 200 未満）" in text
    assert "43 台" in text and "発注点 200 ＋ 発注数量 2 − 159 ＝ 43" in text


def test_ticked_suggestions_become_one_draft_per_supplier_with_the_quantity_typed(admin_user, bolt, panel, tokyo):
    response = client_for(admin_user).post(
        "/purchasing/suggestions/",
        {f"pick_{bolt.pk}": "on", f"quantity_{bolt.pk}": "120", f"quantity_{panel.pk}": "43"},
    )

    purchase_order = PurchaseOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/purchasing/orders/{purchase_order.pk}/"
    assert (purchase_order.status, purchase_order.warehouse, purchase_order.expected_date) == (
        "draft",
        tokyo,
        dt.date(2026, 11, 30),  # 5 business days after Friday 11/20, 11/23 a holiday
    )
    assert [(line.product.sku, line.quantity, line.unit_cost) for line in purchase_order.lines.all()] == [
        ("A-100", 120, Decimal("1200"))
    ]


def test_nothing_ticked_is_a_message_and_no_draft(admin_user, bolt, panel):
    response = client_for(admin_user).post("/purchasing/suggestions/", {f"quantity_{bolt.pk}": "100"})

    assert response.status_code == 200
    assert "発注する商品を 1 つ以上選んでください。" in text_of(response)
    assert not PurchaseOrder.objects.exists()


def test_a_quantity_of_zero_is_refused_next_to_it(admin_user, bolt):
    response = client_for(admin_user).post(
        "/purchasing/suggestions/", {f"pick_{bolt.pk}": "on", f"quantity_{bolt.pk}": "0"}
    )

    assert response.status_code == 200
    assert '<p class="error" role="alert">この値は 1 以上でなければなりません。</p>' in response.content.decode()
    assert not PurchaseOrder.objects.exists()


def test_a_manager_reads_the_suggestions_but_cannot_order(manager_user, bolt, tokyo):
    client = client_for(manager_user)
    page = client.get("/purchasing/suggestions/").content.decode()

    assert "ステンレスボルト M8" in page
    assert f'name="pick_{bolt.pk}"' not in page and "発注の下書きを作成" not in page
    assert client.post("/purchasing/suggestions/", {f"pick_{bolt.pk}": "on"}).status_code == 403
    assert not PurchaseOrder.objects.exists()


def test_a_rep_opens_no_purchasing_page(rep_user, issued):
    client = client_for(rep_user)
    for url in (
        "/purchasing/suggestions/",
        "/purchasing/orders/",
        f"/purchasing/orders/{issued.pk}/",
        f"/purchasing/orders/{issued.pk}/receive/",
    ):
        assert client.get(url).status_code == 403, url


# --- issue and the 発注書 ------------------------------------------------------------------


def test_issuing_numbers_the_order_and_the_pdf_reads_right_for_the_supplier(admin_user, issued):
    assert (issued.number, issued.status, issued.order_date) == ("PO-2026-000001", "issued", TODAY)
    assert issued.notes == "発注提案から作成。"  # ours, not the supplier's
    document = IssuedDocument.objects.get(pk=issued.document_id)

    response = client_for(admin_user).get(f"/documents/{document.pk}/pdf")

    (page,) = pdf_text(b"".join(response.streaming_content))
    flat = page.replace("\n", "")
    assert "発注書" in page and "PO-2026-000001" in page
    assert "東都工業株式会社 御中" in page
    assert "〒101-0047" in page and "東京都千代田区内神田2-15-9" in page
    assert "納品場所\n東京倉庫\n〒135-0061 東京都江東区豊洲3-2-1" in page  # the warehouse, its address under it
    assert "〒135-0061 東京都江東区豊洲3-2-1 豊洲ロジスティクスセンター" in flat
    assert "納期" in page and "2026年11月30日" in page
    assert "発注提案から作成" not in flat and "備考" not in page


def test_the_list_shows_the_issued_order(admin_user, issued):
    text = text_of(client_for(admin_user).get("/purchasing/orders/?status=issued"))

    assert "PO-2026-000001 発行済み S001 東都工業株式会社 東京倉庫 2026/11/20 2026/11/30 1 0 / 100" in text


# --- receiving -----------------------------------------------------------------------------


def test_a_partial_receipt_serves_the_backorder_and_the_page_says_which(admin_user, issued, bolt, backorder, tokyo):
    line = issued.lines.get()
    client = client_for(admin_user)

    response = client.post(f"/purchasing/orders/{issued.pk}/receive/", {f"receive_{line.pk}": "6"})

    assert response.status_code == 302
    level = StockLevel.objects.get(product=bolt, warehouse=tokyo)
    assert (level.on_hand, level.allocated) == (6, 6)
    issued.refresh_from_db()
    assert issued.status == "partially_received"
    page = client.get(response["Location"])
    text = text_of(page)
    assert f"6 入荷しました。入荷待ちに引き当てました：{LABEL} (6)。" in text
    assert "A-100 ステンレスボルト M8 100 箱 6 94" in text
    assert f"{LABEL} 6 4 未完了" in text  # allocated by the receipt, still backordered, the demand open


def test_the_rest_arrives_and_the_backorder_is_fully_served(admin_user, issued, bolt, backorder, tokyo):
    line = issued.lines.get()
    client = client_for(admin_user)
    client.post(f"/purchasing/orders/{issued.pk}/receive/", {f"receive_{line.pk}": "6"})

    client.post(f"/purchasing/orders/{issued.pk}/receive/", {f"receive_{line.pk}": "94"})

    issued.refresh_from_db()
    level = StockLevel.objects.get(product=bolt, warehouse=tokyo)
    assert (issued.status, level.on_hand, level.allocated) == ("received", 100, 10)
    text = text_of(client.get(f"/purchasing/orders/{issued.pk}/"))
    assert f"{LABEL} 6 0 未完了" in text and f"{LABEL} 4 0 未完了" in text
    assert "入荷を記録" not in text


def test_receiving_more_than_is_still_to_come_is_refused_next_to_the_line(admin_user, issued):
    line = issued.lines.get()

    response = client_for(admin_user).post(f"/purchasing/orders/{issued.pk}/receive/", {f"receive_{line.pk}": "101"})

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_receive_{line.pk}_error" role="alert">この明細の未入荷は 100 です。</p>' in html
    assert not StockMove.objects.filter(kind="receipt").exists()


def test_a_manager_reads_the_order_but_cannot_receive(manager_user, issued):
    client = client_for(manager_user)
    line = issued.lines.get()

    page = client.get(f"/purchasing/orders/{issued.pk}/").content.decode()

    assert "PO-2026-000001" in page and "入荷を記録" not in page and "発注を取り消す" not in page
    assert client.post(f"/purchasing/orders/{issued.pk}/receive/", {f"receive_{line.pk}": "1"}).status_code == 403
    assert client.post(f"/purchasing/orders/{issued.pk}/cancel/").status_code == 403
    assert not StockMove.objects.filter(kind="receipt").exists()


# --- drafts by hand, cancelling ------------------------------------------------------------


def test_a_draft_entered_by_hand_and_changed(admin_user, supplier, bolt, tokyo):
    client = client_for(admin_user)
    form = {
        "supplier": supplier.pk,
        "warehouse": tokyo.pk,
        "expected_date": "2026-12-04",
        "notes": "至急",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "100",
        "lines-0-product": bolt.pk,
        "lines-0-quantity": "30",
        "lines-0-unit_cost": "1150",
    }

    response = client.post("/purchasing/orders/new/", form)

    purchase_order = PurchaseOrder.objects.get()
    assert response["Location"] == f"/purchasing/orders/{purchase_order.pk}/"
    assert (purchase_order.expected_date, purchase_order.notes) == (dt.date(2026, 12, 4), "至急")
    line = purchase_order.lines.get()
    assert (line.quantity, line.unit_cost, line.expected_date) == (30, Decimal("1150"), dt.date(2026, 12, 4))

    client.post(f"/purchasing/orders/{purchase_order.pk}/edit/", {**form, "lines-0-quantity": "40"})

    assert purchase_order.lines.get().quantity == 40


def test_a_draft_without_lines_stays_in_the_form(admin_user, supplier, tokyo):
    response = client_for(admin_user).post(
        "/purchasing/orders/new/",
        {
            "supplier": supplier.pk,
            "warehouse": tokyo.pk,
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-MIN_NUM_FORMS": "1",
            "lines-MAX_NUM_FORMS": "100",
        },
    )

    assert response.status_code == 200
    assert not PurchaseOrder.objects.exists()


def test_cancelling_stops_the_incoming(admin_user, issued):
    response = client_for(admin_user).post(f"/purchasing/orders/{issued.pk}/cancel/", {"reason": "仕入先欠品"})

    issued.refresh_from_db()
    assert response.status_code == 302 and issued.status == "cancelled"


def test_a_received_order_offers_no_receipt(admin_user, issued):
    line = issued.lines.get()
    client = client_for(admin_user)
    client.post(f"/purchasing/orders/{issued.pk}/receive/", {f"receive_{line.pk}": "100"})

    response = client.post(f"/purchasing/orders/{issued.pk}/receive/", {f"receive_{line.pk}": "1"})

    assert response["Location"] == f"/purchasing/orders/{issued.pk}/"
    assert "入荷できるのは発行済の発注だけです。" in text_of(client.get(response["Location"]))
    assert StockLevel.objects.get(product=line.product).on_hand == 100
