"""What the sales documents of orders (御見積書, 注文請書, 納品書) print: the customer as
recipient and the lines. billing prints its invoices to the same customer party."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from backoffice.formatting import percent
from documents.types import CounterpartyKind, DocumentLine, Party

from ..models import Customer, OrderLine, QuoteLine, ShipmentLine


def customer_party(customer: Customer) -> Party:
    return Party(
        name=customer.name,
        honorific=customer.honorific,
        postal_code=customer.postal_code,
        address=customer.address,
        phone=customer.phone,
        counterparty_kind=CounterpartyKind.CUSTOMER,
        counterparty_id=customer.pk,
    )


def discount_note(rate: Decimal) -> str:
    """The note a discounted line carries on the 御見積書, 注文請書 and 納品書: 「値引 12.5%」."""
    return f"値引 {percent(rate)}" if rate else ""


def document_lines(lines: Iterable[QuoteLine | OrderLine | ShipmentLine]) -> list[DocumentLine]:
    """The lines as a document prints them. A quote's or an order's line as entered, with
    its product's code (products loaded); a shipment's line as its order line (loaded)
    with the quantity and amount that shipped, and the code stored on the order line."""
    printed = []
    for line in lines:
        if isinstance(line, ShipmentLine):
            sold, sku = line.order_line, line.order_line.sku
        else:
            sold, sku = line, line.product.sku if line.product_id else ""
        printed.append(
            DocumentLine(
                sku=sku,
                name=sold.description,
                quantity=line.quantity,
                unit=sold.unit,
                unit_price=sold.unit_price,
                amount=line.amount,
                tax_rate=sold.tax_rate,
                note=discount_note(sold.discount_rate),
            )
        )
    return printed
