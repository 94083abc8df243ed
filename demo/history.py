"""The two months before today, so the closing, receivables, the payment schedule, the bank
statements and the reports have figures when the demo opens: orders shipped on dates in those
months (per-shipment customers invoiced as the goods left), the closings of those months run,
transfers imported from the bank (some confirmed, some left to review) and one cash payment.

Everything is relative to today's date and the same for the same day. Loaded once: when the
demo's history orders exist (or a closing was already run), it is left alone. It runs before
today's work (`demo.work.load_sales`), so today's orders see the stock the history used up;
that leaves some products below their reorder point for /purchasing/suggestions/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from backoffice.businessdays import add_business_days
from billing import services as billing_services
from billing.models import ClosingRun, Invoice
from billing.services.closing import closing_days_for
from inventory import services as inventory_services
from inventory.models import Product, Warehouse
from orders import services as order_services
from orders.models import Customer, Order
from orders.services import LineInput

# (months back, day of month, customer, lines (sku, quantity)). A day past the month's end is
# its last day; a Saturday or Sunday ships the Friday before. The quantities take five products
# under their reorder point (C-300, C-301, F-403, F-404, G-500), with today's orders.
SHIPMENTS = [
    (2, 5, "C008", [("C-300", 4), ("C-304", 3)]),
    (2, 9, "C009", [("G-500", 30), ("G-502", 10), ("B-201", 1)]),
    (2, 11, "C001", [("A-103", 20), ("A-104", 20), ("B-200", 1)]),
    (2, 12, "C005", [("F-403", 8), ("F-400", 5)]),
    (2, 15, "C002", [("C-301", 15), ("C-302", 5)]),
    (2, 18, "C003", [("B-204", 4), ("G-501", 3), ("S-900", 1)]),
    (1, 5, "C009", [("C-300", 6), ("G-501", 4)]),
    (1, 6, "C001", [("G-500", 20), ("A-103", 10), ("A-104", 10)]),
    (1, 8, "C004", [("F-403", 12), ("F-401", 10)]),
    (1, 10, "C002", [("C-300", 5), ("C-305", 4)]),
    (1, 12, "C006", [("B-203", 2), ("B-201", 2), ("S-901", 1)]),
    (1, 13, "C010", [("F-403", 16), ("F-402", 10)]),
    (1, 14, "C003", [("C-301", 20), ("G-502", 5)]),
    (1, 17, "C007", [("F-404", 2), ("F-400", 1)]),
    (1, 19, "C008", [("C-301", 10), ("C-303", 2)]),
    (1, 20, "C004", [("F-404", 20), ("F-402", 8)]),
    (1, 21, "C009", [("G-500", 30), ("B-204", 6)]),
    (1, 24, "C001", [("B-200", 2), ("S-901", 1)]),  # after C001's 20th: waits for next closing
    (1, 25, "C005", [("F-404", 30), ("F-405", 2)]),
    (1, 26, "C002", [("C-302", 6)]),
    (0, 1, "C009", [("B-200", 1), ("S-900", 1)]),  # this month, not closed yet
]

# Transfers as the bank prints the payer (half-width kana, legal form abbreviated).
PAYERS = {"C002": "ｶ)ｱｵﾊﾞｼﾖｳﾃﾝ", "C005": "ｺﾞ)ﾐﾄﾞﾘﾉｳｴﾝ", "C008": "ｶ)ｻｸﾗｵﾌｲｽ", "C009": "ｶ)ﾁﾕｳｵｳｹﾝｾﾂ"}
UNKNOWN_PAYER = ("ﾔﾏﾓﾄ ﾀﾛｳ", Decimal(33000))
BANK_FEE = Decimal(660)


def month_start(today: dt.date, months_back: int) -> dt.date:
    index = today.year * 12 + today.month - 1 - months_back
    return dt.date(index // 12, index % 12 + 1, 1)


def month_end(first: dt.date) -> dt.date:
    return month_start(first + dt.timedelta(days=31), 0) - dt.timedelta(days=1)


def shipping_day(today: dt.date, months_back: int, day: int) -> dt.date:
    first = month_start(today, months_back)
    date = min(first.replace(day=min(day, month_end(first).day)), today)
    while date.weekday() >= 5 and date.replace(day=1) == first and date.day > 1:
        date -= dt.timedelta(days=1)
    return date


def po_number(customer: str, date: dt.date, index: int) -> str:
    return f"{customer}-{date:%y%m}-{index:02d}"


def load_history(users: dict) -> None:
    admin = users["sales_admin"]
    today = timezone.localdate()
    if ClosingRun.objects.exists() or Order.objects.filter(customer_po_number__startswith="C00").exists():
        return
    customers = {c.code: c for c in Customer.objects.all()}
    products = {p.sku: p for p in Product.objects.all()}

    for index, (months_back, day, code, lines) in enumerate(SHIPMENTS, start=1):
        on = shipping_day(today, months_back, day)
        order = order_services.order_create(
            user=admin,
            data={"customer": customers[code], "order_date": on, "customer_po_number": po_number(code, on, index)},
            lines=[LineInput(product=products[sku], quantity=quantity) for sku, quantity in lines],
        )
        order_services.order_confirm(order=order, user=admin)
        shipment = order_services.shipment_create(order=order, user=admin)
        billing_services.shipment_ship_and_bill(shipment=shipment, user=admin, shipped_on=on)

    # The closings of the two months before this one, in date order (a shipment's date must
    # lie outside closed periods, so they run after every shipment is in).
    closing_days = sorted({c.closing_day for c in customers.values() if c.invoice_mode == "consolidated"})
    for months_back in (2, 1):
        first = month_start(today, months_back)
        last = month_end(first)
        dates = sorted({last if day >= last.day else first.replace(day=day) for day in closing_days})
        for closing_date in dates:
            if closing_days_for(closing_date):
                billing_services.closing_run(closing_date=closing_date, user=admin)

    _load_payments(admin, today, customers)
    _load_purchasing(admin, products)


def _load_purchasing(admin, products: dict) -> None:
    """Office supplies bought and received, and a draft order for drinks not sent yet."""
    tokyo = Warehouse.objects.get(code="TOKYO")
    received = inventory_services.purchase_order_create(
        supplier=products["C-302"].supplier,
        warehouse=tokyo,
        expected_date=timezone.localdate(),
        lines=[
            {"product": products["C-302"], "quantity": 20, "unit_cost": products["C-302"].cost},
            {"product": products["C-304"], "quantity": 10, "unit_cost": products["C-304"].cost},
        ],
        user=admin,
    )
    inventory_services.purchase_order_issue(purchase_order=received, user=admin)
    inventory_services.purchase_order_receive(
        purchase_order=received,
        lines=[{"line": line, "quantity": line.quantity} for line in received.lines.order_by("pk")],
        user=admin,
    )
    drinks = products["F-402"]
    inventory_services.purchase_order_create(
        supplier=drinks.supplier,
        warehouse=Warehouse.objects.get(code="OSAKA"),
        expected_date=add_business_days(timezone.localdate(), 3),
        lines=[{"product": drinks, "quantity": 30, "unit_cost": drinks.cost}],
        user=admin,
    )


def _open_invoice(customer: Customer, months_back: int, today: dt.date) -> Invoice:
    """The customer's invoice issued in that month (the one the demo pays)."""
    first = month_start(today, months_back)
    return (
        Invoice.objects.filter(customer=customer, issue_date__range=(first, month_end(first)))
        .exclude(status=Invoice.Status.CANCELLED)
        .order_by("issue_date", "pk")
        .first()
    )


