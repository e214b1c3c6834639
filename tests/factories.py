"""Small factory functions that build test data through the real models."""

from __future__ import annotations

import itertools

from contest.domain.passwords import hash_password
from contest.extensions import db
from contest.models import OrgUnit, OrgUnitKind, PlatformRole, User
from contest.models.base import utcnow

PASSWORD = "mat-khau-dung-1"
_seq = itertools.count(1)


def make_user(email: str | None = None, *, name: str = "Nguyễn Văn An", admin: bool = False,
              verified: bool = True, password: str = PASSWORD, locale: str = "vi") -> User:
    user = User(
        email=(email or f"user{next(_seq)}@example.vn").lower(),
        full_name=name,
        password_hash=hash_password(password),
        platform_role=PlatformRole.admin if admin else PlatformRole.user,
        email_verified_at=utcnow() if verified else None,
        locale=locale,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_unit(code: str, name: str = "Đơn vị", kind: OrgUnitKind = OrgUnitKind.district, parent=None, **kw) -> OrgUnit:
    unit = OrgUnit(code=code, name=name, kind=kind, parent=parent, **kw)
    db.session.add(unit)
    db.session.commit()
    return unit


def login(client, user: User, password: str = PASSWORD, remember: bool = False):
    """Log in through the real form (CSRF is on in tests, so read the token first)."""
    token = csrf_token(client, "/login")
    data = {"email": user.email, "password": password, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def csrf_token(client, path: str) -> str:
    import re

    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)
