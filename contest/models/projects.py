"""Startup projects (dự án khởi nghiệp) as records of their own, outliving any
one contest; the enterprises they become (one per registration number across
the system); nominations between levels; and the plans whose targets the
indicators are read against."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from contest.models.base import Base, TimestampMixin, UTCDateTime, enum_column, utcnow


class Project(TimestampMixin, Base):
    """One startup project. Every entry is this project's participation in one
    competition; a nominated entry and its source share the project."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(250), nullable=False, default="")
    field_name: Mapped[str | None] = mapped_column(String(120), nullable=True)

    entries = relationship("Entry", back_populates="project", order_by="Entry.id")
    enterprises = relationship("Enterprise", back_populates="project", order_by="Enterprise.founded_on")


class Enterprise(TimestampMixin, Base):
    """The enterprise a project became: its registration number (mã số doanh
    nghiệp) is unique across the system, so recording it twice is one enterprise."""

    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_number: Mapped[str] = mapped_column(String(40), nullable=False, unique=True)
    name: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    founded_on: Mapped[date] = mapped_column(Date, nullable=False)
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), nullable=True, index=True
    )
    source: Mapped[str] = mapped_column(String(300), nullable=False, default="")

    project = relationship("Project", back_populates="enterprises")


class NominationState(enum.Enum):
    proposed = "proposed"
    accepted = "accepted"
    declined = "declined"
    withdrawn = "withdrawn"


class Nomination(Base):
    """A lower-level competition proposes one of its entries to an upper-level
    one; the upper level accepts (the project becomes its entry) or declines."""

    __tablename__ = "nominations"
    __table_args__ = (UniqueConstraint("source_entry_id", "target_competition_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_entry_id: Mapped[int] = mapped_column(
        ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True
    )
    target_competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    state: Mapped[NominationState] = mapped_column(
        enum_column(NominationState, "nomination_state"), nullable=False, default=NominationState.proposed
    )
    # What the lower level's results said when it proposed: "Giải Nhất", "Vào vòng Chung kết".
    source_result: Mapped[str] = mapped_column(String(300), nullable=False, default="")
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    proposed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    # The upper competition's entry made on acceptance.
    accepted_entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"), nullable=True)

    source_entry = relationship("Entry", foreign_keys=[source_entry_id])
    accepted_entry = relationship("Entry", foreign_keys=[accepted_entry_id])
    target = relationship("Competition")
    proposed_by = relationship("User", foreign_keys=[proposed_by_id])


class NominationQuota(Base):
    """At most `quota` accepted nominations from one source unit into a competition."""

    __tablename__ = "nomination_quotas"
    __table_args__ = (UniqueConstraint("competition_id", "org_unit_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id", ondelete="CASCADE"), nullable=False)
    quota: Mapped[int] = mapped_column(Integer, nullable=False)


def _give_entries_their_project(session, _flush_context, _instances) -> None:
    """Every entry belongs to a project: a new entry without one gets its own,
    named after the entry. Only new entries are looked at, so saving a draft
    costs no extra statement."""
    from contest.models.entries import Entry

    for obj in list(session.new):
        if isinstance(obj, Entry) and obj.project is None and obj.project_id is None:
            obj.project = Project(name=obj.title or "")
            session.add(obj.project)


event.listen(Session, "before_flush", _give_entries_their_project)
