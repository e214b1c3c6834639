"""The audience vote in `flask demo`: this year's provincial contest has a
public vote running (a few hundred votes, a burst from one network flagged and
voided with its reason); last year's youth idea contest has its vote frozen,
carrying the award "Giải do khán giả bình chọn". Idempotent."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import select

from contest.domain.competitions import find_by_slug
from contest.extensions import db
from contest.models import Entry, EntryStatus, EntryValidity, User
from contest.models.base import utcnow
from judging.domain import awards, votes
from judging.models import Vote, VoteCampaign

CURRENT = "khoi-nghiep-quang-ngai-2026"
YOUTH_2025 = "y-tuong-khoi-nghiep-thanh-nien-2025"
NAMES = ["an", "binh", "chi", "dung", "giang", "ha", "hieu", "khanh", "lan", "linh", "minh", "nam", "phuong"]
DOMAINS = ["gmail.com", "yahoo.com.vn", "outlook.com", "quangngai.gov.vn", "pdu.edu.vn"]


def load_vote_demo() -> None:
    organizer = db.session.scalar(select(User).where(User.email == "btc@demo.quangngai.vn"))
    _running(organizer)
    _frozen(organizer)
    db.session.commit()


def _valid_entries(competition, count: int) -> list[Entry]:
    return list(
        db.session.scalars(
            select(Entry)
            .where(
                Entry.competition_id == competition.id,
                Entry.status == EntryStatus.submitted,
                Entry.validity == EntryValidity.valid,
            )
            .order_by(Entry.code)
            .limit(count)
        )
    )


def _cast_many(campaign, entries, rnd: random.Random, count: int, prefix: str) -> None:
    weights = [rnd.uniform(0.5, 3.0) for _ in entries]
    for i in range(count):
        entry = rnd.choices(entries, weights)[0]
        email = f"{rnd.choice(NAMES)}.{prefix}{i}@{rnd.choice(DOMAINS)}"
        network = f"113.{160 + i % 40}.{rnd.randint(0, 255)}.0/24"
        votes.cast_vote(campaign, entry.id, email, network=network)


def _running(organizer) -> None:
    competition = find_by_slug(CURRENT)
    if competition is None or db.session.scalar(
        select(VoteCampaign.id).where(VoteCampaign.competition_id == competition.id)
    ):
        return
    entries = _valid_entries(competition, 8)
    if not entries:
        return
    now = utcnow()
    campaign = votes.create_campaign(
        competition,
        name="Giải do khán giả bình chọn",
        opens_at=now - timedelta(days=3),
        closes_at=now + timedelta(days=10),
        entry_ids=[e.id for e in entries],
        count_public=True,
        by=organizer,
    )
    rnd = random.Random(26)
    _cast_many(campaign, entries, rnd, 320, "bc")
    # A script votes for one entry from one network: flagged, and the organizers void it.
    for i in range(campaign.burst_threshold + 6):
        votes.cast_vote(campaign, entries[-1].id, f"may.ao{i}@gmail.com", network="14.232.10.0/24")
    if organizer is not None:
        votes.void_burst(
            campaign, "14.232.10.0/24", "Bỏ phiếu hàng loạt bằng kịch bản từ một mạng trong 2 phút", organizer
        )


def _frozen(organizer) -> None:
    competition = find_by_slug(YOUTH_2025)
    if (
        competition is None
        or organizer is None
        or db.session.scalar(select(VoteCampaign.id).where(VoteCampaign.competition_id == competition.id))
    ):
        return
    entries = _valid_entries(competition, 6)
    if not entries:
        return
    now = utcnow()
    campaign = votes.create_campaign(
        competition,
        name="Ý tưởng được yêu thích nhất",
        opens_at=now - timedelta(days=30),
        closes_at=now + timedelta(days=1),
        entry_ids=[e.id for e in entries],
        count_public=False,
        by=organizer,
    )
    rnd = random.Random(2025)
    _cast_many(campaign, entries, rnd, 180, "yt")
    doubled = db.session.scalars(select(Vote.id).where(Vote.campaign_id == campaign.id).limit(3)).all()
    votes.void_votes(campaign, list(doubled), "Cùng một người dùng ba địa chỉ e-mail (đã xác minh)", organizer)
    campaign.closes_at = now - timedelta(hours=1)
    tier = awards.add_tier(competition, "Giải do khán giả bình chọn", 1, 3_000_000, special=True)
    votes.freeze(campaign, organizer, tier)
