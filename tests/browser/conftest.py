"""Browser tests: Playwright driving Debian's `chromium` (never a downloaded browser) against
the live test server. Every test here is marked `browser`; where no chromium is installed they
are skipped (tests/conftest.py). CHROMIUM_PATH names another executable."""

import os
import re

import pytest

from backoffice.roles import Role
from tests.factories import make_user

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls (setup
# through factories) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "pass-Word-123"  # tests.factories.UserFactory's


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    from tests.conftest import chromium_path

    return {**browser_type_launch_args, "executable_path": chromium_path(), "args": ["--no-sandbox"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "ja-JP", "timezone_id": "Asia/Tokyo"}


@pytest.fixture(autouse=True)
def _browser_db(transactional_db, live_server):
    """The live server reads what the test writes: real commits, not a rolled-back transaction."""


@pytest.fixture
def sign_in(page, live_server):
    """sign_in(user) -> the page, signed in through the login form, on the user's home."""

    def sign_in_as(user):
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("ユーザー名").fill(user.username)
        page.get_by_label("パスワード").fill(PASSWORD)
        page.get_by_role("button", name="ログイン").click()
        page.wait_for_url(re.compile(r"/$"))
        return page

    return sign_in_as


@pytest.fixture
def named_user(db):
    """named_user(role, username, last, first) -> a user with a Japanese name."""

    def make(role: Role, username: str, last_name: str, first_name: str):
        return make_user(role, username=username, last_name=last_name, first_name=first_name, is_staff=False)

    return make
