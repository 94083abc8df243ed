"""CSV import of orders: the way many customers still send them.

Columns (a header row is required; Japanese headers are accepted too):
customer_code (得意先コード), po_number (注文番号), sku (品番), quantity (数量),
requested_date (希望納期, YYYY-MM-DD or YYYY/MM/DD, optional). Rows with the same
customer and PO number become one order. Every row is checked first; if any row is
wrong nothing is imported and the error names each row and column.
"""

from __future__ import annotations

from collections import OrderedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from backoffice.csvfiles import csv_rows
from backoffice.exceptions import InvalidInput
from backoffice.validators import parse_business_date
from inventory.models import Product

from .models import Customer, Order
from .services import LineInput, orders_create

HEADERS = {
    "customer_code": ("customer_code", "得意先コード", "顧客コード"),
    "po_number": ("po_number", "customer_po_number", "注文番号", "発注番号"),
    "sku": ("sku", "品番", "商品コード"),
    "quantity": ("quantity", "数量"),
    "requested_date": ("requested_date", "希望納期", "納期"),
}
REQUIRED = ("customer_code", "sku", "quantity")
MAX_ROWS = 5000


def _columns(header: list[str]) -> dict[str, int]:
    found = {}
    for index, name in enumerate(header):
        for key, names in HEADERS.items():
            if name.strip() in names:
                found[key] = index
    missing = [key for key in REQUIRED if key not in found]
    if missing:
        raise InvalidInput(
            _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}, field="file", code="missing_columns"
        )
    return found


def orders_import_csv(*, content: bytes, user) -> list[Order]:
    """Validate every row, then create (draft) orders, all or nothing."""
    rows = csv_rows(content)
    if not rows:
        raise InvalidInput(_("The file is empty."), field="file")
    columns = _columns(rows[0])
    data_rows = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(cell.strip() for cell in row)]
    if not data_rows:
        raise InvalidInput(_("The file has no order rows."), field="file")
    if len(data_rows) > MAX_ROWS:
        raise InvalidInput(_("At most %(max)d rows per file.") % {"max": MAX_ROWS}, field="file")

    def cell(row, key):
        index = columns.get(key)
        return row[index].strip() if index is not None and index < len(row) else ""

    codes = {cell(row, "customer_code") for _number, row in data_rows}
    skus = {cell(row, "sku") for _number, row in data_rows}
    customers = {c.code: c for c in Customer.objects.filter(code__in=codes)}
    products = {p.sku: p for p in Product.objects.filter(sku__in=skus)}
    errors: list[str] = []
    groups: OrderedDict[tuple[str, str], dict] = OrderedDict()
    for number, row in data_rows:
        row_errors = []
        code, sku, po = cell(row, "customer_code"), cell(row, "sku"), cell(row, "po_number")
        customer = customers.get(code)
        if customer is None:
            row_errors.append(_("customer_code: unknown customer %(code)s") % {"code": code or "''"})
        elif not customer.is_active:
            row_errors.append(_("customer_code: customer %(code)s is inactive") % {"code": code})
        product = products.get(sku)
        if product is None:
            row_errors.append(_("sku: unknown product %(sku)s") % {"sku": sku or "''"})
        elif not product.is_active:
            row_errors.append(_("sku: product %(sku)s is inactive") % {"sku": sku})
        try:
            quantity = int(cell(row, "quantity"))
            if not 1 <= quantity <= settings.LIMITS["max_quantity"]:
                raise ValueError
        except ValueError:
            quantity = 0
            row_errors.append(
                _("quantity: %(value)s is not a whole number from 1 to %(max)s")
                % {"value": cell(row, "quantity") or "''", "max": settings.LIMITS["max_quantity"]}
            )
        requested = None
        if cell(row, "requested_date"):
            try:
                requested = parse_business_date(cell(row, "requested_date"))
            except ValidationError as error:
                row_errors.append(
                    _("requested_date: %(value)s: %(error)s")
                    % {"value": cell(row, "requested_date"), "error": error.messages[0]}
                )
        if len(po) > 60:
            row_errors.append(_("po_number: at most 60 characters"))
        if row_errors:
            errors.extend(_("row %(row)d: %(error)s") % {"row": number, "error": e} for e in row_errors)
            continue
        group = groups.setdefault((code, po), {"customer": customer, "po": po, "requested": requested, "lines": []})
        if requested and (group["requested"] is None or requested < group["requested"]):
            group["requested"] = requested
        group["lines"].append(LineInput(product=product, quantity=quantity))
    if errors:
        raise InvalidInput("; ".join(errors[:200]), field="file", code="rows", extra={"rows": errors})
    duplicates = Order.objects.filter(
        customer__code__in=[code for code, po in groups if po],
        customer_po_number__in=[po for _code, po in groups if po],
    ).exclude(status=Order.Status.CANCELLED)
    taken = {(o.customer.code, o.customer_po_number) for o in duplicates.select_related("customer")}
    clashes = [key for key in groups if key in taken]
    if clashes:
        raise InvalidInput(
            _("Already imported (customer, PO number): %(keys)s.")
            % {"keys": ", ".join(f"{c}/{p}" for c, p in clashes)},
            field="file",
        )
    orders = [
        (
            {"customer": group["customer"], "customer_po_number": group["po"], "requested_date": group["requested"]},
            group["lines"],
        )
        for group in groups.values()
    ]
    return orders_create(user=user, orders=orders)  # all or nothing: every order of the file, or none
