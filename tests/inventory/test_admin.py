import pytest
from django.contrib.auth.models import Group
from django.test import Client

from backoffice.status import status_history
from inventory import services
from inventory.models import PurchaseOrder, StockLevel, StockMove
from tests.factories import make_user
from tests.inventory.factories import add_stock, make_demand

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


@pytest.fixture
def draft_po(product, main_wh, admin_user):
    return services.purchase_order_create(
        supplier=product.supplier, lines=[{"product": product, "quantity": 5}], user=admin_user
    )


def test_inventory_pages_open(admin_client, product, main_wh, draft_po):
    add_stock(product, main_wh, 3)
    make_demand(product, 1)
    level = StockLevel.objects.get()
    for url in [
        "/admin/inventory/product/",
        f"/admin/inventory/product/{product.pk}/change/",
        "/admin/inventory/product/?q=ステンレス",
        "/admin/inventory/supplier/",
        "/admin/inventory/warehouse/",
        "/admin/inventory/stocklevel/",
        f"/admin/inventory/stocklevel/{level.pk}/change/",
        "/admin/inventory/stockmove/",
        "/admin/inventory/stockdemand/",
        "/admin/inventory/purchaseorder/",
        f"/admin/inventory/purchaseorder/{draft_po.pk}/change/",
        "/admin/inventory/purchaseorder/add/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_stock_numbers_cannot_be_edited_in_the_admin(admin_client, product, main_wh):
    add_stock(product, main_wh, 3)
    level = StockLevel.objects.get()

    response = admin_client.post(
        f"/admin/inventory/stocklevel/{level.pk}/change/",
        {"product": product.pk, "warehouse": main_wh.pk, "on_hand": 99, "allocated": 0},
    )

    assert response.status_code == 403
    assert StockLevel.objects.get().on_hand == 3
    assert admin_client.get("/admin/inventory/stocklevel/add/").status_code == 403
    assert admin_client.get(f"/admin/inventory/stockmove/{StockMove.objects.get().pk}/delete/").status_code == 403


def test_issue_and_receive_actions_call_the_services(admin_client, product, draft_po):
    issue = admin_client.post(
        "/admin/inventory/purchaseorder/", {"action": "issue_selected", "_selected_action": [draft_po.pk]}
    )
    assert issue.status_code == 302
    po = PurchaseOrder.objects.get()
    assert (po.status, po.number[:3]) == ("issued", "PO-")

    admin_client.post("/admin/inventory/purchaseorder/", {"action": "receive_selected", "_selected_action": [po.pk]})

    assert PurchaseOrder.objects.get().status == "received"
    assert StockLevel.objects.get(product=product).on_hand == 5
    assert StockMove.objects.get().kind == "receipt"


def test_action_on_a_wrong_status_reports_the_error(admin_client, draft_po):
    response = admin_client.post(
        "/admin/inventory/purchaseorder/",
        {"action": "receive_selected", "_selected_action": [draft_po.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert PurchaseOrder.objects.get().status == "draft"
    assert StockMove.objects.count() == 0


def test_manager_sees_purchase_orders_but_cannot_run_actions(draft_po):
    manager = make_user("manager", username="boss")
    client = Client()
    client.force_login(manager)

    assert client.get("/admin/inventory/purchaseorder/").status_code == 200
    client.post("/admin/inventory/purchaseorder/", {"action": "issue_selected", "_selected_action": [draft_po.pk]})

    assert PurchaseOrder.objects.get().status == "draft"


def test_role_groups_get_inventory_permissions(db):
    def codes(role):
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    assert {"view_stocklevel", "view_stockmove", "add_purchaseorder", "change_purchaseorder"} <= codes("sales_admin")
    assert "change_stocklevel" not in codes("sales_admin")
    assert {"view_stocklevel", "view_purchaseorder"} <= codes("manager")
    assert "change_purchaseorder" not in codes("manager")
    assert "view_stocklevel" in codes("sales_rep")
    assert "view_purchaseorder" not in codes("sales_rep")


def _po_form(supplier, warehouse, lines):
    data = {
        "supplier": supplier.pk,
        "warehouse": warehouse.pk,
        "expected_date": "2026-12-03",
        "notes": "",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "1000",
    }
    for n, (product, quantity) in enumerate(lines):
        data.update(
            {
                f"lines-{n}-position": str(n + 1),
                f"lines-{n}-product": product.pk,
                f"lines-{n}-quantity": str(quantity),
                f"lines-{n}-unit_cost": "500",
                f"lines-{n}-expected_date": "",
            }
        )
    return data


def test_draft_purchase_order_is_entered_with_inline_lines(admin_client, product, main_wh):
    response = admin_client.post(
        "/admin/inventory/purchaseorder/add/", _po_form(product.supplier, main_wh, [(product, 4)])
    )

    assert response.status_code == 302, response.context["errors"] if response.context else response
    po = PurchaseOrder.objects.get()
    line = po.lines.get()
    assert (po.status, line.quantity, str(line.expected_date)) == ("draft", 4, "2026-12-03")
    assert list(status_history(po).values_list("to_status", flat=True)) == ["draft"]


@pytest.mark.parametrize("quantity", [0, -1])
def test_admin_refuses_bad_lines(admin_client, product, service_product, main_wh, quantity):
    for lines in ([(product, quantity)], [(service_product, 1)]):
        response = admin_client.post("/admin/inventory/purchaseorder/add/", _po_form(product.supplier, main_wh, lines))
        assert response.status_code == 200  # the form again, with the error

    assert PurchaseOrder.objects.count() == 0
