"""Sales reports at a million shipment lines, next to the bare SQL that gives the same numbers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/reports.py [--lines N]
        [--keep] [--reuse] [--database bo_bench_reports]

Uses the server of DATABASE_URL but its own throwaway database (bo_bench_reports): creates
and migrates it, loads N shipment lines (default 1,000,000: 5,000 products, 2,000
customers, 20 reps, 3 years, 4 lines per shipment, a stock move per line, one credit note
per 100 shipments) as model instances written in bulk (bench/fixtures.py), times each
report (selector + serializer, best of 3) beside a hand-written SQL GROUP BY of the same
figures (best of 3), checks the figures agree (the total's, and each row's where the
grouping has no period), and drops the database unless --keep. --reuse times the reports again in the database an
earlier --keep run left, without reloading; --database names it, so that runs by different
people don't meet. Not a test: it prints, it never fails on a time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import secrets
import time
from decimal import Decimal

from common import (
    analyze,
    best_of,
    checked_database,
    database_argument,
    database_exists,
    setup_django,
    throwaway_database,
)

BENCH_DB = "bo_bench_reports"  # --database changes it
START, END = dt.date(2023, 1, 1), dt.date(2025, 12, 31)
PRODUCTS, CUSTOMERS, REPS, LINES_PER_SHIPMENT = 5000, 2000, 20, 4


# ---------------------------------------------------------------------------
# Loading
# ---------------------------------------------------------------------------


def load(lines: int, seed: int = 7) -> dict:
    """Rows as plain tuples first (the random draws in a fixed order, so a seed always gives
    the same data), then written as model instances, a batch at a time."""
    import fixtures
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import transaction
    from django.utils import timezone

    from backoffice.money import net_amounts
    from billing.models import CreditNote, CreditNoteLine, Invoice, InvoiceLine
    from documents.models import IssuedDocument
    from inventory.models import Product, StockMove, Warehouse
    from orders.models import Customer, Order, OrderLine, Shipment, ShipmentLine
    from reports.models import SalesTarget

    rng = random.Random(seed)
    now = timezone.now()
    User = get_user_model()
    boss = User.objects.create_superuser("bench-manager", "m@example.jp", secrets.token_urlsafe(12))
    rep_group = Group.objects.get(name="sales_rep")
    reps = [User.objects.create_user(f"rep{i:02d}", last_name=f"担当{i:02d}") for i in range(REPS)]
    for rep in reps:
        rep.groups.add(rep_group)
    warehouses = [
        Warehouse.objects.create(code="TOKYO", name="東京", is_default=True),
        Warehouse.objects.create(code="OSAKA", name="大阪"),
    ]

    started = time.perf_counter()
    with transaction.atomic():
        prices, costs, rates = [], [], []
        products = []
        for i in range(1, PRODUCTS + 1):
            price = Decimal(rng.randrange(100, 20000, 10))
            cost = (price * Decimal(rng.randrange(55, 85)) / 100).quantize(Decimal("0.01"))
            tax = "reduced" if i % 10 == 0 else "standard"
            prices.append(price)
            costs.append(cost)
            rates.append(8 if tax == "reduced" else 10)
            products.append(
                Product(
                    id=i,
                    sku=f"P{i:05d}",
                    name=f"商品{i:05d}",
                    category=f"カテゴリ{i % 40:02d}",
                    list_price=price,
                    cost=cost,
                    tax_category=tax,
                )
            )
        fixtures.bulk(Product, products)
        tax_mode = {i: "inclusive" if i % 10 == 0 else "exclusive" for i in range(1, CUSTOMERS + 1)}
        rep_of = {i: reps[i % REPS].pk for i in range(1, CUSTOMERS + 1)}
        fixtures.bulk(
            Customer,
            (
                Customer(id=i, code=f"C{i:05d}", name=f"得意先{i:05d}", sales_rep_id=rep_of[i], tax_mode=tax_mode[i])
                for i in range(1, CUSTOMERS + 1)
            ),
        )

        shipments = lines // LINES_PER_SHIPMENT
        days = (END - START).days + 1
        plan = []  # (shipment id, customer, shipped_on, warehouse)
        for sid in range(1, shipments + 1):
            plan.append(
                (
                    sid,
                    rng.randint(1, CUSTOMERS),
                    START + dt.timedelta(days=rng.randrange(days)),
                    rng.choice(warehouses).pk,
                )
            )
        fixtures.stream(
            Order,
            (
                Order(
                    id=sid, number=f"SO-{sid:07d}", customer_id=cust, order_date=day, status="shipped", entered_by=boss
                )
                for sid, cust, day, _w in plan
            ),
        )
        fixtures.stream(
            Shipment,
            (
                Shipment(
                    id=sid,
                    number=f"DN-{sid:07d}",
                    order_id=sid,
                    customer_id=cust,
                    status="shipped",
                    shipped_on=day,
                    sales_rep_id=rep_of[cust],
                    tax_mode=tax_mode[cust],
                    created_by=boss,
                )
                for sid, cust, day, _w in plan
            ),
        )
        # order line: (id, shipment id, position, product, quantity, amount)
        # shipment line: (id, quantity, amount, net amount); a stock move per line
        order_lines, shipment_lines = [], []
        line_id = 0
        for sid, cust, _day, _warehouse in plan:
            first = len(shipment_lines)
            for position in range(1, LINES_PER_SHIPMENT + 1):
                line_id += 1
                product = rng.randint(1, PRODUCTS)
                quantity = rng.randint(1, 20)
                amount = quantity * prices[product - 1]
                order_lines.append((line_id, sid, position, product, quantity, amount))
                shipment_lines.append((line_id, quantity, amount, amount))
            if tax_mode[cust] == "inclusive":  # the delivery note's extraction, once per rate
                mine = shipment_lines[first:]
                nets = net_amounts(
                    [(rates[order_lines[row[0] - 1][3] - 1], row[2]) for row in mine], tax_mode="inclusive"
                )
                shipment_lines[first:] = [(*row[:3], net) for row, net in zip(mine, nets, strict=True)]
        fixtures.stream(
            OrderLine,
            (
                OrderLine(
                    id=lid,
                    order_id=sid,
                    position=position,
                    product_id=product,
                    description=f"P{product:05d}",
                    quantity=quantity,
                    unit_price=prices[product - 1],
                    tax_rate=rates[product - 1],
                    amount=amount,
                    shipped_quantity=quantity,
                )
                for lid, sid, position, product, quantity, amount in order_lines
            ),
        )
        fixtures.stream(
            ShipmentLine,
            (
                ShipmentLine(
                    id=lid,
                    shipment_id=order_lines[lid - 1][1],
                    order_line_id=lid,
                    quantity=quantity,
                    amount=amount,
                    unit_cost=costs[order_lines[lid - 1][3] - 1],
                    net_amount=net,
                )
                for lid, quantity, amount, net in shipment_lines
            ),
        )
        fixtures.stream(
            StockMove,
            (
                StockMove(
                    product_id=product,
                    warehouse_id=plan[sid - 1][3],
                    quantity=-quantity,
                    kind="shipment",
                    reference=f"orders.Shipment:{sid}",
                    note=f"orders.OrderLine:{lid}",
                    created_at=now,
                )
                for lid, sid, _position, product, quantity, _amount in order_lines
            ),
        )

        # One credit note per 100 shipments: a per-shipment invoice with the credited line,
        # returned in part up to 40 days after shipping.
        documents, invoices, invoice_lines, notes, note_lines = [], [], [], [], []
        for n, sid in enumerate(rng.sample(range(1, shipments + 1), shipments // 100), start=1):
            _s, cust, day, _w = plan[sid - 1]
            lid, quantity, amount, _net = shipment_lines[(sid - 1) * LINES_PER_SHIPMENT]
            product = order_lines[lid - 1][3]
            credit_day = min(day + dt.timedelta(days=rng.randrange(41)), END)
            returned = rng.randint(1, quantity)
            credit = (Decimal(amount) * returned / quantity).quantize(Decimal(1))
            for kind, number, on in (("invoice", f"INV-{n:07d}", day), ("credit_note", f"CN-{n:07d}", credit_day)):
                documents.append(
                    IssuedDocument(
                        id=len(documents) + 1,
                        kind=kind,
                        number=number,
                        base_number=number,
                        fiscal_year=2025,
                        sequence=n,
                        document_date=on,
                        issued_at=now,
                        counterparty_kind="customer",
                        counterparty_id=cust,
                        counterparty_name="x",
                        amount=0,
                        data={},
                    )
                )
            invoices.append(
                Invoice(
                    id=n,
                    number=f"INV-{n:07d}",
                    kind="per_shipment",
                    customer_id=cust,
                    issue_date=day,
                    due_date=day,
                    tax_mode=tax_mode[cust],
                    sales_amount=amount,
                    sales_total=amount,
                    total=amount,
                    document_id=2 * n - 1,
                )
            )
            rate = rates[product - 1]
            sku = f"P{product:05d}"
            sold = {"sku": sku, "description": sku, "unit_price": prices[product - 1], "tax_rate": rate}
            line = {"shipment_line_id": lid, "shipped_on": day, "product_id": product, "quantity": quantity}
            invoice_lines.append(InvoiceLine(id=n, invoice_id=n, position=1, **line, **sold, amount=amount))
            notes.append(
                CreditNote(
                    id=n,
                    number=f"CN-{n:07d}",
                    kind="return",
                    invoice_id=n,
                    customer_id=cust,
                    issue_date=credit_day,
                    reason="破損",
                    subtotal=credit,
                    tax_total=0,
                    total=credit,
                    document_id=2 * n,
                )
            )
            (credit_net,) = net_amounts([(rate, credit)], tax_mode=tax_mode[cust])
            note_lines.append(
                CreditNoteLine(
                    id=n,
                    credit_note_id=n,
                    invoice_line_id=n,
                    quantity=returned,
                    amount=credit,
                    tax_rate=rate,
                    net_amount=credit_net,
                )
            )
        for model, objects in (
            (IssuedDocument, documents),
            (Invoice, invoices),
            (InvoiceLine, invoice_lines),
            (CreditNote, notes),
            (CreditNoteLine, note_lines),
        ):
            fixtures.bulk(model, objects)
        fixtures.bulk(
            SalesTarget,
            (
                SalesTarget(rep=rep, month=dt.date(2025, m, 1), amount=Decimal(30_000_000))
                for rep in reps
                for m in range(1, 13)
            ),
        )
        fixtures.reset_sequences(
            Product,
            Customer,
            Order,
            OrderLine,
            Shipment,
            ShipmentLine,
            IssuedDocument,
            Invoice,
            InvoiceLine,
            CreditNote,
            CreditNoteLine,
        )
    analyze()
    return {
        "seconds": time.perf_counter() - started,
        "lines": len(shipment_lines),
        "shipments": shipments,
        "credit_notes": len(notes),
        "user": boss,
        "warehouse": warehouses[1].pk,
    }


# ---------------------------------------------------------------------------
# The bare SQL
# ---------------------------------------------------------------------------

BARE_LINES = """
SELECT s.shipped_on AS day, ol.product_id AS product, s.customer_id AS customer, s.sales_rep_id AS rep,
       p.category AS category, sl.quantity AS quantity,
       sl.net_amount AS amount,
       sl.quantity * sl.unit_cost AS cost
