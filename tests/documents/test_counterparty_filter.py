"""Issue #12 item 14: a customer and a supplier with the same id are different counterparties."""

import dataclasses

import pytest

from documents.types import DocumentKind
from tests.factories import CustomerFactory

from .factories import customer_party, document_data, field_notes_lines

pytestmark = pytest.mark.django_db

URL = "/api/v1/documents/"


@pytest.fixture
def archive(issue, rep_user, other_rep):
    """Customer N's invoice and quote, supplier N's purchase order (the same id N), and
    another customer's invoice."""
    customer = CustomerFactory(sales_rep=rep_user, name="株式会社山田製作所")
    other = CustomerFactory(sales_rep=other_rep, name="株式会社他社顧客")
    supplier = dataclasses.replace(customer_party(customer.pk, "東京機工株式会社"), counterparty_kind="supplier")
    lines = field_notes_lines()
    issue(document_data(recipient=customer_party(customer.pk, customer.name)))  # INV-2026-000001
    issue(document_data(DocumentKind.QUOTE, recipient=customer_party(customer.pk, customer.name), lines=lines[:1]))
    issue(document_data(DocumentKind.PURCHASE_ORDER, recipient=supplier))  # PO-2026-000001
    issue(document_data(recipient=customer_party(other.pk, other.name), lines=lines[2:]))  # INV-2026-000002
    return customer.pk


def numbers(response):
    assert response.status_code == 200, response.content
    return sorted(row["number"] for row in response.json()["results"])


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"counterparty": "customer:{id}"}, ["INV-2026-000001", "Q-2026-000001"]),
        ({"counterparty": "supplier:{id}"}, ["PO-2026-000001"]),
        ({"customer": "{id}"}, ["INV-2026-000001", "Q-2026-000001"]),
        ({"supplier": "{id}"}, ["PO-2026-000001"]),
        ({"counterparty": "{id}", "counterparty_kind": "supplier"}, ["PO-2026-000001"]),
        ({"counterparty": "{id}", "counterparty_kind": "customer"}, ["INV-2026-000001", "Q-2026-000001"]),
        ({"customer": "{id}", "kind": "quote"}, ["Q-2026-000001"]),
        ({"customer": "{id}", "supplier": "{id}"}, []),
    ],
)
def test_the_counterparty_filter_is_typed(admin_api, archive, params, expected):
    query = {name: value.format(id=archive) for name, value in params.items()}

    assert numbers(admin_api.get(URL, query)) == expected


def test_a_bare_counterparty_id_is_ambiguous_and_refused_naming_the_field(admin_api, archive):
    response = admin_api.get(URL, {"counterparty": archive})

    assert response.status_code == 400
    assert list(response.json()) == ["counterparty"]
    assert "customer:" in response.json()["counterparty"][0]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"counterparty": "vendor:1"}, "counterparty"),
        ({"counterparty": "customer:"}, "counterparty"),
        ({"counterparty": "customer:x"}, "counterparty"),
        ({"customer": "1.5"}, "customer"),
        ({"supplier": "abc"}, "supplier"),
    ],
)
def test_bad_counterparty_references_are_400_naming_the_field(admin_api, archive, params, field):
    response = admin_api.get(URL, params)

    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_a_rep_filtering_by_supplier_sees_none_of_their_customers_documents(rep_api, archive):
    assert numbers(rep_api.get(URL, {"supplier": archive})) == []
    assert numbers(rep_api.get(URL, {"counterparty": f"customer:{archive}"})) == ["INV-2026-000001", "Q-2026-000001"]
