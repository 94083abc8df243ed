"""Idempotency-Key for every POST under /api/.

The first request with a key stores its response; the same key and body within
the TTL replays that response without running the view again; the same key with
another body is 422; a second request while the first is still running is 409.
Keys are per user. The middleware resolves API tokens itself (with the API's own
authentication class), because DRF only authenticates inside the view.

Two guarantees against faults:
- The view runs in one transaction with the write of its stored response, so a write
  is committed together with the answer a retry will get: a request that committed and
  then failed on the way out (a dropped connection, a killed worker) is replayed, not
  redone. A 5xx rolls the view's writes back, and the retry runs again.
- The request holds its key for a lease (IDEMPOTENCY_LEASE_SECONDS): a record left
  "in progress" by a worker that died blocks retries only until the lease ends. If a
  request outlives its lease and a retry has taken the key over, the late request's
  writes are rolled back (409), so the two never both commit.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from .authentication import request_user_from_token
from .models import IdempotencyRecord

HEADER = "HTTP_IDEMPOTENCY_KEY"
REPLAY_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255


def _request_user(request):
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return user
    # The same token check as the API's (expiry, password change, active user).
    return request_user_from_token(request)


def _request_hash(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(b"\0")
    digest.update(request.get_full_path().encode())
    digest.update(b"\0")
    digest.update(request.body)
    return digest.hexdigest()


class LeaseLost(Exception):
    """Another request took this key over after our lease ended: our writes roll back."""


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
        now = timezone.now()
        IdempotencyRecord.objects.filter(
            user=user, key=key, created_at__lt=now - timedelta(hours=settings.IDEMPOTENCY_TTL_HOURS)
        ).delete()
        lease_until = now + timedelta(seconds=settings.IDEMPOTENCY_LEASE_SECONDS)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, request_hash=request_hash, lease_until=lease_until
                )
        except IntegrityError:
            existing = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if existing is None:  # expired and removed between the two statements: run once more
                return self.get_response(request)
            if existing.request_hash != request_hash:
                return self._different_body()
            if existing.completed or not self._take_over(existing, now, lease_until):
                return self._replay(IdempotencyRecord.objects.get(pk=existing.pk))
            record = existing
        return self._run(request, record, lease_until)

    @staticmethod
    def _take_over(record: IdempotencyRecord, now, lease_until) -> bool:
        """Take the key of a request whose lease ended without an answer (its worker died)."""
        return bool(
            IdempotencyRecord.objects.filter(pk=record.pk, completed=False, lease_until__lt=now).update(
                lease_until=lease_until
            )
        )

    def _run(self, request, record: IdempotencyRecord, lease_until):
        held = IdempotencyRecord.objects.filter(pk=record.pk, completed=False, lease_until=lease_until)
        try:
            with transaction.atomic():
                response = self.get_response(request)
                if response.status_code >= 500:
                    raise _Discard(response)
                if getattr(response, "streaming", False):  # no body to store: the key is free again
                    stored = held.delete()[0]
                else:
                    stored = held.update(
                        completed=True,
                        status_code=response.status_code,
                        content_type=response.get("Content-Type", ""),
                        body=bytes(response.content),
                    )
                if not stored:
                    raise LeaseLost
        except _Discard as discarded:
            held.delete()
            return discarded.response
        except LeaseLost:
            message = _("A retry with this Idempotency-Key took over; nothing was done.")
            return JsonResponse({"detail": message}, status=409)
        except Exception:
            held.delete()
            raise
        return response

    @staticmethod
    def _different_body():
        return JsonResponse(
            {"detail": _("This Idempotency-Key was already used with a different request body.")}, status=422
        )

    @staticmethod
    def _replay(record: IdempotencyRecord):
        if not record.completed:
            return JsonResponse(
                {"detail": _("A request with this Idempotency-Key is still being processed.")}, status=409
            )
        response = HttpResponse(bytes(record.body or b""), status=record.status_code, content_type=record.content_type)
        response[REPLAY_HEADER] = "true"
        return response


class _Discard(Exception):  # noqa: N818 - control flow, not an error
    """A response that must not be stored: roll the view's writes back and answer it."""

    def __init__(self, response):
        super().__init__()
        self.response = response
