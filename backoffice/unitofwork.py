"""One service call = one unit of work = one transaction.

`@unit_of_work()` is what a service puts where it would put `@transaction.atomic`:

- The outermost unit opens the transaction (or, inside a caller's transaction such as a
  test's, a savepoint), exactly as `transaction.atomic` does.
- A unit nested in another unit is part of it: all or nothing together. It takes no
  savepoint of its own (two round trips saved per nested service call); if it fails,
  the whole outer unit fails. So a service never catches a nested service's error to
  carry on in the same unit (none does; validate first, then write).
- Reads that several modules of one unit repeat are made once: `memoized(key, load)`
  loads on first use and shares the value until the outermost unit ends (the issuer
  profile is read to price lines, to issue the delivery note and again for the
  invoice). Outside any unit it simply loads. Code that changes a memoized row calls
  `forget(key)`.
- Writes that can wait until the end are made once: `before_commit(callback)` runs the
  callback when the outermost unit succeeds, inside its transaction, just before the
  commit; `insert_later(rows)` queues rows nobody reads back within the unit (the audit
  trail, status history) and writes them there, one INSERT per model. A unit that
  fails drops them with everything else, except rows queued with
  `insert_later(rows, keep_on_rollback=True)`: the record of a refusal (a tampered PDF
  refused) is written after the rollback, since the refusal is what fails the unit.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import ContextDecorator
from contextvars import ContextVar
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Model

from .db import insert_rows

T = TypeVar("T")

_memo: ContextVar[dict[str, Any] | None] = ContextVar("backoffice_unit_of_work", default=None)
_BEFORE_COMMIT = "backoffice.unitofwork.before_commit"
_INSERT_LATER = "backoffice.unitofwork.insert_later"
_KEEP_ON_ROLLBACK = "backoffice.unitofwork.keep_on_rollback"


class unit_of_work(ContextDecorator):  # noqa: N801 - used like transaction.atomic
    def __init__(self, using: str | None = None) -> None:
        self.using = using

    def __enter__(self):
        nested = _memo.get() is not None
        self._token = None if nested else _memo.set({})
        self._atomic = transaction.atomic(using=self.using, savepoint=not nested)
        try:
            self._atomic.__enter__()
        except BaseException:
            self._reset()
            raise
        return self

    def __exit__(self, exc_type, exc, traceback):
        kept = _memo.get().get(_KEEP_ON_ROLLBACK, []) if self._token is not None else []
        committed = False
        try:
            if exc_type is None and self._token is not None:
                try:
                    for callback in _memo.get().pop(_BEFORE_COMMIT, ()):
                        callback()
                except BaseException as error:
                    if not self._atomic.__exit__(type(error), error, error.__traceback__):
                        raise
                    return False
            suppressed = self._atomic.__exit__(exc_type, exc, traceback)
            committed = exc_type is None
            return suppressed
        finally:
            self._reset()
            if kept and not committed:
                _insert(kept)  # rolled back: write what must outlive it, in its own (autocommit) statement

    def _reset(self) -> None:
        if self._token is not None:
            _memo.reset(self._token)
            self._token = None

    # ContextDecorator reuses one instance for every call of a decorated function; the
    # state above is per call (recursion, threads), so each call gets a fresh copy.
    def _recreate_cm(self):
        return type(self)(self.using)


def in_unit_of_work() -> bool:
    return _memo.get() is not None


def memoized(key: str, load: Callable[[], T]) -> T:
    memo = _memo.get()
    if memo is None:
        return load()
    if key not in memo:
        memo[key] = load()
    return memo[key]


def before_commit(callback: Callable[[], Any]) -> bool:
    """Run `callback` at the end of the outermost unit, in its transaction, if it
    succeeds. False when no unit is open: the caller does the work now instead."""
    memo = _memo.get()
    if memo is None:
        return False
    memo.setdefault(_BEFORE_COMMIT, []).append(callback)
    return True


def insert_later(objects: Iterable[Model], *, keep_on_rollback: bool = False) -> None:
    """Rows nobody reads back in the same unit (audit events, status history): inside a
    unit they are written at its end, one INSERT per model; outside one, now.
    keep_on_rollback: written even when the unit fails (after its rollback), for the
    record of something refused, whose refusal is the unit's error."""
    objects = list(objects)
    memo = _memo.get()
    if memo is None:
        _insert(objects)
        return
    if _INSERT_LATER not in memo:
        memo[_INSERT_LATER] = pending = []
        before_commit(lambda: _insert(pending))
    memo[_INSERT_LATER].extend(objects)
    if keep_on_rollback:
        memo.setdefault(_KEEP_ON_ROLLBACK, []).extend(objects)


def _insert(objects: list[Model]) -> None:
    by_model: dict[type[Model], list[Model]] = {}
    for obj in objects:
        by_model.setdefault(type(obj), []).append(obj)
    for model, rows in by_model.items():
        insert_rows(model, rows)  # a closing run queues thousands


def forget(key: str) -> None:
    memo = _memo.get()
    if memo is not None:
        memo.pop(key, None)
