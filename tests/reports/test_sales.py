"""The sales report: exact yen figures across month and year boundaries, credit notes in
the month they are issued, totals that are the sums of their rows for every grouping."""

import datetime as dt
from decimal import Decimal

import pytest

from reports import selectors
from reports.selectors import SalesFilters

pytestmark = pytest.mark.django_db

JAN = {"date_from": "2026-01-01", "date_to": "2026-01-31"}
WINTER = {"date_from": "2025-12-01", "date_to": "2026-02-10"}
GROUPINGS = ["month", "day", "product", "customer", "rep", "category", "rep,month", "category,customer", "day,product"]


def rows_by_key(data):
    return {row["key"]: row for row in data["rows"]}


def figures(row, *names):
    return tuple(row[name] for name in names)


def test_january_by_product_nets_the_credit_note_and_compares_with_last_year(manager_api, sales, product_a, product_b):
    response = manager_api.get("/api/v1/reports/sales/", {**JAN, "group_by": "product"})

    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["last_year_from"], data["last_year_to"]) == ("2025-01-01", "2025-01-31")
    rows = rows_by_key(data)
    a, b = rows[str(product_a.pk)], rows[str(product_b.pk)]
    # A: 3,000 (sato) + 910 (内税 1,000 → tax 90 rounded down, once per delivery note) − 2,000 (return) ; B: 5,000
    assert (a["quantity"], a["amount"], a["cost"], a["gross_profit"]) == (2, "1910", "1200.00", "710.00")
    assert (a["last_year_quantity"], a["last_year_amount"], a["growth_pct"]) == (10, "10000", "-80.9")
    assert (b["quantity"], b["amount"], b["cost"], b["gross_margin_pct"]) == (10, "5000", "3000.00", "40.0")
    assert b["last_year_amount"] == "0" and b["growth_pct"] is None
    assert [row["key"] for row in data["rows"]] == [str(product_b.pk), str(product_a.pk)]  # largest first
    assert (a["share_pct"], b["share_pct"]) == ("27.6", "72.4")
    assert a["label"] == "A-100 ボルト"
    total = data["total"]
    assert figures(total, "quantity", "amount", "cost", "gross_profit") == (12, "6910", "4200.00", "2710.00")
    assert (total["gross_margin_pct"], total["last_year_amount"], total["share_pct"]) == ("39.2", "10000", "100.0")


def test_months_across_the_year_boundary(manager_api, sales):
    response = manager_api.get("/api/v1/reports/sales/", {**WINTER, "group_by": "month"})

    data = response.json()
    assert [(r["key"], r["amount"], r["last_year_amount"]) for r in data["rows"]] == [
        ("2025-12", "7000", "0"),
        ("2026-01", "6910", "10000"),
        ("2026-02", "2000", "0"),
    ]
    assert data["total"]["amount"] == "15910"
    assert data["rows"][1]["label"] == "2026年01月" or data["rows"][1]["label"] == "2026-01"


@pytest.mark.parametrize("group_by", GROUPINGS)
def test_every_grouping_sums_to_the_same_total(manager_api, sales, group_by):
    data = manager_api.get("/api/v1/reports/sales/", {**WINTER, "group_by": group_by}).json()

    total = data["total"]
    assert figures(total, "quantity", "amount", "cost", "last_year_amount") == (23, "15910", "9600.00", "10000")
    assert sum(Decimal(r["amount"]) for r in data["rows"]) == Decimal(total["amount"])
    assert sum(Decimal(r["cost"]) for r in data["rows"]) == Decimal(total["cost"])
    assert sum(r["quantity"] for r in data["rows"]) == total["quantity"]
    assert sum(Decimal(r["last_year_amount"]) for r in data["rows"]) == Decimal(total["last_year_amount"])


def test_two_level_grouping_rep_then_month(manager_api, sales, rep_user, other_rep):
    data = manager_api.get("/api/v1/reports/sales/", {**WINTER, "group_by": "rep,month"}).json()

    assert [(r["keys"], r["amount"]) for r in data["rows"]] == [
        ([str(rep_user.pk), "2025-12"], "7000"),
        ([str(rep_user.pk), "2026-01"], "3910"),  # 5,000 + 910 − 2,000
        ([str(other_rep.pk), "2026-01"], "3000"),
        ([str(other_rep.pk), "2026-02"], "2000"),
    ]
    assert data["rows"][0]["key"] == f"{rep_user.pk},2025-12"


def test_day_rows_carry_last_years_same_day(manager_api, sales):
    data = manager_api.get(
        "/api/v1/reports/sales/", {"date_from": "2026-01-15", "date_to": "2026-01-31", "group_by": "day"}
    )

    rows = rows_by_key(data.json())
    assert rows["2026-01-15"]["amount"] == "0" and rows["2026-01-15"]["last_year_amount"] == "10000"
    assert rows["2026-01-31"]["amount"] == "5000"


