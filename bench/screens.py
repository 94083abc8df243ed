"""Benchmark (not a test): the server time of the sales office screens with 20,000 orders.

    .venv/bin/python bench/screens.py [--orders 20000] [--requests 200] [--keep] [--reuse]
                                      [--database bo_bench_screens]

Uses the PostgreSQL server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
but its own throwaway database (dropped and re-created, dropped at the end unless --keep;
--reuse measures again in the database a --keep run left). DEBUG off.

Fixture: `load_demo` (users of every role, 10 customers, products, stock), 490 more customers
shared by the two reps, then --orders orders of 3 lines over the last two years: copies of
orders entered through the services (so totals and lines are real), numbered, dated and in
every status (most shipped or invoiced, some confirmed, draft and on hold).

Each screen is requested --requests times in-process (Django's test client, signed in as
the role: the whole Django stack, middleware, template rendering, no network), after 10
unmeasured warm-up requests; printed: median and p95 in ms and the statements per request,
beside the bare selector call that the screen is built on, timed the same way in the same
run. Goals (issue #14): p95 under 100 ms for every page, under 30 ms for the live answers
(the order entry's stock/total answer and the customer search).
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import random
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from common import (
    QueryCounter,
    analyze,
    checked_database,
    database_argument,
    database_exists,
    p95,
    scratch_dir,
    setup_django,
    throwaway_database,
)

BENCH_DB = "bo_bench_screens"
PAGE_GOAL_MS, LIVE_GOAL_MS = 100, 30
EXTRA_CUSTOMERS = 490


@dataclass
class Screen:
    name: str
    username: str
    request: Callable  # (client) -> response
    baseline: Callable  # () -> object: the bare selector the screen shows
    live: bool = False


def _fixture(order_count: int) -> None:
    import fixtures
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from inventory.models import Product
    from orders import services as order_services
    from orders.models import Customer, Order, OrderLine
    from orders.services import LineInput

    fixtures.migrate()
    call_command("load_demo", stdout=io.StringIO())
    users = get_user_model().objects
    admin = users.get(username="sales_admin")
    reps = list(users.filter(username__in=["rep1", "rep2"]).order_by("username"))
    template = Customer.objects.get(code="C001")
    fixtures.bulk(
        Customer,
        (
            Customer(
                code=f"B{n:05d}",
                name=f"ベンチ商事{n}株式会社",
                name_kana=f"ベンチシヨウジ{n}",
                name_kana_key=f"ベンチシヨウジ{n}",
                sales_rep=reps[n % 2],
                closing_day=template.closing_day,
                payment_month_offset=template.payment_month_offset,
                payment_day=template.payment_day,
            )
            for n in range(EXTRA_CUSTOMERS)
        ),
    )
    customers = list(Customer.objects.order_by("pk"))
    products = list(Product.objects.filter(is_active=True).order_by("sku"))
    rng = random.Random(14)
    templates = []
    for index in range(20):  # orders entered as a sales admin enters them: real prices and totals
        customer = Customer.objects.get(code=f"C{index % 10 + 1:03d}")
        lines = [LineInput(product=p, quantity=rng.randint(1, 20)) for p in rng.sample(products, 3)]
        templates.append(order_services.order_create(user=admin, data={"customer": customer}, lines=lines))
    template_lines = {o.pk: list(o.lines.order_by("position")) for o in templates}
    statuses = (
        [Order.Status.INVOICED] * 10
        + [Order.Status.SHIPPED] * 5
        + [Order.Status.CONFIRMED] * 2
        + [Order.Status.DRAFT, Order.Status.ON_HOLD, Order.Status.CANCELLED]
    )
    today = dt.date.today()
    order_fields = [f for f in Order._meta.concrete_fields if not f.primary_key]
    clones = []
    for n in range(order_count):
        source = templates[n % len(templates)]
        clone = Order(**{f.attname: getattr(source, f.attname) for f in order_fields})
        clone.customer = customers[rng.randrange(len(customers))]
        clone.status = rng.choice(statuses)
        clone.order_date = today - dt.timedelta(days=rng.randrange(730))
        clone.number = "" if clone.status == Order.Status.DRAFT else f"SO-B-{n:06d}"
        clones.append(clone)
    with fixtures.own_timestamps(Order):
        created = fixtures.bulk(Order, clones)
    line_fields = [f for f in OrderLine._meta.concrete_fields if not f.primary_key and f.name != "order"]
    shipped = {Order.Status.SHIPPED, Order.Status.INVOICED}
    fixtures.bulk(
        OrderLine,
        (
            OrderLine(
                order=order,
                **{
                    f.attname: line.quantity
                    if f.name == "shipped_quantity" and order.status in shipped
                    else getattr(line, f.attname)
                    for f in line_fields
                },
            )
            for order, source in zip(created, (templates[n % len(templates)] for n in range(order_count)), strict=True)
            for line in template_lines[source.pk]
        ),
    )
    analyze()


def _line_value(field, line, shipped: bool):
    """A copied line's value: a shipped order's lines are shipped in full."""
    return line.quantity if shipped and field.name == "shipped_quantity" else getattr(line, field.attname)


def _screens() -> list[Screen]:
    """The screens and the selectors each is built on (web.selectors, the list's queryset, the
    entry's pricing, availability and credit check, the picker's search)."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from backoffice.roles import restrict_to_own_customers
    from backoffice.selectors import company_profile
    from inventory.models import Product
    from inventory.selectors import availabilities
    from orders.models import Customer, Order
    from orders.selectors import customers_matching
    from orders.services import LineInput, credit_check, price_lines, totals_for
    from web.selectors import admin_queues, manager_queues, rep_queues

    users = {u.username: u for u in get_user_model().objects.filter(username__in=["sales_admin", "rep1", "manager"])}
    customer = Customer.objects.get(code="C001")
    products = list(Product.objects.filter(sku__in=["A-100", "C-300", "F-400"]).order_by("sku"))
    quantities = [50, 10, 5]
    entry = {"customer": customer.pk, "lines-TOTAL_FORMS": "4", "lines-INITIAL_FORMS": "0"}
    for index, (product, quantity) in enumerate(zip(products, quantities, strict=True)):
        entry[f"lines-{index}-product"] = product.pk
        entry[f"lines-{index}-quantity"] = quantity

    def order_page(user):
        orders = restrict_to_own_customers(Order.objects.select_related("customer"), user)
        return list(orders.order_by("-order_date", "-pk")[:50])

    def entry_answer():
        admin = users["sales_admin"]
        mode = company_profile().rounding_mode
        lines = [LineInput(product=p, quantity=q) for p, q in zip(products, quantities, strict=True)]
        priced = price_lines(customer=customer, lines=lines, user=admin, require_prices=False, mode=mode)
        totals = totals_for([(p.tax_rate, p.amount) for p in priced], customer=customer, mode=mode)
        today = timezone.localdate()
        answers = availabilities(list(zip(products, quantities, strict=True)), on=today)
        return totals, answers, credit_check(Order(customer=customer, total=totals["total"]))

    return [
        Screen("home (sales admin)", "sales_admin", lambda c: c.get("/"), admin_queues),
        Screen("home (rep)", "rep1", lambda c: c.get("/"), lambda: rep_queues(users["rep1"])),
        Screen("home (manager)", "manager", lambda c: c.get("/"), lambda: manager_queues(users["manager"])),
        Screen(
            "order list (sales admin)",
            "sales_admin",
            lambda c: c.get("/orders/"),
            lambda: order_page(users["sales_admin"]),
        ),
        Screen("order list (rep)", "rep1", lambda c: c.get("/orders/"), lambda: order_page(users["rep1"])),
        Screen(
            "order entry: live answer, 3 lines",
            "sales_admin",
            lambda c: c.post("/orders/new/preview/", entry),
            entry_answer,
            live=True,
        ),
        Screen(
            "customer search やまだ",
            "sales_admin",
            lambda c: c.get("/pick/customers/", {"customer__search": "やまだ"}),
            lambda: list(customers_matching(user=users["sales_admin"], text="やまだ")),
            live=True,
        ),
        Screen(
            "customer list search やまだ",
            "sales_admin",
            lambda c: c.get("/customers/", {"q": "やまだ"}),
            lambda: list(customers_matching(user=users["sales_admin"], text="やまだ", limit=50)),
        ),
    ]


