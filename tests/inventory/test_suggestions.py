import io

import pytest
from django.core.management import call_command

from inventory import services
from inventory.models import PurchaseOrder
from inventory.selectors import group_by_supplier, reorder_suggestions, suggested_reorder_quantity
from tests.inventory.factories import (
    ProductFactory,
    SupplierFactory,
    add_stock,
    issued_purchase_order,
    make_demand,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("projected", "point", "quantity", "expected"),
    [
        (10, 10, 50, 0),  # at the reorder point: nothing
        (9, 10, 50, 50),  # the lot lifts it back: order the lot
        (-45, 10, 50, 105),  # the lot is not enough: up to point + lot = 60
        (-5, 0, 0, 5),  # no reorder settings but backorders: cover them
        (3, 10, 0, 7),  # no lot size: up to the point
    ],
)
def test_suggested_quantity_formula(projected, point, quantity, expected):
    assert suggested_reorder_quantity(projected=projected, reorder_point=point, reorder_quantity=quantity) == expected


def test_suggestions_show_the_formula_values(main_wh):
    tokyo = SupplierFactory(code="S001")
    product = ProductFactory(sku="A-100", supplier=tokyo, reorder_point=20, reorder_quantity=100)
    add_stock(product, main_wh, 12)
    make_demand(product, 10)  # available 2
    issued_purchase_order(product, 5)  # incoming 5
    make_demand(product, 4)  # 2 allocated, 2 backordered

    [suggestion] = reorder_suggestions()

    assert (
        suggestion.available,
        suggestion.incoming,
        suggestion.backordered,
        suggestion.projected,
        suggestion.reorder_point,
        suggestion.reorder_quantity,
        suggestion.on_draft,
        suggestion.suggested_quantity,
    ) == (0, 5, 2, 3, 20, 100, 0, 100)


def test_products_with_enough_on_order_are_skipped(main_wh):
    covered = ProductFactory(reorder_point=10, reorder_quantity=30)
    issued_purchase_order(covered, 30)
    drafted = ProductFactory(reorder_point=10, reorder_quantity=30)
    services.purchase_order_create(supplier=drafted.supplier, lines=[{"product": drafted, "quantity": 30}], user=None)
    partly_drafted = ProductFactory(reorder_point=10, reorder_quantity=30)
    services.purchase_order_create(
        supplier=partly_drafted.supplier, lines=[{"product": partly_drafted, "quantity": 10}], user=None
    )
    ProductFactory(reorder_point=0, reorder_quantity=0)  # no rule, no backorders
    ProductFactory(reorder_point=10, track_stock=False)
    ProductFactory(reorder_point=10, is_active=False)

    suggestions = reorder_suggestions()

    assert [(s.product.pk, s.on_draft, s.suggested_quantity) for s in suggestions] == [(partly_drafted.pk, 10, 20)]


def test_grouped_by_supplier(main_wh):
    a, b = SupplierFactory(code="S001"), SupplierFactory(code="S002")
    p1 = ProductFactory(sku="X-2", supplier=a, reorder_point=1, reorder_quantity=5)
    p2 = ProductFactory(sku="X-1", supplier=a, reorder_point=1, reorder_quantity=5)
    p3 = ProductFactory(sku="X-0", supplier=b, reorder_point=1, reorder_quantity=5)
    p4 = ProductFactory(sku="X-9", supplier=None, reorder_point=1, reorder_quantity=5)

    groups = group_by_supplier(reorder_suggestions())

    assert [(s and s.code, [x.product.pk for x in items]) for s, items in groups] == [
        ("S001", [p2.pk, p1.pk]),
        ("S002", [p3.pk]),
        (None, [p4.pk]),
    ]


def test_chosen_suggestions_become_draft_orders_per_supplier(main_wh, admin_user):
    a, b = SupplierFactory(code="S001"), SupplierFactory(code="S002")
    p1 = ProductFactory(sku="X-1", supplier=a, reorder_point=5, reorder_quantity=20)
    p2 = ProductFactory(sku="X-2", supplier=a, reorder_point=5, reorder_quantity=20)
    p3 = ProductFactory(sku="X-3", supplier=b, reorder_point=5, reorder_quantity=20)

    created = services.purchase_orders_create_from_suggestions(
        user=admin_user, product_quantities={p1.pk: None, p2.pk: 7, p3.pk: None}
    )

    assert [(po.supplier.code, po.status) for po in created] == [("S001", "draft"), ("S002", "draft")]
    assert list(created[0].lines.values_list("product", "quantity")) == [(p1.pk, 20), (p2.pk, 7)]
    # what is on draft counts as ordered: only p2's shortfall (20 - 7) is still suggested
    assert [(s.product.pk, s.on_draft, s.suggested_quantity) for s in reorder_suggestions()] == [(p2.pk, 7, 13)]


def test_nightly_command_creates_drafts_once(main_wh):
    ProductFactory(reorder_point=5, reorder_quantity=20)
    ProductFactory(reorder_point=5, reorder_quantity=20, supplier=None)  # nobody to buy from

    call_command("create_reorder_purchase_orders", stdout=io.StringIO())
    call_command("create_reorder_purchase_orders", stdout=io.StringIO())

    assert PurchaseOrder.objects.count() == 1
    assert PurchaseOrder.objects.get().lines.get().quantity == 20
