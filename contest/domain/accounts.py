"""Accounts: sign-up, verification, log-in, password reset and change, profile."""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from contest.domain import audit, login_sessions, unit_officers
from contest.domain.errors import Conflict, DomainError
from contest.domain.outbox import queue_mail
from contest.domain.passwords import burn_time, hash_password, verify_password
from contest.domain.tokens import TokenExpired, TokenInvalid, fingerprint, make_token, read_link, read_token
from contest.extensions import db
from contest.models import PlatformRole, SessionEnd, User
from contest.models.base import utcnow
from contest.transactions import atomic

VERIFY_PURPOSE = "verify-email"
RESET_PURPOSE = "reset-password"


def normalize_email(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def external_url(endpoint: str, **values) -> str:
    """Absolute link for mails, on the configured public address."""
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    if has_request_context():
        return base + url_for(endpoint, **values)
    # Mail is also queued from the CLI and from tests, outside any request.
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)


# -- tokens ---------------------------------------------------------------


def _verify_stamp(user: User) -> str:
    return fingerprint(user.email, user.email_verified_at)


def _reset_stamp(user: User) -> str:
    return fingerprint(user.password_hash)


def make_verify_token(user: User, next_path: str | None = None) -> str:
    """`next_path`: the local page the person was going to when they signed up
    (an invitation, a team's registration); the link leads back there."""
    payload = {"uid": user.id, "s": _verify_stamp(user)}
    if next_path:
        payload["n"] = next_path
    return make_token(VERIFY_PURPOSE, payload)


def _next_of_token(purpose: str, token: str) -> str | None:
    try:
        next_path = read_token(purpose, token, None).get("n")
    except (TokenInvalid, TokenExpired):
        return None
    return next_path if isinstance(next_path, str) else None


def next_of_verify_token(token: str) -> str | None:
    """Where a confirmation link led (its signed `next`), even once it has
    expired or been used, so that asking for a new link keeps it; None when it
    led nowhere or is not a confirmation link. Unchecked: the view keeps only a
    local path."""
    return _next_of_token(VERIFY_PURPOSE, token)


def make_reset_token(user: User, next_path: str | None = None) -> str:
    """`next_path`: the local page the person was going to when they asked for
    the link (an invitation); after the new password, the log-in leads there."""
    payload = {"uid": user.id, "s": _reset_stamp(user)}
    if next_path:
        payload["n"] = next_path
    return make_token(RESET_PURPOSE, payload)


def next_of_reset_token(token: str) -> str | None:
    """Where a reset link leads after the log-in (its signed `next`), even once
    it has expired or been used, so that asking for a new link keeps it; None
    when it leads nowhere. Unchecked: the view keeps only a local path."""
    return _next_of_token(RESET_PURPOSE, token)


def _user_from_token(purpose: str, token: str, max_age: int, stamp) -> User:
    return _user_and_payload(purpose, token, max_age, stamp)[0]


def _user_and_payload(purpose: str, token: str, max_age: int, stamp) -> tuple[User, dict]:
    payload = read_link(
        purpose,
        token,
        max_age,
        expired=_("This link has expired. Please ask for a new one."),
        invalid=_("This link is not valid."),
    )
    user = db.session.get(User, payload.get("uid"))
    if user is None:
        raise DomainError(_("This link is not valid."), code="invalid")
    if payload.get("s") != stamp(user):
        raise DomainError(_("This link has already been used."), code="used")
    return user, payload


# -- sign-up and verification ----------------------------------------------


def sign_up(email: str, password: str, full_name: str, locale: str = "vi", next_path: str | None = None) -> User | None:
    """Create an unverified account and mail a verification link (which leads
    on to `next_path`, a local page, once the address is confirmed).

    If the address is taken, mail its owner instead and return None: the page
    looks the same either way, so sign-up does not reveal who has an account.
    Both ways do the same work (one password hash, one mail queued, one
    commit), so neither does the time the answer takes."""
    email = normalize_email(email)
    password_hash = hash_password(password)
    existing = find_user_by_email(email)
    if existing is not None:
        queue_mail(
            existing.email,
            "signup_existing",
            locale=existing.locale,
            user=existing,
            login_url=external_url("auth.login", **({"next": next_path} if next_path else {})),
            reset_url=external_url("auth.forgot_password", **({"next": next_path} if next_path else {})),
        )
        db.session.flush()
        return None
    user = User(
        email=email,
        password_hash=password_hash,
        full_name=full_name.strip(),
        locale=locale,
        platform_role=PlatformRole.user,
    )
    try:
        with atomic():
            db.session.add(user)
            db.session.flush()
    except IntegrityError:  # a simultaneous sign-up with the same address won
        return None
    send_verification(user, next_path)
    db.session.flush()
    return user