def _measure(screen: Screen, client, requests: int) -> dict:
    from django.db import connection

    for _ in range(10):
        response = screen.request(client)
        assert response.status_code == 200, (screen.name, response.status_code)
        screen.baseline()
    samples, base, counter = [], [], QueryCounter()
    with connection.execute_wrapper(counter):
        for _ in range(requests):
            started = time.perf_counter()
            screen.request(client)
            samples.append((time.perf_counter() - started) * 1000)
    queries = counter.count / requests
    for _ in range(requests):
        started = time.perf_counter()
        screen.baseline()
        base.append((time.perf_counter() - started) * 1000)
    return {
        "median": statistics.median(samples),
        "p95": p95(samples),
        "queries": queries,
        "base_median": statistics.median(base),
        "base_p95": p95(base),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orders", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--reuse", action="store_true")
    database_argument(parser, BENCH_DB)
    args = parser.parse_args()
    name = checked_database(args.database)
    reuse = args.reuse and database_exists(name)
    with throwaway_database(name, keep=args.keep or args.reuse, create=not reuse):
        setup_django(
            name,
            SECURE_SSL_REDIRECT="false",
            EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
            STATIC_ROOT=str(scratch_dir("bench-screens-static-")),
        )
        from django.core.management import call_command

        call_command("collectstatic", interactive=False, verbosity=0)  # DEBUG off serves the manifest's names
        from django.test import Client

        from orders.models import Order

        if not reuse:
            started = time.perf_counter()
            _fixture(args.orders)
            print(f"fixture: {Order.objects.count():,} orders in {time.perf_counter() - started:.0f} s")
        from django.contrib.auth import get_user_model

        clients = {}
        rows = []
        for screen in _screens():
            if screen.username not in clients:
                clients[screen.username] = Client()
                clients[screen.username].force_login(get_user_model().objects.get(username=screen.username))
            rows.append((screen, _measure(screen, clients[screen.username], args.requests)))
        print(f"\n{Order.objects.count():,} orders; {args.requests} requests per screen; ms of server time\n")
        print(f"{'screen':34} {'median':>8} {'p95':>8} {'queries':>8} | {'selector median':>15} {'p95':>8} | goal")
        for screen, r in rows:
            goal = LIVE_GOAL_MS if screen.live else PAGE_GOAL_MS
            verdict = "met" if r["p95"] < goal else "NOT MET"
            print(
                f"{screen.name:34} {r['median']:8.1f} {r['p95']:8.1f} {r['queries']:8.1f} | "
                f"{r['base_median']:15.1f} {r['base_p95']:8.1f} | p95 < {goal} ms {verdict}"
            )


if __name__ == "__main__":
    main()
