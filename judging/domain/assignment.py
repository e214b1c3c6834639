"""Assignment of a round, from the database to the pure `judging.core.assign` and back."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from contest.domain import audit
from contest.domain.errors import Conflict as ConflictError
from contest.domain.errors import DomainError
from contest.extensions import db
from contest.models import Entry
from contest.models.base import utcnow
from judging.core.assign import AssignmentResult, EntryInfo, JudgeInfo, Problem, assign
from judging.domain.judges import excluded_pairs, judges_of
from judging.models import Assignment, Judge, Round, RoundState, Score, ScoreSheet

PROBLEM_MESSAGES = {
    "entry_too_few_eligible_judges": _l(
        "Entry %(entry)s needs %(needed)s judges but only %(eligible)s have no conflict of interest with it."
    ),
    "entry_capacity_exhausted": _l("Entry %(entry)s: every judge who may score it already holds their maximum."),
    "capacity_short": _l("The judges can take %(capacity)s entries in all, fewer than the %(needed)s needed."),
    "judges_per_entry_exceeds_panel": _l(
        "The round needs %(judges_per_entry)s judges per entry but there are only %(judges)s judges."
    ),
    "scored_pair_in_conflict": _l("Judge %(judge)s has scored entry %(entry)s despite a conflict of interest."),
    "scored_pair_unknown_entry": _l("Judge %(judge)s has scored entry %(entry)s, which is no longer in the round."),
    "judge_over_capacity": _l("Judge %(judge)s holds %(load)s entries, more than their maximum of %(capacity)s."),
}


def explain(problem: Problem, entry_codes: dict, judge_names: dict) -> str:
    params = dict(problem.params)
    if "entry" in params:
        params["entry"] = entry_codes.get(params["entry"], params["entry"])
    if "judge" in params:
        params["judge"] = judge_names.get(params["judge"], params["judge"])
    template = PROBLEM_MESSAGES.get(problem.code)
    return str(template) % params if template is not None else problem.code


def current_pairs(round_: Round) -> set[tuple[int, int]]:
    return set(
        db.session.execute(
            select(Assignment.judge_id, Assignment.entry_id).where(Assignment.round_id == round_.id)
        ).tuples()
    )


def scored_pairs(round_: Round) -> set[tuple[int, int]]:
    return set(
        db.session.execute(
            select(ScoreSheet.judge_id, ScoreSheet.entry_id)
            .join(Score)
            .where(ScoreSheet.round_id == round_.id)
            .distinct()
        ).tuples()
    )


def preview(round_: Round) -> AssignmentResult:
    entries = db.session.scalars(select(Entry).where(Entry.id.in_([re.entry_id for re in round_.entries]))).all()
    judges = judges_of(round_.competition)
    return assign(
        [EntryInfo(e.id, e.field_id) for e in entries],
        [JudgeInfo(j.id, frozenset(j.field_ids or ()), j.max_entries) for j in judges],
        round_.judges_per_entry,
        conflicts=excluded_pairs(round_.competition_id),
        scored=scored_pairs(round_),
        current=current_pairs(round_),
    )


def apply(round_: Round, result: AssignmentResult) -> tuple[int, int]:
    if round_.state is RoundState.locked:
        raise ConflictError(_("The round is locked."))
    scored = scored_pairs(round_)
    removed = [pair for pair in result.removed if pair not in scored]
    for judge_id, entry_id in removed:
        db.session.execute(
            delete(Assignment).where(
                Assignment.round_id == round_.id, Assignment.judge_id == judge_id, Assignment.entry_id == entry_id
            )
        )
    now = utcnow()
    for judge_id, entry_id in sorted(result.added):
        db.session.add(Assignment(round_id=round_.id, judge_id=judge_id, entry_id=entry_id, created_at=now))
    audit.record(
        "assignment.applied",
        "round",
        round_.id,
        competition_id=round_.competition_id,
        before={"removed": sorted(removed)},
        after={"added": sorted(result.added), "feasible": result.feasible},
    )
    db.session.flush()
    return len(result.added), len(removed)


def add_pair(round_: Round, judge: Judge, entry_id: int) -> None:
    if round_.state is RoundState.locked:
        raise ConflictError(_("The round is locked."))
    if (judge.id, entry_id) in excluded_pairs(round_.competition_id):
        raise DomainError(_("This judge has a conflict of interest with this entry."))
    if entry_id not in {re.entry_id for re in round_.entries}:
        raise DomainError(_("This entry is not in the round."))
    if (judge.id, entry_id) in current_pairs(round_):
        return
    db.session.add(
        Assignment(round_id=round_.id, judge_id=judge.id, entry_id=entry_id, created_at=utcnow(), manual=True)
    )
    audit.record(
        "assignment.added",
        "round",
        round_.id,
        competition_id=round_.competition_id,
        after={"judge": judge.id, "entry": entry_id},
    )
    db.session.flush()


def remove_pair(round_: Round, judge_id: int, entry_id: int) -> None:
    if (judge_id, entry_id) in scored_pairs(round_):
        raise ConflictError(_("This judge has already scored this entry; the assignment is kept."))
    db.session.execute(
        delete(Assignment).where(
            Assignment.round_id == round_.id, Assignment.judge_id == judge_id, Assignment.entry_id == entry_id
        )
    )
    audit.record(
        "assignment.removed",
        "round",
        round_.id,
        competition_id=round_.competition_id,
        before={"judge": judge_id, "entry": entry_id},
    )
    db.session.flush()
