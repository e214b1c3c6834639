"""Which scores count: the one rule everything computed from scores reads them
through (results and their snapshots, the chair's panel view, the live board,
the lock's completion count, feedback to teams, the score-sheet export).

A sheet counts when it is submitted and its judge has no confirmed conflict of
interest with its entry. A conflict confirmed after the judge scored leaves
the sheet in the database (the record stays) but out of everything computed
after that; dismissing the conflict later brings the sheet back into what is
computed after that. A snapshot frozen in between stays as it was: it records
the sheets it left out and why (`excluded_sheets`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, select

from contest.extensions import db
from judging.models import Conflict, ConflictStatus, Score, ScoreSheet


def conflict_between(judge_id, entry_id) -> ColumnElement[bool]:
    """A confirmed conflict between the judge and the entry (columns or values)."""
    return exists().where(
        Conflict.judge_id == judge_id, Conflict.entry_id == entry_id, Conflict.status == ConflictStatus.confirmed
    )


def sheet_counts() -> ColumnElement[bool]:
    """The rule, as a condition on `ScoreSheet`: its scores count."""
    return and_(ScoreSheet.submitted_at.is_not(None), ~conflict_between(ScoreSheet.judge_id, ScoreSheet.entry_id))


def _confirmed_at():
    # A judge's declaration and an organizer's decision both set decided_at;
    # declarations recorded before they did fall back to when they were made.
    return func.coalesce(Conflict.decided_at, Conflict.created_at)


@dataclass(frozen=True)
class Exclusion:
    """A scored sheet left out because its judge has a confirmed conflict with its entry."""

    sheet_id: int
    round_id: int
    judge_id: int
    entry_id: int
    submitted: bool
    conflict_id: int
    confirmed_at: datetime
    source: str  # declared | proposed
    reason: str
    scores: tuple[tuple[int, str], ...]  # (criterion, value), values spelt as in the snapshot's inputs

    def as_json(self) -> dict:
        return {
            "sheet": self.sheet_id,
            "judge": self.judge_id,
            "entry": self.entry_id,
            "conflict": self.conflict_id,
            "confirmed_at": self.confirmed_at.isoformat(),
            "source": self.source,
            "reason": self.reason,
            "scores": [{"criterion": c, "value": v} for c, v in self.scores],
        }

    @classmethod
    def from_json(cls, data: dict, round_id: int) -> Exclusion:
        """One of a snapshot's `excluded` (a snapshot only holds submitted sheets)."""
        return cls(
            data["sheet"],
            round_id,
            data["judge"],
            data["entry"],
            True,
            data["conflict"],
            datetime.fromisoformat(data["confirmed_at"]),
            data["source"],
            data["reason"],
            tuple((s["criterion"], s["value"]) for s in data["scores"]),
        )


def _exclusions(*conditions, confirmed_only: bool = True) -> list[Exclusion]:
    rows = db.session.execute(
        select(
            ScoreSheet.id,
            ScoreSheet.round_id,
            ScoreSheet.judge_id,
            ScoreSheet.entry_id,
            ScoreSheet.submitted_at.is_not(None),
            Conflict.id,
            _confirmed_at(),
            Conflict.source,
            Conflict.reason,
            Score.criterion_id,
            Score.value,
        )
        .join(Conflict, and_(Conflict.judge_id == ScoreSheet.judge_id, Conflict.entry_id == ScoreSheet.entry_id))
        .join(Score, Score.sheet_id == ScoreSheet.id)
        .where(*conditions, *([Conflict.status == ConflictStatus.confirmed] if confirmed_only else []))
        .order_by(ScoreSheet.round_id, ScoreSheet.entry_id, ScoreSheet.judge_id, Score.criterion_id)
    ).all()
    found: dict[int, tuple[int, int, int, int, bool, int, datetime, str, str]] = {}
    scores: dict[int, list] = {}
    for sheet, round_id, judge, entry, submitted, conflict, when, source, reason, criterion, value in rows:
        found.setdefault(sheet, (sheet, round_id, judge, entry, bool(submitted), conflict, when, source.value, reason))
        scores.setdefault(sheet, []).append((criterion, format(value.normalize(), "f")))
    return [Exclusion(*head, scores=tuple(scores[head[0]])) for head in found.values()]


def excluded_sheets(round_id: int) -> list[Exclusion]:
    """The round's submitted sheets that the rule leaves out, entry by entry."""
    return _exclusions(ScoreSheet.round_id == round_id, ScoreSheet.submitted_at.is_not(None))


def scored_sheets_of(judge_id: int, entry_id: int) -> list[Exclusion]:
    """Every sheet (any round, submitted or not) on which the judge scored the
    entry, with the conflict on record between them whatever its state: what a
    confirmation leaves out, or a dismissal brings back."""
    return _exclusions(ScoreSheet.judge_id == judge_id, ScoreSheet.entry_id == entry_id, confirmed_only=False)
