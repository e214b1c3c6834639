"""A few seconds of memory for the public pages a crowd opens at once (the
hour before the submission deadline, the minute results go public): every
anonymous visitor of this process gets the same bytes, rendered at most once
per `ttl`. Logged-in visitors never share a page (it names them).

Only a request without a query string is served from, or kept in, memory
(`shareable`): a page carries its own address (the language switch sends the
visitor back to it) and may read its arguments, so a page made for one
visitor's `?…` would go to everyone. Keying by the query string instead would
let anyone fill the memory with made-up ones."""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable

from flask import has_request_context, request


def shareable() -> bool:
    """Whether the current request's page may be the one everyone gets."""
    return not (has_request_context() and request.query_string)


class PageCache:
    def __init__(self, ttl: float, max_items: int = 1024):
        self.ttl = ttl
        self.max_items = max_items
        self._pages: dict[Hashable, tuple[float, bytes]] = {}

    def get_or_render(self, key: Hashable, render: Callable[[], bytes]) -> bytes:
        if not shareable():
            return render()
        hit = self._pages.get(key)
        now = time.monotonic()
        if hit is not None and now - hit[0] < self.ttl:
            return hit[1]
        body = render()
        if len(self._pages) >= self.max_items:   # stale keys of many competitions: start afresh
            self._pages.clear()
        self._pages[key] = (now, body)
        return body

    def clear(self) -> None:
        self._pages.clear()
