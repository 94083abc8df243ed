"""The papers' API (issue #18): PDFs, roles, 400 naming the field, 404 for another rep's order."""

import pytest

from orders import services
from orders.services import LineInput
from tests.factories import CustomerFactory, WarehouseFactory
from tests.orders.conftest import stock
from tests.orders.slip_helpers import pdf_pages

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(admin_user, company, warehouse, customer, product_a):
    stock(product_a, warehouse, 20)
    order = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=product_a, quantity=2)]
    )
    return services.order_confirm(order=order, user=admin_user).order


def _pdf(response) -> bytes:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content)


def test_the_order_slip_is_a_pdf_for_the_reps_own_customer(rep_api, confirmed):
    (page,) = pdf_pages(_pdf(rep_api.get(f"/api/v1/orders/{confirmed.pk}/slip/")))
    assert "No. SO-2026-000001" in page
    assert "1 A-100 ステンレスボルト M8 2 箱 1,980 3,960 2 0" in page


def test_another_reps_order_is_not_found(confirmed, other_rep):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(other_rep)
    assert client.get(f"/api/v1/orders/{confirmed.pk}/slip/").status_code == 404
    assert client.get("/api/v1/orders/slips/?date=2026-11-20").status_code == 404


def test_a_draft_orders_slip_is_a_conflict(admin_api, company, customer, product_a, admin_user):
    draft = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=product_a, quantity=1)]
    )
    response = admin_api.get(f"/api/v1/orders/{draft.pk}/slip/")
    assert response.status_code == 409
    assert "detail" in response.json()


def test_the_days_batch_holds_the_users_orders_of_that_date(admin_api, rep_api, confirmed, admin_user, product_a):
    theirs = CustomerFactory(code="C900", name="株式会社他社担当")
    other = services.order_create(
        user=admin_user, data={"customer": theirs}, lines=[LineInput(product=product_a, quantity=1)]
    )
    services.order_confirm(order=other, user=admin_user)

    assert len(pdf_pages(_pdf(admin_api.get("/api/v1/orders/slips/?date=2026-11-20")))) == 2
    (page,) = pdf_pages(_pdf(rep_api.get("/api/v1/orders/slips/?date=2026-11-20")))
    assert "SO-2026-000001" in page and "株式会社他社担当" not in page
    response = admin_api.get("/api/v1/orders/slips/?date=2026-11-19")
    assert response.status_code == 404


@pytest.mark.parametrize("query", ["", "?date=2026-13-01", "?date=tomorrow", "?date=1900-01-01"])
def test_a_bad_date_is_a_400_naming_it(admin_api, company, query):
    response = admin_api.get(f"/api/v1/orders/slips/{query}")
    assert response.status_code == 400
    assert list(response.json()) == ["date"]
    response = admin_api.get(f"/api/v1/shipments/picking-list/{query}")
    assert response.status_code == 400
    assert list(response.json()) == ["date"]


def test_picking_lists_for_sales_admins_only(admin_api, rep_api, manager_api, confirmed, admin_user):
    shipment = services.shipment_create(order=confirmed, user=admin_user)
    pages = pdf_pages(_pdf(admin_api.get(f"/api/v1/shipments/{shipment.pk}/picking-list/")))
    assert "1 A-100 ステンレスボルト M8 2 箱 SO-2026-000001 株式会社山田製作所" in pages[0]
    pages = pdf_pages(_pdf(admin_api.get("/api/v1/shipments/picking-list/?date=2026-11-20")))
    assert "出荷件数 1件" in pages[0]
    for client in (rep_api, manager_api):
        assert client.get(f"/api/v1/shipments/{shipment.pk}/picking-list/").status_code == 403
        assert client.get("/api/v1/shipments/picking-list/?date=2026-11-20").status_code == 403


def test_the_warehouse_filter(admin_api, confirmed, admin_user, warehouse):
    services.shipment_create(order=confirmed, user=admin_user)
    empty = WarehouseFactory(code="SENDAI", name="仙台倉庫")
    (page,) = pdf_pages(_pdf(admin_api.get(f"/api/v1/shipments/picking-list/?date=2026-11-20&warehouse={empty.pk}")))
    assert "倉庫 SENDAI 仙台倉庫" in page and "ピッキングする出荷はありません。" in page
    (page,) = pdf_pages(
        _pdf(admin_api.get(f"/api/v1/shipments/picking-list/?date=2026-11-20&warehouse={warehouse.pk}"))
    )
    assert "A-100" in page
    for bad in ("999999", "abc"):
        response = admin_api.get(f"/api/v1/shipments/picking-list/?date=2026-11-20&warehouse={bad}")
        assert response.status_code == 400
        assert list(response.json()) == ["warehouse"]


def test_the_schema_documents_the_papers(admin_api):
    schema = admin_api.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/orders/{id}/slip/",
        "/api/v1/orders/slips/",
        "/api/v1/shipments/{id}/picking-list/",
        "/api/v1/shipments/picking-list/",
    ):
        responses = schema["paths"][path]["get"]["responses"]
        assert "application/pdf" in responses["200"]["content"]
        assert {"403", "404"} <= set(responses) or {"400", "403"} <= set(responses)
    assert {"400", "403", "404"} <= set(schema["paths"]["/api/v1/orders/slips/"]["get"]["responses"])
