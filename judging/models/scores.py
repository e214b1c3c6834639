"""Score sheets: one per (judge, entry, round), so a later round never
overwrites an earlier one, and one score per criterion on the sheet."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.models.base import Base, UTCDateTime
from judging.models.rubrics import POINTS


class ScoreSheet(Base):
    __tablename__ = "score_sheets"
    __table_args__ = (UniqueConstraint("round_id", "judge_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id", ondelete="CASCADE"), nullable=False, index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True)
    comment: Mapped[str] = mapped_column(Text, nullable=False, default="")
    comment_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Sheet-level changes (creation, comment); each score keeps its own changed_at.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    scores: Mapped[list[Score]] = relationship(back_populates="sheet", cascade="all, delete-orphan")


class Score(Base):
    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("sheet_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("score_sheets.id", ondelete="CASCADE"), nullable=False)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="RESTRICT"), nullable=False)
    value: Mapped[Decimal] = mapped_column(POINTS, nullable=False)
    # When the judge made the change on their device (clamped to the server's
    # clock): with two devices the later change wins, whatever order they arrive in.
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    device: Mapped[str | None] = mapped_column(String(64), nullable=True)

    sheet: Mapped[ScoreSheet] = relationship(back_populates="scores")


class AppliedChange(Base):
    """Idempotency keys of changes already applied: a change the tablet sends
    twice (a retry after a lost answer) is applied once."""

    __tablename__ = "applied_changes"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    judge_id: Mapped[int] = mapped_column(ForeignKey("judges.id", ondelete="CASCADE"), nullable=False)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    # SHA-256 of what the key stood for (round, entry, criterion, value): a key
    # sent again for another change is refused, not taken for a resend.
    fingerprint: Mapped[str | None] = mapped_column(String(64), nullable=True)
