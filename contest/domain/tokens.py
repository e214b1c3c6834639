"""Signed, expiring, single-use tokens for links in mails.

Single use without a table: the token carries a fingerprint of the account
state it is meant to change (password hash, e-mail, verification time). Using
the token changes that state, so the same token then fails as "already used".
"""

from __future__ import annotations

import hashlib
import re

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from contest.domain.errors import DomainError

# What make_token returns (itsdangerous: payload, which starts with "." when
# compressed, timestamp and HMAC-SHA1 signature, each URL-safe base64), as it
# appears in a link: backups leave out mail that carries one.
SIGNED_TOKEN = re.compile(
    r"(?<![A-Za-z0-9_.-])\.?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{6,8}\.[A-Za-z0-9_-]{27}(?![A-Za-z0-9_-])"
)


def contains_token(text: str | None) -> bool:
    return text is not None and SIGNED_TOKEN.search(text) is not None


class TokenExpired(Exception):
    pass


class TokenInvalid(Exception):
    pass


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"contest.{purpose}")


def fingerprint(*parts: object) -> str:
    data = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(data.encode()).hexdigest()[:16]


def make_token(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int | None) -> dict:
    """The signed payload; `max_age` None reads an expired token too (its
    signature is still checked), for what it says rather than what it allows."""
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenExpired() from exc
    except BadSignature as exc:
        raise TokenInvalid() from exc
    if not isinstance(payload, dict):
        raise TokenInvalid()
    return payload


def read_link(purpose: str, token: str, max_age: int, *, expired: str, invalid: str) -> dict:
    """The payload of a link's token, or a DomainError with the caller's words:
    `expired` (code "expired") once it is too old, `invalid` (code "invalid") when
    it was tampered with, made for another purpose or is not a token at all.
    The one place a token's failure becomes a message for people."""
    try:
        return read_token(purpose, token, max_age)
    except TokenExpired as exc:
        raise DomainError(expired, code="expired") from exc
    except TokenInvalid as exc:
        raise DomainError(invalid, code="invalid") from exc
