"""Who is calling: API tokens (django-rest-knox) and the sign-in lockout (django-axes).

One token check for every path that reads a token: DRF's authentication and the
Idempotency-Key middleware both call ApiTokenAuthentication."""

from __future__ import annotations

from hmac import compare_digest

from django.conf import settings
from django.contrib import admin
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from rest_framework import exceptions


def password_fingerprint(user) -> str:
    """Changes whenever the user's password changes (Django's session auth hash)."""
    return user.get_session_auth_hash()


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>`: a knox token that has not expired, of an active user,
    issued under the user's current password."""

    def authenticate_credentials(self, token: bytes):
        try:
            token.decode("utf-8")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        return super().authenticate_credentials(token)

    def validate_user(self, auth_token):
        user = auth_token.user
        if not user.is_active:
            auth_token.delete()
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        if not compare_digest(auth_token.password_fingerprint, password_fingerprint(user)):
            auth_token.delete()  # issued before the last password change
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        return user, auth_token

    def _cleanup_token(self, auth_token) -> bool:
        # knox also sweeps the user's other expired tokens here, a query on every request;
        # issuing a token sweeps them instead (api_token_issue).
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


def request_user_from_token(request):
    """The active user whose valid token the request carries, or None (no token, or a bad one)."""
    try:
        result = ApiTokenAuthentication().authenticate(request)
    except exceptions.AuthenticationFailed:
        return None
    return result[0] if result else None


def client_ip(request) -> str | None:
    """The caller's address for the lockout. Behind TRUSTED_PROXY_COUNT proxies that each
    append to X-Forwarded-For it is the address the outermost trusted proxy saw; never an
    address the client could write itself."""
    count = settings.TRUSTED_PROXY_COUNT
    if count > 0:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "Too many failed sign-in attempts. Sign-in is locked for %(minutes)d minutes; "
        "ask an administrator to unlock it sooner."
    ) % {"minutes": minutes}


def lockout_response(request, original_response=None, credentials=None):
    """What a locked-out sign-in gets (AXES_LOCKOUT_CALLABLE): JSON under /api/, a page elsewhere."""
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=status)
        response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
        return response
    context = {"site_header": admin.site.site_header, "site_title": admin.site.site_title, "message": lockout_message()}
    return render(request, "backoffice/lockout.html", context, status=status)


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme of ApiTokenAuthentication: `Authorization: Token <key>`."""

    target_class = "backoffice.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")  # noqa: S106 - the header keyword
