"""Log-in throttling: failed log-ins are counted per account and per network address.

- Per account (`RATELIMIT_LOGIN_ACCOUNT`, 10 per 15 minutes): the failures for
  one e-mail address, from whatever network addresses they come, lock log-in
  with that e-mail until the window ends; even the right password is refused
  meanwhile. This is what stops credential stuffing spread over many addresses.
  The counter's key is derived from the e-mail as typed (normalised), whether
  or not an account uses it, so an unknown address is throttled and answered
  exactly like a known one. A successful log-in, or a password reset through
  the mailed link, clears it.
- Per network address (`RATELIMIT_LOGIN_ADDRESS` on the log-in view, with
  Flask-Limiter's `deduct_when=attempt_failed`): only failed log-ins count, so
  a hall of judges or a school behind one address can all log in at once;
  one address spraying passwords over many accounts still hits it.

Both counters live in the rate limiter's storage, through its public API: in
Redis when `RATELIMIT_STORAGE_URI` names it, so every process shares them.
If that storage stops answering, counting goes on in this process's memory,
as Flask-Limiter's own fallback does, rather than log-in failing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import math
import time

from flask import current_app, g
from flask_babel import ngettext
from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage
from limits.strategies import RateLimiter

from contest.domain import accounts
from contest.domain.errors import DomainError
from contest.extensions import limiter
from contest.models import User

log = logging.getLogger(__name__)

SCOPE = "login-account"

_memory: RateLimiter | None = None


class AccountLocked(DomainError):
    """Too many failed log-ins with this e-mail: refused without looking at the password."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message, code="locked")
        self.retry_after = retry_after


def authenticate(email: str, password: str) -> User | None:
    """`accounts.authenticate` behind the per-account throttle: the user for
    these credentials or None; raises AccountLocked while the e-mail is locked.

    The attempt is counted before the password is checked (one atomic
    increment in the shared storage), so simultaneous guesses cannot slip past
    the limit; a success takes it back."""
    ids = _identifiers(email)
    if ids is None:  # rate limiting is off (tests, or configured so)
        return accounts.authenticate(email, password)
    items = _account_limits()
    allowed = [_run(lambda strategy, item=item: strategy.hit(item, *ids)) for item in items]
    if not all(allowed):
        raise AccountLocked(*_locked_answer(items, allowed, ids))
    user = accounts.authenticate(email, password)
    if user is None:
        g.login_failed = True  # counted against the network address too (attempt_failed)
    else:
        clear(email)
    return user


def clear(email: str) -> None:
    """Forget the failures for this e-mail (after a log-in or a password reset)."""
    ids = _identifiers(email)
    if ids is not None:
        for item in _account_limits():
            _run(lambda strategy, item=item: strategy.clear(item, *ids))


def attempt_failed(_response) -> bool:
    """Flask-Limiter `deduct_when` for the per-address limit: only failed log-ins count."""
    return bool(g.get("login_failed"))


# -- internals ---------------------------------------------------------------


def _account_limits() -> list[RateLimitItem]:
    return parse_many(current_app.config["RATELIMIT_LOGIN_ACCOUNT"])


def _identifiers(email: str) -> list[str] | None:
    """The counter's key parts: a keyed digest of the normalised e-mail (the
    shared storage holds no addresses), or None when limits are off."""
    if not limiter.enabled or not current_app.config.get("RATELIMIT_LOGIN_ACCOUNT"):
        return None
    digest = hmac.new(
        current_app.config["SECRET_KEY"].encode(), accounts.normalize_email(email).encode(), hashlib.sha256
    ).hexdigest()[:32]
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX")
    return [prefix, SCOPE, digest] if prefix else [SCOPE, digest]


def _locked_answer(items: list[RateLimitItem], allowed: list[bool], ids: list[str]) -> tuple[str, int]:
    now = time.time()
    resets = [
        _run(lambda strategy, item=item: strategy.get_window_stats(item, *ids)).reset_time
        for item, ok in zip(items, allowed, strict=True)
        if not ok
    ]
    seconds = max(1, math.ceil(max(resets) - now))
    minutes = math.ceil(seconds / 60)
    message = ngettext(
        "There have been too many failed log-ins with this e-mail address, so log-in with it is paused "
        "for %(num)d minute. You can choose a new password meanwhile through “Forgot your password?”.",
        "There have been too many failed log-ins with this e-mail address, so log-in with it is paused "
        "for %(num)d minutes. You can choose a new password meanwhile through “Forgot your password?”.",
        minutes,
    )
    return message, seconds


def _run(call):
    """Call with the limiter's strategy (shared storage, or Flask-Limiter's own
    in-memory fallback once it has found the storage down); if the storage
    fails under us, with this process's memory instead."""
    global _memory
    try:
        return call(limiter.limiter)
    except Exception:  # noqa: BLE001 - any storage failure: keep counting, locally
        log.warning("log-in throttle: rate-limit storage unreachable, counting in memory", exc_info=True)
        if _memory is None:
            _memory = type(limiter.limiter)(MemoryStorage())
        return call(_memory)
