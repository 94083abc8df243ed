"""Benchmark (not a test): the HTTP API under load, gunicorn with 2 workers on PostgreSQL.

    .venv/bin/python bench/http_load.py [--seconds 60] [--clients 8] [--workers 2] [--celery-workers 0]
                                        [--baseline-seconds 15] [--solo-seconds 15] [--max-requests 50000]
                                        [--keep] [--database bo_bench_http]

Uses the PostgreSQL server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres)
but its own throwaway database, bo_bench_http or --database (dropped and re-created, dropped
again at the end unless --keep). Production-like environment: DEBUG=false, a random SECRET_KEY,
ALLOWED_HOSTS=127.0.0.1, SECURE_SSL_REDIRECT=false, a scratch MEDIA_ROOT; Celery is eager
unless CELERY_BROKER_URL is set (then PDFs go to whatever workers listen there), so by
default every PDF is rendered inside the request that issues it, after its commit.
--celery-workers N runs the production layout instead (README, Production): a Celery worker
of N processes on the same machine, Redis database 15 of 127.0.0.1:6379 as the broker
(emptied first); the requests queue the PDFs and the worker renders them. Its CPU is counted
with the rest, and afterwards the bench waits until every PDF is rendered and says how long
the queue took to drain.

Fixture: `migrate`, `manage.py load_demo`, then, through the services, a stock take of
1,000,000 of every stock-tracked product in the default warehouse and no credit limit for
the two customers ordered for (C007, invoiced per shipment: shipping also issues the 請求書
and its PDF; C002, consolidated: the 納品書 only), so every order ships in full.

gunicorn (`backoffice.wsgi`, sync workers, --workers) listens on a free port of 127.0.0.1
only. Each client signs in once (POST auth/token/, the sales admin) before anything is
timed, then keeps one HTTP/1.1 connection (stdlib http.client, a thread per client).

0. One client alone (GET company/ for 5 s, then the mix for --solo-seconds): the service
   time of each call without queueing, printed as "1 client p50".
1. Baseline, the floor of this server on this machine: the same clients loop
   GET company/ (authenticated, one small row) for --baseline-seconds.
2. The mix, for --seconds: each client loops order create (3 lines) → confirm → shipment
   create → ship, then the reads: order list, availability of a product for 5, the sales
   report of this month by day. Bounded: it stops at --seconds or after --max-requests
   requests in all, whichever comes first.

Printed: requests/s overall; per endpoint the count, p50/p95/p99 latency in ms, errors
(any non-2xx answer or exception: must be 0) and the goal (p95 < 150 ms at 8 clients,
0 errors) met or not; the load average of the machine before and after; CPU-ms per
request of the gunicorn workers, of their PostgreSQL backends and of the clients (read
from /proc), and the requests/s the cores would allow at that cost. Afterwards:
`manage.py check_stock_ledger`, and gapless numbers: for every prefix and fiscal year
the numbers stored on documents, orders, shipments, quotes and purchase orders are
exactly 1..N, N being the counter's last value (SO order numbers included).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import datetime as dt
import http.client
import io
import json
import os
import random
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

from common import (
    ROOT,
    database_argument,
    scratch_dir,
    server_url,
    server_version,
    setup_django,
    stop_process_group,
    throwaway_database,
)

BENCH_DB = "bo_bench_http"
HOST = "127.0.0.1"  # loopback only, never anything else
STOCK = 1_000_000
CUSTOMERS = ("C007", "C002")  # per-shipment invoice, consolidated
USERNAME, PASSWORD = "sales_admin", "sales-demo-2026"  # load_demo's sales admin
GOAL_P95_MS = 150
ENDPOINTS = [
    "order create",
    "order confirm",
    "shipment create",
    "shipment ship",
    "order list",
    "availability",
    "sales report",
]

SCRATCH = scratch_dir("bench-http-")
CELERY_BROKER = "redis://127.0.0.1:6379/15"


# ---------------------------------------------------------------------------
# Fixture
# ---------------------------------------------------------------------------


def _fixture() -> dict:
    import fixtures
    from django.core.management import call_command
    from django.utils import timezone

    from inventory.models import Product, Warehouse
    from orders import services as order_services
    from orders.models import Customer

    fixtures.migrate()
    call_command("load_demo", stdout=io.StringIO())
    warehouse = Warehouse.objects.get(is_default=True)
    products = list(Product.objects.filter(track_stock=True, is_active=True).order_by("sku"))
    fixtures.stock(products, warehouse, STOCK)
    customers = []
    for code in CUSTOMERS:
        customer = Customer.objects.get(code=code)
        if customer.credit_limit is not None:
            customer = order_services.customer_update(customer=customer, user=None, data={"credit_limit": None})
        customers.append(customer.pk)
    today = timezone.localdate()
    month_start = today.replace(day=1)
    month_end = (month_start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return {
        "products": [p.pk for p in products],
        "customers": customers,
        "report": f"/api/v1/reports/sales/?date_from={month_start}&date_to={month_end}&group_by=day",
    }


# ---------------------------------------------------------------------------
# gunicorn
# ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    log = SCRATCH / "gunicorn.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "backoffice.wsgi:application",
        "--bind",
        f"{HOST}:{port}",
        "--workers",
        str(workers),
        "--error-logfile",
        str(log),
        "--log-level",
        "warning",
    ]
    # The workers' own log (Django's warnings, tracebacks) goes to the same file, printed
    # at the end when a call failed.
    with log.open("ab") as output:
        server = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=ROOT, env=dict(os.environ), start_new_session=True, stdout=output, stderr=output
        )
    atexit.register(_stop_gunicorn, server)
    deadline = time.monotonic() + 60
    while True:
        if server.poll() is not None:
            sys.exit(f"gunicorn exited with code {server.returncode}:\n{log.read_text() if log.exists() else ''}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/api/v1/company/")
            conn.getresponse().read()
            conn.close()
            return server
        except OSError:
            if time.monotonic() > deadline:
                sys.exit("gunicorn did not answer within 60 s")
            time.sleep(0.2)


def _stop_gunicorn(server: subprocess.Popen) -> None:
    stop_process_group(server, timeout=30)  # its own session: the arbiter and its workers


def _start_celery(concurrency: int) -> subprocess.Popen:
    """A Celery worker of `concurrency` processes on the bench's environment (its broker)."""
    log = SCRATCH / "celery.log"
    command = [sys.executable, "-m", "celery", "-A", "backoffice", "worker", "--concurrency", str(concurrency)]
    command += ["--pool", "prefork", "--loglevel", "warning", "--without-gossip", "--without-mingle"]
    with log.open("ab") as output:
        worker = subprocess.Popen(  # noqa: S603 - our own command line
            command, cwd=ROOT, env=dict(os.environ), start_new_session=True, stdout=output, stderr=output
        )
    atexit.register(stop_process_group, worker, 30)
    return worker


