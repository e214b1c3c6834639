"""Signed-in sessions kept on the server, so that they can be ended.

Flask's session cookie is signed, not stored: on its own, a cookie copied
before log-out works until the secret key changes. Here every log-in creates a
row (`LoginSession`) for the device, and the cookie carries only its random
secret, as the "user id" Flask-Login stores in the session and in the
remember-me cookie, after the account's id ("42.secret"). Every request looks the secret up together with the
account (one query, `load`), so ending the row — log-out, "log out
everywhere", a password change or reset, deactivation — ends the session and
the remember-me cookie at once, on every process.

A remember-me cookie is per device and expires with its row; each time it
restores a session its secret is replaced (`rotate`), so a copied cookie stops
working once the real device has used its own, and the other way round.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any, cast

from flask import current_app, has_request_context, request, session
from flask_login import login_user, logout_user
from sqlalchemy import ColumnElement, and_, select, update
from sqlalchemy.engine import CursorResult

from contest.extensions import db
from contest.models import Expert, LoginSession, SessionEnd, UnitOfficer, User
from contest.models.base import utcnow


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _lifetime(remember: bool) -> timedelta:
    if remember:
        return timedelta(seconds=current_app.config["REMEMBER_COOKIE_DURATION"])
    return timedelta(hours=current_app.config["LOGIN_SESSION_HOURS"])


def _current(now=None) -> ColumnElement[bool]:
    return and_(LoginSession.ended_at.is_(None), LoginSession.expires_at > (utcnow() if now is None else now))


def active(secret_hash, user_id, now=None) -> ColumnElement[bool]:
    """SQL condition: the login session with this secret hash is the account's
    and current. Values or bind parameters, for queries that check the session
    themselves, such as a judge's score save."""
    return and_(LoginSession.secret_hash == secret_hash, LoginSession.user_id == user_id, _current(now))


def _split(token) -> tuple[int, str] | None:
    """ "42.secret" -> (42, "secret"); None for anything else (an old or forged value)."""
    if not isinstance(token, str) or len(token) > 100:
        return None
    user_id, _, secret = token.partition(".")
    if not user_id.isdigit() or len(user_id) > 12 or not secret:
        return None
    return int(user_id), secret


def signed_in() -> tuple[int, str] | None:
    """(account id, session secret hash) as the request's session cookie names
    them, without a query: for a route whose domain checks them in its own
    query (`active`). None when the cookie names no session."""
    parts = _split(session.get("_user_id"))
    return None if parts is None else (parts[0], _hash(parts[1]))


def sign_in(user: User, *, remember: bool = False) -> LoginSession:
    """Start a session for `user` on this device and sign the request in."""
    secret = secrets.token_urlsafe(32)
    agent = ip = None
    if has_request_context():
        agent = request.user_agent.string[:200] or None
        ip = request.remote_addr
    row = LoginSession(
        user_id=user.id,
        secret_hash=_hash(secret),
        remember=remember,
        expires_at=utcnow() + _lifetime(remember),
        user_agent=agent,
        ip=ip,
    )
    db.session.add(row)
    db.session.flush()
    user.login_token = f"{user.id}.{secret}"
    user.login_session = row
    login_user(user, remember=remember, duration=_lifetime(remember) if remember else None)
    return row


def load(token: str) -> User | None:
    """The account of a current session named by this token (Flask-Login's user loader)."""
    parts = _split(token)
    if parts is None:
        return None
    user_id, secret = parts
    # Whether the account holds a unit role, or an expert record, at all, in
    # the same query, so that pages spend no statement on the menu's links for
    # the many accounts that hold neither.
    holds_unit_role = (
        select(UnitOfficer.id).where(UnitOfficer.user_id == User.id, UnitOfficer.ended_at.is_(None)).exists()
    )
    has_expert_record = select(Expert.id).where(Expert.user_id == User.id).exists()
    row = db.session.execute(
        select(User, LoginSession, holds_unit_role, has_expert_record)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(active(_hash(secret), user_id), User.is_active_account.is_(True))
    ).first()
    if row is None:
        return None
    user, login_session, user.holds_unit_role, user.has_expert_record = row
    user.login_token = token
    user.login_session = login_session
    return user


def rotate(user: User) -> None:
    """A remember-me cookie restored the session: give the device a new secret,
    in the session and in a fresh remember-me cookie that expires with the row."""
    row = user.login_session
    if row is None:
        raise RuntimeError("rotate() needs the session the account was loaded through")
    secret = secrets.token_urlsafe(32)
    row.secret_hash = _hash(secret)
    row.rotated_at = utcnow()
    user.login_token = f"{user.id}.{secret}"
    session["_user_id"] = user.login_token
    session["_remember"] = "set"
    session["_remember_seconds"] = max(1, int((row.expires_at - utcnow()).total_seconds()))
    # An exception to "the request commits at its end" (docs/architecture.md): the
    # device is handed the new secret whatever the request does next, so it is
    # stored at once; an error page must not leave the device with a secret the
    # database never kept. It runs before the view (contest.factory), with nothing pending.
    db.session.commit()


def sign_out() -> None:
    """End this device's session (log-out)."""
    named = signed_in()
    if named is not None:
        _end(and_(LoginSession.secret_hash == named[1], LoginSession.user_id == named[0]), SessionEnd.logged_out)
    logout_user()


def end_all(user_id: int, reason: SessionEnd) -> int:
    """End every session of an account, on every device; how many were current."""
    return _end(LoginSession.user_id == user_id, reason)


def _end(which, reason: SessionEnd) -> int:
    result = db.session.execute(
        update(LoginSession)
        .where(which, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow(), end_reason=reason)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount  # an UPDATE's result is a cursor's


def current_sessions(user_id: int) -> list[LoginSession]:
    return list(
        db.session.scalars(
            select(LoginSession)
            .where(LoginSession.user_id == user_id, _current())
            .order_by(LoginSession.created_at.desc())
        )
    )
