"""Users, the company profile and master data (warehouses, suppliers, products, customers),
from `demo.data`. Each row is looked up by its natural key first, so loading twice creates
nothing twice."""

import os
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from backoffice.roles import Role
from backoffice.selectors import company_profile
from backoffice.services import company_profile_update
from inventory import services as inventory_services
from inventory.models import Product, Supplier, Warehouse
from orders import services as order_services
from orders.models import Customer

from .data import COMPANY, CUSTOMERS, DEMO_USERS, PRODUCTS, SUPPLIER_ADDRESSES, SUPPLIERS, TERMS, WAREHOUSES


def load_users() -> dict:
    """One user per role and a superuser: {username: user}."""
    User = get_user_model()
    existing = {u.username: u for u in User.objects.filter(username__in=[row[0] for row in DEMO_USERS])}
    # Hashing a password is most of a fresh load's time (PBKDF2, on purpose slow); the hash
    # releases the GIL, so the new users' passwords are hashed side by side.
    new = [(username, password) for username, password, *_ in DEMO_USERS if username not in existing]
    with ThreadPoolExecutor(max_workers=max(1, min(len(new), os.cpu_count() or 1))) as pool:
        hashes = dict(zip([u for u, _ in new], pool.map(make_password, [p for _, p in new]), strict=True))
    users = {}
    for username, _password, role, last_name, first_name in DEMO_USERS:
        user = existing.get(username)
        if user is None:
            # Reps work on their screens (often a phone); the Django admin is for the office.
            is_staff = role is not Role.SALES_REP
            user = User(username=username, last_name=last_name, first_name=first_name, is_staff=is_staff)
            user.is_superuser = role is None
            user.email = f"{username}@sample-shoji.example.jp"
            user.password = hashes[username]
            user.save()
        if role is not None:
            user.groups.add(Group.objects.get(name=role.value))
        users[username] = user
    return users


def load_company(admin) -> None:
    if not company_profile().is_complete:
        company_profile_update(user=admin, data=dict(COMPANY))


def load_warehouses(admin) -> None:
    for code, name, is_default, address in WAREHOUSES:
        warehouse = Warehouse.objects.filter(code=code).first()
        if warehouse is None:
            inventory_services.warehouse_create(
                user=admin, data={"code": code, "name": name, "is_default": is_default, "address": address}
            )
        elif not warehouse.address:  # a demo loaded before warehouses had addresses
            inventory_services.warehouse_update(warehouse=warehouse, user=admin, data={"address": address})


def load_suppliers(admin) -> dict:
    """{code: supplier}"""
    suppliers = {}
    for code, name, kana, registration_number, lead_time in SUPPLIERS:
        postal_code, address, phone = SUPPLIER_ADDRESSES[code]
        where = {"postal_code": postal_code, "address": address, "phone": phone}
        supplier = Supplier.objects.filter(code=code).first()
        if supplier is None:
            supplier = inventory_services.supplier_create(
                user=admin,
                data={
                    "code": code,
                    "name": name,
                    "name_kana": kana,
                    "registration_number": registration_number,
                    "lead_time_days": lead_time,
                    "email": f"order@{code.lower()}.example.jp",
                    **where,
                },
            )
        elif not supplier.address:  # a demo loaded before suppliers had addresses
            supplier = inventory_services.supplier_update(supplier=supplier, user=admin, data=where)
        suppliers[code] = supplier
    return suppliers


def load_products(admin, suppliers: dict) -> None:
    for (category, tax_category, supplier, track_stock), rows in PRODUCTS.items():
        for sku, name, spec, unit, price, cost, reorder_point, reorder_quantity in rows:
            if Product.objects.filter(sku=sku).exists():
                continue
            inventory_services.product_create(
                user=admin,
                data={
                    "sku": sku,
                    "name": name,
                    "spec": spec,
                    "category": category,
                    "unit": unit,
                    "list_price": Decimal(price),
                    "cost": Decimal(cost),
                    "tax_category": tax_category,
                    "track_stock": track_stock,
                    "supplier": suppliers.get(supplier),
                    "reorder_point": reorder_point,
                    "reorder_quantity": reorder_quantity,
                },
            )


def load_customers(admin, users: dict) -> None:
    for code, name, kana, honorific, rep in CUSTOMERS:
        if Customer.objects.filter(code=code).exists():
            continue
        closing_day, month_offset, payment_day, tax_mode, invoice_mode, credit_limit, price_rate = TERMS[code]
        order_services.customer_create(
            user=admin,
            data={
                "code": code,
                "name": name,
                "name_kana": kana,
                "honorific": honorific,
                "sales_rep": users[rep],
                "postal_code": "100-0001",
                "address": "東京都千代田区千代田1-1",
                "phone": "03-0000-0000",
                "closing_day": closing_day,
                "payment_month_offset": month_offset,
                "payment_day": payment_day,
                "tax_mode": tax_mode,
                "invoice_mode": invoice_mode,
                "credit_limit": Decimal(credit_limit) if credit_limit else None,
                "price_rate": Decimal(price_rate),
                "contacts": [
                    {
                        "name": "購買 太郎",
                        "department": "購買部",
                        "email": f"buyer@{code.lower()}.example.jp",
                        "receives_documents": True,
                    }
                ],
                "ship_to_addresses": [
                    {
                        "name": f"{name} 本社",
                        "postal_code": "100-0001",
                        "address": "東京都千代田区千代田1-1",
                        "is_default": True,
                    }
                ],
            },
        )