def _statement(rows: list[tuple[dt.date, Decimal, str]]) -> bytes:
    lines = ["日付,金額,振込依頼人名"] + [f"{day:%Y-%m-%d},{amount:.0f},{payer}" for day, amount, payer in rows]
    return ("\r\n".join(lines) + "\r\n").encode("cp932")


def _load_payments(admin, today: dt.date, customers: dict) -> None:
    """Last month's transfers, as two bank statements: the first transfer under a payer name
    is proposed by the customer's kana and confirmed by the admin (who thereby teaches the
    name); two rows are left for the user to review. One customer paid cash."""
    last_month = month_start(today, 1)
    tenth = shipping_day(today, 1, 10)
    month_last = shipping_day(today, 1, 31)
    sakura = _open_invoice(customers["C008"], 2, today)
    aoba = _open_invoice(customers["C002"], 2, today)
    chuo = _open_invoice(customers["C009"], 2, today)
    midori = _open_invoice(customers["C005"], 2, today)
    first = billing_services.bank_statement_import(
        content=_statement(
            [
                (tenth, sakura.open_amount, PAYERS["C008"]),
                (tenth, UNKNOWN_PAYER[1], UNKNOWN_PAYER[0]),
            ]
        ),
        user=admin,
        file_name=f"入金明細_{last_month:%Y%m}_1.csv",
    )
    sakura_line, unknown_line = first.lines.order_by("row_number")
    billing_services.bank_line_confirm(line=sakura_line, customer=customers["C008"], user=admin, invoice=sakura)
    billing_services.bank_line_ignore(line=unknown_line, user=admin)

    second = billing_services.bank_statement_import(
        content=_statement(
            [
                (month_last, aoba.open_amount, PAYERS["C002"]),
                (month_last, chuo.open_amount - BANK_FEE, PAYERS["C009"]),
                (month_last, midori.open_amount - Decimal(440), PAYERS["C005"]),
                (month_last, Decimal(12000), "ｶ)ﾐﾅﾐﾃﾞﾝｷ"),
            ]
        ),
        user=admin,
        file_name=f"入金明細_{last_month:%Y%m}_2.csv",
    )
    lines = list(second.lines.order_by("row_number"))
    billing_services.bank_line_confirm(line=lines[0], customer=customers["C002"], user=admin, invoice=aoba)
    billing_services.bank_line_confirm(
        line=lines[1], customer=customers["C009"], user=admin, invoice=chuo, bank_fee=BANK_FEE
    )
    # lines[2] (C005, short by more than the fee tolerance) and lines[3] (a payer nobody
    # knows) wait for the user to review them.

    # This month's statement: the payer learned above is matched automatically.
    sakura_now = _open_invoice(customers["C008"], 1, today)
    billing_services.bank_statement_import(
        content=_statement([(today, sakura_now.open_amount, PAYERS["C008"])]),
        user=admin,
        file_name=f"入金明細_{today:%Y%m}.csv",
    )
    suzuki = _open_invoice(customers["C007"], 1, today)
    billing_services.payment_record(
        customer=customers["C007"],
        received_on=shipping_day(today, 1, 28),
        amount=suzuki.open_amount,
        method="cash",
        user=admin,
        note="店頭にて現金受領",
    )
