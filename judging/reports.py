"""What judging tells the reports (contest.domain.reports): each competition's
rounds, the rounds each entry took part in, and the awards each entry won.
Awards count once the results are public, not while they are proposals."""

from __future__ import annotations

from sqlalchemy import select

from contest.domain.reports import ContestOutcomes
from contest.extensions import db
from contest.models.base import utcnow
from judging.models import Award, AwardTier, Publication, Round, RoundEntry


def report_outcomes(competition_ids: list[int]) -> ContestOutcomes:
    found = ContestOutcomes()
    if not competition_ids:
        return found
    rounds = db.session.execute(
        select(Round.id, Round.competition_id, Round.position, Round.name)
        .where(Round.competition_id.in_(competition_ids))
        .order_by(Round.competition_id, Round.position)
    ).all()
    position_of = {}
    for round_id, competition_id, position, name in rounds:
        found.rounds[competition_id] = (*found.rounds.get(competition_id, ()), (position, name))
        position_of[round_id] = position
    reached: dict[int, list[int]] = {}
    for round_id, entry_id in db.session.execute(
        select(RoundEntry.round_id, RoundEntry.entry_id).where(RoundEntry.round_id.in_(list(position_of)))
    ):
        reached.setdefault(entry_id, []).append(position_of[round_id])
    found.reached = {entry_id: tuple(sorted(positions)) for entry_id, positions in reached.items()}
    announced = select(Publication.competition_id).where(
        Publication.competition_id.in_(competition_ids),
        Publication.withdrawn_at.is_(None),
        Publication.publish_at <= utcnow(),
    )
    for entry_id, name, prize in db.session.execute(
        select(Award.entry_id, AwardTier.name, AwardTier.prize_amount)
        .join(AwardTier, AwardTier.id == Award.tier_id)
        .where(AwardTier.competition_id.in_(announced))
        .order_by(AwardTier.position)
    ):
        found.awards[entry_id] = (*found.awards.get(entry_id, ()), (name, prize or 0))
    return found