def send_verification(user: User, next_path: str | None = None) -> None:
    queue_mail(
        user.email,
        "verify_email",
        locale=user.locale,
        user=user,
        verify_url=external_url("auth.verify_email", token=make_verify_token(user, next_path)),
    )


def resend_verification(email: str, locale: str = "vi", next_path: str | None = None) -> None:
    """Mail a fresh link to an unverified account; say nothing either way.

    A confirmed account is told it can log in, an address without an account
    that there is none: every way queues one mail, so the time the answer
    takes does not tell who has an account either. Each mail's link leads on
    to `next_path` (a local page: an invitation, a team's registration)."""
    keep = {"next": next_path} if next_path else {}
    user = find_user_by_email(email)
    if user is None:
        _mail_no_account(email, "verify", locale, keep)
    elif user.is_verified:
        queue_mail(
            user.email,
            "already_verified",
            locale=user.locale,
            user=user,
            login_url=external_url("auth.login", **keep),
            reset_url=external_url("auth.forgot_password", **keep),
        )
    else:
        send_verification(user, next_path)
    db.session.flush()


def _mail_no_account(email: str, asked: str, locale: str, keep: dict | None = None) -> None:
    """Tell an address without an account that someone asked for a link for it
    (in the asker's language: there is no account to take one from). `keep`:
    the sign-up link's `next`, if any."""
    queue_mail(
        normalize_email(email),
        "no_account",
        locale=locale,
        asked=asked,
        signup_url=external_url("auth.signup", **(keep or {})),
    )


@dataclass(frozen=True)
class Verified:
    user: User
    next_path: str | None  # where the person was going when they signed up (unchecked: the view checks it)


def verify_email(token: str) -> Verified:
    user, payload = _user_and_payload(VERIFY_PURPOSE, token, current_app.config["EMAIL_TOKEN_MAX_AGE"], _verify_stamp)
    if user.email_verified_at is not None:
        raise DomainError(_("This link has already been used."), code="used")
    user.email_verified_at = utcnow()
    audit.record("account.verified", "user", user.id, actor_id=user.id)
    db.session.flush()
    next_path = payload.get("n")
    return Verified(user, next_path if isinstance(next_path, str) else None)


# -- log-in ----------------------------------------------------------------


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None. Unknown e-mails cost the same time."""
    user = find_user_by_email(email)
    if user is None:
        burn_time()
        return None
    if not verify_password(user.password_hash, password) or not user.is_active:
        return None
    return user


def record_login(user: User) -> None:
    user.last_login_at = utcnow()
    db.session.flush()


# -- password reset and change ---------------------------------------------


def request_password_reset(email: str, locale: str = "vi", next_path: str | None = None) -> None:
    """Mail a reset link if the account exists; say nothing either way.

    An address without an account is told there is none: both ways queue one
    mail, so the time the answer takes does not tell who has an account. Each
    mail's link leads on to `next_path` (a local page: an invitation)."""
    user = find_user_by_email(email)
    if user is None:
        _mail_no_account(email, "reset", locale, {"next": next_path} if next_path else {})
        db.session.flush()
        return
    queue_mail(
        user.email,
        "reset_password",
        locale=user.locale,
        user=user,
        reset_url=external_url("auth.reset_password", token=make_reset_token(user, next_path)),
    )
    db.session.flush()


def check_reset_token(token: str) -> User:
    return _user_from_token(RESET_PURPOSE, token, current_app.config["RESET_TOKEN_MAX_AGE"], _reset_stamp)


