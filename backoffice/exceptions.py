"""Domain errors. Services raise these; the API's one exception handler maps them
to 400 (bad input, naming the field) or 409 (a state conflict)."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every business error. `field` names the input at fault, if any."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message, *, field: str | None = None, code: str | None = None, extra: dict | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field
        self.code = code or self.default_code
        self.extra = extra or {}

    def as_payload(self) -> dict:
        payload = {self.field: [str(self.message)]} if self.field else {"detail": str(self.message)}
        if self.extra:
            payload.update(self.extra)
        return payload


class InvalidInput(DomainError):
    """The request is wrong: fix the named field."""


class StateConflict(DomainError):
    """The object is not in a state that allows this (e.g. issuing an issued quote)."""

    status_code = 409
    default_code = "conflict"


class NotAllowed(DomainError):
    status_code = 403
    default_code = "permission_denied"
