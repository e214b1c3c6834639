"""Results: frozen snapshots of a round's standings, award tiers and awards,
and publications (what the public sees, immutable once written)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.models.base import Base, UTCDateTime


class ResultSnapshot(Base):
    """A round's results as frozen: every input score, their hash, the sheets
    left out and why, the method and parameters, the software version and the
    standings. Never updated, only withdrawn (with a reason) and replaced by a
    newer version."""

    __tablename__ = "result_snapshots"
    __table_args__ = (UniqueConstraint("round_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    method: Mapped[str] = mapped_column(String(16), nullable=False)
    params: Mapped[dict] = mapped_column(JSON, nullable=False)
    inputs: Mapped[list] = mapped_column(JSON, nullable=False)
    inputs_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # The submitted sheets left out of `inputs` and why (a confirmed conflict of
    # interest between judge and entry): judging.domain.counting.Exclusion.as_json.
    excluded: Mapped[list] = mapped_column(JSON, nullable=False, default=list)
    standings: Mapped[list] = mapped_column(JSON, nullable=False)
    software_version: Mapped[str] = mapped_column(String(40), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    round = relationship("Round")


class AwardTier(Base):
    """Giải Nhất, Nhì, Ba, Khuyến khích, or the organizer's own; `special`
    tiers are sponsors' prizes given by hand, not from the standings."""

    __tablename__ = "award_tiers"
    __table_args__ = (UniqueConstraint("competition_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    name: Mapped[str] = mapped_column(String(120), nullable=False)
    count_per_board: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    prize_amount: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    special: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)


class Award(Base):
    __tablename__ = "awards"
    __table_args__ = (UniqueConstraint("tier_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tier_id: Mapped[int] = mapped_column(ForeignKey("award_tiers.id", ondelete="CASCADE"), nullable=False)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True)
    # Set when an organizer changed the proposal: why.
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)

    tier: Mapped[AwardTier] = relationship()
    entry = relationship("Entry")


class Publication(Base):
    """What the public results page shows, written once. A correction is a
    new version; the withdrawn one stays readable by organizers."""

    __tablename__ = "publications"
    __table_args__ = (UniqueConstraint("competition_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("result_snapshots.id", ondelete="RESTRICT"), nullable=False)
    publish_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    content: Mapped[dict] = mapped_column(JSON, nullable=False)
    content_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    feedback_released: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    snapshot: Mapped[ResultSnapshot] = relationship()
