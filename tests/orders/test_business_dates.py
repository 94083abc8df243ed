"""Dates outside the business years (settings.BUSINESS_YEARS) are refused on every input (issue #16)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from billing.models import ClosingRun
from orders.models import Order

pytestmark = pytest.mark.django_db

OUT_OF_RANGE = "2000年1月1日から2099年12月31日までの日付を入力してください。"


@pytest.mark.parametrize("day", ["0089-06-12", "1550-01-01", "1999-12-31", "2100-01-01"])
def test_an_order_dated_outside_the_business_years_is_refused(admin_api, company, customer, product_a, day):
    response = admin_api.post(
        "/api/v1/orders/",
        {"customer": customer.pk, "order_date": day, "lines": [{"product": product_a.pk, "quantity": 1}]},
    )

    assert response.status_code == 400
    assert response.json() == {"order_date": [OUT_OF_RANGE]}
    assert Order.objects.count() == 0


def test_the_edges_of_the_business_years_are_accepted(admin_api, company, customer, product_a):
    for day in ("2000-01-01", "2099-12-31"):
        response = admin_api.post(
            "/api/v1/orders/",
            {"customer": customer.pk, "order_date": day, "lines": [{"product": product_a.pk, "quantity": 1}]},
        )
        assert response.status_code == 201, response.json()


def test_a_closing_in_the_year_703_is_refused(admin_api, company):
    response = admin_api.post("/api/v1/closings/", {"closing_date": "0703-08-09"})

    assert response.status_code == 400
    assert response.json() == {"closing_date": [OUT_OF_RANGE]}
    assert ClosingRun.objects.count() == 0


def test_run_closing_refuses_the_year_1550(admin_user, company):
    with pytest.raises(CommandError) as refused:
        call_command("run_closing", "1550-11-30", "--user", admin_user.username)

    assert str(refused.value) == f"closing_date: {OUT_OF_RANGE}"
    assert ClosingRun.objects.count() == 0


def test_a_date_filter_out_of_range_names_the_parameter(admin_api, company):
    response = admin_api.get("/api/v1/orders/", {"date_from": "0025-01-01"})

    assert response.status_code == 400
    assert response.json() == {"date_from": [OUT_OF_RANGE]}


def test_availability_on_a_date_out_of_range_names_the_parameter(admin_api, company, product_a):
    response = admin_api.get(f"/api/v1/products/{product_a.pk}/availability/", {"quantity": 1, "on": "0234-03-17"})

    assert response.status_code == 400
    assert response.json() == {"on": [OUT_OF_RANGE]}


def test_csv_import_names_the_row_with_a_date_out_of_range(admin_api, company, customer, product_a):
    text = "得意先コード,注文番号,品番,数量,希望納期\nC001,PO-1,A-100,5,0089/06/12\n"
    upload = SimpleUploadedFile("orders.csv", text.encode(), content_type="text/csv")

    response = admin_api.post("/api/v1/orders/import/", {"file": upload}, format="multipart")

    assert response.status_code == 400
    assert response.json()["rows"] == [f"2行目: requested_date: 0089/06/12: {OUT_OF_RANGE}"]
    assert Order.objects.count() == 0
