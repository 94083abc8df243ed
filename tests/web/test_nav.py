"""The main menu: grouped by section, each role offered the same screens as before the grouping
(plus the reorder suggestions for the sales office), and the current section marked."""

import re

import pytest

from backoffice.roles import Role
from tests.factories import make_user
from tests.web.pages import client_for

pytestmark = pytest.mark.django_db

# What every role is offered, in the menu's order (販売, 請求, 在庫・仕入, 書類, レポート).
EVERYONE = ["/", "/orders/", "/quotes/", "/inquiries/", "/customers/", "/billing/invoices/", "/products/"]
EVERYONE += ["/documents/", "/contracts/", "/reports/"]


def menu(response) -> str:
    html = response.content.decode()
    return html[html.index("<nav aria-label=") :]


def menu_links(response) -> list[str]:
    nav = menu(response)
    return re.findall(r'<a href="([^"]+)"', nav[: nav.index("</nav>")])


def current_sections(response) -> list[str]:
    nav = menu(response)
    return re.findall(r'class="nav-group current" data-section="([a-z]+)"', nav[: nav.index("</nav>")])


def test_a_rep_sees_the_screens_of_their_work_and_nothing_of_the_back_office():
    rep = make_user(Role.SALES_REP, username="rep9", is_staff=False)

    links = menu_links(client_for(rep).get("/"))

    assert links == EVERYONE


def test_a_manager_also_sees_receivables_and_the_consumption_tax():
    manager = make_user(Role.MANAGER, username="mgr9", is_staff=False)

    links = menu_links(client_for(manager).get("/"))

    assert sorted(links) == sorted([*EVERYONE, "/billing/receivables/", "/reports/consumption-tax/"])


def test_the_sales_office_sees_every_desk_in_six_sections():
    admin = make_user(Role.SALES_ADMIN, username="jimu9", is_staff=True)

    response = client_for(admin).get("/")

    assert menu_links(response) == [
        "/",
        # 販売
        "/orders/new/",
        "/orders/",
        "/quotes/",
        "/inquiries/",
        "/shipments/",
        "/customers/",
        # 請求
        "/billing/invoices/",
        "/billing/closings/",
        "/billing/payments/new/",
        "/billing/bank/",
        "/billing/receivables/",
        # 在庫・仕入
        "/products/",
        "/stock/",
        "/purchasing/suggestions/",
        "/purchasing/orders/",
        # 書類
        "/documents/",
        "/contracts/",
        # レポート
        "/reports/",
        "/reports/consumption-tax/",
        # 設定
        "/settings/",
        "/admin/",
    ]
    assert len(re.findall(r"<summary>", menu(response))) == 6  # 販売 請求 在庫・仕入 書類 レポート 設定


def test_a_group_of_one_link_is_that_link_without_a_dropdown():
    rep = make_user(Role.SALES_REP, username="rep9", is_staff=False)

    nav = menu(client_for(rep).get("/"))

    assert len(re.findall(r"<summary>", nav[: nav.index("</nav>")])) == 2  # 販売 and 書類
    assert '<a href="/billing/invoices/">請求書</a>' in nav


@pytest.mark.parametrize(
    ("path", "section", "current_link"),
    [
        ("/billing/bank/", "billing", "/billing/bank/"),
        ("/orders/new/", "sales", "/orders/new/"),
        ("/orders/", "sales", "/orders/"),
        ("/purchasing/suggestions/", "stock", "/purchasing/suggestions/"),
        ("/reports/consumption-tax/", "reports", "/reports/consumption-tax/"),
    ],
)
def test_the_current_section_and_page_are_marked(path, section, current_link):
    admin = make_user(Role.SALES_ADMIN, username="jimu9", is_staff=True)

    response = client_for(admin).get(path)

    assert response.status_code == 200
    assert current_sections(response) == [section]
    assert re.findall(r'<a href="([^"]+)" aria-current="page"', menu(response)) == [current_link]


def test_a_page_no_link_points_at_marks_its_section():
    admin = make_user(Role.SALES_ADMIN, username="jimu9", is_staff=True)

    response = client_for(admin).get("/billing/payments/")

    assert current_sections(response) == ["billing"]
    assert "aria-current" not in menu(response)[: menu(response).index("</nav>")]
