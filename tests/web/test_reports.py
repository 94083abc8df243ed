"""The reports screens: the dashboard at /reports/ for a month, a fiscal quarter, a fiscal year
or any dates; 達成率 as a percentage; every figure linking to the rows behind it; a rep
seeing only their own; downloads; 消費税集計.

Today is 2026-02-10; the fiscal year starts in April. Sales excluding tax:

| # | shipped    | customer (rep)   | lines                   | net     |
|---|------------|------------------|-------------------------|---------|
| 1 | 2025-01-15 | C001 山田 (rep1) | A × 10 @1,000           | 10,000  |
| 2 | 2026-01-05 | C003 佐藤 (rep2) | A × 3                   |  3,000  |
| 3 | 2026-01-20 | C001 山田 (rep1) | A × 5, B × 4 @500 (8%)  |  7,000  |
| - | 2026-01-25 | return on #3     | A × 1                   | −1,000  |
| 4 | 2026-02-02 | C001 山田 (rep1) | A × 2                   |  2,000  |
| - | 2026-02-05 | return on #3     | B × 4                   | −2,000  |

Targets: rep1 2025-12 ¥1,000, 2026-01 ¥8,000, 2026-02 ¥5,000; rep2 2026-01 ¥2,400.
"""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from billing import services as billing_services
from billing.models import Invoice
from billing.services import CreditLineInput
from orders.models import Shipment
from reports.models import SalesTarget
from tests.factories import CustomerFactory, ProductFactory
from tests.reports.conftest import ship
from tests.web.pages import client_for, text_of

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 2, 10)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def sales(admin_user, rep_user, other_rep, company, warehouse):
    rep_user.last_name, rep_user.first_name = "営業", "一郎"
    rep_user.save(update_fields=["last_name", "first_name"])
    other_rep.last_name, other_rep.first_name = "販売", "二郎"
    other_rep.save(update_fields=["last_name", "first_name"])
    a = ProductFactory(sku="A-100", name="ボルト", list_price=Decimal(1000), cost=Decimal(600), category="金物")
    b = ProductFactory(
        sku="B-200", name="お茶", list_price=Decimal(500), cost=Decimal(300), category="食品", tax_category="reduced"
    )
    yamada = CustomerFactory(code="C001", name="山田製作所", sales_rep=rep_user, invoice_mode="per_shipment")
    sato = CustomerFactory(code="C003", name="佐藤工業", sales_rep=other_rep)
    first = ship(admin_user, yamada, [(a, 10)], dt.date(2025, 1, 15), warehouse)
    second = ship(admin_user, sato, [(a, 3)], dt.date(2026, 1, 5), warehouse)
    third = ship(admin_user, yamada, [(a, 5), (b, 4)], dt.date(2026, 1, 20), warehouse)
    invoice = Invoice.objects.get(shipment_links__shipment=third)
    for product, quantity, on in ((a, 1, dt.date(2026, 1, 25)), (b, 4, dt.date(2026, 2, 5))):
        billing_services.credit_note_issue(
            invoice=invoice,
            kind="return",
            lines=[CreditLineInput(invoice_line=invoice.lines.get(product=product), quantity=quantity)],
            reason="破損",
            user=admin_user,
            issue_date=on,
        )
    fourth = ship(admin_user, yamada, [(a, 2)], dt.date(2026, 2, 2), warehouse)
    for rep, month, amount in (
        (rep_user, dt.date(2025, 12, 1), 1000),
        (rep_user, dt.date(2026, 1, 1), 8000),
        (rep_user, dt.date(2026, 2, 1), 5000),
        (other_rep, dt.date(2026, 1, 1), 2400),
    ):
        SalesTarget.objects.create(rep=rep, month=month, amount=Decimal(amount))
    numbers = {
        key: Shipment.objects.get(pk=s.pk).order.number
        for key, s in (("first", first), ("second", second), ("third", third), ("fourth", fourth))
    }
    return {"a": a, "b": b, "yamada": yamada, "sato": sato, "orders": numbers}


def _target_row(page: str, rep: str) -> str:
    """The text of the targets table's row for `rep` (up to the next row's start)."""
    section = page[page.index("売上目標と実績") : page.index("売上の内訳")]
    start = section.index(rep)
    return section[start : start + 80]


