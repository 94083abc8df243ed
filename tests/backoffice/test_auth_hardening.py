"""Issue 16, authentication: sign-in lockout (django-axes), API tokens that expire and can
be revoked (django-rest-knox), and a Content-Security-Policy (django-csp)."""

import re
from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.cache import caches
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from backoffice.models import ApiToken, AuditEvent
from backoffice.roles import Role
from tests.factories import make_user

TOKEN_URL = "/api/v1/auth/token/"
REVOKE_URL = "/api/v1/auth/token/revoke/"
COMPANY_URL = "/api/v1/company/"
PASSWORD = "pass-Word-123"
LOCKED_MESSAGE = (
    "ログインの失敗が続いたため、15 分間ログインできません。すぐに解除が必要な場合は管理者に連絡してください。"
)


def _token_post(client, username, password, **extra):
    return client.post(
        TOKEN_URL, {"username": username, "password": password}, content_type="application/json", **extra
    )


def _admin_login(client, username, password, **extra):
    return client.post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}, follow=False, **extra
    )


def _token_for(user) -> str:
    response = _token_post(Client(), user.username, PASSWORD)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def _company(token, **extra):
    return Client().get(COMPANY_URL, HTTP_AUTHORIZATION=f"Token {token}", **extra)


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root", "root@example.jp", PASSWORD)


# --- lockout --------------------------------------------------------------------------


def test_admin_login_locks_the_user_out_after_five_failures_with_a_japanese_page(admin_user):
    client = Client()
    for _ in range(4):
        assert _admin_login(client, "admin1", "wrong").status_code == 200  # the form again, with its error

    locked = _admin_login(client, "admin1", "wrong")
    assert locked.status_code == 429
    assert LOCKED_MESSAGE in locked.content.decode()
    assert "ログインがロックされています" in locked.content.decode()

    # the right password does not help while locked, and the failures are in the database
    assert _admin_login(client, "admin1", PASSWORD).status_code == 429
    assert AccessAttempt.objects.get(username="admin1").failures_since_start >= 5


def test_token_endpoint_locks_out_with_a_japanese_json_429(admin_user):
    client = Client()
    for _ in range(4):
        response = _token_post(client, "admin1", "wrong")
        assert response.status_code == 400
        assert response.json() == {"non_field_errors": ["ユーザー名またはパスワードが正しくありません。"]}

    locked = _token_post(client, "admin1", "wrong")
    assert locked.status_code == 429
    assert locked["Content-Type"] == "application/json"
    assert locked.json() == {"detail": LOCKED_MESSAGE}
    assert locked["Retry-After"] == "900"

    right = _token_post(client, "admin1", PASSWORD)
    assert right.status_code == 429
    assert right.json() == {"detail": LOCKED_MESSAGE}
    assert not ApiToken.objects.exists()


def test_the_admin_and_the_api_count_failures_together(admin_user):
    client = Client()
    for _ in range(3):
        _admin_login(client, "admin1", "wrong")
    _token_post(client, "admin1", "wrong")
    assert _token_post(client, "admin1", "wrong").status_code == 429


def test_a_username_is_locked_from_every_address(admin_user):
    for n in range(5):
        _token_post(Client(), "admin1", "wrong", REMOTE_ADDR=f"10.0.0.{n + 1}")
    response = _token_post(Client(), "admin1", PASSWORD, REMOTE_ADDR="10.0.0.99")
    assert response.status_code == 429


def test_an_address_is_locked_for_every_username(admin_user):
    for n in range(5):
        _token_post(Client(), f"guess{n}", "wrong", REMOTE_ADDR="10.0.0.7")
    assert _token_post(Client(), "admin1", PASSWORD, REMOTE_ADDR="10.0.0.7").status_code == 429
    assert _token_post(Client(), "admin1", PASSWORD, REMOTE_ADDR="10.0.0.8").status_code == 200


