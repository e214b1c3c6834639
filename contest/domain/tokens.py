"""Signed, expiring, single-use tokens for links in mails.

Single use without a table: the token carries a fingerprint of the account
state it is meant to change (password hash, e-mail, verification time). Using
the token changes that state, so the same token then fails as "already used".
"""

from __future__ import annotations

import hashlib

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer


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


def read_token(purpose: str, token: str, max_age: int) -> dict:
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise TokenExpired() from exc
    except BadSignature as exc:
        raise TokenInvalid() from exc
    if not isinstance(payload, dict):
        raise TokenInvalid()
    return payload
