"""The home page by role: exact counts on a small set of quotes, orders, shipments and
inquiries; each tile links to its filtered list; a bounded number of queries per role."""

import datetime as dt
import re
from decimal import Decimal

import pytest
import time_machine

from backoffice.roles import Role
from billing.services import shipment_ship_and_bill
from orders import services
from orders.models import Order, Quote
from orders.services import LineInput
from reports.services import sales_target_set
from tests.factories import CustomerFactory, ProductFactory, SupplierFactory, make_user, stock
from tests.web.pages import client_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)  # a Friday; 11/23 is a holiday
JST = dt.timezone(dt.timedelta(hours=9))


@pytest.fixture
def today():
    return TODAY


def tiles(html: str) -> dict[str, tuple[int, str | None]]:
    """label -> (count, link) of every tile on the page."""
    found = {}
    pattern = r'<(?:a|div) class="tile[^"]*"(?: href="([^"]*)")?>\s*<span class="n">([\d,]+)</span>([^<]+)'
    for link, count, label in re.findall(pattern, html):
        found[label.strip()] = (int(count.replace(",", "")), link.replace("&amp;", "&") or None)
    return found


def order_for(user, customer, *lines, confirm=True):
    order = services.order_create(user=user, data={"customer": customer, "order_date": TODAY}, lines=list(lines))
    if confirm:
        services.order_confirm(order=order, user=user)
    order.refresh_from_db()
    return order


@pytest.fixture
def office(admin_user, rep_user, other_rep, manager_user, company, warehouse, django_capture_on_commit_callbacks):
    """One of each thing that waits, for rep1's customer 山田 (and one order of rep2's 田中 on hold)."""
    yamada = CustomerFactory(code="C001", name="株式会社山田製作所", sales_rep=rep_user)
    tanaka = CustomerFactory(code="C002", name="田中商店", sales_rep=other_rep, credit_limit=Decimal("1000"))
    bolt = ProductFactory(sku="A-100", name="ステンレスボルト M8", unit="箱", list_price=Decimal("1980"))
    nut = ProductFactory(sku="B-200", name="ナット M8", unit="袋", list_price=Decimal("500"))
    gear = ProductFactory(sku="G-300", name="歯車", unit="個", supplier=SupplierFactory(lead_time_days=5))
    stock(bolt, warehouse, 30)
    stock(nut, warehouse, 10)

    # A quote request from rep1 to price, and a quote over the discount limit waiting for a manager.
    services.quote_create(
        user=rep_user,
        data={"customer": yamada, "subject": "ボルト見積依頼"},
        lines=[LineInput(product=bolt, quantity=5)],
    )
    over = services.quote_create(
        user=admin_user,
        data={"customer": yamada, "subject": "大口値引き"},
        lines=[LineInput(product=bolt, quantity=10, discount_rate=Decimal("20"))],
    )
    services.quote_submit(quote=over, user=admin_user)

    # A draft order; an order of 田中 beyond his credit limit (on hold).
    draft = order_for(admin_user, yamada, LineInput(product=nut, quantity=1), confirm=False)
    held = order_for(admin_user, tanaka, LineInput(product=bolt, quantity=3))
    assert held.status == Order.Status.ON_HOLD

    # 50 bolts, 30 shipped; the other 20 come in an hour later: a backorder arrived.
    partial = order_for(admin_user, yamada, LineInput(product=bolt, quantity=50))
    with django_capture_on_commit_callbacks(execute=True):
        shipment_ship_and_bill(shipment=services.shipment_create(order=partial, user=admin_user), user=admin_user)
    with time_machine.travel(dt.datetime(2026, 11, 20, 11, 0, tzinfo=JST), tick=False):
        stock(bolt, warehouse, 20)

    # 4 nuts on a prepared shipment; 5 gears not in stock at all (the lead time: 11/30).
    prepared = order_for(admin_user, yamada, LineInput(product=nut, quantity=4))
    services.shipment_create(order=prepared, user=admin_user)
    order_for(admin_user, yamada, LineInput(product=gear, quantity=5))

    # An inquiry nobody has taken yet, and one handed to rep1.
    services.inquiry_create(user=admin_user, data={"customer": yamada, "subject": "納期の確認"})
    services.inquiry_create(
        user=admin_user, data={"customer": yamada, "subject": "在庫の確認", "assigned_to": rep_user}
    )

    sales_target_set(user=manager_user, rep=rep_user, month=TODAY, amount=Decimal("80000"))
    return {"partial": partial, "held": held, "over": over, "draft": draft}


def test_the_sales_admin_sees_each_queue_with_its_count_and_list(admin_user, office):
    html = client_for(admin_user).get("/").content.decode()

    assert tiles(html) == {
        "価格設定待ちの見積依頼": (1, "/quotes/?status=draft"),
        "確定待ちの受注（下書き）": (1, "/orders/?status=draft"),
        "与信保留中の受注": (1, "/orders/?status=on_hold"),
        "入荷済みの受注残（出荷可能）": (1, "/shipments/"),
        "本日の出荷": (2, "/shipments/"),
        "未対応の問い合わせ": (1, "/inquiries/?status=open"),
    }
    assert "出荷準備済み 1 件・出荷可能な受注 1 件" in html
    assert 'id="rep-queues"' not in html and 'id="approvals"' not in html