def reset_password(token: str, new_password: str) -> User:
    user = check_reset_token(token)
    user.password_hash = hash_password(new_password)
    # Receiving the reset mail proves the address too.
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    ended = login_sessions.end_all(user.id, SessionEnd.password_reset)
    audit.record("account.password_reset", "user", user.id, actor_id=user.id, after={"sessions_ended": ended})
    db.session.flush()
    return user


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change the password and end every session of the account, this one
    included: whoever copied a cookie or knew the old password is out. The
    device that changed it is signed in again with a new session."""
    if not verify_password(user.password_hash, current_password):
        raise DomainError(_("The current password is not correct."), field="current_password")
    user.password_hash = hash_password(new_password)
    current = user.login_session
    remember = bool(current and current.remember)
    ended = login_sessions.end_all(user.id, SessionEnd.password_changed)
    login_sessions.sign_in(user, remember=remember)
    audit.record("account.password_changed", "user", user.id, after={"sessions_ended": ended})
    queue_mail(user.email, "password_changed", locale=user.locale, user=user)
    db.session.flush()


def log_out_everywhere(user: User) -> int:
    """End every session of the account on every device, this one included."""
    ended = login_sessions.end_all(user.id, SessionEnd.logged_out_everywhere)
    audit.record("account.logged_out_everywhere", "user", user.id, after={"sessions_ended": ended})
    login_sessions.sign_out()
    db.session.flush()
    return ended


def update_profile(user: User, *, full_name: str, phone: str | None, locale: str) -> None:
    if locale not in current_app.config["LANGUAGES"]:
        raise DomainError(_("Unknown language."), field="locale")
    user.full_name = full_name.strip()
    user.phone = (phone or "").strip() or None
    user.locale = locale
    db.session.flush()


# -- administration --------------------------------------------------------


def create_admin(email: str, password: str, full_name: str) -> User:
    """Create, or promote, a verified administrator (CLI and demo)."""
    email = normalize_email(email)
    user = find_user_by_email(email)
    if user is None:
        user = User(email=email, full_name=full_name, password_hash=hash_password(password), locale="vi")
        db.session.add(user)
    elif user.platform_role is PlatformRole.admin:
        raise Conflict(_("This account is already an administrator."))
    user.platform_role = PlatformRole.admin
    user.email_verified_at = user.email_verified_at or utcnow()
    db.session.flush()
    audit.record("account.made_admin", "user", user.id, after={"platform_role": "admin"})
    db.session.flush()
    return user


def deactivate(user: User, *, by: User) -> int:
    """Stop an account: it can no longer sign in, and every session it has ends
    at once on every device and process (each request checks the session row
    and the account). Its roles stay, inert, for the record. Administrators
    may deactivate anyone but themselves; an officer of a unit above every unit
    the person serves may deactivate them too (`unit_officers.may_deactivate`).
    Flushes; the caller commits."""
    if user.id == by.id:
        raise DomainError(_("You cannot deactivate your own account."))
    if not (by.is_admin or unit_officers.may_deactivate(by, user)):
        raise DomainError(
            _("Only an administrator, or an officer of a unit above the person's, can deactivate this account.")
        )
    if not user.is_active_account:
        raise DomainError(_("This account is deactivated."))
    user.is_active_account = False
    ended = login_sessions.end_all(user.id, SessionEnd.deactivated)
    db.session.flush()
    audit.record(
        "account.deactivated",
        "user",
        user.id,
        before={"active": True},
        after={"active": False, "sessions_ended": ended},
        actor_id=by.id,
    )
    return ended


def reactivate(user: User, *, by: User) -> None:
    if not by.is_admin:
        raise DomainError(_("Only an administrator can deactivate an account."))
    if user.is_active_account:
        return
    user.is_active_account = True
    db.session.flush()
    audit.record("account.reactivated", "user", user.id, before={"active": False}, after={"active": True})


def demote_admin(user: User, *, by: User) -> None:
    """Take the administrator role away (audited). Nobody demotes themselves, so
    the platform always keeps the administrator who did it. Flushes."""
    if not by.is_admin:
        raise DomainError(_("Only an administrator can do this."))
    if user.id == by.id:
        raise DomainError(_("You cannot take away your own administrator role."))
    if user.platform_role is not PlatformRole.admin:
        raise DomainError(_("This account is not an administrator."))
    user.platform_role = PlatformRole.user
    db.session.flush()
    audit.record(
        "account.admin_removed", "user", user.id, before={"platform_role": "admin"}, after={"platform_role": "user"}
    )
