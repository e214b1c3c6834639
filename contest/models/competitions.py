"""Competition editions, their boards and fields, timeline and per-competition roles."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.models.base import Base, TimestampMixin, UTCDateTime, enum_column


class CompetitionLevel(enum.Enum):
    provincial = "provincial"
    district_commune = "district_commune"
    youth_idea = "youth_idea"
    womens = "womens"
    student = "student"
    # Giải báo chí, truyền thông về KNĐMST: entries are press works, not projects.
    media_award = "media_award"
    other = "other"


class CompetitionState(enum.Enum):
    draft = "draft"
    open = "open"
    closed = "closed"
    judging = "judging"
    results_published = "results_published"
    archived = "archived"


class CompetitionRoleKind(enum.Enum):
    organizer = "organizer"
    secretariat = "secretariat"


class Competition(TimestampMixin, Base):
    __tablename__ = "competitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(250), nullable=False)
    year: Mapped[int] = mapped_column(Integer, nullable=False)
    level: Mapped[CompetitionLevel] = mapped_column(enum_column(CompetitionLevel, "competition_level"), nullable=False)
    state: Mapped[CompetitionState] = mapped_column(
        enum_column(CompetitionState, "competition_state"), nullable=False, default=CompetitionState.draft
    )
    org_unit_id: Mapped[int] = mapped_column(
        ForeignKey("org_units.id", ondelete="RESTRICT"), nullable=False, index=True
    )
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    rules_document_key: Mapped[str | None] = mapped_column(String(200), nullable=True)
    # Submission codes look like "QNG-2026-Y-007"; the counter is bumped under the row's lock.
    code_prefix: Mapped[str] = mapped_column(String(24), nullable=False)
    entry_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    # Certificate serials ("QNG-2026-000123"), bumped under the row's lock like entry_seq.
    certificate_seq: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submission_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    # Eligibility rules (None = no limit).
    team_min: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    team_max: Mapped[int] = mapped_column(Integer, nullable=False, default=5)
    age_min: Mapped[int | None] = mapped_column(Integer, nullable=True)
    age_max: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_company_age_years: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_entries_per_person: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_entries_per_org: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Unit-level contests: teams must belong to the organising unit or one below it.
    restrict_to_unit: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    gallery_enabled: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # A provincial contest takes nominations from youth contests only when it says so.
    takes_youth_nominations: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Idea stage only (the youth startup-idea contest): an entry whose project already
    # has an enterprise, or sells (revenue), is refused at submission with the reason.
    ideas_only: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # The media award: the largest file of a press work (an article's PDF, a recording), in MB,
    # as the organizer sets it up to contest.domain.uploads.WORK_FILE_MAX_MB.
    work_file_max_mb: Mapped[int] = mapped_column(Integer, nullable=False, default=20)

    org_unit = relationship("OrgUnit", foreign_keys=[org_unit_id])
    co_organisers = relationship("OrgUnit", secondary="competition_co_organisers", order_by="OrgUnit.code")
    boards: Mapped[list[Board]] = relationship(
        back_populates="competition", order_by="Board.position", cascade="all, delete-orphan"
    )
    fields: Mapped[list[Field]] = relationship(
        back_populates="competition", order_by="Field.position", cascade="all, delete-orphan"
    )
    timeline: Mapped[list[TimelineItem]] = relationship(order_by="TimelineItem.on", cascade="all, delete-orphan")

    def __repr__(self) -> str:
        return f"<Competition {self.slug}>"


class CompetitionCoOrganiser(Base):
    __tablename__ = "competition_co_organisers"

    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="RESTRICT"), primary_key=True)


class Board(Base):
    """Bảng: a track by maturity, e.g. Ý tưởng (ideas) and Dự án (projects)."""

    __tablename__ = "boards"
    __table_args__ = (UniqueConstraint("competition_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False)
    code: Mapped[str] = mapped_column(String(8), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    competition: Mapped[Competition] = relationship(back_populates="boards")


class Field(Base):
    """Lĩnh vực: each edition has its own list."""

    __tablename__ = "fields"
    __table_args__ = (UniqueConstraint("competition_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    competition: Mapped[Competition] = relationship(back_populates="fields")


class TimelineItem(Base):
    __tablename__ = "timeline_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    on: Mapped[date] = mapped_column(Date, nullable=False)
    label: Mapped[str] = mapped_column(String(200), nullable=False)


class CompetitionRole(Base):
    __tablename__ = "competition_roles"
    __table_args__ = (UniqueConstraint("competition_id", "user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    role: Mapped[CompetitionRoleKind] = mapped_column(
        enum_column(CompetitionRoleKind, "competition_role_kind"), nullable=False
    )
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    user = relationship("User", foreign_keys=[user_id])
