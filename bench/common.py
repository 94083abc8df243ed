"""What every benchmark does around its measurements: its own throwaway PostgreSQL
database, Django set up as in production (DEBUG off), a scratch folder, child processes
stopped cleanly, and the small timing helpers. The fixtures themselves are built in
`bench/fixtures.py`, through the models.

Nothing here imports Django at module level: a bench chooses its database first, then
calls `setup_django`.
"""

from __future__ import annotations

import argparse
import atexit
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


# ---------------------------------------------------------------------------
# The bench's own database
# ---------------------------------------------------------------------------


def server_url(database: str) -> str:
    """The URL of `database` on the PostgreSQL server of DATABASE_URL (default: the local one)."""
    parts = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_SERVER)
    if not parts.scheme.startswith("postgres"):
        sys.exit(f"Set DATABASE_URL to a PostgreSQL server, e.g. {DEFAULT_SERVER}")
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def database_argument(parser: argparse.ArgumentParser, default: str) -> None:
    """--database NAME: the throwaway database (so that runs by different people don't meet)."""
    parser.add_argument("--database", default=default, help=f"the bench database, dropped and re-created ({default})")


def checked_database(name: str) -> str:
    """The bench drops and re-creates its database: refuse a name that is not plainly a bench's."""
    if "bench" not in name:
        sys.exit(f"The bench database's name must contain 'bench' ({name!r}): it is dropped and re-created.")
    return name


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def recreate_database(name: str, *, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(server_url("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{checked_database(name)}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')


@contextmanager
def throwaway_database(name: str, *, keep: bool = False, create: bool = True) -> Iterator[None]:
    """The bench's database, new (unless `create` is false: reuse it), dropped at the end unless `keep`."""
    if create:
        recreate_database(name)
    try:
        yield
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not keep:
            recreate_database(name, drop_only=True)


def setup_django(database: str | None, *, wsgi: bool = False, **environment: str) -> None:
    """Django on `database` (None: DATABASE_URL as it is), production-like: DEBUG off (no
    per-query bookkeeping), so the figures mean what they say. `environment` sets more
    variables (MEDIA_ROOT, CELERY_BROKER_URL, ...); `wsgi` starts as an application
    server's worker does (backoffice.wsgi: django.setup(), then gc.freeze())."""
    sys.path.insert(0, str(ROOT))
    if database is not None:
        os.environ["DATABASE_URL"] = server_url(database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backoffice.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ["DEBUG"] = "false"
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.update(environment)
    if wsgi:
        import backoffice.wsgi  # noqa: F401
    else:
        import django

        django.setup()


def server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        return cursor.fetchone()[0].split(" on ")[0]


def analyze() -> None:
    """What autovacuum does after bulk loads in production: fresh planner statistics."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def scratch_dir(prefix: str) -> Path:
    """A temporary folder removed when the process ends (MEDIA_ROOT, logs, SQLite files)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def stop_process_group(process: subprocess.Popen, timeout: float) -> None:
    """Stop a child started with start_new_session=True, with all of its own children."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


# ---------------------------------------------------------------------------
# Timing
# ---------------------------------------------------------------------------


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def timed(call: Callable[[], object], count: int) -> float:
    """Seconds for `count` calls."""
    start = time.perf_counter()
    for _ in range(count):
        call()
    return time.perf_counter() - start


def best_of(fn: Callable[[], object], runs: int = 3) -> tuple[float, object]:
    """The shortest of `runs` timings, and the last result."""
    best, result = float("inf"), None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


class QueryCounter:
    """An execute wrapper (connection.execute_wrapper) that counts statements, DEBUG off."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)
