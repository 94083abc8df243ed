"""Masters: products, suppliers, warehouses (entry points of the API, the admin and the
demo loader). Products and suppliers are searched by kana: their kana key follows
`name_kana` on every write."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from backoffice.kana import with_kana_key
from backoffice.services import model_create, model_update

from ..models import Product, Supplier, Warehouse


@transaction.atomic
def product_create(*, user, data: dict[str, Any]) -> Product:
    return model_create(model=Product, user=user, data=with_kana_key(data), action="product.create")


@transaction.atomic
def supplier_create(*, user, data: dict[str, Any]) -> Supplier:
    return model_create(model=Supplier, user=user, data=with_kana_key(data), action="supplier.create")


@transaction.atomic
def warehouse_create(*, user, data: dict[str, Any]) -> Warehouse:
    if data.get("is_default"):
        Warehouse.objects.filter(is_default=True).update(is_default=False)
    elif not Warehouse.objects.exists():
        data = {**data, "is_default": True}  # the first warehouse is the default one
    return model_create(model=Warehouse, user=user, data=data, action="warehouse.create")


@transaction.atomic
def product_update(*, product: Product, user, data: dict[str, Any]) -> Product:
    return model_update(instance=product, user=user, data=with_kana_key(data), action="product.update")


@transaction.atomic
def supplier_update(*, supplier: Supplier, user, data: dict[str, Any]) -> Supplier:
    return model_update(instance=supplier, user=user, data=with_kana_key(data), action="supplier.update")


@transaction.atomic
def warehouse_update(*, warehouse: Warehouse, user, data: dict[str, Any]) -> Warehouse:
    if data.get("is_default"):
        Warehouse.objects.filter(is_default=True).exclude(pk=warehouse.pk).update(is_default=False)
    return model_update(instance=warehouse, user=user, data=data, action="warehouse.update")
