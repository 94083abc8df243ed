"""/documents/<id>/pdf: an issued document's PDF opened in the browser, with the API's rules
(a rep only their own customers' documents), and a page in Japanese, never a 500, when the
stored file is missing (410), altered (409) or still being rendered (409, retried)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client

from backoffice.models import AuditEvent
from backoffice.roles import Role
from orders.services import LineInput
from tests.factories import CustomerFactory, ProductFactory, make_user, ship_order, stock
from tests.web.pages import client_for

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def today():
    return TODAY


@pytest.fixture
def delivery_note(admin_user, rep_user, company, warehouse, django_capture_on_commit_callbacks):
    """The 納品書 of a shipment to rep1's customer, rendered and stored."""
    customer = CustomerFactory(code="C001", name="株式会社山田製作所", sales_rep=rep_user)
    product = ProductFactory(sku="A-100", name="ステンレスボルト M8", unit="箱", list_price=Decimal("1980"))
    stock(product, warehouse, 10)
    with django_capture_on_commit_callbacks(execute=True):
        shipment = ship_order(admin_user, customer, [LineInput(product=product, quantity=3)], on=TODAY)
    note = shipment.delivery_note
    note.refresh_from_db()
    assert note.is_rendered
    return note


def test_the_pdf_opens_inline_with_its_number_as_the_file_name(admin_user, delivery_note):
    response = client_for(admin_user).get(f"/documents/{delivery_note.pk}/pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="DN-2026-000001.pdf"'
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_the_customers_rep_and_a_manager_open_it_another_rep_gets_404(rep_user, other_rep, manager_user, delivery_note):
    url = f"/documents/{delivery_note.pk}/pdf"

    assert client_for(rep_user).get(url).status_code == 200
    assert client_for(manager_user).get(url).status_code == 200
    theirs = client_for(other_rep).get(url)
    assert theirs.status_code == 404
    assert "見つかりません" in theirs.content.decode()


def test_without_a_role_it_is_the_japanese_403_and_signed_out_the_login(delivery_note):
    url = f"/documents/{delivery_note.pk}/pdf"

    refused = client_for(make_user(None, username="nobody")).get(url)
    anonymous = Client().get(url)

    assert refused.status_code == 403 and "この画面を開く権限がありません。" in refused.content.decode()
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/login/")


def test_a_missing_file_is_a_japanese_410_page_and_recorded(admin_user, delivery_note):
    delivery_note.pdf.storage.delete(delivery_note.pdf.name)

    response = client_for(admin_user).get(f"/documents/{delivery_note.pk}/pdf")

    assert response.status_code == 410
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "文書 DN-2026-000001 のPDFファイルが見つかりません。" in text
    assert "PDFを開けません" in text
    assert AuditEvent.objects.filter(action="document.pdf_missing", object_id=str(delivery_note.pk)).count() == 1


def test_altered_bytes_are_refused_with_a_japanese_409_page(admin_user, delivery_note):
    with open(delivery_note.pdf.path, "r+b") as file:
        file.seek(100)
        file.write(b"X")

    response = client_for(admin_user).get(f"/documents/{delivery_note.pk}/pdf")

    assert response.status_code == 409
    assert "文書 DN-2026-000001 のPDFが改ざんされています（SHA-256 不一致）。" in response.content.decode()


def test_a_pdf_still_rendering_answers_409_and_asks_the_browser_to_retry(admin_user, rep_user, company, warehouse):
    customer = CustomerFactory(sales_rep=rep_user)
    product = ProductFactory()
    stock(product, warehouse, 5)
    shipment = ship_order(admin_user, customer, [LineInput(product=product, quantity=1)], on=TODAY)  # not committed

    response = client_for(admin_user).get(f"/documents/{shipment.delivery_note_id}/pdf")

    assert response.status_code == 409
    assert response["Refresh"] == "3"
    text = response.content.decode()
    assert "DN-2026-000001 のPDFは作成中です。" in text and "PDFを作成中です" in text


def test_a_document_that_does_not_exist_is_404(admin_user):
    assert client_for(admin_user).get("/documents/999/pdf").status_code == 404


@pytest.mark.parametrize("role", [Role.SALES_ADMIN, Role.SALES_REP, Role.MANAGER])
def test_the_pdf_costs_a_bounded_number_of_queries(role, delivery_note, rep_user, django_assert_max_num_queries):
    user = rep_user if role == Role.SALES_REP else make_user(role, username=f"u-{role}")
    client = client_for(user)

    with django_assert_max_num_queries(6):
        assert client.get(f"/documents/{delivery_note.pk}/pdf").status_code == 200
