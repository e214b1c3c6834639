"""Scoring: one change at a time, each applied exactly once.

A tablet sends every change (one criterion's score, or the comment) with an
idempotency key, the moment it was made on the device, and the device's id.
One query checks the login session, account, round, judge, assignment and
conflicts (`permission`, the one permission check for scoring) and reads what
the change touches; then the score, its audit event and the key are written in
the request's transaction, so a change sent again after a lost answer is not
applied twice. When one judge uses two devices, the change made later on a
device wins, whatever order they arrive in. Domain functions here flush; the
caller (the request, or a command) commits.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any, Protocol

from flask_babel import gettext as _
from sqlalchemy import BindParameter, ColumnElement, and_, bindparam, delete, exists, insert, null, select, true, update

from contest.domain import audit, login_sessions
from contest.extensions import db
from contest.i18n import format_points
from contest.models import AuditEvent, User
from contest.models.base import utcnow
from contest.numbers import plain_decimal
from judging.models import (
    AppliedChange,
    Assignment,
    Conflict,
    ConflictStatus,
    Criterion,
    Judge,
    Round,
    RoundState,
    Rubric,
    Score,
    ScoreSheet,
)

MAX_COMMENT = 4000
# The save writes through the tables (SQLAlchemy Core): its rows are never
# loaded as objects, and the ORM's bulk machinery costs more than the writes.
_SCORES = Score.metadata.tables[Score.__tablename__]
_AUDIT_EVENTS = AuditEvent.metadata.tables[AuditEvent.__tablename__]
_APPLIED_CHANGES = AppliedChange.metadata.tables[AppliedChange.__tablename__]
# A device clock ahead of the server cannot win every future conflict.
CLOCK_SLACK = timedelta(seconds=5)


class ScoringError(Exception):
    """A refused change: an HTTP status, a machine-readable code and a message."""

    def __init__(self, status: int, code: str, message: str, **details):
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details


@dataclass(frozen=True)
class Change:
    key: str
    criterion_id: int | None  # None: the change is to the comment
    value: object  # number or text for a score (None clears it); text for the comment
    changed_at: datetime | None
    device: str | None
    reason: str | None = None


@dataclass(frozen=True)
class ChangeResult:
    outcome: str  # applied | duplicate | superseded
    sheet_id: int | None


@dataclass(frozen=True)
class Permission:
    """What decides whether an account may score an entry in a round."""

    round_id: int
    round_state: RoundState
    competition_id: int
    rubric_id: int
    judge_id: int | None  # None: not a judge of the competition (or the account is deactivated)
    assigned: bool
    conflicted: bool

    def check(self, *, reading: bool = False) -> None:
        """Raise ScoringError unless the judge may score; `reading` allows a
        closed round (a judge still reads their own sheet)."""
        if self.judge_id is None:
            raise ScoringError(403, "not_a_judge", _("You are not a judge of this competition."))
        if self.conflicted:
            raise ScoringError(
                403, "conflict", _("You have a conflict of interest with this entry, so you do not score it.")
            )
        if not self.assigned:
            raise ScoringError(403, "not_assigned", _("This entry is not assigned to you in this round."))
        if reading:
            return
        if self.round_state is RoundState.locked:
            raise ScoringError(409, "round_locked", _("The round is locked: scores can no longer be changed."))
        if self.round_state is not RoundState.open:
            raise ScoringError(409, "round_not_open", _("The round has not opened for scoring yet."))


def session_ended() -> ScoringError:
    return ScoringError(
        401,
        "session_ended",
        _("You have been logged out. Log in again: the changes not yet saved stay on this device and are sent then."),
    )


def _permission_query(session_checked: bool, *columns):
    """One query for the permission and whatever `columns` a caller needs
    beside it (joined by the caller on Round, Judge and ScoreSheet). Its values
    are bind parameters (round_id, entry_id, user_id, and session_hash and now
    when `session_checked`), so each shape is built once and executed with
    values (`_PERMISSION`, `_change_query`)."""
    session_current: ColumnElement[bool]
    if session_checked:
        session_current = exists().where(
            login_sessions.active(bindparam("session_hash"), bindparam("user_id"), bindparam("now"))
        )
    else:
        session_current = true()
    entry_id: BindParameter[int] = bindparam("entry_id")
    return (
        select(
            Round.id,
            Round.state,
            Round.competition_id,
            Round.rubric_id,
            Judge.id,
            exists().where(
                Assignment.round_id == Round.id, Assignment.judge_id == Judge.id, Assignment.entry_id == entry_id
            ),
            exists().where(
                Conflict.judge_id == Judge.id,
                Conflict.entry_id == entry_id,
                Conflict.status == ConflictStatus.confirmed,
            ),
            session_current,
            *columns,
        )
        .select_from(Round)
        # A deactivated account judges nothing.
        .outerjoin(
            Judge,
            and_(
                Judge.competition_id == Round.competition_id,
                Judge.user_id == bindparam("user_id"),
                exists().where(User.id == bindparam("user_id"), User.is_active_account.is_(True)),
            ),
        )
        .where(Round.id == bindparam("round_id"))
    )


def _query_values(round_id: int, entry_id: int, user_id: int, session_hash: str | None, **more) -> dict:
    values = {"round_id": round_id, "entry_id": entry_id, "user_id": user_id, **more}
    if session_hash is not None:
        values |= {"session_hash": session_hash, "now": utcnow()}
    return values


@functools.cache
def _plain_permission_query(session_checked: bool):
    return _permission_query(session_checked)


def _permission_from(row) -> Permission:
    if row is None:
        raise ScoringError(404, "not_found", _("This round does not exist."))
    round_id, state, competition_id, rubric_id, judge_id, assigned, conflicted, session_current = row[:8]
    if not session_current:
        raise session_ended()
    return Permission(round_id, state, competition_id, rubric_id, judge_id, bool(assigned), bool(conflicted))


def permission(round_id: int, entry_id: int, user_id: int, *, session_hash: str | None = None) -> Permission:
    """Whether `user_id` may score `entry_id` in `round_id`, read in one query;
    `check()` it. `session_hash` names the login session a request came
    through (contest.domain.login_sessions): once it has ended, a 401."""
    query = _plain_permission_query(session_hash is not None)
    return _permission_from(db.session.execute(query, _query_values(round_id, entry_id, user_id, session_hash)).first())


def parse_value(criterion: CriterionLimits, raw: object) -> Decimal | None:
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool):
        raise ScoringError(422, "not_a_number", _("The score must be a number."))
    try:
        value = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        raise ScoringError(422, "not_a_number", _("The score must be a number.")) from None
    if not value.is_finite():
        raise ScoringError(422, "not_a_number", _("The score must be a number."))
    if value < 0 or value > criterion.max_points:
        raise ScoringError(
            422,
            "out_of_range",
            _(
                "“%(name)s” takes a score from 0 to %(max)s.",
                name=criterion.name,
                max=format_points(criterion.max_points),
            ),
            criterion_id=criterion.id,
            max=str(criterion.max_points),
        )
    if value % criterion.step != 0:
        raise ScoringError(
            422,
            "wrong_step",
            _("“%(name)s” is scored in steps of %(step)s.", name=criterion.name, step=format_points(criterion.step)),
            criterion_id=criterion.id,
            step=str(criterion.step),
        )
    return value


def _when(changed_at: datetime | None) -> datetime:
    now = utcnow()
    if changed_at is None or changed_at > now + CLOCK_SLACK:
        return now
    return changed_at


def _sheet_for_update(round_id: int, judge_id: int, entry_id: int) -> ScoreSheet:
    sheet = db.session.scalar(
        select(ScoreSheet).where(
            ScoreSheet.round_id == round_id, ScoreSheet.judge_id == judge_id, ScoreSheet.entry_id == entry_id
        )
    )
    if sheet is None:
        sheet = ScoreSheet(round_id=round_id, judge_id=judge_id, entry_id=entry_id, comment="", updated_at=utcnow())
        db.session.add(sheet)
        db.session.flush()
    return sheet


def _fingerprint(round_id: int, entry_id: int, change: Change) -> str:
    """What a key stands for: a resend carries the same; a key reused for another change does not."""
    return hashlib.sha256(repr((round_id, entry_id, change.criterion_id, change.value)).encode()).hexdigest()


@functools.cache
def _change_query(scores_criterion: bool, session_checked: bool):
    """The save's one read: the permission, the rubric's freeze, the key seen
    before, the sheet and the score or comment changed (bind parameters as in
    `_permission_query`, plus key and criterion_id)."""
    changed: tuple[Any, ...]
    if scores_criterion:
        changed = (
            null(),
            null(),
            Criterion.id,
            Criterion.max_points,
            Criterion.step,
            Score.id,
            Score.value,
            Score.changed_at,
        )
    else:
        changed = (ScoreSheet.comment, ScoreSheet.comment_changed_at, null(), null(), null(), null(), null(), null())
    query = (
        _permission_query(
            session_checked,
            Rubric.frozen_at,
            AppliedChange.judge_id,
            AppliedChange.fingerprint,
            ScoreSheet.id,
            ScoreSheet.submitted_at,
            *changed,
        )
        .join(Rubric, Rubric.id == Round.rubric_id)
        .outerjoin(
            ScoreSheet,
            and_(
                ScoreSheet.round_id == Round.id,
                ScoreSheet.judge_id == Judge.id,
                ScoreSheet.entry_id == bindparam("entry_id"),
            ),
        )
        .outerjoin(AppliedChange, AppliedChange.key == bindparam("key"))
    )
    if scores_criterion:
        # A criterion of another rubric joins as nothing, like an unknown one.
        query = query.outerjoin(
            Criterion, and_(Criterion.id == bindparam("criterion_id"), Criterion.rubric_id == Round.rubric_id)
        ).outerjoin(Score, and_(Score.sheet_id == ScoreSheet.id, Score.criterion_id == Criterion.id))
    return query


def apply_change(
    round_id: int, entry_id: int, user_id: int, change: Change, *, session_hash: str | None = None
) -> ChangeResult:
    """Apply one change for the judge `user_id`, in the session's transaction
    (the caller commits); raises ScoringError when refused.

    One query reads the permission, the sheet, the score or comment changed and
    whether the key was seen; then the write, its audit event and the key.
    A change sent twice collides on the key: if the first send commits while the
    second is being saved, the second's INSERT fails with IntegrityError, and the
    caller rolls back and applies it once more, when it is found a duplicate.
    `session_hash`: see `permission`; trusted callers (the demo, imports) pass none."""
    if not change.key or len(change.key) > 64:
        raise ScoringError(400, "bad_request", _("Each change needs a key of at most 64 characters."))
    query = _change_query(change.criterion_id is not None, session_hash is not None)
    values = _query_values(round_id, entry_id, user_id, session_hash, key=change.key)
    if change.criterion_id is not None:
        values["criterion_id"] = change.criterion_id
    row = db.session.execute(query, values).first()
    allowed = _permission_from(row)
    assert row is not None  # noqa: S101 - _permission_from refused a round that does not exist
    (
        frozen_at,
        key_owner,
        key_fingerprint,
        sheet_id,
        submitted_at,
        comment,
        comment_at,
        criterion_id,
        max_points,
        step,
        score_id,
        score_value,
        score_at,
    ) = row[8:]
    fingerprint = _fingerprint(round_id, entry_id, change)
    if allowed.judge_id is not None and key_owner == allowed.judge_id and key_fingerprint in (None, fingerprint):
        # A resend of a change already saved: answered even if the round has
        # locked since, so the tablet's queue drains. (Keys saved before
        # fingerprints were kept have none.)
        return ChangeResult("duplicate", None)
    allowed.check()
    if key_owner is not None:  # only after the judge is known to be allowed here
        raise ScoringError(409, "key_reused", _("This change key has already been used for another change."))
    reason = (change.reason or "").strip() or None
    if change.criterion_id is not None:
        if criterion_id is None:
            raise ScoringError(422, "unknown_criterion", _("This criterion is not part of the round's rubric."))
        value = parse_value(_CriterionView(criterion_id, max_points, step), change.value)
    else:
        comment_text = str(change.value or "")
        if len(comment_text) > MAX_COMMENT:
            raise ScoringError(422, "too_long", _("The comment can be at most %(n)d characters.", n=MAX_COMMENT))
    if submitted_at is not None and not reason:
        raise ScoringError(
            422, "reason_required", _("This score sheet has been submitted: give a short reason for the change.")
        )

    now, when = utcnow(), _when(change.changed_at)
    device = (change.device or "")[:64] or None
    if sheet_id is None:
        sheet_id = db.session.execute(
            insert(ScoreSheet).returning(ScoreSheet.id),
            {
                "round_id": round_id,
                "judge_id": allowed.judge_id,
                "entry_id": entry_id,
                "comment": "",
                "updated_at": now,
            },
        ).scalar_one()
    audit_values = None
    if change.criterion_id is not None:
        outcome = "superseded" if score_at is not None and score_at > when else "applied"
        if outcome == "applied":
            if value is None:
                if score_id is not None:
                    db.session.execute(delete(_SCORES).where(_SCORES.c.id == score_id))
            elif score_id is None:
                db.session.execute(
                    insert(_SCORES),
                    {
                        "sheet_id": sheet_id,
                        "criterion_id": criterion_id,
                        "value": value,
                        "changed_at": when,
                        "device": device,
                    },
                )
            else:
                db.session.execute(
                    update(_SCORES).where(_SCORES.c.id == score_id).values(value=value, changed_at=when, device=device)
                )
            if frozen_at is None:
                # The first score freezes the rubric; later edits make a new version.
                db.session.execute(
                    update(Rubric)
                    .where(Rubric.id == allowed.rubric_id, Rubric.frozen_at.is_(None))
                    .values(frozen_at=now)
                )
            audit_values = audit.values_now(
                "score.changed",
                "score_sheet",
                sheet_id,
                competition_id=allowed.competition_id,
                before={
                    "criterion": criterion_id,
                    "value": None if score_value is None else plain_decimal(score_value),
                },
                after={
                    "criterion": criterion_id,
                    "value": None if value is None else plain_decimal(value),
                    "entry": entry_id,
                    "round": round_id,
                    "key": change.key,
                },
                reason=reason,
                device=(change.device or "")[:120] or None,
                actor_id=user_id,
            )
    else:
        outcome = "superseded" if comment_at is not None and comment_at > when else "applied"
        if outcome == "applied":
            db.session.execute(
                update(ScoreSheet)
                .where(ScoreSheet.id == sheet_id)
                .values(comment=comment_text, comment_changed_at=when, updated_at=when)
            )
            audit_values = audit.values_now(
                "score.comment",
                "score_sheet",
                sheet_id,
                competition_id=allowed.competition_id,
                before={"comment": comment or ""},
                after={"comment": comment_text, "key": change.key},
                reason=reason,
                device=(change.device or "")[:120] or None,
                actor_id=user_id,
            )
    if audit_values is not None:
        db.session.execute(insert(_AUDIT_EVENTS), audit_values)
    db.session.execute(
        insert(_APPLIED_CHANGES),
        {
            "key": change.key,
            "judge_id": allowed.judge_id,
            "applied_at": now,
            "outcome": outcome,
            "fingerprint": fingerprint,
        },
    )
    return ChangeResult(outcome, sheet_id)


class CriterionLimits(Protocol):
    """What a score is checked against: a Criterion, or the save's view of one."""

    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def max_points(self) -> Decimal: ...
    @property
    def step(self) -> Decimal: ...


