"""Issue #12, items 4, 5, 6 and 15: what the quote, the 注文請書 and the admin show people.

4. percentages printed for people (「値引 10%」, never 「1E+1%」)
5. the 注文請書 carries its order's number; order numbers stay gapless
6. a line's unit and tax rate come from its product; another rate needs an audited override
15. the admin's 「履歴」 page lists the audit trail
"""

import re
from decimal import Decimal

import pytest

from backoffice.models import AuditEvent
from documents.models import DocumentCounter, IssuedDocument
from documents.services import documents_render
from orders import services
from orders.models import Order
from orders.services import LineInput
from tests.documents.factories import pdf_text
from tests.factories import UserFactory
from tests.orders.admin_forms import admin_client, order_form
from tests.orders.conftest import stock

pytestmark = pytest.mark.django_db

DISCOUNTS = [*(Decimal(n) for n in range(0, 101, 5)), Decimal("12.5")]


def issued_quote(admin_user, manager_user, customer, product, discount):
    quote = services.quote_create(
        user=admin_user,
        data={"customer": customer, "subject": "値引の見積"},
        lines=[LineInput(product=product, quantity=10, discount_rate=discount)],
    )
    quote = services.quote_submit(quote=quote, user=admin_user)
    if quote.status == quote.Status.PENDING_APPROVAL:
        quote = services.quote_approve(quote=quote, user=manager_user, comment="承認")
    return services.quote_issue(quote=quote, user=admin_user)


def printed_text(document: IssuedDocument) -> str:
    documents_render([document])
    document.refresh_from_db()
    with document.pdf.open("rb") as file:
        return "\n".join(pdf_text(file.read()))


# --- 4. percentages for people ------------------------------------------------------------------


def percent_text(discount: Decimal) -> str:
    return {Decimal("12.5"): "12.5"}.get(discount, str(int(discount)))


@pytest.mark.parametrize("discount", DISCOUNTS, ids=str)
def test_issued_quote_prints_the_discount_as_people_write_it(
    admin_user, manager_user, company, customer, product_a, discount
):
    quote = issued_quote(admin_user, manager_user, customer, product_a, discount)

    (line,) = quote.document.data["document"]["lines"]
    assert line["note"] == (f"値引 {percent_text(discount)}%" if discount else "")
    if discount > 10:  # the company's limit without approval is 10.00%
        assert quote.approval_reasons == [f"1行目の値引率 {percent_text(discount)}% が上限 10% を超えています。"]
    else:
        assert quote.approval_reasons == []


@pytest.mark.parametrize("discount", [Decimal("10"), Decimal("12.5"), Decimal("100")], ids=str)
def test_the_quote_pdf_says_the_discount_in_plain_digits(
    admin_user, manager_user, company, customer, product_a, discount
):
    quote = issued_quote(admin_user, manager_user, customer, product_a, discount)

    text = printed_text(quote.document)

    assert f"値引 {percent_text(discount)}%" in text
    assert "E+" not in text


def test_delivery_note_lines_print_the_discount_in_plain_digits(admin_user, company, warehouse, customer, product_a):
    stock(product_a, warehouse, 20)
    order = services.order_create(
        user=admin_user,
        data={"customer": customer},
        lines=[
            LineInput(product=product_a, quantity=5, discount_rate=Decimal("10.00")),
            LineInput(product=product_a, quantity=5, discount_rate=Decimal("12.50")),
        ],
    )
    services.order_confirm(order=order, user=admin_user)
    shipment = services.shipment_ship(shipment=services.shipment_create(order=order, user=admin_user), user=admin_user)

    notes = [line["note"] for line in shipment.delivery_note.data["document"]["lines"]]
    assert notes == ["値引 10%", "値引 12.5%"]
    assert "値引 10%" in printed_text(shipment.delivery_note)


# --- 5. the 注文請書 number ------------------------------------------------------------------------


def test_order_confirmation_carries_the_order_number_and_orders_stay_gapless(
    admin_user, company, warehouse, customer, product_a
):
    stock(product_a, warehouse, 10)
    first = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=product_a, quantity=1)]
    )
    second = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=product_a, quantity=1)]
    )

    services.order_confirm(order=first, user=admin_user)
    first = services.order_confirmation_issue(order=first, user=admin_user)
    services.order_confirm(order=second, user=admin_user)
    second = services.order_confirmation_issue(order=second, user=admin_user)

    assert (first.number, second.number) == ("SO-2026-000001", "SO-2026-000002")
    assert first.confirmation_document.number == "SO-2026-000001"
    assert second.confirmation_document.number == "SO-2026-000002"
    assert DocumentCounter.objects.get(prefix="SO", fiscal_year=2026).last_value == 2
    assert "SO-2026-000001" in printed_text(first.confirmation_document)


# --- 6. unit and tax rate from the product ----------------------------------------------------------


def shown_value(page: str, name: str) -> str:
    """The value the form shows in an input, as a browser would post it back."""
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', page).group(0)
    value = re.search(r'value="([^"]*)"', tag)
    return value.group(1) if value else ""