def _pending_pdfs() -> int:
    from documents.models import IssuedDocument, RenderStatus

    return IssuedDocument.objects.exclude(render_status=RenderStatus.RENDERED).count()


def _drain(limit: float = 300) -> tuple[float, int]:
    """Wait until every issued document's PDF is rendered (at most `limit` seconds):
    (seconds waited, PDFs still pending)."""
    start = time.perf_counter()
    while (pending := _pending_pdfs()) and time.perf_counter() - start < limit:
        time.sleep(0.5)
    return time.perf_counter() - start, pending


# ---------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------


class Stats:
    """Latencies and errors per endpoint, shared by the client threads; the request cap."""

    def __init__(self, cap: int) -> None:
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []  # the first few errors, to print
        self.flow_problems = 0  # 2xx answers that did not say what the flow needs (held, backordered)
        self.cap = cap
        self.issued = 0

    def take(self) -> bool:
        with self.lock:
            if self.issued >= self.cap:
                return False
            self.issued += 1
            return True

    def record(self, name: str, seconds: float, error: str | None) -> None:
        with self.lock:
            self.latencies[name].append(seconds)
            if error is not None:
                self.errors[name] += 1
                if len(self.samples) < 10:
                    self.samples.append(f"{name}: {error}")


class Stop(Exception):
    pass


