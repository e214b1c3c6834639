"""Publishing results: an immutable publication written from a frozen snapshot
and the awards, shown from a scheduled time, never recomputed. Corrections
withdraw it with a reason and write a new version. Nothing is published while the
snapshot or the awards no longer stand for the scores (`stale_reason`)."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import datetime
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import func, select

from contest import cache
from contest.domain import audit
from contest.domain.accounts import external_url
from contest.domain.errors import Conflict, DomainError
from contest.domain.outbox import queue_mail
from contest.extensions import db
from contest.i18n import format_moment
from contest.models import Competition, CompetitionState, Entry, EntryStatus, Team
from contest.models.base import utcnow
from contest.transactions import after_commit
from judging.domain.awards import awards_of
from judging.domain.counting import sheet_counts
from judging.domain.results import out_of_the_running, refuse_if_ranking_out_of_the_running, scores_changed_since
from judging.models import Award, AwardTier, Publication, ResultSnapshot, Round, RoundState, ScoreSheet


def build_content(competition: Competition, snapshot: ResultSnapshot) -> dict:
    awards = awards_of(competition)
    award_of = {a.entry_id: a for a in awards if not a.tier.special}
    specials = defaultdict(list)
    for a in awards:
        if a.tier.special:
            specials[a.entry_id].append(a.tier.name)
    boards = {b.id: b.name for b in competition.boards}
    rows_by_board = defaultdict(list)
    for s in sorted(snapshot.standings, key=lambda s: (s["rank"], s["code"] or "")):
        award = award_of.get(s["entry"])
        rows_by_board[s["board"]].append(
            {
                "rank": s["rank"],
                "code": s["code"],
                "title": s["title"],
                "team": s["team"] if s["show_name"] else None,
                "score": round(s["score"], 2),
                "award": award.tier.name if award else None,
                "award_position": award.tier.position if award else None,
                "prize": award.tier.prize_amount if award else None,
                "special": specials.get(s["entry"], []),
            }
        )
    # Awards to entries the standings do not hold (a sponsor's or the audience's prize
    # for an entry that left in an earlier round): their certificates are printed too.
    ranked = {s["entry"] for s in snapshot.standings}
    other_awards = [
        {
            "award": a.tier.name,
            "code": a.entry.code,
            "title": a.entry.title,
            "team": a.entry.team.name if a.entry.team.show_names_publicly else None,
            "prize": a.tier.prize_amount,
        }
        for a in awards
        if a.entry_id not in ranked
    ]
    return {
        "competition": competition.name,
        "slug": competition.slug,
        "other_awards": other_awards,
        "round": snapshot.round.name,
        "method": snapshot.method,
        "inputs_hash": snapshot.inputs_hash,
        "snapshot_version": snapshot.version,
        "boards": [
            {"board": boards.get(board, ""), "rows": rows}
            for board, rows in sorted(
                rows_by_board.items(), key=lambda kv: list(boards).index(kv[0]) if kv[0] in boards else 99
            )
        ],
    }


def board_ranks(rows: list[dict]) -> list[int]:
    """Each row's rank within its board, from the overall ranks the publication
    keeps (rows in rank order): 1 for the board's best, ties sharing a rank and
    the next rank skipping as many (1, 2, 2, 4), as the overall ranks do."""
    ranks = [row["rank"] for row in rows]
    return [1 + sum(1 for other in ranks if other < rank) for rank in ranks]


def _hash(content: dict) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def current_publication_row(competition: Competition) -> Publication | None:
    """The newest publication not withdrawn, whether or not its time has come."""
    return db.session.scalar(
        select(Publication)
        .where(Publication.competition_id == competition.id, Publication.withdrawn_at.is_(None))
        .order_by(Publication.version.desc())
    )


def stale_reason(competition: Competition, snapshot: ResultSnapshot) -> str | None:
    """Why publishing `snapshot` with the competition's awards now would publish results that
    no longer hold, or None. An award keeps no record of the snapshot it was decided on, so:
    the scores must still be those the snapshot froze (its inputs' hash), and the awards that
    follow the standings (every tier but the sponsors' special prizes) must have been decided
    after it was frozen."""
    if scores_changed_since(snapshot):
        return _(
            "The scores of %(round)s have changed since its results were frozen (version %(v)d): a score sheet "
            "was changed, left out or counted again. The awards were decided on results that no longer hold. "
            "Freeze the results again, with the reason, then propose the awards again before publishing.",
            round=snapshot.round.name,
            v=snapshot.version,
        )
    decided_before = db.session.scalar(
        select(func.count(Award.id))
        .join(AwardTier, AwardTier.id == Award.tier_id)
        .where(
            AwardTier.competition_id == competition.id,
            AwardTier.special.is_(False),
            Award.created_at < snapshot.created_at,
        )
    )
    if decided_before:
        return _(
            "The awards were decided before the results of %(round)s were last frozen (version %(v)d, %(time)s), "
            "so they may follow older standings. Propose the awards again from these results (then make any "
            "change by hand) before publishing.",
            round=snapshot.round.name,
            v=snapshot.version,
            time=format_moment(snapshot.created_at),
        )
    return None


def publish(
    competition: Competition,
    snapshot: ResultSnapshot,
    publish_at: datetime,
    user,
    feedback_released: bool = False,
    reason: str | None = None,
) -> Publication:
    if snapshot.withdrawn_at is not None:
        raise Conflict(_("These results have been withdrawn."))
    refuse_if_ranking_out_of_the_running(snapshot)
    unfit = sorted({a.entry.code or "" for a in awards_of(competition) if out_of_the_running(a.entry)})
    if unfit:
        raise Conflict(
            _(
                "%(codes)s hold an award but are withdrawn or marked invalid: take their awards back first.",
                codes=", ".join(unfit),
            )
        )
    stale = stale_reason(competition, snapshot)
    if stale:
        raise Conflict(stale, code="stale_results")
    # One publication at a time: the next waits, then finds this one and asks for a reason.
    db.session.execute(select(Competition.id).where(Competition.id == competition.id).with_for_update())
    previous = current_publication_row(competition)
    reason = (reason or "").strip() or None
    if previous is not None:
        if not reason:
            raise DomainError(
                _("Results are already published or scheduled. To replace them, give the reason."), field="reason"
            )
        previous.withdrawn_at, previous.withdrawn_reason = utcnow(), reason
    content = build_content(competition, snapshot)
    version = (
        db.session.scalar(select(func.max(Publication.version)).where(Publication.competition_id == competition.id))
        or 0
    ) + 1
    publication = Publication(
        competition_id=competition.id,
        version=version,
        snapshot_id=snapshot.id,
        publish_at=publish_at,
        content=content,
        content_hash=_hash(content),
        feedback_released=feedback_released,
        created_at=utcnow(),
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(publication)
    db.session.flush()
    if previous is None:
        _queue_result_mails(competition, publication)
    audit.record(
        "results.published",
        "publication",
        publication.id,
        competition_id=competition.id,
        before={"publication": previous.id} if previous else None,
        after={"version": version, "publish_at": publish_at.isoformat(), "hash": publication.content_hash},
        reason=reason,
    )
    slug = competition.slug
    after_commit(lambda: forget_cached(slug))  # cleared once visible: a reader meanwhile cannot keep the old one
    return publication


def _queue_result_mails(competition: Competition, publication: Publication) -> None:
    """One mail per team, held in the outbox until the announcement time."""
    teams = db.session.scalars(
        select(Team)
        .join(Entry, Entry.team_id == Team.id)
        .where(Team.competition_id == competition.id, Entry.status == EntryStatus.submitted)
    ).all()
    url = external_url("results.public_results", slug=competition.slug)
    for team in teams:
        message = queue_mail(
            team.leader.email,
            "results_announced",
            locale=team.leader.locale,
            team=team,
            competition=competition,
            results_url=url,
        )
        message.next_attempt_at = publication.publish_at


def withdraw(publication: Publication, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for withdrawing the results."), field="reason")
    publication.withdrawn_at, publication.withdrawn_reason = utcnow(), reason
    audit.record(
        "results.withdrawn",
        "publication",
        publication.id,
        competition_id=publication.competition_id,
        before={"hash": publication.content_hash},
        reason=reason,
    )
    slug = db.session.scalar(select(Competition.slug).where(Competition.id == publication.competition_id))
    if slug is not None:
        after_commit(lambda: forget_cached(slug))


# -- what the public sees, cached: publications never change, so the only thing
# to look up is which one is current. That is kept in the app's cache for a
# minute and forgotten (in every process, when the cache is in Redis) whenever
# a publication is made or withdrawn; "nothing published" is never kept.

LOOKUP_SECONDS = 60


def forget_cached(slug: str) -> None:
    cache.forget(_lookup_key(slug))


def _lookup_key(slug: str) -> str:
    return f"publication:{slug}"


class VisiblePublication(NamedTuple):
    """Enough to name a publication's bytes: the id alone is reused when a
    database is rebuilt, the id with the content hash and time is not."""

    id: int
    content_hash: str
    publish_at: datetime


def _current(slug: str) -> VisiblePublication | None:
    row = db.session.execute(
        select(Publication.id, Publication.content_hash, Publication.publish_at)
        .join(Competition, Competition.id == Publication.competition_id)
        .where(
            Competition.slug == slug, Competition.state != CompetitionState.draft, Publication.withdrawn_at.is_(None)
        )
        .order_by(Publication.version.desc())
        .limit(1)
    ).first()
    return VisiblePublication(*row) if row else None


def visible_publication(slug: str, now: datetime | None = None) -> VisiblePublication | None:
    now = now or utcnow()
    visible = cache.get_or_set(_lookup_key(slug), lambda: _current(slug), LOOKUP_SECONDS)
    if visible is None or visible.publish_at > now:
        return None
    return visible


def public_competition_ids(competition_ids: list[int], now: datetime | None = None) -> set[int]:
    """Which of these competitions have results public now: one query for a list (the home page)."""
    now = now or utcnow()
    return set(
        db.session.scalars(
            select(Publication.competition_id)
            .join(Competition, Competition.id == Publication.competition_id)
            .where(
                Publication.competition_id.in_(competition_ids),
                Competition.state != CompetitionState.draft,
                Publication.withdrawn_at.is_(None),
                Publication.publish_at <= now,
            )
        )
    )


def judging_started_ids(competition_ids: list[int]) -> set[int]:
    """Which of these competitions have a round opened for scoring (open or locked since)."""
    return set(
        db.session.scalars(
            select(Round.competition_id)
            .where(Round.competition_id.in_(competition_ids), Round.state != RoundState.preparing)
            .distinct()
        )
    )


# -- feedback to teams ---------------------------------------------------------


def team_feedback(team: Team) -> dict | None:
    """Per-criterion averages and the judges' comments (no names), once released."""
    publication = current_publication_row(team.competition)
    if publication is None or not publication.feedback_released or publication.publish_at > utcnow():
        return None
    entry = team.entry
    if entry is None:
        return None
    # The last round the entry was scored in: finalists read the final, the others the round they left in.
    snapshot = next(
        (
            snap
            for snap in db.session.scalars(
                select(ResultSnapshot)
                .join(Round)
                .where(Round.competition_id == team.competition_id, ResultSnapshot.withdrawn_at.is_(None))
                .order_by(Round.position.desc(), ResultSnapshot.version.desc())
            )
            if any(s["entry"] == entry.id for s in snap.standings)
        ),
        None,
    )
    if snapshot is None:
        return None
    round_ = snapshot.round
    values = defaultdict(list)
    for item in snapshot.inputs:
        if item["entry"] == entry.id:
            values[item["criterion"]].append(float(item["value"]))
    criteria = [
        (c.name, c.max_points, sum(values[c.id]) / len(values[c.id]))
        for c in round_.rubric.criteria
        if values.get(c.id)
    ]
    comments = [
        c
        for c in db.session.scalars(
            select(ScoreSheet.comment).where(
                ScoreSheet.round_id == round_.id, ScoreSheet.entry_id == entry.id, sheet_counts()
            )
        )
        if c.strip()
    ]
    return {"round": round_.name, "criteria": criteria, "comments": comments}
