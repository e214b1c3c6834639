"""The audience vote (giải do khán giả bình chọn): a voting category opened by
the organizers on chosen entries for a period; voters who confirmed an e-mail
address by a one-time code; one vote per category per address, held by the
database; voided votes kept with their reason; the final count frozen."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contest.models.base import Base, UTCDateTime


class VoteCampaign(Base):
    """One voting category (hạng mục bình chọn) of a competition."""

    __tablename__ = "vote_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("competitions.id", ondelete="CASCADE"), nullable=False, index=True
    )
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    # Whether visitors see the running count; hidden, only the frozen one is shown.
    count_public: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # Refuse addresses at throwaway-mail domains (judging.domain.votes.DISPOSABLE_DOMAINS).
    refuse_disposable: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    # This many votes from one network within the burst window are flagged for the organizers.
    burst_threshold: Mapped[int] = mapped_column(Integer, nullable=False, default=20)
    # Networks the organizers trust (the hall's Wi-Fi at the ceremony), as CIDR strings such as
    # "203.113.5.0/24": their votes are never flagged as a burst (judging.domain.votes.is_trusted).
    trusted_networks: Mapped[list[str]] = mapped_column(JSON, nullable=False, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    # Set when the final count is first frozen: no vote is taken after it.
    frozen_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    competition = relationship("Competition")
    candidates: Mapped[list[VoteCandidate]] = relationship(
        back_populates="campaign", order_by="VoteCandidate.position", cascade="all, delete-orphan"
    )


class VoteCandidate(Base):
    """An entry chosen for a voting category."""

    __tablename__ = "vote_candidates"
    __table_args__ = (UniqueConstraint("campaign_id", "entry_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("vote_campaigns.id", ondelete="CASCADE"), nullable=False)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entries.id", ondelete="CASCADE"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    campaign: Mapped[VoteCampaign] = relationship(back_populates="candidates")
    entry = relationship("Entry")


class VoteCode(Base):
    """A one-time code sent to an address (through the outbox); only its HMAC is kept."""

    __tablename__ = "vote_codes"
    __table_args__ = (Index("ix_vote_codes_campaign_id_email", "campaign_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("vote_campaigns.id", ondelete="CASCADE"), nullable=False)
    email: Mapped[str] = mapped_column(String(254), nullable=False)
    code_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Vote(Base):
    """One confirmed address's vote in one category: the unique constraint is the
    rule "one person, one vote", whatever two requests do at the same moment.
    A voided vote stays, with who voided it and why, and still takes the address."""

    __tablename__ = "votes"
    __table_args__ = (
        UniqueConstraint("campaign_id", "voter_email"),
        Index("ix_votes_campaign_id_network_created_at", "campaign_id", "network", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("vote_campaigns.id", ondelete="CASCADE"), nullable=False)
    candidate_id: Mapped[int] = mapped_column(
        ForeignKey("vote_candidates.id", ondelete="CASCADE"), nullable=False, index=True
    )
    voter_email: Mapped[str] = mapped_column(String(254), nullable=False)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    # The voter's network (IPv4 /24, IPv6 /64), for the burst check; never the full address.
    network: Mapped[str] = mapped_column(String(64), nullable=False, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    flagged: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    voided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)
    void_reason: Mapped[str | None] = mapped_column(Text, nullable=True)

    candidate: Mapped[VoteCandidate] = relationship()


class VoteSnapshot(Base):
    """The final count, frozen: per entry, the votes that count; every voided vote
    with its reason; their hash. Never updated; a later freeze is a new version."""

    __tablename__ = "vote_snapshots"
    __table_args__ = (UniqueConstraint("campaign_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("vote_campaigns.id", ondelete="CASCADE"), nullable=False, index=True
    )
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    counts: Mapped[list] = mapped_column(JSON, nullable=False)
    voided: Mapped[list] = mapped_column(JSON, nullable=False)
    inputs_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    # The award the category gives (its winner gets it through judging.domain.awards).
    award_tier_id: Mapped[int | None] = mapped_column(ForeignKey("award_tiers.id", ondelete="SET NULL"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), nullable=True)

    campaign: Mapped[VoteCampaign] = relationship()
    award_tier = relationship("AwardTier")