FROM orders_shipmentline sl
JOIN orders_shipment s ON s.id = sl.shipment_id
JOIN orders_orderline ol ON ol.id = sl.order_line_id
LEFT JOIN inventory_product p ON p.id = ol.product_id
WHERE s.status = 'shipped'
  AND (s.shipped_on BETWEEN %(f)s AND %(t)s OR s.shipped_on BETWEEN %(lf)s AND %(lt)s) {ship_where}
UNION ALL
SELECT cn.issue_date, il.product_id, cn.customer_id, cs.sales_rep_id, p.category, -cl.quantity,
       -cl.net_amount,
       -cl.quantity * csl.unit_cost
FROM billing_creditnoteline cl
JOIN billing_creditnote cn ON cn.id = cl.credit_note_id
JOIN billing_invoiceline il ON il.id = cl.invoice_line_id
LEFT JOIN inventory_product p ON p.id = il.product_id
LEFT JOIN orders_shipmentline csl ON csl.id = il.shipment_line_id
LEFT JOIN orders_shipment cs ON cs.id = csl.shipment_id
WHERE (cn.issue_date BETWEEN %(f)s AND %(t)s OR cn.issue_date BETWEEN %(lf)s AND %(lt)s) {credit_where}
"""

BARE_KEYS = {
    "month": "date_trunc('month', day)",
    "day": "day",
    "product": "product",
    "customer": "customer",
    "rep": "rep",
    "category": "category",
}

WAREHOUSE_SHIP = (
    "AND EXISTS (SELECT 1 FROM inventory_stockmove m WHERE m.warehouse_id = %(w)s AND m.kind = 'shipment' "
    "AND m.reference = 'orders.Shipment:' || sl.shipment_id AND m.note = 'orders.OrderLine:' || sl.order_line_id)"
)
WAREHOUSE_CREDIT = (
    "AND EXISTS (SELECT 1 FROM inventory_stockmove m WHERE m.warehouse_id = %(w)s AND m.kind = 'shipment' "
    "AND m.reference = 'orders.Shipment:' || csl.shipment_id AND m.note = 'orders.OrderLine:' || csl.order_line_id)"
)


def bare_sql(group_by: list[str], params: dict, warehouse: bool) -> tuple[list, Decimal]:
    from django.db import connection

    keys = ", ".join(BARE_KEYS[d] for d in group_by)
    lines = BARE_LINES.format(
        ship_where=WAREHOUSE_SHIP if warehouse else "", credit_where=WAREHOUSE_CREDIT if warehouse else ""
    )
    sql = (
        f"SELECT {keys}, "
        "SUM(quantity) FILTER (WHERE day BETWEEN %(f)s AND %(t)s), "
        "SUM(amount) FILTER (WHERE day BETWEEN %(f)s AND %(t)s), "
        "SUM(cost) FILTER (WHERE day BETWEEN %(f)s AND %(t)s), "
        "SUM(quantity) FILTER (WHERE day BETWEEN %(lf)s AND %(lt)s), "
        "SUM(amount) FILTER (WHERE day BETWEEN %(lf)s AND %(lt)s) "
        f"FROM ({lines}) AS lines GROUP BY {keys}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return rows


FIGURES = ("quantity", "amount", "cost", "last_year_quantity", "last_year_amount")


def same_figures(result, group_by: list[str], rows: list) -> str:
    """'yes' when the report's total, and for groupings without a period each row, has
    the bare SQL's quantity, amount, cost, last year's quantity and amount; else what
    differs. (Bare SQL keeps last year's days and months as groups of their own.)"""
    n = len(group_by)
    bare_total = [sum((r[n + i] or 0 for r in rows), Decimal(0)) for i in range(len(FIGURES))]
    ours = [getattr(result.total, name) for name in FIGURES]
    if ours != bare_total:
        return f"NO total {ours} vs {bare_total}"
    if any(d in ("month", "day") for d in group_by):
        return "yes"
    bare_rows = {
        ",".join("" if k is None else str(k) for k in r[:n]): [v or 0 for v in r[n:]] for r in rows if any(r[n:])
    }
    our_rows = {row.key: [getattr(row, name) for name in FIGURES] for row in result.rows}
    if our_rows != bare_rows:
        differ = sorted(k for k in our_rows.keys() | bare_rows.keys() if our_rows.get(k) != bare_rows.get(k))
        return f"NO {len(differ)} rows differ, e.g. {differ[:3]}"
    return "yes"


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------


def run(info: dict) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports import selectors
    from reports.api.serializers import TargetReportSerializer
    from reports.api.views import sales_payload

    user = info["user"]
    cases = [
        ("one month", dt.date(2025, 6, 1), dt.date(2025, 6, 30), ["product"], None),
        ("one month", dt.date(2025, 6, 1), dt.date(2025, 6, 30), ["customer"], None),
        ("one month", dt.date(2025, 6, 1), dt.date(2025, 6, 30), ["rep"], None),
        ("one month", dt.date(2025, 6, 1), dt.date(2025, 6, 30), ["category"], None),
        ("one month", dt.date(2025, 6, 1), dt.date(2025, 6, 30), ["day"], None),
        ("one month", dt.date(2025, 6, 1), dt.date(2025, 6, 30), ["rep", "customer"], None),
        ("one month, warehouse", dt.date(2025, 6, 1), dt.date(2025, 6, 30), ["product"], info["warehouse"]),
        ("one year", dt.date(2025, 1, 1), dt.date(2025, 12, 31), ["month"], None),
        ("one year", dt.date(2025, 1, 1), dt.date(2025, 12, 31), ["rep", "month"], None),
        ("one year", dt.date(2025, 1, 1), dt.date(2025, 12, 31), ["product"], None),
        ("three years", START, END, ["month"], None),
        ("three years", START, END, ["customer"], None),
    ]
    print(
        f"\n{'report':<36} {'rows':>6} {'report ms':>10} {'bare SQL ms':>12} {'ratio':>6} {'queries':>8}  same figures"
    )
    for scope, date_from, date_to, group_by, warehouse in cases:
        filters = selectors.SalesFilters(warehouse=warehouse)

        def report(date_from=date_from, date_to=date_to, group_by=group_by, filters=filters):
            result = selectors.sales_report(
                user=user, date_from=date_from, date_to=date_to, group_by=group_by, filters=filters
            )
            sales_payload(result)  # the endpoint's rendering work
            return result

        params = {
            "f": date_from,
            "t": date_to,
            "lf": selectors.year_earlier(date_from),
            "lt": selectors.year_earlier(date_to),
            "w": warehouse,
        }
        with CaptureQueriesContext(connection) as queries:
            report()
        took, result = best_of(report)
        bare_took, rows = best_of(
            lambda group_by=group_by, params=params, w=warehouse: bare_sql(group_by, params, bool(w))
        )
        same = same_figures(result, group_by, rows)
        name = f"sales {','.join(group_by)} ({scope})"
        print(
            f"{name:<36} {len(result.rows):>6} {took * 1000:>10.0f} {bare_took * 1000:>12.0f} "
            f"{took / bare_took:>6.2f} {len(queries):>8}  " + same
        )

    def targets():
        result = selectors.targets_report(user=user, month=dt.date(2025, 6, 1))
        TargetReportSerializer(result).data  # noqa: B018
        return result

    took, result = best_of(targets)
    params = {
        "f": dt.date(2025, 6, 1),
        "t": dt.date(2025, 6, 30),
        "lf": dt.date(2025, 4, 1),
        "lt": dt.date(2025, 6, 30),
        "w": None,
    }
    bare_took, rows = best_of(lambda: bare_sql(["rep"], params, False))
    bare_ytd = sum((r[5] or Decimal(0) for r in rows), Decimal(0))
    same = result.total.actual == sum((r[2] or 0 for r in rows), Decimal(0)) and result.total.ytd_actual == bare_ytd
    print(
        f"{'targets 2025-06 (month + FY to date)':<36} {len(result.rows):>6} {took * 1000:>10.0f} "
        f"{bare_took * 1000:>12.0f} {took / bare_took:>6.2f} {'':>8}  {'yes' if same else 'NO'}"
    )


def loaded() -> dict:
    """What `load` returned, read back from a database an earlier --keep run left."""
    from django.contrib.auth import get_user_model

    from billing.models import CreditNote
    from inventory.models import Warehouse
    from orders.models import Shipment, ShipmentLine

    return {
        "lines": ShipmentLine.objects.count(),
        "shipments": Shipment.objects.count(),
        "credit_notes": CreditNote.objects.count(),
        "user": get_user_model().objects.get(username="bench-manager"),
        "warehouse": Warehouse.objects.get(code="OSAKA").pk,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="time the reports in the database a --keep run left")
    database_argument(parser, BENCH_DB)
    args = parser.parse_args()
    database = checked_database(args.database)
    reuse = args.reuse and database_exists(database)
    with throwaway_database(database, keep=args.keep or args.reuse, create=not reuse):
        setup_django(database, wsgi=True)
        if reuse:
            info = loaded()
            print(f"reusing {database}: {info['lines']:,} shipment lines, {info['credit_notes']:,} credit notes")
        else:
            import fixtures

            fixtures.migrate()
            info = load(args.lines)
            print(
                f"loaded {info['lines']:,} shipment lines in {info['shipments']:,} shipments, "
                f"{info['credit_notes']:,} credit notes, in {info['seconds']:.0f} s (model instances)"
            )
        run(info)


if __name__ == "__main__":
    main()
