from django.db.models import QuerySet

from backoffice.roles import own_customer_ids

from .models import IssuedDocument
from .types import CounterpartyKind


def documents_visible_to(user) -> QuerySet[IssuedDocument]:
    """Every document for admins and managers; for a sales rep, those issued to their own
    customers (documents know customers by id only, so the rule comes from backoffice.roles)."""
    documents = IssuedDocument.objects.select_related("issued_by")
    customer_ids = own_customer_ids(user)
    if customer_ids is None:
        return documents
    return documents.filter(counterparty_kind=CounterpartyKind.CUSTOMER, counterparty_id__in=customer_ids)
