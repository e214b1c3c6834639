"""Rounds (vòng thi: sơ khảo, bán kết, chung kết), who takes part, and which
judge scores which entry."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.models.base import Base, TimestampMixin, UTCDateTime, enum_column


class RoundMode(enum.Enum):
    dossier = "dossier"
    pitch = "pitch"


class EntrySource(enum.Enum):
    all_valid = "all_valid"
    advanced = "advanced"


class RoundState(enum.Enum):
    preparing = "preparing"
    open = "open"
    locked = "locked"


class TimerPhase(enum.Enum):
    idle = "idle"
    presentation = "presentation"
    questions = "questions"
    paused = "paused"


class Round(TimestampMixin, Base):
    __tablename__ = "rounds"
    __table_args__ = (
        UniqueConstraint("competition_id", "position"),
        CheckConstraint("judges_per_entry >= 1", name="judges_per_entry_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    mode: Mapped[RoundMode] = mapped_column(enum_column(RoundMode, "round_mode"), nullable=False)
    entry_source: Mapped[EntrySource] = mapped_column(enum_column(EntrySource, "round_entry_source"), nullable=False)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="RESTRICT"), nullable=False)
    judges_per_entry: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    blind: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    # Chairs may see the panel's scores before the lock when this is on.
    chair_sees_scores: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    chair_judge_id: Mapped[int | None] = mapped_column(ForeignKey("judges.id", ondelete="SET NULL"), nullable=True)
    state: Mapped[RoundState] = mapped_column(
        enum_column(RoundState, "round_state"), nullable=False, default=RoundState.preparing
    )
    locked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    # Results: how scores combine (judging/core/aggregate.py) and who goes on.
    result_method: Mapped[str] = mapped_column(String(16), nullable=False, default="mean")
    result_trim: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    result_min_scores: Mapped[int] = mapped_column(Integer, nullable=False, default=3)
    # [{"kind": "criterion" | "presentation" | "chair_decision", "label": ..., "criterion": id}]
    tie_breaks: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    chair_order: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    advance_top_n: Mapped[int | None] = mapped_column(Integer, nullable=True)
    advance_min_total: Mapped[int | None] = mapped_column(Integer, nullable=True)
    advance_no_zero: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    # Live pitches: lengths, the recorded draw and the shared timer.
    presentation_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=420)
    questions_seconds: Mapped[int] = mapped_column(Integer, nullable=False, default=600)
    pitch_seed: Mapped[str | None] = mapped_column(String(64), nullable=True)
    pitch_drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    timer_entry_id: Mapped[int | None] = mapped_column(ForeignKey("entries.id", ondelete="SET NULL"), nullable=True)
    timer_phase: Mapped[TimerPhase] = mapped_column(
        enum_column(TimerPhase, "timer_phase"), nullable=False, default=TimerPhase.idle
    )
    timer_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    timer_remaining: Mapped[int | None] = mapped_column(Integer, nullable=True)

    competition = relationship("Competition")
    rubric = relationship("Rubric")
    chair = relationship("Judge", foreign_keys=[chair_judge_id])
    entries: Mapped[list[RoundEntry]] = relationship(
        back_populates="round", cascade="all, delete-orphan", order_by="RoundEntry.id"
    )


class RoundEntry(Base):
    """An entry taking part in a round."""

    __tablename__ = "round_entries"
    __table_args__ = (UniqueConstraint("round_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True)
    pitch_position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    # Goes on to the next round (set when results are decided).
    advanced: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    round: Mapped[Round] = relationship(back_populates="entries")
    entry = relationship("Entry")


class Assignment(Base):
    __tablename__ = "assignments"
    __table_args__ = (UniqueConstraint("round_id", "judge_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id", ondelete="CASCADE"), nullable=False, index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # Set by hand by an organizer (kept by later automatic runs).
    manual: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)

    judge = relationship("Judge")
    entry = relationship("Entry")