def test_filters_customer_product_rep_and_warehouse(manager_api, sales, sato, product_b, rep_user, osaka, warehouse):
    def total(**params):
        return manager_api.get("/api/v1/reports/sales/", {**WINTER, "group_by": "month", **params}).json()["total"][
            "amount"
        ]

    assert total(customer=sato.pk) == "5000"
    assert total(product=product_b.pk) == "7000"  # 2,000 in December + 5,000 in January
    assert total(rep=rep_user.pk) == "10910"
    assert total(warehouse=osaka.pk) == "2000"
    assert total(warehouse=warehouse.pk) == "13910"  # the return follows the Tokyo shipment it credits


def test_a_rep_sees_only_their_customers(rep_api, sales, other_rep):
    data = rep_api.get("/api/v1/reports/sales/", {**WINTER, "group_by": "customer"}).json()

    assert [r["label"] for r in data["rows"]] == ["C001 山田製作所", "C004 内税商店"]
    assert data["total"]["amount"] == "10910"
    assert rep_api.get("/api/v1/reports/sales/", {**WINTER, "rep": other_rep.pk}).json()["total"]["amount"] == "0"


def test_selector_runs_a_bounded_number_of_queries(manager_user, sales, django_assert_max_num_queries):
    manager_user._backoffice_roles = None
    with django_assert_max_num_queries(4):  # roles, shipments, credit notes, product labels
        report = selectors.sales_report(
            user=manager_user,
            date_from=dt.date(2025, 1, 1),
            date_to=dt.date(2026, 2, 10),
            group_by=["product"],
            filters=SalesFilters(),
        )
    assert report.total.amount == Decimal(25910)


def test_endpoint_query_count_does_not_grow_with_rows(manager_api, sales, django_assert_num_queries):
    # session-less auth: roles; the aggregate, one query per source on every database;
    # 2 label queries
    with django_assert_num_queries(5):
        response = manager_api.get("/api/v1/reports/sales/", {**WINTER, "group_by": "rep,customer"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"group_by": "colour"}, "group_by"),
        ({"group_by": "rep,month,day"}, "group_by"),
        ({"group_by": "rep,rep"}, "group_by"),
        ({"date_from": "2026-02-01", "date_to": "2026-01-01"}, "date_to"),
        ({"date_from": "2015-01-01", "date_to": "2025-01-01"}, "date_to"),
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"customer": "x"}, "customer"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(manager_api, params, field):
    response = manager_api.get("/api/v1/reports/sales/", params)

    assert response.status_code == 400
    assert field in response.json()


def test_ten_years_exactly_is_allowed(manager_api, db):
    response = manager_api.get("/api/v1/reports/sales/", {"date_from": "2016-01-01", "date_to": "2025-12-31"})
    assert response.status_code == 200


def test_unauthenticated_is_refused(client, db):
    assert client.get("/api/v1/reports/sales/").status_code in (401, 403)


def test_past_sales_keep_the_rep_and_cost_of_the_day_they_shipped(
    manager_api, admin_user, yamada, rep_user, other_rep, product_b, warehouse
):
    from tests.reports.conftest import ship

    ship(admin_user, yamada, [(product_b, 10)], dt.date(2026, 1, 31), warehouse)
    # Later the customer moves to another rep and the product gets dearer to buy.
    yamada.sales_rep = other_rep
    yamada.save()
    product_b.cost = Decimal("999")
    product_b.save()

    response = manager_api.get("/api/v1/reports/sales/", {**JAN, "group_by": "rep"})

    rows = rows_by_key(response.json())
    assert list(rows) == [str(rep_user.pk)]
    assert (rows[str(rep_user.pk)]["amount"], rows[str(rep_user.pk)]["cost"]) == ("5000", "3000.00")


def test_monthly_net_sales_are_the_sales_report_by_month_and_a_year_earlier(manager_user, rep_user, sales):
    """The dashboard's trend: per month, net of the credit note of 2026-01-12 (−2,000)."""
    months = selectors.monthly_net_sales(
        user=manager_user, first_month=dt.date(2025, 1, 1), last_month=dt.date(2026, 2, 1)
    )

    assert months == {
        dt.date(2025, 1, 1): Decimal(10000),
        dt.date(2025, 12, 1): Decimal(7000),
        dt.date(2026, 1, 1): Decimal(3000 + 910 + 5000 - 2000),
        dt.date(2026, 2, 1): Decimal(2000),
    }
    report = selectors.sales_report(
        user=manager_user, date_from=dt.date(2025, 3, 1), date_to=dt.date(2026, 2, 28), group_by=["month"]
    )
    by_month = {row.keys[0]: row for row in report.rows}
    assert by_month["2026-01"].amount == months[dt.date(2026, 1, 1)]
    assert by_month["2026-01"].last_year_amount == months[dt.date(2025, 1, 1)]
    assert by_month["2025-12"].amount == months[dt.date(2025, 12, 1)]
    mine = selectors.monthly_net_sales(user=rep_user, first_month=dt.date(2025, 12, 1), last_month=dt.date(2026, 2, 1))
    assert mine == {dt.date(2025, 12, 1): Decimal(7000), dt.date(2026, 1, 1): Decimal(910 + 5000 - 2000)}
