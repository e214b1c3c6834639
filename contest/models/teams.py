"""Teams and their members. Limits hold in the database, not only in code:
members take numbered seats (unique per team), so two simultaneous joins
cannot both take the last seat."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.models.base import Base, TimestampMixin, UTCDateTime


class Gender(enum.Enum):
    female = "female"
    male = "male"
    other = "other"


class Team(TimestampMixin, Base):
    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("competition_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(150), nullable=False)
    leader_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), nullable=False, index=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), nullable=True)
    organisation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Whether the team's and members' names may appear on public pages.
    show_names_publicly: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)

    competition = relationship("Competition")
    leader = relationship("User", foreign_keys=[leader_id])
    org_unit = relationship("OrgUnit")
    members: Mapped[list[Member]] = relationship(
        back_populates="team", order_by="Member.seat", cascade="all, delete-orphan"
    )
    entry = relationship("Entry", back_populates="team", uselist=False)


class Member(TimestampMixin, Base):
    __tablename__ = "members"
    __table_args__ = (
        UniqueConstraint("team_id", "seat"),
        CheckConstraint("seat >= 1", name="seat_positive"),
        # A person with an account is in a team at most once.
        Index("uq_members_team_id_user_id", "team_id", "user_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), nullable=False)
    seat: Mapped[int] = mapped_column(Integer, nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True, index=True)
    full_name: Mapped[str] = mapped_column(String(120), nullable=False)
    date_of_birth: Mapped[date | None] = mapped_column(Date, nullable=True)
    gender: Mapped[Gender | None] = mapped_column(
        Enum(Gender, name="gender", native_enum=False, length=8), nullable=True
    )
    phone: Mapped[str | None] = mapped_column(String(20), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    organisation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    role_in_team: Mapped[str | None] = mapped_column(String(120), nullable=True)
    is_student: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Đoàn viên (member of the Youth Union), asked in youth contests only; None = not asked.
    is_doan_member: Mapped[bool | None] = mapped_column(Boolean, nullable=True)

    team: Mapped[Team] = relationship(back_populates="members")
    user = relationship("User")

    @property
    def is_leader(self) -> bool:
        return self.user_id is not None and self.user_id == self.team.leader_id


class TeamInvitation(Base):
    """An e-mailed invitation; the signed link carries its id and nonce."""

    __tablename__ = "team_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"), nullable=False, index=True)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    nonce: Mapped[str] = mapped_column(String(32), nullable=False)
    invited_by_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    team = relationship("Team")
