"""What the sales documents of orders (御見積書, 注文請書, 納品書) print: the customer as
recipient, the lines and the stored totals. billing prints its invoices to the same
customer party."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from backoffice.formatting import percent
from backoffice.money import TaxLine, Totals
from documents.types import CounterpartyKind, DocumentData, DocumentLine, Party

from ..models import Customer, Order, OrderLine, Quote, QuoteLine, Shipment, ShipmentLine


def customer_party(customer: Customer) -> Party:
    return Party(
        name=customer.name,
        honorific=customer.honorific,
        postal_code=customer.postal_code,
        address=customer.address,
        phone=customer.phone,
        registration_number=customer.registration_number,
        peppol_id=customer.peppol_id,
        counterparty_kind=CounterpartyKind.CUSTOMER,
        counterparty_id=customer.pk,
        name_kana=customer.name_kana,
    )


def sales_document(
    *,
    kind: str,
    document_date: dt.date,
    source: Quote | Order | Shipment,
    lines: Iterable[QuoteLine | OrderLine | ShipmentLine],
    subject: str,
    notes: str = "",
    extra: dict[str, Any],
) -> DocumentData:
    """The document of a quote, an order or a shipment (customer loaded): its customer,
    its lines and its stored totals."""
    return DocumentData(
        kind=kind,
        document_date=document_date,
        recipient=customer_party(source.customer),
        lines=document_lines(lines),
        totals=totals_object(source),
        tax_mode=source.customer.tax_mode,
        subject=subject,
        notes=notes,
        extra=extra,
    )


def totals_object(obj: Quote | Order | Shipment) -> Totals:
    """The stored totals of a quote/order/shipment as a backoffice.money.Totals."""
    return Totals(
        subtotal=obj.subtotal,
        tax_total=obj.tax_total,
        total=obj.total,
        breakdown=tuple(
            TaxLine(rate=b["rate"], subtotal=Decimal(b["subtotal"]), tax=Decimal(b["tax"])) for b in obj.tax_breakdown
        ),
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
            printed_line(
                sold, sku=sku, quantity=line.quantity, amount=line.amount, note=discount_note(sold.discount_rate)
            )
        )
    return printed


def printed_line(
    sold,
    *,
    sku: str,
    quantity: int,
    amount: Decimal,
    note: str = "",
    delivery_date: dt.date | None = None,
) -> DocumentLine:
    """One printed line of a sale: the description, unit, unit price and tax rate of `sold`
    (a quote or order line, or billing's invoice line, copied from one)."""
    return DocumentLine(
        sku=sku,
        name=sold.description,
        quantity=quantity,
        unit=sold.unit,
        unit_price=sold.unit_price,
        amount=amount,
        tax_rate=sold.tax_rate,
        note=note,
        delivery_date=delivery_date,
    )