@dataclass(frozen=True)
class _CriterionView:
    """The criterion as the save reads it; its name only for a refusal's message."""

    id: int
    max_points: Decimal
    step: Decimal

    @property
    def name(self) -> str:
        return db.session.get_one(Criterion, self.id).name


def missing_criteria(sheet: ScoreSheet | None, criteria: list[Criterion]) -> list[Criterion]:
    scored = {s.criterion_id for s in sheet.scores} if sheet is not None else set()
    return [c for c in criteria if c.required and c.id not in scored]


def submit_sheet(round_id: int, entry_id: int, user_id: int, reason: str | None = None) -> ScoreSheet:
    """Sign the sheet off. Every required criterion must have a score."""
    allowed = permission(round_id, entry_id, user_id)
    allowed.check()
    assert allowed.judge_id is not None  # noqa: S101 - check() refused anyone else
    sheet = _sheet_for_update(round_id, allowed.judge_id, entry_id)
    missing = missing_criteria(sheet, db.session.get_one(Round, round_id).rubric.criteria)
    if missing:
        raise ScoringError(
            422,
            "incomplete",
            _("Score every required criterion first: %(names)s.", names=", ".join(c.name for c in missing)),
            missing=[c.id for c in missing],
        )
    before = sheet.submitted_at.isoformat() if sheet.submitted_at else None
    sheet.submitted_at = utcnow()
    audit.record(
        "score.submitted",
        "score_sheet",
        sheet.id,
        competition_id=allowed.competition_id,
        before={"submitted_at": before},
        after={"submitted_at": sheet.submitted_at.isoformat()},
        reason=(reason or "").strip() or None,
    )
    db.session.flush()
    return sheet


def sheet_state(sheet: ScoreSheet | None, criteria: list[Criterion]) -> dict:
    """What the judge's own device shows: their values only, never others'."""
    values = {s.criterion_id: s for s in sheet.scores} if sheet is not None else {}
    return {
        "scores": {str(c.id): (plain_decimal(values[c.id].value) if c.id in values else None) for c in criteria},
        "changed_at": {str(cid): s.changed_at.isoformat() for cid, s in values.items()},
        "comment": sheet.comment if sheet is not None else "",
        "submitted_at": sheet.submitted_at.isoformat() if sheet is not None and sheet.submitted_at else None,
        "missing": [c.id for c in missing_criteria(sheet, criteria)],
    }
