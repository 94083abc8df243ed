"""`manage.py backup` / `restore`: the restore drill (demo data, issued documents, back up, restore into a
new database, verify_documents), and the refusals."""

import hashlib
import json
import os
import sqlite3
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import translation

from backoffice.backups import current_state, data_tables, pg_program
from billing import services as billing_services
from documents.models import IssuedDocument
from orders import services as order_services
from orders.models import Customer
from orders.services import LineInput

DEVNULL = open(os.devnull, "w")  # noqa: SIM115 - command output is not what these tests look at

on_sqlite = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3", reason="the SQLite drill"
)


def _issue_documents():
    """The demo (which issues a quote, a purchase order and a delivery note), then one more shipment to a
    customer invoiced per shipment: a delivery note and an invoice, each rendered to a stored PDF."""
    call_command("load_demo", stdout=DEVNULL)
    user = get_user_model().objects.get(username="sales_admin")
    customer = Customer.objects.get(code="C007")  # invoiced per shipment, no credit limit (C005's is used up)
    order = order_services.order_create(
        user=user,
        data={"customer": customer},
        lines=[LineInput(quantity=2, description="据付作業", unit_price=Decimal("15000"), tax_rate=10, unit="式")],
    )
    order_services.order_confirm(order=order, user=user)
    shipment = order_services.shipment_create(order=order, user=user)
    billing_services.shipment_ship_and_bill(shipment=shipment, user=user)


RESTORE_AND_VERIFY = """
import sys
import django
django.setup()
from django.core.management import call_command
call_command("restore", sys.argv[1])
call_command("verify_documents")
"""