def test_reports_is_the_dashboard_and_the_old_address_redirects(manager_user, db):
    client = client_for(manager_user)

    assert client.get("/reports/").status_code == 200
    response = client.get("/reports/dashboard/?period=month&month=2026-01")
    assert response.status_code == 302
    assert response["Location"] == "/reports/?period=month&month=2026-01"


def test_a_month_shows_sales_against_target_as_percentages(manager_user, sales, rep_user):
    page = text_of(client_for(manager_user).get("/reports/", {"period": "month", "month": "2026-01"}))

    assert "2026年1月" in page
    # rep1: 7,000 − 1,000 = 6,000 of 8,000 (75%); a year earlier 10,000 (−40%).
    assert _target_row(page, "営業 一郎").startswith("営業 一郎 ¥8,000 ¥6,000 75% ¥10,000 -40%")
    # rep2: 3,000 of 2,400.
    assert _target_row(page, "販売 二郎").startswith("販売 二郎 ¥2,400 ¥3,000 125% ¥0 —")
    assert "合計 ¥10,400 ¥9,000 86.5% ¥10,000 -10%" in page


def test_a_quarter_a_fiscal_year_and_custom_dates(manager_user, sales):
    client = client_for(manager_user)

    quarter = text_of(client.get("/reports/", {"period": "quarter", "month": "2026-02"}))
    assert "2025年度 第4四半期（2026/01 – 2026/03）" in quarter
    # rep1: 6,000 + 2,000 − 2,000 = 6,000 of 8,000 + 5,000.
    assert _target_row(quarter, "営業 一郎").startswith("営業 一郎 ¥13,000 ¥6,000 46.2%")

    year = text_of(client.get("/reports/", {"period": "year", "month": "2025-06"}))
    assert "2025年度（2025/04 – 2026/03）" in year
    # a year earlier: April 2024 – March 2025 holds #1.
    assert _target_row(year, "営業 一郎").startswith("営業 一郎 ¥14,000 ¥6,000 42.9% ¥10,000 -40%")

    custom = text_of(client.get("/reports/", {"period": "custom", "date_from": "2026-01-01", "date_to": "2026-01-10"}))
    assert "2026/01/01 – 2026/01/10" in custom
    assert _target_row(custom, "販売 二郎").startswith("販売 二郎 ¥2,400 ¥3,000 125%")
    assert _target_row(custom, "営業 一郎").startswith("営業 一郎 ¥8,000 ¥0 0%")


