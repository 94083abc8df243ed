"""Backups and restore: the database plus the stored files under MEDIA_ROOT, with a manifest.

A backup is a directory:

    manifest.json      vendor, time, migration state, row count per table, SHA-256 and size of every file
    database.dump      PostgreSQL: `pg_dump -Fc`, taken in the snapshot the row counts were read in
    database.sqlite3   SQLite: a copy made with the online backup API (consistent while the server runs)
    media/...          the files under MEDIA_ROOT (issued PDFs, uploads)

The database is copied first and the files afterwards: issued PDFs are never changed, so every
document in the dump finds its file in the copy (a file written meanwhile is copied too, harmlessly).
Restore verifies every SHA-256 before it touches anything, restores only into an empty database,
and checks the row counts afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess  # noqa: S404 - pg_dump/pg_restore, with argument lists, never a shell
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.db.backends.postgresql.client import DatabaseClient as PostgresClient
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

MANIFEST = "manifest.json"
MEDIA_DIR = "media"
FORMAT = 1
DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite3"}
CHUNK = 1024 * 1024

# Rows that `migrate` itself writes into the project's tables (the company profile singleton):
# a freshly migrated database still counts as empty.
SEEDED_BY_MIGRATIONS = {"backoffice_companyprofile"}


@dataclass(frozen=True)
class DatabaseState:
    row_counts: dict[str, int]
    migrations: dict[str, str]


# --- files -----------------------------------------------------------------------------------


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _file_entry(root: Path, path: Path) -> dict:
    return {"path": path.relative_to(root).as_posix(), "sha256": file_sha256(path), "size": path.stat().st_size}


def _media_files(media_root: Path) -> list[Path]:
    if not media_root.is_dir():
        return []
    return sorted(path for path in media_root.rglob("*") if path.is_file() and not path.is_symlink())


# --- database facts --------------------------------------------------------------------------


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


def _state(cursor, tables: Iterable[str]) -> DatabaseState:
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - a table name from introspection
        counts[table] = cursor.fetchone()[0]
    migrations: dict[str, str] = {}
    if "django_migrations" in counts:
        cursor.execute("SELECT app, name FROM django_migrations")
        for app, name in cursor.fetchall():
            migrations[app] = max(name, migrations.get(app, name))
    return DatabaseState(row_counts=counts, migrations=dict(sorted(migrations.items())))


def current_state() -> DatabaseState:
    """Row counts of every table and the latest applied migration per app, of the configured database."""
    with connection.cursor() as cursor:
        return _state(cursor, connection.introspection.table_names(cursor))


def _sqlite_file_state(path: Path) -> DatabaseState:
    with _sqlite_readonly(path) as database:
        cursor = database.cursor()
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        tables = [row[0] for row in cursor.fetchall()]
        return _state(cursor, tables)


class _sqlite_readonly:  # noqa: N801 - used as a context manager
    def __init__(self, path: Path):
        self.database = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)

    def __enter__(self) -> sqlite3.Connection:
        return self.database

    def __exit__(self, *exc):
        self.database.close()


def data_tables() -> set[str]:
    """The tables holding the project's own data: its apps' models and the user model."""
    user_table = get_user_model()._meta.db_table
    tables = {user_table}
    for model in apps.get_models(include_auto_created=True):
        path = Path(model._meta.app_config.path)
        if path.is_relative_to(settings.BASE_DIR) and "site-packages" not in path.parts:
            tables.add(model._meta.db_table)
    return tables - SEEDED_BY_MIGRATIONS


def tables_with_rows(tables: Iterable[str]) -> list[str]:
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        found = []
        for table in sorted(set(tables) & existing):
            cursor.execute(f"SELECT 1 FROM {_quote(table)} LIMIT 1")  # noqa: S608 - a table name from introspection
            if cursor.fetchone():
                found.append(table)
        return found


# --- PostgreSQL client programs --------------------------------------------------------------

VERSION = re.compile(r"\(PostgreSQL\) (\d+)")


def _client_major(program: Path) -> int | None:
    try:
        result = subprocess.run([str(program), "--version"], capture_output=True, text=True, check=True, timeout=30)  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return None
    match = VERSION.search(result.stdout)
    return int(match.group(1)) if match else None


def _candidates(name: str) -> list[Path]:
    override = getattr(settings, "PG_BIN_DIR", "") or ""
    if override:
        return [Path(override) / name]
    found = []
    if on_path := shutil.which(name):
        found.append(Path(on_path))

    def version(path: Path) -> tuple[int, ...]:
        return tuple(int(part) for part in re.findall(r"\d+", path.parent.parent.name))

    found += sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=version, reverse=True)
    return found


def pg_program(name: str) -> Path:
    """pg_dump / pg_restore at least as new as the server (PG_BIN_DIR, else PATH, else /usr/lib/postgresql)."""
    connection.ensure_connection()
    server = connection.pg_version // 10000
    seen = []
    for program in _candidates(name):
        major = _client_major(program)
        if major is not None and major >= server:
            return program
        seen.append(f"{program} ({major or '-'})")
    raise CommandError(
        _(
            "No %(program)s for PostgreSQL %(server)s or newer (found: %(seen)s). "
            "Install postgresql-client-%(server)s or set PG_BIN_DIR."
        )
        % {"program": name, "server": server, "seen": ", ".join(seen) or "-"}
    )


def _pg_env() -> dict[str, str]:
    """The connection settings as libpq environment variables: the password never on a command line."""
    config = connection.settings_dict
    _args, env = PostgresClient.settings_to_cmd_args_env(config, [])
    env = {**os.environ, **(env or {})}
    for variable, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGDATABASE", "NAME")):
        if config.get(key):
            env[variable] = str(config[key])
    return env


def _run(args: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise CommandError(
            _("%(program)s failed (exit %(code)s): %(error)s")
            % {"program": what, "code": result.returncode, "error": result.stderr.strip()[-2000:]}
        )


# --- backup ----------------------------------------------------------------------------------


def _backup_postgresql(target: Path) -> DatabaseState:
    pg_dump = pg_program("pg_dump")
    # Count the rows in one snapshot and let pg_dump dump exactly that snapshot.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        state = _state(cursor, connection.introspection.table_names(cursor))
        _run(
            [str(pg_dump), "--format=custom", "--no-password", f"--snapshot={snapshot}", f"--file={target}"],
            _pg_env(),
            "pg_dump",
        )
    return state


def _backup_sqlite(target: Path) -> DatabaseState:
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
    finally:
        copy.close()
    return _sqlite_file_state(target)


def backup(*, destination: Path, progress: Callable[[str], None] = lambda _message: None) -> dict:
    """Write a backup of the configured database and MEDIA_ROOT into `destination` (new or empty)."""
    if destination.exists() and not destination.is_dir():
        raise CommandError(_("DEST: %(path)s is a file, not a directory.") % {"path": destination})
    if destination.is_dir() and any(destination.iterdir()):
        raise CommandError(_("DEST: %(path)s is not empty; give a new or empty directory.") % {"path": destination})
    media_root = Path(settings.MEDIA_ROOT)
    if destination.resolve().is_relative_to(media_root.resolve()):
        raise CommandError(
            _("DEST: %(path)s is inside MEDIA_ROOT; choose a directory outside it.") % {"path": destination}
        )
    vendor = connection.vendor
    if vendor not in DATABASE_FILES:
        raise CommandError(_("Backups support PostgreSQL and SQLite, not %(vendor)s.") % {"vendor": vendor})
    destination.mkdir(parents=True, exist_ok=True)
    try:
        database_file = destination / DATABASE_FILES[vendor]
        progress(f"database → {database_file}")
        state = _backup_postgresql(database_file) if vendor == "postgresql" else _backup_sqlite(database_file)
        files = [_file_entry(destination, database_file)]
        media_files = _media_files(media_root)
        progress(f"{len(media_files)} files from {media_root}")
        for source in media_files:
            copy = destination / MEDIA_DIR / source.relative_to(media_root)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
            files.append(_file_entry(destination, copy))
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "vendor": vendor,
            "database_file": database_file.name,
            "migrations": state.migrations,
            "row_counts": state.row_counts,
            "files": files,
        }
        # Written last: a directory without a manifest is an unfinished backup and restore refuses it.
        (destination / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    except BaseException:
        for child in destination.iterdir():
            shutil.rmtree(child) if child.is_dir() else child.unlink()
        raise
    return manifest


# --- restore ---------------------------------------------------------------------------------


def read_manifest(source: Path) -> dict:
    path = source / MANIFEST
    if not path.is_file():
        raise CommandError(_("SRC: %(path)s has no manifest.json; it is not a finished backup.") % {"path": source})
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        raise CommandError(_("SRC: %(path)s is not valid JSON.") % {"path": path}) from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CommandError(_("SRC: %(path)s is not a backup manifest this version reads.") % {"path": path})
    return manifest


def verify_files(source: Path, manifest: dict) -> None:
    """Every listed file present, inside the backup, with its size and SHA-256."""
    root = source.resolve()
    if manifest["database_file"] not in {entry["path"] for entry in manifest["files"]}:
        raise CommandError(_("SRC: %(file)s is not listed in manifest.json.") % {"file": manifest["database_file"]})
    for entry in manifest["files"]:
        path = (source / entry["path"]).resolve()
        if ".." in Path(entry["path"]).parts or not path.is_relative_to(root):
            raise CommandError(_("SRC: %(file)s points outside the backup.") % {"file": entry["path"]})
        if not path.is_file():
            raise CommandError(_("SRC: %(file)s is listed in manifest.json but missing.") % {"file": entry["path"]})
        if path.stat().st_size != entry["size"] or file_sha256(path) != entry["sha256"]:
            raise CommandError(
                _("SRC: %(file)s does not match its SHA-256 in manifest.json; the backup is altered or damaged.")
                % {"file": entry["path"]}
            )


def _check_migrations_known(manifest: dict) -> None:
    known = MigrationLoader(None, ignore_no_migrations=True).disk_migrations
    known_apps = {app for app, _name in known}
    for app, name in manifest["migrations"].items():
        if app in known_apps and (app, name) not in known:
            raise CommandError(
                _(
                    "SRC: the backup has migration %(app)s.%(name)s, which this version of the code does "
                    "not know; restore with the version that made the backup."
                )
                % {"app": app, "name": name}
            )


def _check_empty() -> None:
    full = tables_with_rows(data_tables())
    if full:
        raise CommandError(
            _("The database %(name)s is not empty (%(tables)s hold rows). Restore only into a new, empty database.")
            % {"name": connection.settings_dict["NAME"], "tables": ", ".join(full)}
        )


def _media_plan(source: Path, manifest: dict) -> list[tuple[Path, Path, str]]:
    """(backup file, MEDIA_ROOT file, sha256) for each media file; refuse to overwrite a different file."""
    media_root = Path(settings.MEDIA_ROOT)
    plan = []
    for entry in manifest["files"]:
        relative = Path(entry["path"])
        if relative.parts[0] != MEDIA_DIR:
            continue
        target = media_root.joinpath(*relative.parts[1:])
        if target.exists() and file_sha256(target) != entry["sha256"]:
            raise CommandError(
                _("MEDIA_ROOT: %(path)s already exists with other content; restore into an empty MEDIA_ROOT.")
                % {"path": target}
            )
        plan.append((source / relative, target, entry["sha256"]))
    return plan


def _restore_postgresql(dump: Path) -> None:
    pg_restore = pg_program("pg_restore")
    with connection.cursor() as cursor:
        has_tables = bool(connection.introspection.table_names(cursor))
    # A migrated but unused database: drop its empty tables and restore the backup's in their place.
    clean = ["--clean", "--if-exists"] if has_tables else []
    connection.close()
    _run(
        [
            str(pg_restore),
            "--no-owner",
            "--exit-on-error",
            "--single-transaction",
            "--no-password",
            *clean,
            f"--dbname={connection.settings_dict['NAME']}",
            str(dump),
        ],
        _pg_env(),
        "pg_restore",
    )


def _restore_sqlite(copy: Path) -> None:
    connection.ensure_connection()
    with _sqlite_readonly(copy) as backup_database:
        backup_database.backup(connection.connection)
    connection.close()


def restore(*, source: Path, progress: Callable[[str], None] = lambda _message: None) -> dict:
    """Restore a backup written by `backup` into the configured (empty) database and MEDIA_ROOT."""
    if not source.is_dir():
        raise CommandError(_("SRC: %(path)s is not a directory.") % {"path": source})
    manifest = read_manifest(source)
    verify_files(source, manifest)
    progress(f"{len(manifest['files'])} files match manifest.json")
    if manifest["vendor"] != connection.vendor:
        raise CommandError(
            _("SRC: a %(backup)s backup cannot be restored into a %(database)s database.")
            % {"backup": manifest["vendor"], "database": connection.vendor}
        )
    _check_migrations_known(manifest)
    _check_empty()
    media = _media_plan(source, manifest)

    database_file = source / manifest["database_file"]
    progress(f"database ← {database_file}")
    if connection.vendor == "postgresql":
        _restore_postgresql(database_file)
    else:
        _restore_sqlite(database_file)
    progress(f"{len(media)} files → {settings.MEDIA_ROOT}")
    for copy, target, _sha in media:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(copy, target)

    restored = current_state().row_counts
    differences = [
        f"{table} ({expected} → {restored.get(table, '-')})"
        for table, expected in manifest["row_counts"].items()
        if restored.get(table) != expected
    ]
    if differences:
        raise CommandError(
            _("The restored row counts differ from manifest.json: %(tables)s") % {"tables": ", ".join(differences)}
        )
    return manifest