class Client:
    def __init__(self, port: int, token: str, stats: Stats, deadline: float, fixture: dict, seed: int) -> None:
        self.conn = http.client.HTTPConnection(HOST, port, timeout=60)
        self.headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        self.stats = stats
        self.deadline = deadline
        self.fixture = fixture
        self.rng = random.Random(seed)
        self.seed = seed
        self.serial = 0

    def call(self, name: str, method: str, path: str, body: dict | None = None):
        """One request, timed; the parsed JSON answer, or None after an error (recorded)."""
        if time.perf_counter() >= self.deadline or not self.stats.take():
            raise Stop
        headers = dict(self.headers)
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        start = time.perf_counter()
        error = data = None
        try:
            self.conn.request(method, path, body=payload, headers=headers)
            response = self.conn.getresponse()
            raw = response.read()
            if response.will_close:
                self.conn.close()  # gunicorn's sync workers close after each answer: reconnect next time
            if 200 <= response.status < 300:
                data = json.loads(raw) if raw else {}
            else:
                error = f"{response.status} {raw[:300].decode(errors='replace')}"
        except Exception as exc:  # noqa: BLE001 - every failure is counted as an error
            self.conn.close()
            error = f"{type(exc).__name__}: {exc}"
        self.stats.record(name, time.perf_counter() - start, error)
        return data

    def baseline(self) -> None:
        try:
            while True:
                self.call("baseline: GET company/", "GET", "/api/v1/company/")
        except Stop:
            pass

    def mix(self) -> None:
        try:
            while True:
                self.one_round()
        except Stop:
            pass

    def one_round(self) -> None:
        fx, rng = self.fixture, self.rng
        self.serial += 1
        lines = [{"product": p, "quantity": rng.randint(1, 5)} for p in rng.sample(fx["products"], 3)]
        body = {
            "customer": fx["customers"][self.serial % len(fx["customers"])],
            "customer_po_number": f"LOAD-{self.seed}-{self.serial}",
            "lines": lines,
        }
        order = self.call("order create", "POST", "/api/v1/orders/", body)
        if order is not None:
            confirmed = self.call("order confirm", "POST", f"/api/v1/orders/{order['id']}/confirm/")
            if confirmed is not None:
                if confirmed["on_hold"] or any(line["backordered"] for line in confirmed["lines"]):
                    with self.stats.lock:
                        self.stats.flow_problems += 1
                else:
                    shipment = self.call("shipment create", "POST", "/api/v1/shipments/", {"order": order["id"]})
                    if shipment is not None:
                        self.call("shipment ship", "POST", f"/api/v1/shipments/{shipment['id']}/ship/", {})
        self.call("order list", "GET", "/api/v1/orders/")
        product = rng.choice(fx["products"])
        self.call("availability", "GET", f"/api/v1/products/{product}/availability/?quantity=5")
        self.call("sales report", "GET", fx["report"])


