"""Judges (giám khảo) of a competition and their conflicts of interest."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.models.base import Base, TimestampMixin, UTCDateTime


class ConflictSource(enum.Enum):
    declared = "declared"  # the judge said so
    proposed = "proposed"  # the system suspects it


class ConflictStatus(enum.Enum):
    pending = "pending"
    confirmed = "confirmed"
    dismissed = "dismissed"


class Judge(TimestampMixin, Base):
    __tablename__ = "judges"
    __table_args__ = (UniqueConstraint("competition_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True)
    organisation: Mapped[str | None] = mapped_column(String(200), nullable=True)
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id", ondelete="SET NULL"), nullable=True)
    # The person in the province's expert registry (set when invited from it, or on accepting).
    expert_id: Mapped[int | None] = mapped_column(
        ForeignKey("experts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    # Ids of the competition's fields (lĩnh vực) the judge knows.
    field_ids: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    max_entries: Mapped[int | None] = mapped_column(nullable=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    user = relationship("User")
    org_unit = relationship("OrgUnit")
    competition = relationship("Competition")
    expert = relationship("Expert")


class Conflict(Base):
    """A possible or real conflict of interest between a judge and an entry.
    Confirmed (or declared) conflicts exclude the pair everywhere."""

    __tablename__ = "conflicts"
    __table_args__ = (UniqueConstraint("judge_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id", ondelete="CASCADE"), nullable=False, index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True)
    source: Mapped[ConflictSource] = mapped_column(
        Enum(ConflictSource, name="conflict_source", native_enum=False, length=16), nullable=False
    )
    status: Mapped[ConflictStatus] = mapped_column(
        Enum(ConflictStatus, name="conflict_status", native_enum=False, length=16), nullable=False
    )
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    judge = relationship("Judge")
    entry = relationship("Entry")
