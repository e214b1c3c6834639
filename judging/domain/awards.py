"""Awards: tiers per competition, proposed per board from the final round's
frozen standings, adjustable with a reason; sponsors' special prizes by hand."""

from __future__ import annotations

from collections import defaultdict

from flask_babel import gettext as _
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from contest.domain import audit, certificates
from contest.domain.errors import Conflict, DomainError
from contest.extensions import db
from contest.i18n import format_number
from contest.models import Competition, CompetitionLevel, Entry
from contest.models.base import length_of, utcnow
from contest.transactions import atomic
from judging.domain.results import out_of_the_running, refuse_if_ranking_out_of_the_running
from judging.models import Award, AwardTier, ResultSnapshot

DEFAULT_TIERS = (
    ("Giải Nhất", 1, 50_000_000),
    ("Giải Nhì", 1, 30_000_000),
    ("Giải Ba", 1, 20_000_000),
    ("Giải Khuyến khích", 2, 10_000_000),
)
# The Youth Union's idea contests also honour ideas (tuyên dương) after the prizes.
HONOURING_TIER = ("Tuyên dương ý tưởng", 5, None)
NAME_MAX = length_of(AwardTier.__table__.c.name)
COUNT_MAX = 1_000  # awards of one tier per board
PRIZE_MAX = 1_000_000_000_000  # đồng: far above any contest, far below the column's limit


def tiers_of(competition: Competition) -> list[AwardTier]:
    return list(
        db.session.scalars(
            select(AwardTier).where(AwardTier.competition_id == competition.id).order_by(AwardTier.position)
        )
    )


def add_tier(
    competition: Competition, name: str, count_per_board: int, prize_amount: int | None, special: bool = False
) -> AwardTier:
    if not name.strip():
        raise DomainError(_("Name the award."), field="name")
    if len(name.strip()) > NAME_MAX:  # the column's limit: PostgreSQL would refuse the row with a 500
        raise DomainError(_("At most %(max)d characters.", max=NAME_MAX), field="name")
    if count_per_board < 1:
        raise DomainError(_("At least one award per board."), field="count_per_board")
    if count_per_board > COUNT_MAX:  # an integer column: a 500 on PostgreSQL past 2^31
        raise DomainError(
            _("Number must be between %(min)s and %(max)s.", min=1, max=COUNT_MAX), field="count_per_board"
        )
    if prize_amount is not None and not 0 <= prize_amount <= PRIZE_MAX:
        raise DomainError(
            _("Number must be between %(min)s and %(max)s.", min=0, max=format_number(PRIZE_MAX)), field="prize_amount"
        )
    position = (
        db.session.scalar(select(func.max(AwardTier.position)).where(AwardTier.competition_id == competition.id)) or 0
    ) + 1
    tier = AwardTier(
        competition_id=competition.id,
        position=position,
        name=name.strip(),
        count_per_board=count_per_board,
        prize_amount=prize_amount,
        special=special,
    )
    db.session.add(tier)
    db.session.flush()
    audit.record(
        "award.tier_added",
        "award_tier",
        tier.id,
        competition_id=competition.id,
        after={"name": tier.name, "count": count_per_board, "prize": prize_amount},
    )
    return tier


def default_tiers(competition: Competition) -> tuple[tuple[str, int, int | None], ...]:
    if competition.level is CompetitionLevel.youth_idea:
        return (*DEFAULT_TIERS, HONOURING_TIER)
    return DEFAULT_TIERS


def ensure_default_tiers(competition: Competition) -> None:
    if not tiers_of(competition):
        for name, count, prize in default_tiers(competition):
            add_tier(competition, name, count, prize)


def awards_of(competition: Competition) -> list[Award]:
    return list(
        db.session.scalars(
            select(Award)
            .join(AwardTier)
            .where(AwardTier.competition_id == competition.id)
            .order_by(AwardTier.position, Award.id)
        )
    )