def _sign_in(port: int) -> str:
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    body = json.dumps({"username": USERNAME, "password": PASSWORD})
    conn.request("POST", "/api/v1/auth/token/", body=body, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    raw = response.read()
    conn.close()
    if response.status != 200:
        sys.exit(f"sign-in failed: {response.status} {raw[:300]!r}")
    return json.loads(raw)["token"]


def _run(clients: list[Client], method: str, seconds: float) -> float:
    start = time.perf_counter()
    for client in clients:
        client.deadline = start + seconds
    threads = [threading.Thread(target=getattr(client, method)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - start


def _pct(values: list[float], q: float) -> float:
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] * 1000


def _print_table(
    stats: Stats, elapsed: float, baseline: Stats, baseline_elapsed: float, solo: Stats, clients: int
) -> bool:
    """The figures per endpoint; `solo` is one client alone (the service time, no queueing)."""
    head = f"{'':<26}{'count':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'errors':>8}"
    print(f"{head}{'1 client p50':>14}   goal")
    met_all = True

    def row(name: str, values: list[float], errors: int, rate: float, goal: bool, alone: list[float]) -> None:
        nonlocal met_all
        if not values:
            print(f"{name:<26}{0:>8}")
            met_all = met_all and not goal
            return
        p95 = _pct(values, 95)
        verdict = ""
        if goal:
            met = p95 < GOAL_P95_MS and errors == 0
            met_all = met_all and met
            verdict = "met" if met else "NOT met"
        alone_text = f"{_pct(alone, 50):>14.1f}" if alone else f"{'':>14}"
        print(
            f"{name:<26}{len(values):>8}{rate:>9.1f}{_pct(values, 50):>9.1f}{p95:>9.1f}{_pct(values, 99):>9.1f}"
            f"{errors:>8}{alone_text}   {verdict}"
        )

    for name, values in baseline.latencies.items():
        row(name, values, baseline.errors[name], len(values) / baseline_elapsed, False, solo.latencies.get(name, []))
    for name in ENDPOINTS:
        values = stats.latencies.get(name, [])
        row(name, values, stats.errors[name], len(values) / elapsed, True, solo.latencies.get(name, []))
    everything = [v for values in stats.latencies.values() for v in values]
    alone = [v for name in ENDPOINTS for v in solo.latencies.get(name, [])]
    row(
        f"all calls ({clients} clients)",
        everything,
        sum(stats.errors.values()),
        len(everything) / elapsed,
        False,
        alone,
    )
    return met_all


# ---------------------------------------------------------------------------
# Afterwards
# ---------------------------------------------------------------------------


def _stock_ledger() -> tuple[bool, str]:
    from django.core.management import CommandError, call_command

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("check_stock_ledger", stdout=out, stderr=err)
    except CommandError as error:
        return False, f"{error}\n{err.getvalue()[:2000]}"
    return True, out.getvalue().strip()


def _gapless() -> list[tuple[bool, str]]:
    """For every counter (prefix, fiscal year): the numbers stored anywhere are exactly 1..N."""
    from django.apps import apps

    from documents.models import DocumentCounter
    from documents.numbering import parse_number

    taken: dict[tuple[str, int], set[int]] = defaultdict(set)
    for model in apps.get_models():
        for field in ("number", "base_number"):
            try:
                model._meta.get_field(field)
            except Exception:  # noqa: BLE001, S112 - not every model has one
                continue
            for number in model.objects.exclude(**{field: ""}).values_list(field, flat=True).iterator():
                try:
                    prefix, year, value = parse_number(number)
                except ValueError:
                    continue  # a revision (…-2) or another scheme: its base number is checked
                taken[(prefix, year)].add(value)
    results = []
    counters = {(c.prefix, c.fiscal_year): c.last_value for c in DocumentCounter.objects.all()}
    for key in sorted(set(counters) | set(taken)):
        last, values = counters.get(key, 0), taken.get(key, set())
        expected = set(range(1, last + 1))
        missing, extra = sorted(expected - values), sorted(values - expected)
        ok = not missing and not extra
        text = f"{key[0]}-{key[1]}: {len(values)} numbers, counter at {last}"
        if missing:
            text += f"; missing {missing[:10]}{'…' if len(missing) > 10 else ''}"
        if extra:
            text += f"; beyond the counter {extra[:10]}"
        results.append((ok, text))
    return results


class CpuSampler:
    """CPU seconds spent, during a window, by the gunicorn workers and by the PostgreSQL
    backends serving the bench database (read from /proc, so this machine only), and by
    this process (the clients). Backends come and go (CONN_MAX_AGE), so the set is polled
    twice a second and each backend counted from when it was first seen."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, server: subprocess.Popen, database: str, tasks: subprocess.Popen | None = None) -> None:
        import psycopg

        self.server = server
        self.tasks = tasks
        self.database = database
        self.conn = psycopg.connect(server_url(database), autocommit=True)
        self.own = self.conn.execute("SELECT pg_backend_pid()").fetchone()[0]

    @classmethod
    def _cpu(cls, pid: int) -> float | None:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / cls.TICK  # utime + stime

    @staticmethod
    def _children(process: subprocess.Popen | None) -> list[int]:
        if process is None:
            return []
        try:
            children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in children.split()]

    def _backends(self) -> list[int]:
        rows = self.conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> %s", [self.database, self.own]
        ).fetchall()
        return [row[0] for row in rows]

    def _poll(self) -> None:
        tasks = [self.tasks.pid, *self._children(self.tasks)] if self.tasks is not None else []
        for kind, pids in (("app", self._children(self.server)), ("db", self._backends()), ("tasks", tasks)):
            for pid in pids:
                cpu = self._cpu(pid)
                if cpu is None:
                    continue
                key = (kind, pid)
                self.first.setdefault(key, cpu if self.starting else 0.0)
                self.last[key] = cpu

    def _loop(self) -> None:
        while not self.done.wait(0.5):
            self._poll()

    def start(self) -> None:
        self.first, self.last, self.starting = {}, {}, True
        self._poll()
        self.starting = False
        self.clients = time.process_time()
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def stop(self) -> dict[str, float]:
        self.done.set()
        self.thread.join()
        self._poll()
        spent = {"app": 0.0, "db": 0.0, "tasks": 0.0}
        for (kind, pid), cpu in self.last.items():
            spent[kind] += cpu - self.first[(kind, pid)]
        spent["clients"] = time.process_time() - self.clients
        return spent


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


# ---------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="length of the timed mix")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (threads)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--celery-workers", type=int, default=0, help="processes of a Celery worker rendering the PDFs (0: eager)"
    )
    parser.add_argument("--baseline-seconds", type=float, default=15, help="length of the baseline (GET company/)")
    parser.add_argument("--solo-seconds", type=float, default=15, help="length of the one-client pass")
    parser.add_argument("--max-requests", type=int, default=50_000, help="stop the mix after this many requests")
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    database_argument(parser, BENCH_DB)
    args = parser.parse_args()

    started = time.perf_counter()
    with throwaway_database(args.database, keep=args.keep):
        # The environment of this process and of gunicorn: production-like.
        setup_django(
            args.database,
            DJANGO_SETTINGS_MODULE="backoffice.settings",
            MEDIA_ROOT=str(SCRATCH / "media"),
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS=HOST,
            SECURE_SSL_REDIRECT="false",
            **({"CELERY_BROKER_URL": CELERY_BROKER} if args.celery_workers else {}),
        )
        _measure(args, started)


def _measure(args, started: float) -> None:
    """The fixture, gunicorn started, the three passes, the figures and the checks."""
    from django.conf import settings
    from django.db import connections

    from orders.models import Order

    if args.celery_workers:  # an empty queue before the fixture queues its PDFs
        import redis

        redis.Redis.from_url(CELERY_BROKER).flushdb()
    load = time.perf_counter()
    fixture = _fixture()
    fixture_seconds = time.perf_counter() - load
    version = server_version()
    eager = settings.CELERY_TASK_ALWAYS_EAGER
    celery = "eager (PDFs rendered in the request)" if eager else f"broker {settings.CELERY_BROKER_URL}"
    print(f"{version}; {args.database}; DEBUG={settings.DEBUG}; Celery {celery}")
    print(f"fixture (load_demo, stock through the services): {fixture_seconds:.1f} s")
    orders_before = Order.objects.count()
    tasks = None
    if args.celery_workers:
        tasks = _start_celery(args.celery_workers)
        waited, pending = _drain()
        print(f"Celery worker: {args.celery_workers} processes; the fixture's PDFs rendered in {waited:.1f} s")
        if pending:
            sys.exit(f"{pending} PDFs still pending: is the worker running? ({SCRATCH / 'celery.log'})")
    connections.close_all()

    port = _free_port()
    server = _start_gunicorn(port, args.workers)
    try:
        _passes(args, started, server, port, fixture, orders_before, tasks)
    finally:
        _stop_gunicorn(server)
        if tasks is not None:
            stop_process_group(tasks, timeout=30)


def _passes(
    args,
    started: float,
    server: subprocess.Popen,
    port: int,
    fixture: dict,
    orders_before: int,
    tasks: subprocess.Popen | None,
) -> None:
    from orders.models import Order, Shipment

    print(
        f"gunicorn: {args.workers} sync workers on {HOST}:{port}; {args.clients} clients;"
        f" {len(fixture['products'])} products in stock; customers {', '.join(CUSTOMERS)}"
    )
    tokens = [_sign_in(port) for _ in range(args.clients)]  # once per client, before anything is timed

    warm = Stats(cap=10_000)
    clients = [Client(port, token, warm, 0, fixture, seed=i + 1) for i, token in enumerate(tokens)]
    for client in clients:  # warm-up, untimed: one round each, so both workers have loaded everything
        client.deadline = time.perf_counter() + 60
        with contextlib.suppress(Stop):
            client.one_round()
    if sum(warm.errors.values()):
        sys.exit("errors during the warm-up:\n" + "\n".join(warm.samples))

    solo = Stats(cap=args.max_requests)  # one client alone: the service time of each call, no queueing
    clients[0].stats = solo
    _run(clients[:1], "baseline", min(args.solo_seconds, 5))
    _run(clients[:1], "mix", args.solo_seconds)

    baseline = Stats(cap=args.max_requests)
    for client in clients:
        client.stats = baseline
    load_before = _load()
    cpu = CpuSampler(server, args.database, tasks)
    cpu.start()
    baseline_elapsed = _run(clients, "baseline", args.baseline_seconds)
    baseline_cpu = cpu.stop()

    stats = Stats(cap=args.max_requests)
    for client in clients:
        client.stats = stats
    cpu.start()
    elapsed = _run(clients, "mix", args.seconds)
    mix_cpu = cpu.stop()
    load_after = _load()
    cpu.conn.close()
    _stop_gunicorn(server)

    total = sum(len(v) for v in stats.latencies.values())
    print(f"load average (1/5/15 min): {load_before} before, {load_after} after; nproc {os.cpu_count()}")
    print(
        f"\nMix: {total:,} requests in {elapsed:.1f} s = {total / elapsed:.1f} requests/s overall"
        f" (baseline {sum(len(v) for v in baseline.latencies.values()) / baseline_elapsed:.1f} requests/s"
        f" over {baseline_elapsed:.1f} s)"
    )
    met = _print_table(stats, elapsed, baseline, baseline_elapsed, solo, args.clients)
    print(
        f"goal: p95 < {GOAL_P95_MS} ms for every call at {args.clients} clients, 0 errors:"
        f" {'met' if met else 'NOT met'}"
    )
    cores = os.cpu_count()
    print(f"\nCPU per request, ms (from /proc; {cores} cores = {cores * 1000} CPU-ms per second):")
    print(
        f"{'':<26}{'gunicorn':>10}{'postgres':>10}{'celery':>10}{'clients':>10}{'total':>10}{'CPU-bound ceiling':>20}"
    )
    for label, spent, count in (
        ("baseline: GET company/", baseline_cpu, sum(len(v) for v in baseline.latencies.values())),
        ("mix", mix_cpu, total),
    ):
        per = {kind: 1000 * seconds / max(count, 1) for kind, seconds in spent.items()}
        whole = sum(per.values())
        print(
            f"{label:<26}{per['app']:>10.1f}{per['db']:>10.1f}{per['tasks']:>10.1f}{per['clients']:>10.1f}"
            f"{whole:>10.1f}{os.cpu_count() * 1000 / whole:>14.0f} req/s"
        )
    if tasks is not None:
        waited, pending = _drain()
        print(f"PDFs queued during the mix: rendered {waited:.1f} s after it ended; still pending: {pending}")
    for sample in baseline.samples + stats.samples:
        print(f"  error: {sample}")
    if stats.flow_problems:
        print(f"  FAIL: {stats.flow_problems} confirmations held or backordered (the fixture should prevent it)")

    shipped = Shipment.objects.filter(status=Shipment.Status.SHIPPED).count()
    created = Order.objects.count() - orders_before
    print(f"\nOrders created through the API: {created:,}; shipments shipped: {shipped:,}")
    ok, text = _stock_ledger()
    print(f"check_stock_ledger: {'OK' if ok else 'FAIL'} ({text})")
    gapless = _gapless()
    print(f"gapless numbers: {'OK' if all(ok for ok, _ in gapless) else 'FAIL'}")
    for ok, text in gapless:
        print(f"  {'OK  ' if ok else 'FAIL'} {text}")
    log = SCRATCH / "gunicorn.log"
    failed = sum(stats.errors.values()) + sum(baseline.errors.values()) + stats.flow_problems
    if failed and log.exists() and log.read_text().strip():
        print("\ngunicorn log (last 20 lines):\n" + "\n".join(log.read_text().splitlines()[-20:]))
    print(f"\n(total run {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
