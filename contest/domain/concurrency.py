"""Retrying a unit of work when the database refuses it for a clash with a
concurrent transaction (a unique seat taken meanwhile, a deadlock)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError, OperationalError

from contest.transactions import atomic

T = TypeVar("T")


def _is_lock_clash(exc: OperationalError) -> bool:
    text = str(exc.orig).lower() if exc.orig is not None else str(exc).lower()
    return "locked" in text or "deadlock" in text or "could not serialize" in text


def retry_on_clash(work: Callable[[], T], attempts: int = 4) -> T:
    """Run `work` (which changes and flushes) in a savepoint, and again after a
    clash: the savepoint is undone, the request's earlier work stays. `work`
    must start from ids, not from objects loaded before, because a retry
    starts afresh. A refusal `work` raises itself (a DomainError) undoes the
    savepoint too and is not retried."""
    for attempt in range(1, attempts + 1):
        try:
            with atomic():
                return work()
        except IntegrityError:
            if attempt == attempts:
                raise
        except OperationalError as exc:
            if attempt == attempts or not _is_lock_clash(exc):
                raise
    raise AssertionError("unreachable")