@pytest.mark.parametrize("role", ["superuser", "sales_admin"])
def test_admin_line_for_a_reduced_rate_product_keeps_its_unit_and_rate(
    role, admin_user, company, warehouse, customer, food
):
    user = UserFactory(username="root", is_superuser=True) if role == "superuser" else admin_user
    client = admin_client(user)
    page = client.get("/admin/orders/order/add/").content.decode()
    line = {
        "product": food.pk,
        "quantity": "3",
        # what the new line showed, untouched by the user
        **{
            name: shown_value(page, f"lines-0-{name}")
            for name in ("description", "unit", "unit_price", "discount_rate", "tax_rate")
        },
    }

    response = client.post("/admin/orders/order/add/", order_form(customer, line, customer_po_number="FAX-8", note=""))

    assert response.status_code == 302, response.content.decode()[:2000]
    order = Order.objects.get()
    line = order.lines.get()
    assert (line.unit, line.tax_rate, line.unit_price, line.description) == (
        "ケース",
        8,
        Decimal("1680"),
        "ミネラルウォーター",
    )
    assert order.tax_breakdown == [{"rate": 8, "subtotal": "5040", "tax": "403", "total": "5443"}]
    services.order_confirm(order=order, user=admin_user)
    order = services.order_confirmation_issue(order=order, user=admin_user)
    text = printed_text(order.confirmation_document)
    assert "ミネラルウォーター※" in text.replace(" ", "") or "※ミネラルウォーター" in text.replace(" ", "")
    assert "ケース" in text


def test_admin_line_whose_product_changes_takes_the_new_products_unit_and_rate(
    admin_user, company, customer, product_a, food
):
    order = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=product_a, quantity=2)]
    )
    line = order.lines.get()
    client = admin_client(admin_user)

    response = client.post(
        f"/admin/orders/order/{order.pk}/change/",
        order_form(
            customer,
            {
                "id": line.pk,
                "order": order.pk,
                "product": food.pk,  # chosen instead of A-100; the rest as shown
                "description": line.description,
                "quantity": "2",
                "unit": line.unit,
                "unit_price": str(line.unit_price),
                "discount_rate": "0",
                "tax_rate": str(line.tax_rate),
            },
            existing_lines=1,
            customer_po_number="",
            note="",
        ),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    line = Order.objects.get().lines.get()
    assert (line.sku, line.description, line.unit, line.tax_rate, line.unit_price) == (
        "F-400",
        "ミネラルウォーター",
        "ケース",
        8,
        Decimal("1680"),
    )


def test_api_order_line_takes_unit_and_rate_from_the_product(admin_api, company, customer, food):
    response = admin_api.post(
        "/api/v1/orders/", {"customer": customer.pk, "lines": [{"product": food.pk, "quantity": 3}]}, format="json"
    )

    assert response.status_code == 201, response.data
    (line,) = response.data["lines"]
    assert (line["unit"], line["tax_rate"]) == ("ケース", 8)


def test_a_different_tax_rate_without_override_is_a_field_error(admin_api, company, customer, food):
    response = admin_api.post(
        "/api/v1/orders/",
        {"customer": customer.pk, "lines": [{"product": food.pk, "quantity": 3, "tax_rate": 10}]},
        format="json",
    )

    assert response.status_code == 400
    assert response.data == {
        "lines[0].tax_rate": [
            "1行目: F-400 の税率は 8% です（10% ではありません）。税率を空欄にするか、税率の変更を明示してください。"
        ]
    }
    assert not Order.objects.exists()


def test_admin_refuses_a_typed_rate_that_is_not_the_products(admin_user, company, customer, food):
    client = admin_client(admin_user)

    response = client.post(
        "/admin/orders/order/add/",
        order_form(customer, {"product": food.pk, "quantity": "3", "discount_rate": "0", "tax_rate": "10"}),
        follow=True,
    )

    assert not Order.objects.exists()
    assert any("F-400 の税率は 8%" in str(m) for m in response.context["messages"])


def test_an_explicit_override_is_kept_and_audited(admin_api, admin_user, company, customer, food):
    response = admin_api.post(
        "/api/v1/orders/",
        {
            "customer": customer.pk,
            "lines": [{"product": food.pk, "quantity": 3, "tax_rate": 10, "tax_rate_override": True}],
        },
        format="json",
    )

    assert response.status_code == 201, response.data
    order = Order.objects.get()
    assert order.lines.get().tax_rate == 10
    event = AuditEvent.objects.get(action="order.tax_rate_override")
    assert (event.actor, event.object_id) == (admin_user, str(order.pk))
    assert event.changes == {"line": 1, "sku": "F-400", "product_rate": 8, "rate": 10}


def test_a_rep_cannot_override_a_tax_rate(rep_api, company, customer, food):
    response = rep_api.post(
        "/api/v1/quotes/",
        {
            "customer": customer.pk,
            "subject": "x",
            "lines": [{"product": food.pk, "quantity": 1, "tax_rate": 10, "tax_rate_override": True}],
        },
        format="json",
    )

    assert response.status_code == 403


# --- 15. the admin's history page is the audit trail ---------------------------------------------


def test_admin_history_lists_the_orders_audit_events(admin_user, company, warehouse, customer, product_a):
    admin_user.first_name, admin_user.last_name = "花子", "佐藤"
    admin_user.save()
    stock(product_a, warehouse, 10)
    order = services.order_create(
        user=admin_user, data={"customer": customer}, lines=[LineInput(product=product_a, quantity=2)]
    )
    services.order_confirm(order=order, user=admin_user)

    page = admin_client(admin_user).get(f"/admin/orders/order/{order.pk}/history/").content.decode()

    assert "変更履歴がありません" not in page
    events = list(AuditEvent.objects.filter(object_type="orders.order", object_id=str(order.pk)))
    assert {e.action for e in events} >= {"order.create", "order.confirmed"}
    for event in events:
        assert event.action in page
    assert "admin1" in page  # who
    assert "2026年11月20日" in page  # when
    assert "status: draft → confirmed" in page  # what


def test_admin_history_of_an_object_without_events_says_so(admin_user, company, customer):
    page = admin_client(admin_user).get(f"/admin/orders/customer/{customer.pk}/history/").content.decode()

    assert "このデータの変更履歴はまだありません。" in page
