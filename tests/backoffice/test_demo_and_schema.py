import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from backoffice.models import CompanyProfile
from inventory.models import Product, Warehouse
from orders.models import Customer

pytestmark = pytest.mark.django_db


def test_load_demo_is_complete_and_safe_to_rerun():
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (Customer.objects.count(), Product.objects.count(), Warehouse.objects.count())

    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert (Customer.objects.count(), Product.objects.count(), Warehouse.objects.count()) == counts
    assert counts[0] == 10 and counts[1] == 30 and counts[2] == 2
    assert CompanyProfile.objects.get().is_complete
    assert Product.objects.filter(tax_category="reduced").count() >= 5
    assert Product.objects.filter(track_stock=False).count() >= 3
    assert Customer.objects.filter(tax_mode="inclusive").exists()
    assert Customer.objects.filter(invoice_mode="per_shipment").exists()
    users = {u.username: u for u in get_user_model().objects.all()}
    assert set(users) >= {"admin", "sales_admin", "rep1", "rep2", "manager"}
    assert users["admin"].check_password("admin-demo-2026")
    assert users["rep1"].groups.filter(name="sales_rep").exists()


def test_openapi_schema_generates_without_warnings(capsys):
    from drf_spectacular.drainage import GENERATOR_STATS

    GENERATOR_STATS.reset()
    schema = SchemaGenerator().get_schema(request=None, public=True)
    assert "/api/v1/customers/" in schema["paths"]
    assert "/api/v1/company/" in schema["paths"]
    assert not GENERATOR_STATS, GENERATOR_STATS
    captured = capsys.readouterr()
    assert "Warning" not in captured.err
    assert "Error" not in captured.err


def test_every_operation_documents_its_error_answers():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operations = [
        (path, method, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]

    assert len(operations) > 100
    missing = [
        (method, path, code)
        for path, method, operation in operations
        for code in ("400", "401", "403", "404", "409")
        if code not in operation["responses"]
    ]
    assert missing == []
    assert all("422" in op["responses"] for _p, method, op in operations if method == "post")
    assert "429" in schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]


def test_fields_that_can_be_null_say_so():
    components = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]

    assert components["Quote"]["properties"]["document"]["nullable"] is True
    assert components["IssuedDocument"]["properties"]["issued_by"]["nullable"] is True


def test_api_docs_page_serves_local_assets(admin_api):
    response = admin_api.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html and "unpkg" not in html