def _restore_and_verify(backup_dir: Path, *, database_url: str, media_root: Path) -> subprocess.CompletedProcess:
    """`manage.py restore` then `manage.py verify_documents`, in one process of a separate installation
    (its own DATABASE_URL and MEDIA_ROOT); one process, as Django's start-up is most of the cost."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "backoffice.settings",
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(media_root),
    }
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", RESTORE_AND_VERIFY, str(backup_dir)],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def _documents() -> list[tuple[str, str, str]]:
    return sorted(IssuedDocument.objects.values_list("number", "sha256", "pdf"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _assert_refusals(backup_dir: Path, rows: dict[str, int]) -> None:
    """Restore into the database the backup came from (it holds rows), then from a backup with one bit
    changed in a PDF and in the dump: refused, with nothing written. Part of the drill, so the
    backup is a real one without paying for another database flush."""
    name = connection.settings_dict["NAME"]
    full = ", ".join(sorted(table for table in data_tables() if rows[table]))
    assert full.startswith("auth_user, backoffice_auditevent, ") and "documents_issueddocument" in full
    assert "backoffice_companyprofile" not in full  # the row `migrate` writes: a migrated database is empty
    with translation.override("ja"), pytest.raises(CommandError) as refused:
        call_command("restore", str(backup_dir), stdout=DEVNULL)
    assert str(refused.value) == (
        f"データベース {name} は空ではありません（{full} にデータがあります）。"
        "復元は新しい空のデータベースにだけ行えます。"
    )
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("restore", str(backup_dir), stdout=DEVNULL)
    assert str(refused.value) == (
        f"The database {name} is not empty ({full} hold rows). Restore only into a new, empty database."
    )

    manifest = json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))
    pdf = next(entry["path"] for entry in manifest["files"] if entry["path"].endswith(".pdf"))
    for altered in (pdf, manifest["database_file"]):
        path = backup_dir / altered
        original = path.read_bytes()
        changed = bytearray(original)
        changed[len(changed) // 2] ^= 0x01  # one bit, same size
        path.write_bytes(bytes(changed))
        # The sums are checked first: the message names the file, not the full database.
        with translation.override("ja"), pytest.raises(CommandError) as refused:
            call_command("restore", str(backup_dir), stdout=DEVNULL)
        assert str(refused.value) == (
            f"SRC: {altered} が manifest.json の SHA-256 と一致しません。バックアップが改変されたか破損しています。"
        )
        path.write_bytes(original)
    assert current_state().row_counts == rows


def _drill(tmp_path: Path, *, database_url: str, restored_rows, restored_documents):
    _issue_documents()
    documents = _documents()
    assert len(documents) >= 5 and all(sha for _number, sha, _pdf in documents)
    rows = current_state().row_counts
    backup_dir = tmp_path / "backup"

    call_command("backup", str(backup_dir), stdout=DEVNULL)

    manifest = json.loads((backup_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["vendor"] == connection.vendor
    assert manifest["row_counts"] == rows
    assert manifest["migrations"]["documents"].startswith("000")
    listed = {entry["path"]: entry for entry in manifest["files"]}
    for _number, sha, pdf in documents:
        assert listed[f"media/{pdf}"]["sha256"] == sha

    media_root = tmp_path / "restored-media"
    result = _restore_and_verify(backup_dir, database_url=database_url, media_root=media_root)
    assert result.returncode == 0, result.stderr

    assert "を復元しました" in result.stdout
    assert f"{len(documents)} PDFs checked, 0 problems, 0 not rendered yet." in result.stdout
    assert restored_rows() == rows
    assert restored_documents() == documents
    for _number, sha, pdf in documents:
        assert _sha256(media_root / pdf) == sha == _sha256(Path(settings.MEDIA_ROOT) / pdf)

    _assert_refusals(backup_dir, rows)


@on_sqlite
@pytest.mark.django_db(transaction=True)
def test_restore_drill_on_sqlite_then_refusals(tmp_path):
    target = tmp_path / "restored.sqlite3"

    def query(sql):
        with sqlite3.connect(target) as database:
            return database.execute(sql).fetchall()

    def restored_rows():
        tables = [name for (name,) in query("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: query(f'SELECT COUNT(*) FROM "{t}"')[0][0] for t in tables if not t.startswith("sqlite_")}  # noqa: S608

    def restored_documents():
        return sorted(query("SELECT number, sha256, pdf FROM documents_issueddocument"))

    _drill(
        tmp_path,
        database_url=f"sqlite:///{target}",
        restored_rows=restored_rows,
        restored_documents=restored_documents,
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_drill_on_postgresql_then_refusals(tmp_path):
    import psycopg

    config = connection.settings_dict
    server = {
        "host": config["HOST"] or "127.0.0.1",
        "port": config["PORT"] or 5432,
        "user": config["USER"] or "postgres",
        "password": config["PASSWORD"] or None,
    }
    name = f"restore_drill_{uuid.uuid4().hex[:12]}"
    password = f":{quote(server['password'], safe='')}" if server["password"] else ""
    url = f"postgres://{quote(server['user'], safe='')}{password}@{server['host']}:{server['port']}/{name}"

    def query(sql):
        with psycopg.connect(dbname=name, **server) as database:
            return [tuple(row) for row in database.execute(sql).fetchall()]

    def restored_rows():
        tables = [t for (t,) in query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {t: query(f'SELECT COUNT(*) FROM "{t}"')[0][0] for t in tables}  # noqa: S608

    def restored_documents():
        return sorted(query("SELECT number, sha256, pdf FROM documents_issueddocument"))

    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        _drill(tmp_path, database_url=url, restored_rows=restored_rows, restored_documents=restored_documents)
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_restore_refuses_a_directory_without_a_manifest(tmp_path):
    with translation.override("ja"), pytest.raises(CommandError) as refused:
        call_command("restore", str(tmp_path), stdout=DEVNULL)
    assert str(refused.value) == f"SRC: {tmp_path} に manifest.json がありません。完了したバックアップではありません。"


def test_backup_refuses_a_directory_that_is_not_empty(tmp_path):
    (tmp_path / "old.txt").write_text("x")

    with translation.override("ja"), pytest.raises(CommandError) as refused:
        call_command("backup", str(tmp_path), stdout=DEVNULL)
    assert str(refused.value) == (
        f"DEST: {tmp_path} は空ではありません。新しいディレクトリか空のディレクトリを指定してください。"
    )
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("backup", str(tmp_path), stdout=DEVNULL)
    assert str(refused.value) == f"DEST: {tmp_path} is not empty; give a new or empty directory."
    assert [path.name for path in tmp_path.iterdir()] == ["old.txt"]


def test_backup_refuses_a_destination_inside_media_root():
    destination = Path(settings.MEDIA_ROOT) / "backups" / "today"

    with translation.override("ja"), pytest.raises(CommandError) as refused:
        call_command("backup", str(destination), stdout=DEVNULL)

    assert str(refused.value) == (
        f"DEST: {destination} は MEDIA_ROOT の中にあります。MEDIA_ROOT の外のディレクトリを指定してください。"
    )
    assert not destination.exists()


@pytest.mark.postgres
@pytest.mark.django_db
def test_pg_bin_dir_without_a_matching_pg_dump_is_refused_by_name(settings, tmp_path):
    settings.PG_BIN_DIR = str(tmp_path)
    server = connection.pg_version // 10000

    with translation.override("ja"), pytest.raises(CommandError) as refused:
        pg_program("pg_dump")

    assert str(refused.value) == (
        f"PostgreSQL {server} 以降に対応する pg_dump がありません（見つかったもの: {tmp_path}/pg_dump (-)）。"
        f"postgresql-client-{server} をインストールするか、PG_BIN_DIR を設定してください。"
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_client_programs_found_match_the_server():
    server = connection.pg_version // 10000
    for name in ("pg_dump", "pg_restore"):
        version = subprocess.run([pg_program(name), "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
        assert int(version.split("(PostgreSQL) ")[1].split(".")[0]) >= server