def propose(competition: Competition, snapshot: ResultSnapshot) -> list[Award]:
    """Replace the non-special awards with the standings' proposal, per board."""
    tiers = [t for t in tiers_of(competition) if not t.special]
    if not tiers:
        raise DomainError(_("Define the award tiers first."))
    refuse_if_ranking_out_of_the_running(snapshot)
    by_board = defaultdict(list)
    for standing in sorted(snapshot.standings, key=lambda s: (s["rank"], s["code"] or "")):
        by_board[standing["board"]].append(standing)
    slots = [tier for tier in tiers for _i in range(tier.count_per_board)]
    plan = []
    for rows in by_board.values():
        given = [(standing, slots[i] if i < len(slots) else None) for i, standing in enumerate(rows)]
        _refuse_a_tie_across_a_line(given)
        plan += [(standing, tier) for standing, tier in given if tier is not None]
    # One change to the awards at a time (a double click): the next waits and replaces this one's.
    db.session.execute(select(Competition.id).where(Competition.id == competition.id).with_for_update())
    before = [(a.tier.name, a.entry_id) for a in awards_of(competition) if not a.tier.special]
    db.session.execute(delete(Award).where(Award.tier_id.in_([t.id for t in tiers])))
    now, created = utcnow(), []
    for standing, tier in plan:
        award = Award(tier_id=tier.id, entry_id=standing["entry"], created_at=now)
        db.session.add(award)
        created.append(award)
    db.session.flush()
    _revoke_certificates_of_lost(
        competition,
        {(entry_id, name) for name, entry_id in before},
        _("The awards were proposed again from the results and this award no longer goes to this entry."),
    )
    audit.record(
        "award.proposed",
        "competition",
        competition.id,
        competition_id=competition.id,
        before={"awards": before},
        after={"awards": [(a.tier_id, a.entry_id) for a in created], "snapshot": snapshot.id},
    )
    return created


def _refuse_a_tie_across_a_line(given: list[tuple[dict, AwardTier | None]]) -> None:
    """Entries sharing a rank must not get different awards (or one an award and the
    other none) because of the order of their codes: the jury decides between them."""
    for (upper, upper_tier), (lower, lower_tier) in zip(given, given[1:], strict=False):
        if upper["rank"] == lower["rank"] and upper_tier is not lower_tier:
            tied = [s["code"] or str(s["entry"]) for s, _t in given if s["rank"] == upper["rank"]]
            raise DomainError(
                _(
                    "%(codes)s are tied across the line between %(upper)s and %(lower)s. Record the chair's "
                    "decision between them (a tie-break) and freeze the results again.",
                    codes=", ".join(tied),
                    upper=upper_tier.name if upper_tier else _("no award"),
                    lower=lower_tier.name if lower_tier else _("no award"),
                )
            )


def give(tier: AwardTier, entry: Entry, reason: str | None) -> Award:
    """Give an award by hand (a sponsor's prize, or a change to the proposal)."""
    reason = (reason or "").strip() or None
    if not tier.special and not reason:
        raise DomainError(_("Changing the proposed awards needs a reason."), field="reason")
    if entry.competition_id != tier.competition_id:
        raise DomainError(_("This entry is not in the competition."))
    if out_of_the_running(entry):
        raise DomainError(_("%(code)s is withdrawn or marked invalid: it cannot be awarded.", code=entry.code))
    held = [a.tier for a in db.session.scalars(select(Award).where(Award.entry_id == entry.id))]
    taken = _("%(code)s already holds %(award)s.", code=entry.code, award=tier.name)
    if any(t.id == tier.id for t in held):  # the same form sent twice
        raise DomainError(taken)
    ranked = next((t for t in held if not t.special), None)
    if not tier.special and ranked is not None:
        # The results page shows one award per entry: a second would be hidden there but printed on certificates.
        raise DomainError(
            _(
                "%(code)s already holds %(award)s: take that award back first.",
                code=entry.code,
                award=ranked.name,
            )
        )
    award = Award(tier_id=tier.id, entry_id=entry.id, reason=reason, created_at=utcnow())
    try:
        with atomic():
            db.session.add(award)
            db.session.flush()
    except IntegrityError:  # the same award given at the same moment by another request
        raise DomainError(taken) from None
    audit.record(
        "award.given",
        "award",
        award.id,
        competition_id=tier.competition_id,
        after={"tier": tier.name, "entry": entry.code},
        reason=reason,
    )
    return award


def take_back(award: Award, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Removing an award needs a reason."), field="reason")
    # Removed by another request meanwhile (a double click): say so, and record one removal.
    db.session.execute(select(Competition.id).where(Competition.id == award.tier.competition_id).with_for_update())
    if db.session.scalar(select(Award.id).where(Award.id == award.id)) is None:
        raise Conflict(_("This award has already been removed."))
    audit.record(
        "award.removed",
        "award",
        award.id,
        competition_id=award.tier.competition_id,
        before={"tier": award.tier.name, "entry": award.entry.code},
        reason=reason,
    )
    competition = db.session.get_one(Competition, award.tier.competition_id)
    lost = {(award.entry_id, award.tier.name)}
    db.session.delete(award)
    db.session.flush()
    _revoke_certificates_of_lost(competition, lost, reason)


def _revoke_certificates_of_lost(competition: Competition, lost: set[tuple[int, str]], reason: str) -> None:
    """Certificates of awards (entry, award name) the entry holds no more are revoked."""
    held = {(a.entry_id, a.tier.name) for a in awards_of(competition)}
    for entry_id, name in sorted(lost - held):
        certificates.revoke_award(competition.id, entry_id, name, reason)
