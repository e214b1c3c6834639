"""Rounds: who takes part, opening and locking, the pitch draw and timer."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from contest.domain import audit
from contest.domain.errors import Conflict, DomainError
from contest.extensions import db
from contest.models import Competition, Entry, EntryStatus, EntryValidity
from contest.models.base import utcnow
from judging.core.pitch_order import draw_pitch_order, new_seed
from judging.domain.counting import conflict_between, sheet_counts
from judging.models import (
    Assignment,
    EntrySource,
    Judge,
    Round,
    RoundEntry,
    RoundMode,
    RoundState,
    Rubric,
    ScoreSheet,
    TimerPhase,
)

STATE_LABELS = {
    RoundState.preparing: _l("Preparing"),
    RoundState.open: _l("Open for scoring"),
    RoundState.locked: _l("Locked"),
}
MODE_LABELS = {RoundMode.dossier: _l("Dossier review"), RoundMode.pitch: _l("Live pitch")}


def rounds_of(competition: Competition) -> list[Round]:
    return list(
        db.session.scalars(select(Round).where(Round.competition_id == competition.id).order_by(Round.position))
    )


def create_round(
    competition: Competition,
    *,
    name: str,
    mode: RoundMode,
    entry_source: EntrySource,
    rubric: Rubric,
    judges_per_entry: int,
    blind: bool = False,
    chair_sees_scores: bool = False,
    presentation_seconds: int = 420,
    questions_seconds: int = 600,
) -> Round:
    if not name.strip():
        raise DomainError(_("Give the round a name, such as Sơ khảo."), field="name")
    if rubric.competition_id != competition.id:
        raise DomainError(_("Choose a rubric of this competition."), field="rubric")
    if not 1 <= judges_per_entry <= 15:
        raise DomainError(_("Between 1 and 15 judges per entry."), field="judges_per_entry")
    position = (
        db.session.scalar(select(func.max(Round.position)).where(Round.competition_id == competition.id)) or 0
    ) + 1
    if entry_source is EntrySource.advanced and position == 1:
        raise DomainError(
            _("The first round takes all valid entries; only later rounds take advanced ones."), field="entry_source"
        )
    round_ = Round(
        competition_id=competition.id,
        position=position,
        name=name.strip(),
        mode=mode,
        entry_source=entry_source,
        rubric_id=rubric.id,
        judges_per_entry=judges_per_entry,
        blind=blind,
        chair_sees_scores=chair_sees_scores,
        state=RoundState.preparing,
        presentation_seconds=presentation_seconds,
        questions_seconds=questions_seconds,
    )
    db.session.add(round_)
    db.session.flush()
    audit.record(
        "round.created",
        "round",
        round_.id,
        competition_id=competition.id,
        after={"name": round_.name, "mode": mode.value, "rubric": rubric.id},
    )
    return round_


def eligible_entries(round_: Round) -> list[Entry]:
    """All valid submitted entries, or those advanced from the previous round."""
    if round_.entry_source is EntrySource.all_valid:
        return list(
            db.session.scalars(
                select(Entry)
                .where(
                    Entry.competition_id == round_.competition_id,
                    Entry.status == EntryStatus.submitted,
                    Entry.validity == EntryValidity.valid,
                )
                .order_by(Entry.code)
            )
        )
    previous = db.session.scalar(
        select(Round).where(Round.competition_id == round_.competition_id, Round.position == round_.position - 1)
    )
    if previous is None:
        return []
    return list(
        db.session.scalars(
            select(Entry)
            .join(RoundEntry, RoundEntry.entry_id == Entry.id)
            .where(
                RoundEntry.round_id == previous.id, RoundEntry.advanced.is_(True), Entry.status == EntryStatus.submitted
            )
            .order_by(Entry.code)
        )
    )


@dataclass(frozen=True)
class EntriesTaken:
    """What taking in the qualifying entries did, and why it may have done nothing."""

    added: int
    removed: int
    total: int
    # Submitted entries the secretariat has not marked valid (a first round takes only valid ones).
    waiting_for_check: int

    def message(self) -> str:
        if self.total == 0:
            if self.waiting_for_check:
                return _(
                    "No entries were added: a round takes only entries the secretariat has marked valid, and "
                    "%(n)d submitted entries are not marked valid yet.",
                    n=self.waiting_for_check,
                )
            return _("No entries were added: no entry qualifies for this round yet.")
        return _(
            "%(added)d entries added, %(removed)d removed; the round now has %(total)d entries.",
            added=self.added,
            removed=self.removed,
            total=self.total,
        )


def refresh_entries(round_: Round) -> EntriesTaken:
    """Take in the entries that qualify (only while preparing)."""
    if round_.state is not RoundState.preparing:
        raise Conflict(_("Entries can only change while the round is being prepared."))
    wanted = {e.id for e in eligible_entries(round_)}
    present = {re.entry_id: re for re in round_.entries}
    for entry_id in wanted - present.keys():
        round_.entries.append(RoundEntry(entry_id=entry_id))
    take_out(round_, sorted(present.keys() - wanted))
    db.session.flush()
    return EntriesTaken(
        added=len(wanted - present.keys()),
        removed=len(present.keys() - wanted),
        total=len(wanted),
        waiting_for_check=waiting_for_check(round_),
    )


def take_out(round_: Round, entry_ids: list[int]) -> None:
    """Entries leave a round being prepared, with their judges' assignments
    there (else a judge would find a sheet for an entry the round no longer has)."""
    if not entry_ids:
        return
    present = {re.entry_id: re for re in round_.entries}
    for entry_id in entry_ids:
        round_.entries.remove(present[entry_id])
    db.session.execute(delete(Assignment).where(Assignment.round_id == round_.id, Assignment.entry_id.in_(entry_ids)))


def waiting_for_check(round_: Round) -> int:
    """Submitted entries not yet marked valid, for a round that takes valid entries (else 0)."""
    if round_.entry_source is not EntrySource.all_valid:
        return 0
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Entry)
            .where(
                Entry.competition_id == round_.competition_id,
                Entry.status == EntryStatus.submitted,
                Entry.validity != EntryValidity.valid,
            )
        )
        or 0
    )


def open_round(round_: Round) -> None:
    if round_.state is not RoundState.preparing:
        raise Conflict(_("Only a round being prepared can be opened."))
    if not round_.entries:
        raise Conflict(_("The round has no entries yet."))
    if not db.session.scalar(select(func.count()).select_from(Assignment).where(Assignment.round_id == round_.id)):
        raise Conflict(_("Assign judges before opening the round."))
    round_.state = RoundState.open
    audit.record(
        "round.opened",
        "round",
        round_.id,
        competition_id=round_.competition_id,
        before={"state": "preparing"},
        after={"state": "open"},
    )


@dataclass(frozen=True)
class Completion:
    assigned: int
    submitted: int

    @property
    def complete(self) -> bool:
        return self.assigned > 0 and self.submitted >= self.assigned


def completion(round_: Round) -> Completion:
    """Sheets that count against the sheets expected: a pair whose conflict of
    interest was confirmed after the judge started is expected no more."""
    assigned = db.session.scalar(
        select(func.count())
        .select_from(Assignment)
        .where(Assignment.round_id == round_.id, ~conflict_between(Assignment.judge_id, Assignment.entry_id))
    )
    submitted = db.session.scalar(
        select(func.count())
        .select_from(ScoreSheet)
        .join(
            Assignment,
            (Assignment.round_id == ScoreSheet.round_id)
            & (Assignment.judge_id == ScoreSheet.judge_id)
            & (Assignment.entry_id == ScoreSheet.entry_id),
        )
        .where(ScoreSheet.round_id == round_.id, sheet_counts())
    )
    return Completion(assigned or 0, submitted or 0)


def lock_round(round_: Round, override_reason: str | None = None) -> None:
    """Lock when every assigned sheet is submitted, or with a logged reason."""
    if round_.state is not RoundState.open:
        raise Conflict(_("Only an open round can be locked."))
    done = completion(round_)
    reason = (override_reason or "").strip() or None
    if not done.complete and not reason:
        raise DomainError(
            _(
                "%(submitted)d of %(assigned)d score sheets are submitted. To lock anyway, give the "
                "reason (it is logged).",
                submitted=done.submitted,
                assigned=done.assigned,
            ),
            field="reason",
            code="incomplete",
        )
    round_.state, round_.locked_at = RoundState.locked, utcnow()
    audit.record(
        "round.locked",
        "round",
        round_.id,
        competition_id=round_.competition_id,
        before={"state": "open"},
        after={"state": "locked", "submitted": done.submitted, "assigned": done.assigned, "override": bool(reason)},
        reason=reason,
    )


def draw_order(round_: Round) -> list[RoundEntry]:
    """Randomise the pitch order once; the seed is kept so anyone can re-run it."""
    if round_.pitch_seed is not None:
        raise Conflict(_("The pitch order has already been drawn."))
    seed = new_seed()
    order = draw_pitch_order([re.entry_id for re in round_.entries], seed)
    by_entry = {re.entry_id: re for re in round_.entries}
    for position, entry_id in enumerate(order, start=1):
        by_entry[entry_id].pitch_position = position
    round_.pitch_seed, round_.pitch_drawn_at = seed, utcnow()
    audit.record(
        "round.pitch_order",
        "round",
        round_.id,
        competition_id=round_.competition_id,
        after={"seed": seed, "order": order},
    )
    return sorted(round_.entries, key=lambda re: re.pitch_position or 0)  # every entry has one now


def timer_state(round_: Round) -> dict:
    """What the projector and the tablets show; remaining seconds are computed
    from the start time so every screen agrees without a live connection."""
    remaining = round_.timer_remaining
    if round_.timer_phase in (TimerPhase.presentation, TimerPhase.questions) and round_.timer_started_at:
        elapsed = int((utcnow() - round_.timer_started_at).total_seconds())
        remaining = (round_.timer_remaining or 0) - elapsed
    entry = db.session.get(Entry, round_.timer_entry_id) if round_.timer_entry_id else None
    return {
        "phase": round_.timer_phase.value,
        "remaining": remaining,
        "entry": {"code": entry.code, "title": entry.title} if entry else None,
        "presentation_seconds": round_.presentation_seconds,
        "questions_seconds": round_.questions_seconds,
    }


def control_timer(round_: Round, action: str, entry_id: int | None = None) -> None:
    now = utcnow()
    if action == "start_presentation":
        if entry_id is not None and entry_id not in {re.entry_id for re in round_.entries}:
            # A crafted id would otherwise hit the foreign key (a 500 on PostgreSQL)
            # or show another competition's entry on the projector.
            raise DomainError(_("Choose an entry of this round."))
        round_.timer_entry_id = entry_id or round_.timer_entry_id
        round_.timer_phase, round_.timer_started_at = TimerPhase.presentation, now
        round_.timer_remaining = round_.presentation_seconds
    elif action == "start_questions":
        round_.timer_phase, round_.timer_started_at = TimerPhase.questions, now
        round_.timer_remaining = round_.questions_seconds
    elif action == "pause" and round_.timer_phase in (TimerPhase.presentation, TimerPhase.questions):
        round_.timer_remaining = timer_state(round_)["remaining"]
        round_.timer_phase, round_.timer_started_at = TimerPhase.paused, None
    elif action == "stop":
        round_.timer_phase, round_.timer_started_at, round_.timer_remaining = TimerPhase.idle, None, None
    else:
        raise DomainError(_("Unknown timer action."))


def judge_of(competition_id: int, user_id: int) -> Judge | None:
    return db.session.scalar(select(Judge).where(Judge.competition_id == competition_id, Judge.user_id == user_id))


def set_chair(round_: Round, judge: Judge | None) -> None:
    if judge is not None and judge.competition_id != round_.competition_id:
        raise DomainError(_("Choose a judge of this competition."))
    before = round_.chair_judge_id
    round_.chair_judge_id = judge.id if judge else None
    audit.record(
        "round.chair",
        "round",
        round_.id,
        competition_id=round_.competition_id,
        before={"chair": before},
        after={"chair": round_.chair_judge_id},
    )