def test_bad_period_input_is_named_and_the_page_still_answers(manager_user, sales):
    client = client_for(manager_user)

    response = client.get("/reports/", {"period": "custom", "date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert response.status_code == 200
    assert "終了日が開始日より前です。" in text_of(response)
    response = client.get("/reports/", {"period": "month", "month": "2026-13"})
    assert response.status_code == 200
    assert "年月は YYYY-MM の形式で入力してください。" in text_of(response)


def test_sales_by_product_with_last_year_growth_and_no_margin_on_a_negative_row(manager_user, sales):
    page = text_of(client_for(manager_user).get("/reports/", {"period": "month", "month": "2026-02", "by": "product"}))

    # A: 2,000 sold, cost 1,200 → 40% margin; B: only the return, −2,000 → no margin.
    assert "A-100 ボルト 2 ¥2,000 ¥0 — ¥800 40% " in page
    assert "B-200 お茶 -4 -¥2,000 ¥0 — -¥800 — " in page


def test_every_figure_links_to_the_rows_behind_it(manager_user, sales, rep_user):
    client = client_for(manager_user)
    html = client.get("/reports/", {"period": "month", "month": "2026-01", "by": "customer"}).content.decode()

    rep_lines = f"/reports/sales/lines/?period=month&amp;month=2026-01&amp;rep={rep_user.pk}"
    assert rep_lines in html
    assert f"/reports/sales/lines/?period=month&amp;month=2026-01&amp;customer={sales['yamada'].pk}" in html
    assert "/billing/receivables/" in html
    assert "/orders/?open=1" in html
    assert "/quotes/?status=issued" in html

    lines = text_of(client.get(rep_lines.replace("&amp;", "&")))
    orders = sales["orders"]
    assert orders["third"] in lines and orders["second"] not in lines and orders["first"] not in lines
    # The lines add up to the figure the link came from.
    assert "売上金額（税抜） ¥6,000" in lines
    assert "合計 8 ¥6,000" in lines


def test_the_orders_list_narrowed_to_a_reps_shipments_in_a_period(manager_user, sales, rep_user):
    response = client_for(manager_user).get(
        "/orders/", {"rep": rep_user.pk, "shipped_from": "2026-01-01", "shipped_to": "2026-01-31"}
    )

    page = text_of(response)
    orders = sales["orders"]
    assert orders["third"] in page
    assert orders["second"] not in page and orders["first"] not in page and orders["fourth"] not in page
    assert "出荷日 2026/01/01 – 2026/01/31" in page


def test_a_rep_sees_only_their_own(rep_user, sales):
    client = client_for(rep_user)

    page = text_of(client.get("/reports/", {"period": "month", "month": "2026-01", "by": "customer"}))
    assert "営業 一郎" in page and "販売 二郎" not in page
    assert "山田製作所" in page and "佐藤工業" not in page
    lines = text_of(client.get("/reports/sales/lines/", {"period": "month", "month": "2026-01"}))
    assert sales["orders"]["third"] in lines and sales["orders"]["second"] not in lines
    other = text_of(client.get("/reports/sales/lines/", {"month": "2026-01", "customer": sales["sato"].pk}))
    assert "¥0" in other and sales["orders"]["second"] not in other
    assert client.get("/reports/consumption-tax/").status_code == 403


def test_downloads_have_real_dates_numbers_and_percent_cells(manager_user, sales):
    client = client_for(manager_user)

    response = client.get("/reports/", {"period": "month", "month": "2026-01", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    row = list(sheet[2])
    assert [c.value for c in row[:3]] == ["営業 一郎", 8000, 6000]
    assert Decimal(str(row[3].value)) == Decimal("0.75")  # 75%, as a spreadsheet stores it
    assert row[3].number_format == "0.0%"
    assert row[6].value == dt.datetime(2026, 1, 1) and row[6].number_format == "yyyy/mm/dd"

    csv_response = client.get("/reports/", {"period": "month", "month": "2026-01", "format": "csv"})
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    assert rows[1][:4] == ["営業 一郎", "8000", "6000", "75.0%"]
    assert rows[1][6:] == ["2026/01/01", "2026/01/31"]


def test_the_sales_table_in_full_by_month_downloads_months_as_dates(manager_user, sales):
    client = client_for(manager_user)

    page = text_of(client.get("/reports/sales/", {"period": "year", "month": "2026-01", "by": "category"}))
    # 食品 sold 4 and took back 4: nothing left, no row.
    assert "金物 9 ¥9,000 ¥10,000 -10% ¥3,600 40% 100%" in page and "食品" not in page
    response = client.get(
        "/api/v1/reports/sales/",
        {"date_from": "2025-12-01", "date_to": "2026-02-28", "group_by": "month", "format": "xlsx"},
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A2"].value == dt.datetime(2026, 1, 1) and sheet["A2"].number_format == "yyyy/mm"
    assert sheet["G2"].number_format == "0.0%"  # gross margin, a percent cell
    response = client.get(
        "/reports/sales/", {"period": "quarter", "month": "2026-01", "by": "product", "format": "xlsx"}
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][:3] == ("商品", "数量", "売上金額（税抜）")
    assert values[-1][0] == "合計" and values[-1][2] == 9000


def test_the_consumption_tax_screen(admin_user, sales):
    client = client_for(admin_user)

    page = text_of(client.get("/reports/consumption-tax/", {"date_from": "2026-01-01", "date_to": "2026-01-31"}))
    # 2026-01-20's invoice: 10% 5,000 → 500; 8% 2,000 → 160. The 01-25 return: 10% 1,000 → 100.
    assert "10% ¥5,000 ¥500 ¥1,000 ¥100 ¥4,000 ¥400 1 1" in page
    assert "8%（軽減税率） ¥2,000 ¥160 ¥0 ¥0 ¥2,000 ¥160 1 0" in page
    bad = client.get("/reports/consumption-tax/", {"date_from": "2026-02-01", "date_to": "2026-01-01"})
    assert bad.status_code == 200 and "終了日が開始日より前です。" in text_of(bad)
    download = client.get(
        "/reports/consumption-tax/", {"date_from": "2026-01-01", "date_to": "2026-01-31", "format": "csv"}
    )
    assert download["Content-Disposition"] == 'attachment; filename="consumption_tax_20260101_20260131.csv"'
