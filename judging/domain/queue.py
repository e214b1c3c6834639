"""What a judge sees: their rounds, their queue and one entry to score —
their own scores only, never other judges' or any aggregate."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from contest.extensions import db
from contest.models import Entry
from judging.domain.counting import sheet_counts
from judging.domain.scoring import sheet_state
from judging.models import (
    Assignment,
    Conflict,
    ConflictStatus,
    Judge,
    Round,
    RoundEntry,
    RoundState,
    ScoreSheet,
)


@dataclass(frozen=True)
class RoundSummary:
    round: Round
    judge: Judge
    assigned: int
    submitted: int


@dataclass(frozen=True)
class QueueItem:
    entry: Entry
    pitch_position: int | None
    scored: int
    submitted: bool


@dataclass(frozen=True)
class ScoringPage:
    entry: Entry
    criteria: list
    state: dict
    position: int
    total: int
    submitted_count: int
    previous_id: int | None
    next_id: int | None
    attachments: list


def rounds_for(user_id: int) -> list[RoundSummary]:
    """The judge's rounds: those open for scoring first, then the others, each
    group newest first (see `round_order`)."""
    rows = db.session.execute(
        select(Round, Judge)
        .join(Judge, Judge.competition_id == Round.competition_id)
        .where(Judge.user_id == user_id, Round.state != RoundState.preparing)
    ).all()
    summaries = []
    for round_, judge in sorted(rows, key=lambda row: round_order(row[0])):
        assigned, submitted = _progress(round_.id, judge.id)
        summaries.append(RoundSummary(round_, judge, assigned, submitted))
    return summaries


def round_order(round_: Round) -> tuple:
    """Open rounds before the others; within each, the competition's year, the
    round's latest date (locked, started, created) and its position, newest first."""
    when = round_.locked_at or round_.starts_at or round_.created_at
    return (
        round_.state is not RoundState.open,
        -round_.competition.year,
        -(when.timestamp() if when else 0),
        -round_.position,
        -round_.id,
    )


def _progress(round_id: int, judge_id: int) -> tuple[int, int]:
    assigned = db.session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.round_id == round_id, Assignment.judge_id == judge_id)
    )
    submitted = db.session.scalar(
        select(func.count())
        .select_from(ScoreSheet)
        .where(ScoreSheet.round_id == round_id, ScoreSheet.judge_id == judge_id, ScoreSheet.submitted_at.is_not(None))
    )
    return assigned or 0, submitted or 0


def queue_of(round_: Round, judge: Judge) -> list[QueueItem]:
    rows = db.session.execute(
        select(Entry, RoundEntry.pitch_position, ScoreSheet)
        .join(
            Assignment,
            (Assignment.entry_id == Entry.id) & (Assignment.round_id == round_.id) & (Assignment.judge_id == judge.id),
        )
        .outerjoin(RoundEntry, (RoundEntry.entry_id == Entry.id) & (RoundEntry.round_id == round_.id))
        .outerjoin(
            ScoreSheet,
            (ScoreSheet.entry_id == Entry.id) & (ScoreSheet.round_id == round_.id) & (ScoreSheet.judge_id == judge.id),
        )
    ).all()
    items = [
        QueueItem(entry, position, len(sheet.scores) if sheet else 0, bool(sheet and sheet.submitted_at))
        for entry, position, sheet in rows
    ]
    return sorted(items, key=lambda i: (i.pitch_position or 10**6, i.entry.code or ""))


def may_read(round_: Round, judge: Judge | None, entry_id: int) -> bool:
    if judge is None:
        return False
    assigned = db.session.scalar(
        select(Assignment.id).where(
            Assignment.round_id == round_.id, Assignment.judge_id == judge.id, Assignment.entry_id == entry_id
        )
    )
    conflicted = db.session.scalar(
        select(Conflict.id).where(
            Conflict.judge_id == judge.id, Conflict.entry_id == entry_id, Conflict.status == ConflictStatus.confirmed
        )
    )
    return assigned is not None and conflicted is None


def scoring_page(round_: Round, judge: Judge, entry_id: int) -> ScoringPage | None:
    if not may_read(round_, judge, entry_id):
        return None
    items = queue_of(round_, judge)
    ids = [i.entry.id for i in items]
    index = ids.index(entry_id)
    entry = items[index].entry
    sheet = db.session.scalar(
        select(ScoreSheet).where(
            ScoreSheet.round_id == round_.id, ScoreSheet.judge_id == judge.id, ScoreSheet.entry_id == entry_id
        )
    )
    criteria = round_.rubric.criteria
    return ScoringPage(
        entry=entry,
        criteria=criteria,
        state=sheet_state(sheet, criteria),
        position=index + 1,
        total=len(ids),
        submitted_count=sum(1 for i in items if i.submitted),
        previous_id=ids[index - 1] if index > 0 else None,
        next_id=ids[index + 1] if index + 1 < len(ids) else None,
        attachments=entry.current_attachments(),
    )


@dataclass(frozen=True)
class PanelView:
    judges: list
    rows: list  # (entry, {judge_id: total or None})


def may_see_panel(round_: Round, judge: Judge | None) -> bool:
    """Nobody sees the panel's scores before the lock, except a chair when the round allows."""
    if judge is None:
        return False
    if round_.state is RoundState.locked:
        return True
    return round_.chair_sees_scores and round_.chair_judge_id == judge.id


def panel_view(round_: Round, judge: Judge | None) -> PanelView | None:
    if not may_see_panel(round_, judge):
        return None
    from judging.core.aggregate import weighted_total
    from judging.models import Score

    rubric = {c.id: (float(c.max_points), float(c.weight)) for c in round_.rubric.criteria}
    sheets = db.session.scalars(select(ScoreSheet).where(ScoreSheet.round_id == round_.id, sheet_counts())).all()
    values: dict = {}
    for sheet in sheets:
        scores = {
            s.criterion_id: float(s.value) for s in db.session.scalars(select(Score).where(Score.sheet_id == sheet.id))
        }
        values[(sheet.entry_id, sheet.judge_id)] = round(weighted_total(scores, rubric, allow_missing=True), 2)
    judge_ids = sorted({j for _, j in values})
    panel = db.session.scalars(select(Judge).where(Judge.id.in_(judge_ids))).all()
    entries = sorted((re.entry for re in round_.entries), key=lambda e: e.code or "")
    return PanelView(
        sorted(panel, key=lambda j: j.id), [(e, {j: values.get((e.id, j)) for j in judge_ids}) for e in entries]
    )
