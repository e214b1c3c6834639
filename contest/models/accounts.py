"""Accounts. Per-competition roles (organizer, secretariat, judge, team member)
live beside the competitions they belong to; here only the platform role."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import Boolean, CheckConstraint, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.models.base import Base, TimestampMixin, UTCDateTime, utcnow


class PlatformRole(enum.Enum):
    user = "user"
    admin = "admin"


class User(UserMixin, TimestampMixin, Base):
    __tablename__ = "users"
    __table_args__ = (
        # E-mail is unique regardless of case: the domain stores it lowered and
        # the database refuses anything else, so the unique constraint suffices.
        CheckConstraint("email = lower(email)", name="email_lowercase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False, unique=True)
    password_hash: Mapped[str] = mapped_column(String(255), nullable=False)
    full_name: Mapped[str] = mapped_column(String(120), nullable=False)
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    locale: Mapped[str] = mapped_column(String(5), nullable=False, default="vi")
    platform_role: Mapped[PlatformRole] = mapped_column(
        Enum(PlatformRole, name="platform_role", native_enum=False, length=16),
        nullable=False,
        default=PlatformRole.user,
    )
    email_verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    is_active_account: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    # Not columns: the login session this object was loaded through, and its
    # token ("id.secret"), which Flask-Login stores as the "user id" (see
    # contest.domain.login_sessions).
    if TYPE_CHECKING:  # plain attributes, not columns: typed for the checker only
        login_session: LoginSession | None
        login_token: str | None
        holds_unit_role: bool | None
        has_expert_record: bool | None
    login_session = None
    login_token = None
    # Whether the account holds any unit role (set by the same query that loads
    # a signed-in account; None when unknown). See contest.domain.unit_officers.
    holds_unit_role = None
    # Likewise whether an expert record (contest.domain.experts) is the account's.
    has_expert_record = None

    # One object per row in a session: identity is equality (UserMixin would
    # compare get_id(), which only a signed-in account has).
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    def get_id(self) -> str:
        if not self.login_token:
            raise RuntimeError("sign in through contest.domain.login_sessions.sign_in")
        return self.login_token

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.is_active_account

    @property
    def is_admin(self) -> bool:
        return self.platform_role is PlatformRole.admin

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    def __repr__(self) -> str:
        return f"<User {self.id} {self.email}>"


class SessionEnd(enum.Enum):
    """Why a signed-in session ended before its time."""

    logged_out = "logged_out"
    logged_out_everywhere = "logged_out_everywhere"
    password_changed = "password_changed"  # noqa: S105 - a reason, not a secret
    password_reset = "password_reset"  # noqa: S105 - a reason, not a secret
    deactivated = "deactivated"


class LoginSession(Base):
    """One signed-in device. The session cookie and the remember-me cookie carry
    its secret; only the secret's hash is stored. Ending the row ends both
    cookies at once, on every process, because every request checks it."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    secret_hash: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    remember: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    end_reason: Mapped[SessionEnd | None] = mapped_column(
        Enum(SessionEnd, name="session_end", native_enum=False, length=32), nullable=True
    )
    user_agent: Mapped[str | None] = mapped_column(String(200), nullable=True)
    ip: Mapped[str | None] = mapped_column(String(45), nullable=True)

    user: Mapped[User] = relationship()
