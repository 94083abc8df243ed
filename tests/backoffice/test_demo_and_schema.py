import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator

from backoffice.models import CompanyProfile
from billing import services as billing_services
from billing.ledger import aging
from billing.models import BankStatementImport, BankStatementLine, ClosingRun, Invoice, Payment
from inventory.models import Product, PurchaseOrder, StockMove, Supplier, Warehouse
from inventory.selectors import reorder_suggestions
from orders.models import Customer, Order, Shipment

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


JST = dt.timezone(dt.timedelta(hours=9))


def _counts() -> dict:
    models = [Order, Shipment, Invoice, ClosingRun, Payment, BankStatementImport, BankStatementLine, PurchaseOrder]
    return {model.__name__: model.objects.count() for model in [*models, StockMove]}


def test_the_demo_has_last_months_sales_billing_and_payments_relative_to_today():
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, 0, tzinfo=JST), tick=False):
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        counts = _counts()
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        assert _counts() == counts  # a second run creates nothing
        manager = get_user_model().objects.get(username="manager")
        receivables = aging(user=manager, as_of=dt.date(2026, 12, 4))

    # November's sales were shipped and invoiced in November (per shipment, or at the closing)
    november = Invoice.objects.filter(issue_date__range=(dt.date(2026, 11, 1), dt.date(2026, 11, 30)))
    assert november.count() == 10
    assert sum(i.sales_amount for i in november) == Decimal("604695")
    assert Shipment.objects.filter(shipped_on__month=11, shipped_on__year=2026).count() == 14
    # every closing day of October and November was run
    assert list(ClosingRun.objects.order_by("closing_date").values_list("closing_date", "status")) == [
        (dt.date(2026, 10, day), "done") for day in (15, 20, 25, 31)
    ] + [(dt.date(2026, 11, day), "done") for day in (15, 20, 25, 30)]
    # receivables as of today: some due later, some overdue (C001's and C005's October invoices)
    assert receivables.totals["current"] == Decimal("670713")
    assert receivables.totals["days_30"] == Decimal("104312")
    assert len(receivables.rows) == 8
    # the bank statements: confirmed by the admin, matched automatically, ignored, left to review
    assert sorted(BankStatementLine.objects.values_list("status", flat=True)) == [
        "confirmed",
        "confirmed",
        "confirmed",
        "ignored",
        "matched",
        "unmatched",
        "unmatched",
    ]
    assert Payment.objects.count() == 5
    # five products under their reorder point; purchase orders issued, received and a draft
    assert sorted(s.product.sku for s in reorder_suggestions()) == ["C-300", "C-301", "F-403", "F-404", "G-500"]
    assert sorted(PurchaseOrder.objects.values_list("status", flat=True)) == ["draft", "issued", "received"]
    assert Shipment.objects.filter(status="draft").count() == 1
    # the 発注書 prints the supplier's address and the warehouse's full address
    assert all(s.postal_code and s.address and s.phone for s in Supplier.objects.all())
    assert Warehouse.objects.get(code="TOKYO").address.startswith("〒136-0082 東京都江東区新木場")


def test_the_demo_bank_file_matches_learned_payers_proposes_a_first_one_and_leaves_the_rest(settings):
    with time_machine.travel(dt.datetime(2026, 12, 4, 10, 0, tzinfo=JST), tick=False):
        call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
        sample = settings.VAR_DIR / "demo" / "zengin_nyushukkin_20261204.txt"
        admin = get_user_model().objects.get(username="sales_admin")
        statement = billing_services.bank_statement_import(
            content=sample.read_bytes(), user=admin, file_name=sample.name
        )

    rows = statement.lines.order_by("row_number").values_list("payer_name", "amount", "status", "customer__code")
    assert list(rows) == [
        ("カ)アオバシヨウテン", Decimal(29150), "matched", "C002"),  # a learned payer: recorded at once
        ("カ)チユウオウケンセツ", Decimal(116182), "matched", "C009"),  # learned, short by the bank fee
        ("カ)ヤマダセイサクシヨ", Decimal(70312), "unmatched", "C001"),  # first time: proposed by kana
        ("ヤマモトジロウ", Decimal(27500), "unmatched", None),  # nobody's: to pick or ignore
    ]
    fee_paid = Payment.objects.filter(customer__code="C009").latest("pk")
    assert (fee_paid.amount, fee_paid.bank_fee) == (Decimal(116182), Decimal(440))
    assert (statement.withdrawals_skipped, statement.withdrawals_total) == (1, Decimal(48400))


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
