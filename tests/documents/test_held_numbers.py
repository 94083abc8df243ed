"""Issue #12 item 5: a document issued under the number its source already holds
(the 注文請書 carries its order's SO number) — and only such a number."""

import pytest

from backoffice.exceptions import InvalidInput, StateConflict
from documents import numbering
from documents.models import DocumentCounter
from documents.types import DocumentKind

from .factories import document_data

pytestmark = pytest.mark.django_db


def take_order_number() -> str:
    """What order_confirm does: the next value of the SO sequence."""
    return numbering.format_number("SO", 2026, numbering.take_next_value("SO", 2026))


def test_an_order_confirmation_is_issued_under_the_number_its_order_took(issue):
    number = take_order_number()

    document = issue(document_data(DocumentKind.ORDER_CONFIRMATION), number=number)

    assert (document.number, document.base_number, document.revision) == ("SO-2026-000001", "SO-2026-000001", 1)
    assert (document.fiscal_year, document.sequence) == (2026, 1)
    assert document.data["number"] == "SO-2026-000001"
    assert take_order_number() == "SO-2026-000002"  # no value was spent on the document
    assert DocumentCounter.objects.get(prefix="SO").last_value == 2


@pytest.mark.parametrize(
    "number",
    ["SO-2026-000009", "INV-2026-000001", "SO-2026-1", "SO-2026", "not a number"],
)
def test_a_number_not_handed_out_by_the_kinds_sequence_is_refused(issue, number):
    take_order_number()
    numbering.take_next_value("INV", 2026)

    with pytest.raises(InvalidInput) as refused:
        issue(document_data(DocumentKind.ORDER_CONFIRMATION), number=number)

    assert refused.value.field == "number"
    assert str(refused.value) == f"{number} は SO の採番による番号ではありません。"


def test_a_held_number_is_issued_once(issue):
    number = take_order_number()
    issue(document_data(DocumentKind.ORDER_CONFIRMATION), number=number)

    with pytest.raises(StateConflict) as refused:
        issue(document_data(DocumentKind.ORDER_CONFIRMATION), number=number)

    assert str(refused.value) == "番号 SO-2026-000001 の帳票はすでに発行されています。"


def test_admin_history_of_an_issued_document_is_its_audit_trail(issue, admin_user):
    from django.test import Client

    document = issue()
    client = Client()
    client.force_login(admin_user)

    page = client.get(f"/admin/documents/issueddocument/{document.pk}/history/").content.decode()

    assert "document.issue" in page
    assert "number: INV-2026-000001" in page
    assert "admin1" in page
