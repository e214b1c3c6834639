"""Signed-cookie sessions whose verified cookies are remembered for a while.

A signed-in user sends the same session cookie with every request until the
session changes. Checking its signature and decoding it each time is the
largest part of Flask's own work on a judge's score save. A cookie this
process has already verified is taken from memory instead, its age checked
again exactly as the signature check would; any other cookie goes the usual
way. An identical string cannot be forged, so nothing is trusted that was
not verified.
"""

from __future__ import annotations

import threading
import time

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

# Only sessions of plain values are kept: a list (flashed messages) could be
# changed in place by the request that was handed it.
_PLAIN = (str, int, float, bool, type(None))


class VerifiedCookieSessionInterface(SecureCookieSessionInterface):
    def __init__(self, capacity: int = 4096):
        self.capacity = capacity
        self._verified: dict[str, tuple[dict, float]] = {}
        self._lock = threading.Lock()

    def open_session(self, app, request):
        cookie = request.cookies.get(self.get_cookie_name(app))
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = self._verified.get(cookie) if cookie else None
        if known is not None and 0 <= time.time() - known[1] <= max_age:
            return self.session_class(known[0])
        serializer = self.get_signing_serializer(app)
        if serializer is None:      # no secret key: no sessions at all
            return None
        if not cookie:
            return self.session_class()
        try:
            data, signed_at = serializer.loads(cookie, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if all(isinstance(value, _PLAIN) for value in data.values()):
            with self._lock:
                if len(self._verified) >= self.capacity:
                    self._verified.clear()
                self._verified[cookie] = (dict(data), signed_at.timestamp())
        return self.session_class(data)
