import datetime as dt
import os
import shutil

import pytest
import time_machine
from django.db import connection
from hypothesis import HealthCheck, settings
from rest_framework.test import APIClient

from backoffice.roles import Role
from tests.factories import WarehouseFactory, complete_company_profile, make_user

# Property tests must not depend on the machine's speed or on what an earlier run found:
# no per-example deadline (a loaded CI machine took more than 200 ms), a fixed sequence of
# examples, and no example database. HYPOTHESIS_PROFILE=explore searches randomly.
settings.register_profile(
    "ci", deadline=None, derandomize=True, database=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("explore", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def pytest_sessionstart(session):
    """Documents are not issued without a TrueType font to embed (CI installs fonts-ipaexfont):
    without one, stop here with how to install it rather than fail every test that issues one."""
    from documents.fonts import FONT_PACKAGE, cid_fallback_allowed, document_font

    if not document_font().embedded and not cid_fallback_allowed():
        pytest.exit(
            f"No Japanese TrueType font for the PDFs: install it (Debian/Ubuntu: apt-get install {FONT_PACKAGE}) "
            "or set DOCUMENTS_FONT_PATH to a .ttf file, then run the tests again.",
            returncode=4,
        )


def chromium_path() -> str | None:
    """The system's chromium for the browser tests (CHROMIUM_PATH, else `chromium` on PATH)."""
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium")


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need real concurrency; on SQLite they are skipped, not faked.
    Tests marked `browser` need chromium; without it they are skipped with how to get it."""
    from django.conf import settings

    if chromium_path() is None:
        skip = pytest.mark.skip(reason="needs chromium (apt-get install chromium, or set CHROMIUM_PATH)")
        for item in items:
            if "browser" in item.keywords:
                item.add_marker(skip)

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Files a test writes (uploads, the demo's sample bank file) go to its own directory."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture(autouse=True)
def _rows_of_data_migrations(request):
    """The rows the data migrations create (the company placeholder, the standard contract
    templates) are there in every database test, as in production, also after a transaction
    test (the PostgreSQL concurrency tests) has flushed every table earlier in the worker."""
    uses_db = request.node.get_closest_marker("django_db") is not None
    if not uses_db and not {"db", "transactional_db"} & set(request.fixturenames):
        return
    request.getfixturevalue("db")  # pytest-django's: transactional when the test asks for it
    from importlib import import_module

    from django.apps import apps

    import_module("backoffice.migrations.0002_roles_and_company_placeholder").create_roles_and_placeholder(apps, None)
    import_module("contracts.migrations.0002_standard_templates").create_templates(apps, None)


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's language (Japanese). A request with Accept-Language: en
    leaves English active in the worker's thread (LocaleMiddleware does not reset it), which
    made a later test in the same worker see English messages."""
    from django.conf import settings as django_settings
    from django.utils import translation

    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def today() -> dt.date | None:
    """The day a folder's tests run on: its conftest overrides this fixture with a date.
    None (here): the real clock."""
    return None


@pytest.fixture(autouse=True)
def _today(today):
    """On `today`, the clock stands still at 10:00 Tokyo time. A test module that needs
    another day overrides `today` (or this fixture)."""
    if today is None:
        yield
        return
    at = dt.datetime.combine(today, dt.time(10), tzinfo=dt.timezone(dt.timedelta(hours=9)))
    with time_machine.travel(at, tick=False):
        yield


@pytest.fixture
def company(db):
    """The issuer, complete (registration number, bank account)."""
    return complete_company_profile()


@pytest.fixture
def warehouse(db):
    return WarehouseFactory(code="TOKYO", name="東京倉庫", is_default=True)


@pytest.fixture
def admin_user(db):
    return make_user(Role.SALES_ADMIN, username="admin1")


@pytest.fixture
def rep_user(db):
    return make_user(Role.SALES_REP, username="rep1")


@pytest.fixture
def other_rep(db):
    return make_user(Role.SALES_REP, username="rep2")


@pytest.fixture
def manager_user(db):
    return make_user(Role.MANAGER, username="manager1")


def _client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user=user)
    return client


@pytest.fixture
def api_as():
    """api_as(user) -> an APIClient signed in as that user."""
    return _client_for


@pytest.fixture
def admin_api(admin_user):
    return _client_for(admin_user)


@pytest.fixture
def rep_api(rep_user):
    return _client_for(rep_user)


@pytest.fixture
def manager_api(manager_user):
    return _client_for(manager_user)


@pytest.fixture
def is_postgres():
    return connection.vendor == "postgresql"