def test_the_lockout_ends_after_the_cool_off(admin_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            _token_post(Client(), "admin1", "wrong")
        assert _token_post(Client(), "admin1", PASSWORD).status_code == 429
        clock.shift(timedelta(minutes=16))
        assert _token_post(Client(), "admin1", PASSWORD).status_code == 200


def test_axes_reset_unlocks(admin_user):
    for _ in range(5):
        _token_post(Client(), "admin1", "wrong")
    call_command("axes_reset_username", "admin1")
    assert _token_post(Client(), "admin1", PASSWORD).status_code == 200


def test_a_superuser_sees_and_deletes_lockouts_in_the_admin(admin_user, superuser):
    for _ in range(5):
        _token_post(Client(), "admin1", "wrong")
    attempt = AccessAttempt.objects.get(username="admin1")
    client = Client()
    client.force_login(superuser)
    listing = client.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200
    assert "admin1" in listing.content.decode()

    response = client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert _token_post(Client(), "admin1", PASSWORD).status_code == 200


def test_client_address_behind_a_trusted_proxy(settings, admin_user):
    settings.TRUSTED_PROXY_COUNT = 1
    # the client wrote its own X-Forwarded-For entry; the proxy appended the real address
    for n in range(5):
        _token_post(
            Client(), f"guess{n}", "wrong", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"1.2.3.{n}, 203.0.113.5"
        )
    assert AccessAttempt.objects.filter(ip_address="203.0.113.5").count() == 5
    other = _token_post(Client(), "admin1", PASSWORD, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert other.status_code == 200


def test_the_token_throttle_counts_in_the_shared_database_cache(admin_user):
    from django.core.cache.backends.db import DatabaseCache

    assert isinstance(caches["default"], DatabaseCache)
    _token_post(Client(), "admin1", PASSWORD)
    _token_post(Client(), "admin1", PASSWORD)
    assert len(caches["default"].get("throttle_anon_127.0.0.1")) == 2


# --- tokens ---------------------------------------------------------------------------


def test_a_token_is_stored_hashed_and_expires_after_thirty_days(admin_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        response = _token_post(Client(), "admin1", PASSWORD)
        assert response.status_code == 200
        token = response.json()["token"]
        assert set(response.json()) == {"token", "expiry"}
        row = ApiToken.objects.get()
        assert row.expiry == timezone.now() + timedelta(days=30)
        assert token not in (row.digest, row.token_key) and len(token) == 64

        assert _company(token).status_code == 200
        clock.shift(timedelta(days=30, seconds=1))
        expired = _company(token)
        assert expired.status_code == 401
        assert expired.json() == {"detail": "不正なトークンです。"}
    assert not ApiToken.objects.exists()


def test_each_sign_in_gets_its_own_token(admin_user):
    first, second = _token_for(admin_user), _token_for(admin_user)
    assert first != second
    assert _company(first).status_code == 200 and _company(second).status_code == 200


def test_a_password_change_by_any_route_ends_older_tokens(admin_user, superuser):
    token = _token_for(admin_user)
    admin_user.set_password("another-Pass-456")
    admin_user.save()
    assert _company(token).status_code == 401

    # the admin's password form
    token = _token_for_password(admin_user, "another-Pass-456")
    client = Client()
    client.force_login(superuser)
    response = client.post(
        f"/admin/auth/user/{admin_user.pk}/password/",
        {"password1": "third-Pass-789", "password2": "third-Pass-789", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert _company(token).status_code == 401
    assert _company(_token_for_password(admin_user, "third-Pass-789")).status_code == 200


def _token_for_password(user, password) -> str:
    response = _token_post(Client(), user.username, password)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_a_deactivated_user_is_refused_and_deactivating_in_the_admin_revokes(admin_user, superuser):
    token = _token_for(admin_user)
    admin_user.is_active = False
    admin_user.save()
    assert _company(token).status_code == 401
    admin_user.is_active = True
    admin_user.save()

    token = _token_for(admin_user)
    client = Client()
    client.force_login(superuser)
    change = client.get(f"/admin/auth/user/{admin_user.pk}/change/")
    assert change.status_code == 200
    form = {
        "username": "admin1",
        "email": admin_user.email,
        "is_staff": "on",
        "groups": [g.pk for g in admin_user.groups.all()],
        "date_joined_0": "2026-01-05",
        "date_joined_1": "09:00:00",
    }  # is_active left out: unticked
    assert client.post(f"/admin/auth/user/{admin_user.pk}/change/", form).status_code == 302
    assert not ApiToken.objects.filter(user=admin_user).exists()
    assert AuditEvent.objects.filter(action="api_tokens.revoke_all", object_id=str(admin_user.pk)).exists()
    admin_user.refresh_from_db()
    admin_user.is_active = True
    admin_user.save()
    assert _company(token).status_code == 401  # revoked, not merely suspended


def test_revoke_ends_the_callers_own_token_only(admin_user):
    token, other = _token_for(admin_user), _token_for(admin_user)
    response = Client().post(REVOKE_URL, HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 204
    assert _company(token).status_code == 401
    assert _company(other).status_code == 200
    again = Client().post(REVOKE_URL, HTTP_AUTHORIZATION=f"Token {token}")
    assert again.status_code == 401


def test_revoke_without_a_token(admin_user):
    assert Client().post(REVOKE_URL).status_code in (401, 403)
    client = Client()
    client.force_login(admin_user)
    response = client.post(REVOKE_URL)
    assert response.status_code == 400
    assert response.json() == {"detail": "このリクエストは API トークンで認証されていません。"}


def test_a_superuser_lists_and_revokes_a_users_tokens(admin_user, superuser, api_as):
    first, second = _token_for(admin_user), _token_for(admin_user)
    root = api_as(superuser)
    listing = root.get(f"/api/v1/users/{admin_user.pk}/tokens/")
    assert listing.status_code == 200
    assert sorted(row["key_prefix"] for row in listing.json()) == sorted([first[:8], second[:8]])
    assert set(listing.json()[0]) == {"key_prefix", "created", "expiry"}

    revoked = root.post(f"/api/v1/users/{admin_user.pk}/tokens/revoke/")
    assert revoked.status_code == 200
    assert revoked.json() == {"revoked": 2}
    assert _company(first).status_code == 401 and _company(second).status_code == 401
    assert root.get(f"/api/v1/users/{admin_user.pk}/tokens/").json() == []
    assert root.get("/api/v1/users/999999/tokens/").status_code == 404


@pytest.mark.parametrize("role", [Role.SALES_ADMIN, Role.MANAGER, Role.SALES_REP])
def test_only_superusers_manage_other_users_tokens(admin_user, api_as, role):
    caller = api_as(make_user(role))
    assert caller.get(f"/api/v1/users/{admin_user.pk}/tokens/").status_code == 403
    assert caller.post(f"/api/v1/users/{admin_user.pk}/tokens/revoke/").status_code == 403


def test_the_idempotency_middleware_uses_the_same_token_check(admin_user):
    token = _token_for(admin_user)
    headers = {"HTTP_AUTHORIZATION": f"Token {token}", "HTTP_IDEMPOTENCY_KEY": "k-1"}
    body = {"name": "株式会社サンプル"}
    first = Client().post("/api/v1/customers/", body, content_type="application/json", **headers)
    assert Client().post(REVOKE_URL, HTTP_AUTHORIZATION=f"Token {token}").status_code == 204
    # the revoked token gets no replay of the stored answer, but the view's 401
    replay = Client().post("/api/v1/customers/", body, content_type="application/json", **headers)
    assert first.status_code != 401
    assert replay.status_code == 401
    assert "Idempotent-Replayed" not in replay


def test_a_token_header_that_is_not_utf8_is_401_not_500(admin_user):
    response = Client().get(COMPANY_URL, HTTP_AUTHORIZATION="Token caf\xe9")
    assert response.status_code == 401


# --- Content-Security-Policy -------------------------------------------------------------


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.parametrize(
    "path",
    ["/admin/login/", "/admin/orders/customer/", "/api/docs/", "/reports/", "/admin/"],
)
def test_pages_carry_the_csp_and_their_inline_code_its_nonce(path, superuser):
    client = Client()
    if path != "/admin/login/":
        client.force_login(superuser)
    response = client.get(path)
    assert response.status_code == 200
    policy = _csp(response)
    assert policy["default-src"] == "default-src 'self'"
    assert policy["object-src"] == "object-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    html = response.content.decode()
    nonces = set(re.findall(r'nonce="([^"]+)"', html))
    for tag in re.findall(r"<(?:script|style)\b[^>]*>", html):
        assert "src=" in tag or "nonce=" in tag, tag  # no inline code without the nonce
    for nonce in nonces:
        assert f"'nonce-{nonce}'" in policy["script-src"] or f"'nonce-{nonce}'" in policy["style-src"]


def test_api_docs_load_their_init_script_from_a_file(superuser):
    client = Client()
    client.force_login(superuser)
    html = client.get("/api/docs/").content.decode()
    assert '<script src="/api/docs/?script="></script>' in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
