"""Downloads (CSV with BOM, .xlsx) with Japanese headers, and the manager dashboard."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import translation
from openpyxl import load_workbook

from backoffice.roles import Role
from reports import charts, selectors
from tests.factories import make_user

pytestmark = pytest.mark.django_db

WINTER = {"date_from": "2025-12-01", "date_to": "2026-02-10"}


def test_sales_csv_has_a_bom_japanese_headers_and_the_total(manager_api, sales):
    response = manager_api.get("/api/v1/reports/sales/", {**WINTER, "group_by": "customer", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="sales_20251201_20260210_customer.csv"' in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["得意先", "数量", "売上金額（税抜）"]
    assert rows[-1][0] == "合計" and rows[-1][2] == "15910"
    assert sorted(r[0] for r in rows[1:-1]) == ["C001 山田製作所", "C003 佐藤工業", "C004 内税商店"]


def test_sales_xlsx_opens_with_numbers(manager_api, sales):
    response = manager_api.get("/api/v1/reports/sales/", {**WINTER, "group_by": "rep,month", "format": "xlsx"})

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.values)
    assert values[0][:3] == ("担当者", "月", "数量")
    assert values[-1][0] == "合計" and values[-1][3] == 15910
    assert len(values) == 1 + 4 + 1


def test_a_reps_download_holds_only_their_figures(rep_api, sales):
    response = rep_api.get("/api/v1/reports/sales/", {**WINTER, "group_by": "customer", "format": "csv"})

    text = response.content.decode("utf-8-sig")
    assert "佐藤工業" not in text and "10910" in text


def test_bad_input_in_a_download_is_json(manager_api, db):
    response = manager_api.get("/api/v1/reports/sales/", {"group_by": "x", "format": "csv"})

    assert response.status_code == 400
    assert response.json()["group_by"]


@pytest.mark.parametrize("path", ["sales", "targets", "backlog", "pipeline"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_options_on_a_download_describes_the_view_in_json(manager_api, db, path, file_format):
    response = manager_api.options(f"/api/v1/reports/{path}/?format={file_format}")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert "name" in response.json()


@pytest.mark.parametrize(
    ("path", "params", "header"),
    [
        ("/api/v1/reports/targets/", {"month": "2026-01"}, "担当者"),
        ("/api/v1/reports/backlog/", {}, "出荷予定日"),
        ("/api/v1/reports/pipeline/", {}, "担当者"),
    ],
)
def test_every_report_downloads(manager_api, sales, path, params, header):
    for file_format in ("csv", "xlsx"):
        response = manager_api.get(path, {**params, "format": file_format})
        assert response.status_code == 200, (path, file_format)
        assert "attachment" in response["Content-Disposition"]
    text = manager_api.get(path, {**params, "format": "csv"}).content.decode("utf-8-sig")
    assert text.startswith(header)


def test_dashboard_for_managers_with_an_inline_svg(client, sales, manager_user, rep_user):
    client.force_login(manager_user)
    response = client.get("/reports/")

    assert response.status_code == 200
    html = response.content.decode()
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert "<script" not in svg and "http://" not in html.replace("http://www.w3.org", "")
    assert "<script>" not in html  # only our own script files, no inline script
    assert "B-200 お茶" not in html  # nothing of February's top products is B
    assert "A-100 ボルト" in html  # February: 2 × A to sato
    # twelve month bars, months without sales included (2025-03 … 2026-02)
    assert html.count('fill="#3b6fb6"') == 12
    assert ">25/03<" in html and ">26/02<" in html


def test_every_role_opens_the_dashboard_and_the_old_address_redirects(client, sales, rep_user):
    assert client.get("/reports/").status_code == 302  # to the login page
    client.force_login(rep_user)
    assert client.get("/reports/").status_code == 200  # their own customers' figures
    assert client.get("/reports/dashboard/")["Location"] == "/reports/"
    client.force_login(make_user(Role.SALES_ADMIN, username="office"))
    assert client.get("/reports/").status_code == 200


def test_dashboard_query_count(client, sales, manager_user, django_assert_max_num_queries):
    client.force_login(manager_user)
    with django_assert_max_num_queries(40):
        response = client.get("/reports/")
    assert response.status_code == 200


def test_the_trend_chart_is_the_sales_report_by_month_beside_a_year_earlier(client, sales, manager_user):
    client.force_login(manager_user)
    html = client.get("/reports/").content.decode()

    report = selectors.sales_report(
        user=manager_user, date_from=dt.date(2025, 3, 1), date_to=dt.date(2026, 2, 28), group_by=["month"]
    )
    by_month = {row.keys[0]: row for row in report.rows}
    months = [f"{year}-{month:02d}" for year, month in [(2025, m) for m in range(3, 13)] + [(2026, 1), (2026, 2)]]
    with translation.override("ja"):
        expected = charts.bar_chart(
            [month[2:].replace("-", "/") for month in months],
            [by_month[m].amount if m in by_month else Decimal(0) for m in months],
            [by_month[m].last_year_amount if m in by_month else Decimal(0) for m in months],
            title=translation.gettext("Monthly sales, last 12 months (grey: a year earlier)"),
        )
    assert str(expected) in html
