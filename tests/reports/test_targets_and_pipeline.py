"""Targets vs achievement, the order backlog, the quote pipeline, and the targets API."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from backoffice.models import AuditEvent
from inventory import services as inventory_services
from orders import services as order_services
from orders.services import LineInput
from reports.models import SalesTarget
from reports.services import sales_target_set

pytestmark = pytest.mark.django_db


@pytest.fixture
def targets(manager_user, rep_user, other_rep):
    sales_target_set(user=manager_user, rep=rep_user, month=dt.date(2025, 12, 1), amount=Decimal(6000))
    sales_target_set(user=manager_user, rep=rep_user, month=dt.date(2026, 1, 1), amount=Decimal(4000))
    sales_target_set(user=manager_user, rep=other_rep, month=dt.date(2026, 1, 1), amount=Decimal(3000))
    sales_target_set(user=manager_user, rep=other_rep, month=dt.date(2025, 3, 1), amount=Decimal(99999))  # last FY


def test_targets_month_and_fiscal_year_to_date(manager_api, sales, targets, rep_user, other_rep):
    response = manager_api.get("/api/v1/reports/targets/", {"month": "2026-01"})

    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["month"], data["fiscal_year_from"]) == ("2026-01", "2025-04-01")
    rows = {row["rep_id"]: row for row in data["rows"]}
    mine, theirs = rows[rep_user.pk], rows[other_rep.pk]
    assert (mine["target"], mine["actual"], mine["achievement_rate"]) == ("4000", "3910", "0.98")
    assert (mine["ytd_target"], mine["ytd_actual"], mine["ytd_achievement_rate"]) == ("10000", "10910", "1.09")
    assert (theirs["target"], theirs["actual"], theirs["achievement_rate"]) == ("3000", "3000", "1.00")
    assert (theirs["ytd_target"], theirs["ytd_actual"]) == ("3000", "3000")
    assert (data["total"]["target"], data["total"]["actual"], data["total"]["achievement_rate"]) == (
        "7000",
        "6910",
        "0.99",
    )


def test_a_rep_sees_only_their_own_target_row(rep_api, sales, targets, rep_user):
    data = rep_api.get("/api/v1/reports/targets/", {"month": "2026-01"}).json()

    assert [row["rep_id"] for row in data["rows"]] == [rep_user.pk]
    assert data["total"]["actual"] == "3910"


@pytest.mark.parametrize("month", ["2026-13", "202601", "January", "2026-1-1"])
def test_malformed_month_is_a_400_naming_month(manager_api, month):
    response = manager_api.get("/api/v1/reports/targets/", {"month": month})

    assert response.status_code == 400
    assert "month" in response.json()


def test_targets_report_query_count(manager_api, sales, targets, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):  # roles, profile, targets, 2 aggregates, reps
        manager_api.get("/api/v1/reports/targets/", {"month": "2026-01"})


def test_managers_write_targets_and_reps_only_read_their_own(manager_api, rep_api, rep_user, other_rep, db):
    response = manager_api.post("/api/v1/sales-targets/", {"rep": rep_user.pk, "month": "2026-04", "amount": "500000"})
    assert response.status_code == 201, response.content
    assert response.json()["month"] == "2026-04"
    manager_api.post("/api/v1/sales-targets/", {"rep": other_rep.pk, "month": "2026-04", "amount": "1"})

    assert (
        rep_api.post("/api/v1/sales-targets/", {"rep": rep_user.pk, "month": "2026-05", "amount": "1"}).status_code
        == 403
    )
    assert [t["rep"] for t in rep_api.get("/api/v1/sales-targets/").json()["results"]] == [rep_user.pk]
    bad = manager_api.post("/api/v1/sales-targets/", {"rep": rep_user.pk, "month": "2026/13", "amount": "1"})
    assert bad.status_code == 400 and "month" in bad.json()
    target = SalesTarget.objects.get(rep=rep_user)
    patched = manager_api.patch(f"/api/v1/sales-targets/{target.pk}/", {"amount": "600000"})
    assert patched.status_code == 200 and patched.json()["amount"] == "600000"
    assert AuditEvent.objects.filter(action="sales_target.update").exists()


def test_bulk_import_from_csv(manager_api, rep_api, rep_user, other_rep, db):
    content = '担当者,年月,目標金額\r\nrep1,2026-04,1000000\r\nrep2,2026/5,"2,000,000"\r\n'.encode("cp932")

    response = manager_api.post(
        "/api/v1/sales-targets/import/", {"file": SimpleUploadedFile("t.csv", content)}, format="multipart"
    )

    assert response.status_code == 200, response.content
    assert response.json() == {"created": 2, "updated": 0, "unchanged": 0}
    assert SalesTarget.objects.get(rep=other_rep).amount == Decimal(2000000)
    again = manager_api.post(
        "/api/v1/sales-targets/import/",
        {"file": SimpleUploadedFile("t.csv", b"rep,month,amount\nrep1,2026-04,1500000\nrep2,2026-05,2000000\n")},
        format="multipart",
    )
    assert again.json() == {"created": 0, "updated": 1, "unchanged": 1}
    refused = rep_api.post(
        "/api/v1/sales-targets/import/", {"file": SimpleUploadedFile("t.csv", content)}, format="multipart"
    )
    assert refused.status_code == 403


def test_import_with_one_bad_row_imports_nothing(manager_api, rep_user, db):
    content = b"rep,month,amount\nrep1,2026-04,100\nrep1,2026-13,100\n"

    response = manager_api.post(
        "/api/v1/sales-targets/import/", {"file": SimpleUploadedFile("t.csv", content)}, format="multipart"
    )

    assert response.status_code == 400
    assert "row 3" in response.json()["file"][0] or "3行" in response.json()["file"][0]
    assert not SalesTarget.objects.exists()


def test_backlog_by_expected_ship_date(manager_api, rep_api, admin_user, yamada, sato, product_a, warehouse):
    inventory_services.stock_adjust(product=product_a, warehouse=warehouse, quantity=5, reason="入荷", user=admin_user)
    ready = order_services.order_create(
        user=admin_user,
        data={"customer": yamada, "order_date": dt.date(2026, 2, 9), "requested_date": dt.date(2026, 2, 20)},
        lines=[LineInput(product=product_a, quantity=5)],
    )
    order_services.order_confirm(order=ready, user=admin_user)
    now = order_services.order_create(
        user=admin_user,
        data={"customer": sato, "order_date": dt.date(2026, 2, 9)},
        lines=[LineInput(description="設置作業", quantity=1, unit_price=Decimal(30000), tax_rate=10)],
    )
    order_services.order_confirm(order=now, user=admin_user)
    order_services.order_create(  # a draft is no backlog
        user=admin_user,
        data={"customer": sato, "order_date": dt.date(2026, 2, 9)},
        lines=[LineInput(product=product_a, quantity=1)],
    )

    data = manager_api.get("/api/v1/reports/backlog/").json()

    assert [(r["key"], r["lines"], r["quantity"], r["amount"]) for r in data["rows"]] == [
        ("2026-02-10", 1, 1, "30000"),
        ("2026-02-20", 1, 5, "5000"),
    ]
    assert data["total"]["amount"] == "35000"
    assert rep_api.get("/api/v1/reports/backlog/").json()["total"]["amount"] == "5000"


def test_pipeline_open_quotes_and_won_rate(
    manager_api, rep_api, admin_user, yamada, sato, product_a, rep_user, other_rep
):
    def issued(customer, on):
        quote = order_services.quote_create(
            user=admin_user,
            data={"customer": customer, "subject": "見積"},
            lines=[LineInput(product=product_a, quantity=10)],
        )
        quote = order_services.quote_submit(quote=quote, user=admin_user)
        return order_services.quote_issue(quote=quote, user=admin_user, issue_date=on)

    order_services.quote_accept(quote=issued(yamada, dt.date(2026, 1, 20)), user=admin_user)
    order_services.quote_decline(quote=issued(yamada, dt.date(2026, 1, 21)), user=admin_user)
    issued(yamada, dt.date(2026, 2, 1))  # still open
    issued(sato, dt.date(2025, 12, 1))  # valid 30 days: expired
    order_services.quotes_expire()

    data = manager_api.get("/api/v1/reports/pipeline/", {"date_from": "2025-12-01", "date_to": "2026-02-10"}).json()

    rows = {row["rep_id"]: row for row in data["rows"]}
    mine, theirs = rows[rep_user.pk], rows[other_rep.pk]
    assert (mine["open_count"], mine["open_amount"], mine["accepted_count"], mine["declined_count"]) == (
        1,
        "10000",
        1,
        1,
    )
    assert mine["won_rate"] == "0.50"
    assert (theirs["expired_count"], theirs["won_rate"]) == (1, "0.00")
    assert (data["total"]["open_count"], data["total"]["won_rate"]) == (1, "0.33")
    assert [row["rep_id"] for row in rep_api.get("/api/v1/reports/pipeline/").json()["rows"]] == [rep_user.pk]
