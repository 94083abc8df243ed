"""Customers (取引先) with their ship-to addresses and contacts, and their own unit prices."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from backoffice import audit
from backoffice.exceptions import InvalidInput
from backoffice.kana import with_kana_key
from backoffice.roles import sees_all_customers
from backoffice.services import model_create, model_update

from ..models import ContactPerson, Customer, CustomerPrice, ShipToAddress

_NESTED = {"ship_to_addresses": ShipToAddress, "contacts": ContactPerson}


@transaction.atomic
def customer_create(*, user, data: dict[str, Any]) -> Customer:
    return _customer_write(None, user=user, data=data)


@transaction.atomic
def customer_update(*, customer: Customer, user, data: dict[str, Any]) -> Customer:
    return _customer_write(customer, user=user, data=data)


def _customer_write(customer: Customer | None, *, user, data: dict[str, Any]) -> Customer:
    """Create (customer None) or change the customer's own fields, then replace the
    ship-to addresses and contacts the input names; each step audited."""
    nested = {name: data.pop(name) for name in _NESTED if name in data}
    if customer is None:
        customer = model_create(model=Customer, user=user, data=with_kana_key(data), action="customer.create")
    else:
        customer = model_update(instance=customer, user=user, data=with_kana_key(data), action="customer.update")
    changes = _replace_nested(customer, nested)
    if changes:
        audit.record(actor=user, action="customer.update", obj=customer, changes=changes)
    return customer


def _replace_nested(customer: Customer, data: dict[str, Any]) -> dict[str, Any]:
    """Replace ship-to addresses and contacts when the input names them; returns the audit diff."""
    changes = {}
    for name, model in _NESTED.items():
        if name not in data:
            continue
        related = getattr(customer, name)
        before = [audit.snapshot(item, _nested_fields(model)) for item in related.all()]
        related.all().delete()
        for item_data in data[name]:
            item = model(customer=customer, **item_data)
            item.full_clean()
            item.save()
        after = [audit.snapshot(item, _nested_fields(model)) for item in related.all()]
        if before != after:
            changes[name] = {"before": before, "after": after}
    return changes


def _nested_fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields if f.name not in {"id", "customer"}]


@transaction.atomic
def customer_price_set(*, user, customer: Customer, product, unit_price) -> CustomerPrice:
    """Set (or change) the customer's own unit price for a product."""
    price = CustomerPrice.objects.filter(customer=customer, product=product).first()
    if price is None:
        return model_create(
            model=CustomerPrice,
            user=user,
            data={"customer": customer, "product": product, "unit_price": unit_price},
            action="customer_price.create",
        )
    return model_update(instance=price, user=user, data={"unit_price": unit_price}, action="customer_price.update")


@transaction.atomic
def customer_price_delete(*, user, price: CustomerPrice) -> None:
    audit.record(actor=user, action="customer_price.delete", obj=price, changes=audit.diff(audit.snapshot(price), {}))
    price.delete()


def require_visible_customer(user, customer: Customer | None) -> None:
    """A rep writes only for their own customers (an inquiry, a quote request)."""
    if customer is not None and not sees_all_customers(user) and customer.sales_rep_id != user.pk:
        raise InvalidInput(_("This customer is not one of yours."), field="customer")
