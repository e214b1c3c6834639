"""Rubrics (thang điểm) and their criteria (tiêu chí).

A rubric is frozen once a round using it has a score; changing it then makes
a new version (a copy with `previous_id` set), so sheets already scored keep
the criteria they were scored against."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.models.base import Base, TimestampMixin, UTCDateTime

POINTS = Numeric(7, 2)


class Rubric(TimestampMixin, Base):
    __tablename__ = "rubrics"
    __table_args__ = (UniqueConstraint("competition_id", "name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("rubrics.id", ondelete="SET NULL"), nullable=True)
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="rubric", order_by="Criterion.position", cascade="all, delete-orphan"
    )

    @property
    def is_frozen(self) -> bool:
        return self.frozen_at is not None


class Criterion(Base):
    __tablename__ = "criteria"
    __table_args__ = (
        UniqueConstraint("rubric_id", "position"),
        CheckConstraint("max_points > 0", name="max_positive"),
        CheckConstraint("step > 0", name="step_positive"),
        CheckConstraint("weight > 0", name="weight_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id", ondelete="CASCADE"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    max_points: Mapped[Decimal] = mapped_column(POINTS, nullable=False)
    step: Mapped[Decimal] = mapped_column(POINTS, nullable=False, default=Decimal(1))
    weight: Mapped[Decimal] = mapped_column(POINTS, nullable=False, default=Decimal(1))
    required: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # [{"score": 2, "text": "..."}, ...]: what a 2, a 5, an 8 means.
    descriptors: Mapped[list] = mapped_column(JSON, nullable=False, default=list)

    rubric: Mapped[Rubric] = relationship(back_populates="criteria")
