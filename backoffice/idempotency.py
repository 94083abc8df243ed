"""Idempotency-Key for every POST under /api/.

The first request with a key stores its response; the same key and body within
the TTL replays that response without running the view again; the same key with
another body is 422; a second request while the first is still running is 409.
Keys are per user. The middleware resolves API tokens itself, because DRF only
authenticates inside the view.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
REPLAY_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


def _request_user(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    auth = request.META.get("HTTP_AUTHORIZATION", "")
    if auth.startswith("Token "):
        from rest_framework.authtoken.models import Token

        token = Token.objects.select_related("user").filter(key=auth[6:].strip()).first()
        if token is not None and token.user.is_active:
            return token.user
    return None


def _request_hash(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0")
    digest.update(request.get_full_path().encode())
    digest.update(b"\0")
    digest.update(request.body)
    return digest.hexdigest()


class IdempotencyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        key = request.META.get(HEADER)
        if request.method != "POST" or not key or not request.path.startswith("/api/"):
            return self.get_response(request)
        if len(key) > MAX_KEY_LENGTH:
            return JsonResponse({"Idempotency-Key": [_("At most 255 characters.")]}, status=400)
        user = _request_user(request)
        if user is None:
            return self.get_response(request)  # the view answers 401

        request_hash = _request_hash(request)
        ttl_start = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)
        IdempotencyRecord.objects.filter(user=user, key=key, created_at__lt=ttl_start).delete()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(user=user, key=key, request_hash=request_hash)
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if existing is None:  # expired and removed between the two statements: run once more
                return self.get_response(request)
            return self._replay(existing, request_hash)

        try:
            response = self.get_response(request)
        except Exception:
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            raise
        if response.status_code >= 500 or getattr(response, "streaming", False):
            IdempotencyRecord.objects.filter(pk=record.pk).delete()
            return response
        IdempotencyRecord.objects.filter(pk=record.pk).update(
            completed=True,
            status_code=response.status_code,
            content_type=response.get("Content-Type", ""),
            body=bytes(response.content),
        )
        return response

    @staticmethod
    def _replay(record: IdempotencyRecord, request_hash: str):
        if record.request_hash != request_hash:
            return JsonResponse(
                {"detail": _("This Idempotency-Key was already used with a different request body.")}, status=422
            )
        if not record.completed:
            return JsonResponse(
                {"detail": _("A request with this Idempotency-Key is still being processed.")}, status=409
            )
        response = HttpResponse(bytes(record.body or b""), status=record.status_code, content_type=record.content_type)
        response[REPLAY_HEADER] = "true"
        return response