def test_tiles_link_to_the_filtered_lists_once_those_screens_exist(admin_user, office, monkeypatch):
    from web import views

    monkeypatch.setattr(views, "reverse", lambda name: {"orders:quote_list": "/quotes/"}.get(name, "/x/"))

    found = tiles(client_for(admin_user).get("/").content.decode())

    assert found["価格設定待ちの見積依頼"] == (1, "/quotes/?status=draft")
    assert found["確定待ちの受注（下書き）"] == (1, "/x/?status=draft")
    assert found["与信保留中の受注"] == (1, "/x/?status=on_hold")
    assert found["未対応の問い合わせ"] == (1, "/x/?status=open")


def test_the_rep_sees_their_inquiries_quotes_and_open_orders_with_dates(rep_user, office):
    html = client_for(rep_user).get("/").content.decode()

    assert tiles(html) == {
        "自分の問い合わせ": (1, "/inquiries/?mine=1"),
        "見積：下書き": (1, "/quotes/?status=draft&mine=1"),
        "見積：承認待ち": (1, "/quotes/?status=pending_approval&mine=1"),
        "担当顧客の未出荷受注": (4, "/orders/?mine=1"),
    }
    rows = re.findall(r"<tr>\s*<td data-label=\"受注\">(.*?)</tr>", html, re.S)
    assert [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows] == [
        f"受注入力中 #{office['draft'].pk} 株式会社山田製作所 2026/11/20 下書き 未確定",
        "SO-2026-000002 株式会社山田製作所 2026/11/20 一部出荷済み 出荷可能",
        "SO-2026-000003 株式会社山田製作所 2026/11/20 受注確定 出荷可能",
        "SO-2026-000004 株式会社山田製作所 2026/11/20 受注確定 2026/11/30（入荷待ち 5）",
    ]
    assert "田中商店" not in html  # rep2's customer
    assert 'id="admin-queues"' not in html and 'id="approvals"' not in html


def test_another_rep_sees_only_their_own(other_rep, office):
    html = client_for(other_rep).get("/").content.decode()

    assert tiles(html) == {
        "自分の問い合わせ": (0, "/inquiries/?mine=1"),
        "担当顧客の未出荷受注": (1, "/orders/?mine=1"),
    }
    assert "株式会社山田製作所" not in html


def test_the_manager_sees_approvals_holds_and_targets_as_percentages(manager_user, office):
    html = client_for(manager_user).get("/").content.decode()

    approvals = html[html.index('id="approvals"') : html.index('id="holds"')]
    holds = html[html.index('id="holds"') : html.index('id="targets"')]
    targets = html[html.index('id="targets"') :]
    assert "大口値引き" in approvals and "¥" in approvals
    assert "田中商店" in holds and office["held"].number in holds
    assert "2026/11 の目標と実績" in targets
    # rep1: ¥59,400 shipped against ¥80,000: 74.25% → 74.3% (never 0.74)
    assert re.search(r"¥80,000</td><td[^>]*>¥59,400</td><td[^>]*>74.3%</td>", targets)
    assert "0.74" not in targets
    assert 'id="admin-queues"' not in html and 'id="rep-queues"' not in html


def test_the_manager_rows_use_the_quote_and_order_partials_when_they_exist(manager_user, office, settings, tmp_path):
    (tmp_path / "orders" / "quotes").mkdir(parents=True)
    (tmp_path / "orders" / "orders").mkdir(parents=True)
    (tmp_path / "orders" / "quotes" / "_approval_row.html").write_text("<p>APPROVAL {{ quote.subject }}</p>")
    (tmp_path / "orders" / "orders" / "_hold_row.html").write_text("<p>HOLD {{ order.customer.name }}</p>")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0].get("DIRS", [])]}]

    html = client_for(manager_user).get("/").content.decode()

    assert "<p>APPROVAL 大口値引き</p>" in html
    assert "<p>HOLD 田中商店</p>" in html


@pytest.mark.parametrize(("role", "limit"), [(Role.SALES_ADMIN, 13), (Role.SALES_REP, 15), (Role.MANAGER, 14)])
def test_the_home_costs_a_bounded_number_of_queries_per_role(
    role, limit, office, admin_user, rep_user, manager_user, django_assert_max_num_queries
):
    user = {Role.SALES_ADMIN: admin_user, Role.SALES_REP: rep_user, Role.MANAGER: manager_user}[role]
    client = client_for(user)

    with django_assert_max_num_queries(limit):
        assert client.get("/").status_code == 200


def test_more_of_everything_costs_no_more_queries(
    office, admin_user, rep_user, manager_user, django_assert_max_num_queries
):
    yamada = office["partial"].customer
    for _n in range(3):
        services.quote_submit(
            quote=services.quote_create(
                user=admin_user,
                data={"customer": yamada, "subject": "追加"},
                lines=[
                    LineInput(product=office["partial"].lines.get().product, quantity=1, discount_rate=Decimal("30"))
                ],
            ),
            user=admin_user,
        )
        order_for(admin_user, yamada, LineInput(product=office["partial"].lines.get().product, quantity=1))
    assert Quote.objects.filter(status=Quote.Status.PENDING_APPROVAL).count() == 4

    for user, limit in ((admin_user, 13), (rep_user, 15), (manager_user, 14)):
        client = client_for(user)
        with django_assert_max_num_queries(limit):
            assert client.get("/").status_code == 200


def test_a_superuser_sees_every_role_s_section(office):
    boss = make_user(None, username="boss", is_superuser=True)

    html = client_for(boss).get("/").content.decode()

    assert 'id="admin-queues"' in html and 'id="rep-queues"' in html and 'id="approvals"' in html
