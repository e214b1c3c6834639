"""The organizer's live judge × entry board and reminders to judges behind."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select

from contest.domain import audit
from contest.domain.accounts import external_url
from contest.domain.outbox import queue_mail
from contest.extensions import db
from contest.models import AuditEvent
from contest.models.base import utcnow
from judging.domain.counting import conflict_between
from judging.domain.judges import judges_of
from judging.models import Assignment, Judge, Round, Score, ScoreSheet


@dataclass
class JudgeRow:
    judge: Judge
    # entry_id -> "todo" | "started" | "done" | "excluded" (a conflict of interest confirmed
    # after the assignment: not expected, and any scores given do not count)
    cells: dict = field(default_factory=dict)
    assigned: int = 0
    done: int = 0

    @property
    def behind(self) -> bool:
        return self.done < self.assigned


@dataclass(frozen=True)
class Board:
    entries: list
    rows: list[JudgeRow]


def board(round_: Round) -> Board:
    assigned = set(
        db.session.execute(
            select(Assignment.judge_id, Assignment.entry_id).where(Assignment.round_id == round_.id)
        ).tuples()
    )
    excluded = set(
        db.session.execute(
            select(Assignment.judge_id, Assignment.entry_id).where(
                Assignment.round_id == round_.id, conflict_between(Assignment.judge_id, Assignment.entry_id)
            )
        ).tuples()
    )
    sheets = {
        (judge_id, entry_id): (submitted is not None, count)
        for judge_id, entry_id, submitted, count in db.session.execute(
            select(ScoreSheet.judge_id, ScoreSheet.entry_id, ScoreSheet.submitted_at, func.count(Score.id))
            .outerjoin(Score)
            .where(ScoreSheet.round_id == round_.id)
            .group_by(ScoreSheet.id, ScoreSheet.judge_id, ScoreSheet.entry_id, ScoreSheet.submitted_at)
        )
    }
    entries = sorted((re.entry for re in round_.entries), key=lambda e: e.code or "")
    rows = []
    for judge in judges_of(round_.competition):
        row = JudgeRow(judge)
        for entry in entries:
            if (judge.id, entry.id) not in assigned:
                continue
            if (judge.id, entry.id) in excluded:
                row.cells[entry.id] = "excluded"
                continue
            submitted, count = sheets.get((judge.id, entry.id), (False, 0))
            row.cells[entry.id] = "done" if submitted else ("started" if count else "todo")
            row.assigned += 1
            row.done += submitted
        if row.cells:
            rows.append(row)
    return Board(entries, rows)


# A judge reminded of a round this recently is not reminded again: an organizer who presses
# twice (a double click, a slow connection in the hall) sends each judge one mail.
REMINDER_INTERVAL = timedelta(minutes=10)


@dataclass(frozen=True)
class Reminders:
    sent: int  # judges behind, reminded now
    recent: int  # judges behind, already reminded less than REMINDER_INTERVAL ago: not reminded again


def recently_reminded(round_: Round, now: datetime) -> set[int]:
    """The judges reminded of the round since `now - REMINDER_INTERVAL`, as the audit log
    recorded them (each "round.reminded" event names the judges its mails went to)."""
    recorded = db.session.scalars(
        select(AuditEvent.after).where(
            AuditEvent.object_type == "round",
            AuditEvent.object_id == str(round_.id),
            AuditEvent.action == "round.reminded",
            AuditEvent.at > now - REMINDER_INTERVAL,
        )
    )
    return {judge_id for after in recorded for judge_id in (after or {}).get("judge_ids", [])}


def remind_late_judges(round_: Round) -> Reminders:
    """Mail each judge behind on the round, except those reminded of it a short while ago."""
    # One reminding at a time (a double click): the next waits, then reads whom this one reminded.
    db.session.execute(select(Round.id).where(Round.id == round_.id).with_for_update(key_share=True))
    recent = recently_reminded(round_, utcnow())
    reminded, skipped = [], 0
    for row in board(round_).rows:
        if not row.behind:
            continue
        if row.judge.id in recent:
            skipped += 1
            continue
        user = row.judge.user
        queue_mail(
            user.email,
            "judge_reminder",
            locale=user.locale,
            user=user,
            round=round_,
            competition=round_.competition,
            done=row.done,
            assigned=row.assigned,
            link=external_url("judge.queue", round_id=round_.id),
        )
        reminded.append(row.judge.id)
    audit.record(
        "round.reminded",
        "round",
        round_.id,
        competition_id=round_.competition_id,
        after={"judges": len(reminded), "judge_ids": reminded},
    )
    return Reminders(sent=len(reminded), recent=skipped)
