"""The app's one cache: Flask-Caching, configured in config.py (`CACHE_*`).

With REDIS_URL set it lives in Redis, so every process agrees on what was
forgotten; without it, in this process's memory, at most `CACHE_THRESHOLD`
items. Nothing else in the code keeps rows or pages between requests (pure
memoisation of immutable things, such as font metrics, may use functools).

- `get_or_set(key, make, timeout)`: a value kept for `timeout` seconds.
- `cached_page(render, timeout, version=...)`: the bytes of a page every
  anonymous visitor gets, keyed by its address and language; a request with a
  query string, or by someone logged in, is rendered and never kept (`shareable`).
- `forget(*keys)`: delete now and, when a transaction is open, again once it
  commits, so a reader that looked before the commit cannot keep stale data.
- `clear()`: everything (the tests call it between tests).

A cache that fails (Redis gone) is a miss, logged: pages are rendered from the
database, never answered with an error. Compression is the web server's job
(docs/deploy.md).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask, has_request_context, request
from flask_babel import get_locale
from flask_caching import Cache
from flask_login import current_user
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from contest.extensions import db

log = logging.getLogger(__name__)

T = TypeVar("T")

_cache = Cache()


def init_app(app: Flask) -> None:
    _cache.init_app(app)
    factory = db.session.session_factory
    if not event.contains(factory, "after_commit", _forget_committed):
        event.listen(factory, "after_commit", _forget_committed)
        event.listen(factory, "after_transaction_end", _drop_pending)


def get_or_set(key: str, make: Callable[[], T], timeout: int) -> T:
    """The value kept under `key`, or `make()`'s, kept for `timeout` seconds.
    None is never kept (it is what a miss looks like): asked again next time."""
    value = _get(key)
    if value is None:
        value = make()
        if value is not None:
            _set(key, value, timeout)
    return value


def shareable() -> bool:
    """Whether this request's page may be the one every visitor gets: nobody is
    logged in (the page would name them) and there is no query string (a page
    carries its own address and may read its arguments, so one visitor's `?…`
    would go to everyone; keying by it would let anyone fill the cache)."""
    return has_request_context() and not request.query_string and not current_user.is_authenticated


def cached_page(render: Callable[[], bytes], timeout: int, *, version: str = "") -> bytes:
    """The page at this address in this language, rendered at most once per
    `timeout` (or per `version`, for pages of something that never changes)."""
    if not shareable():
        return render()
    return get_or_set(_page_key(request.path, str(get_locale()), version), render, timeout)


def _page_key(path: str, locale: str, version: str = "") -> str:
    return f"page:{path}:{locale}:{version}"


def forget(*keys: str) -> None:
    """Delete `keys` now and, if a transaction is open, again after it commits:
    between the two another process may have read the old rows and kept them."""
    _delete(keys)
    session = db.session()
    if session.in_transaction():
        session.info.setdefault(_PENDING, set()).update(keys)


def clear() -> None:
    """Forget everything this app keeps (with Redis: every key under CACHE_KEY_PREFIX)."""
    _cache.clear()


# -- after commit -------------------------------------------------------------------
# Until the request's transaction owner offers an `after_commit` hook, the keys
# to forget again wait in the session's `info` and one listener on the session
# factory deletes them when the outermost transaction commits.

_PENDING = "cache.forget_after_commit"


def _forget_committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the outer transaction is still open
    keys = session.info.pop(_PENDING, None)
    if keys:
        _delete(tuple(keys))


def _drop_pending(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction ended: committed or rolled back
        session.info.pop(_PENDING, None)


# -- the backend, whose failures are misses ----------------------------------------


def _get(key: str) -> Any:
    try:
        return _cache.get(key)
    except Exception:  # noqa: BLE001 - a cache that fails is a miss, never an error page
        log.warning("cache: reading %s failed", key, exc_info=True)
        return None


def _set(key: str, value: Any, timeout: int) -> None:
    try:
        _cache.set(key, value, timeout=timeout)
    except Exception:  # noqa: BLE001
        log.warning("cache: keeping %s failed", key, exc_info=True)


def _delete(keys: tuple[str, ...]) -> None:
    if not keys:
        return
    try:
        _cache.delete_many(*keys)
    except Exception:  # noqa: BLE001
        # A key that could not be forgotten may be served until it expires: say so loudly.
        log.error("cache: forgetting %s failed", ", ".join(keys), exc_info=True)
