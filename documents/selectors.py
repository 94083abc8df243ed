from django.db.models import QuerySet

from .models import IssuedDocument
from .types import CounterpartyKind


def documents_visible_to(customer_ids: QuerySet | None) -> QuerySet[IssuedDocument]:
    """The documents a user sees: every one when `customer_ids` is None (admins and
    managers), else those issued to these customers (a sales rep's own). Documents know
    customers by id only; the interfaces pass orders.selectors.own_customer_ids(user)."""
    documents = IssuedDocument.objects.select_related("issued_by")
    if customer_ids is None:
        return documents
    return documents.filter(counterparty_kind=CounterpartyKind.CUSTOMER, counterparty_id__in=customer_ids)
