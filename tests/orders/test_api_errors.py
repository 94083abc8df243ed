"""Bad input never gives a 500, and every error under /api/ is JSON (issue #16)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from orders.api import flow_views
from orders.models import Order, Quote

pytestmark = pytest.mark.django_db

DEEP_JSON = "[" * 5000 + "]" * 5000


def test_quote_request_without_lines_names_the_field(admin_api, company, customer):
    inquiry = admin_api.post(
        "/api/v1/inquiries/", {"customer": customer.pk, "channel": "phone", "subject": "見積依頼"}
    ).data

    response = admin_api.post(f"/api/v1/inquiries/{inquiry['id']}/quote-request/", {})

    assert response.status_code == 400
    assert response.json() == {"lines": ["この項目は必須です。"]}
    assert Quote.objects.count() == 0


def test_json_nested_5000_deep_is_a_400_even_without_logging_in():
    response = Client().post("/api/v1/auth/token/", DEEP_JSON, content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "JSON の解析エラー: 入れ子が深すぎます。"}


def test_json_nested_5000_deep_on_an_authenticated_endpoint(admin_api, company, customer):
    response = admin_api.post("/api/v1/orders/", DEEP_JSON, content_type="application/json")

    assert response.status_code == 400
    assert set(response.json()) == {"detail"}
    assert Order.objects.count() == 0


def upload(content: bytes):
    return SimpleUploadedFile("orders.csv", content, content_type="text/csv")


def test_csv_import_with_a_cell_over_128_kib_names_the_file(admin_api, company, customer, product_a):
    content = ("得意先コード,注文番号,品番,数量\nC001,PO-1,A-100," + "9" * 140_000 + "\n").encode()

    response = admin_api.post("/api/v1/orders/import/", {"file": upload(content)}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"file": ["2 行目: 131,072 文字を超える項目があるか、CSV の形式が正しくありません。"]}
    assert Order.objects.count() == 0


def test_csv_import_with_a_nul_byte_names_the_file(admin_api, company, customer, product_a):
    content = "得意先コード,注文番号,品番,数量\nC001,PO-1,A-100,5\nC001,PO-\x002,A-100,5\n".encode()

    response = admin_api.post("/api/v1/orders/import/", {"file": upload(content)}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"file": ["3 行目に NUL 文字が含まれています。テキストファイルではありません。"]}
    assert Order.objects.count() == 0


def test_unknown_api_url_is_a_json_404(admin_api):
    response = admin_api.get("/api/v1/no-such-thing/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "見つかりませんでした。"}


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_unknown_api_url_is_a_json_404_also_with_debug_on(admin_api, settings, method):
    settings.DEBUG = True

    response = getattr(admin_api, method)("/api/v1/quotes/-9.6e-187/")

    assert response.status_code == 404
    assert response.json() == {"detail": "見つかりませんでした。"}


def test_screens_keep_html_404(admin_api):
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_method_not_allowed_is_json(admin_api):
    response = admin_api.delete("/api/v1/auth/token/")

    assert response.status_code in (401, 403, 405)
    assert response["Content-Type"] == "application/json"


def test_body_over_the_limit_is_a_json_413(admin_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000

    response = admin_api.post("/api/v1/orders/", {"note": "x" * 2000})

    assert response.status_code == 413
    assert response.json() == {"detail": "リクエストの本文が 1,000 バイトを超えています。"}
    assert Order.objects.count() == 0


def test_an_unexpected_error_is_a_json_500(admin_user, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(flow_views.OrderViewSet, "list", explode)
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)

    response = client.get("/api/v1/orders/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "サーバエラーが発生しました。"}


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/reports/backlog/?rep=36155180342293856256", "rep"),
        ("/api/v1/reports/pipeline/?customer=36155180342293856256", "customer"),
        ("/api/v1/reports/sales/?product=36155180342293856256", "product"),
        ("/api/v1/purchase-orders/?product=36155180342293856256", "product"),
    ],
)
def test_an_id_beyond_any_row_is_a_400_naming_the_parameter(admin_api, company, url, field):
    response = admin_api.get(url)

    assert response.status_code == 400
    assert list(response.json()) == [field]
