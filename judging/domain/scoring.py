"""Scoring: one change at a time, each applied exactly once.

A tablet sends every change (one criterion's score, or the comment) with an
idempotency key, the moment it was made on the device, and the device's id.
A single query checks round, judge, assignment and conflicts; one statement
then writes the score, its audit event and the key (on PostgreSQL; one short
transaction elsewhere), so a change sent again after a lost answer is not
applied twice. When one judge uses two devices, the change made later on a
device wins, whatever order they arrive in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from sqlalchemy import Connection, String, and_, bindparam, delete, exists, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError

from contest.domain import audit, login_sessions
from contest.driver_statements import DriverStatement
from contest.extensions import autocommit_engine, db
from contest.models import AuditEvent, User
from contest.models.base import UTCDateTime, utcnow
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
    criterion_id: int | None        # None: the change is to the comment
    value: object                   # number or text for a score (None clears it); text for the comment
    changed_at: datetime | None
    device: str | None
    reason: str | None = None


@dataclass(frozen=True)
class ChangeResult:
    outcome: str                    # applied | duplicate | superseded
    sheet_id: int | None


@dataclass(frozen=True)
class _Context:
    round: Round
    judge_id: int
    assigned: bool
    conflicted: bool


def _context(round_id: int, user_id: int, entry_id: int) -> _Context:
    assigned = exists().where(Assignment.round_id == Round.id, Assignment.judge_id == Judge.id,
                              Assignment.entry_id == entry_id)
    conflicted = exists().where(Conflict.judge_id == Judge.id, Conflict.entry_id == entry_id,
                                Conflict.status == ConflictStatus.confirmed)
    row = db.session.execute(
        select(Round, Judge.id, assigned, conflicted)
        .outerjoin(Judge, and_(Judge.competition_id == Round.competition_id, Judge.user_id == user_id))
        .where(Round.id == round_id)
    ).first()
    if row is None:
        raise ScoringError(404, "not_found", _("This round does not exist."))
    round_, judge_id, is_assigned, is_conflicted = row
    if judge_id is None:
        raise ScoringError(403, "not_a_judge", _("You are not a judge of this competition."))
    return _Context(round_, judge_id, bool(is_assigned), bool(is_conflicted))


def check_can_score(ctx: _Context) -> None:
    if ctx.conflicted:
        raise ScoringError(403, "conflict", _("You have a conflict of interest with this entry, so you do not score it."))
    if not ctx.assigned:
        raise ScoringError(403, "not_assigned", _("This entry is not assigned to you in this round."))
    if ctx.round.state is RoundState.locked:
        raise ScoringError(409, "round_locked", _("The round is locked: scores can no longer be changed."))
    if ctx.round.state is not RoundState.open:
        raise ScoringError(409, "round_not_open", _("The round has not opened for scoring yet."))


def parse_value(criterion: Criterion, raw: object) -> Decimal | None:
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
        raise ScoringError(422, "out_of_range", _("“%(name)s” takes a score from 0 to %(max)s.",
                                                  name=criterion.name, max=_points(criterion.max_points)),
                           criterion_id=criterion.id, max=str(criterion.max_points))
    if value % criterion.step != 0:
        raise ScoringError(422, "wrong_step", _("“%(name)s” is scored in steps of %(step)s.",
                                                name=criterion.name, step=_points(criterion.step)),
                           criterion_id=criterion.id, step=str(criterion.step))
    return value


def _points(value: Decimal) -> str:
    """12.50 -> "12.5": one spelling of a value in the API and the audit log."""
    return format(Decimal(value).normalize(), "f")


def _when(changed_at: datetime | None) -> datetime:
    now = utcnow()
    if changed_at is None or changed_at > now + CLOCK_SLACK:
        return now
    return changed_at


def _sheet_for_update(round_id: int, judge_id: int, entry_id: int) -> ScoreSheet:
    sheet = db.session.scalar(select(ScoreSheet).where(
        ScoreSheet.round_id == round_id, ScoreSheet.judge_id == judge_id, ScoreSheet.entry_id == entry_id))
    if sheet is None:
        sheet = ScoreSheet(round_id=round_id, judge_id=judge_id, entry_id=entry_id, comment="", updated_at=utcnow())
        db.session.add(sheet)
        db.session.flush()
    return sheet


@dataclass(frozen=True)
class _SaveContext:
    """Everything one save needs to check, read in one query."""

    round_state: RoundState
    competition_id: int
    rubric_id: int
    rubric_frozen: bool
    judge_id: int | None
    assigned: bool
    conflicted: bool
    key_owner: int | None
    key_fingerprint: str | None
    session_current: bool
    criterion_id: int | None        # None for a comment, or when not a criterion of the round's rubric
    max_points: Decimal | None
    step: Decimal | None
    # (id, submitted_at, comment, comment_changed_at, score id, score value, score changed_at):
    # a score change does not read the comment, a comment change no score.
    sheet: tuple | None = None


# The save path's statements, built once with bind parameters: building
# SQLAlchemy expressions costs more Python time per save than running them.
_JUDGE = Judge.__table__.alias("j")


def _context_query(*columns, joins=()):
    """What every save checks, plus `columns` of the thing changed (a score or the comment)."""
    query = (
        select(Round.state, Round.competition_id, Round.rubric_id, Rubric.frozen_at.is_not(None), _JUDGE.c.id,
               exists().where(Assignment.round_id == Round.id, Assignment.judge_id == _JUDGE.c.id,
                              Assignment.entry_id == bindparam("entry_id")),
               exists().where(Conflict.judge_id == _JUDGE.c.id, Conflict.entry_id == bindparam("entry_id"),
                              Conflict.status == ConflictStatus.confirmed),
               AppliedChange.judge_id, AppliedChange.fingerprint,
               # The route does not load the account (contest.access "session"): is it still
               # active, and is the login session the cookie names still current?
               exists().where(User.id == bindparam("user_id"), User.is_active_account.is_(True)),
               exists().where(login_sessions.active(bindparam("session_hash", type_=String()), bindparam("user_id"),
                                                    bindparam("now", type_=UTCDateTime()))),
               ScoreSheet.id, ScoreSheet.submitted_at, *columns)
        .join(Rubric, Rubric.id == Round.rubric_id)
        .outerjoin(_JUDGE, and_(_JUDGE.c.competition_id == Round.competition_id,
                                _JUDGE.c.user_id == bindparam("user_id")))
        .outerjoin(ScoreSheet, and_(ScoreSheet.round_id == Round.id, ScoreSheet.judge_id == _JUDGE.c.id,
                                    ScoreSheet.entry_id == bindparam("entry_id")))
        .outerjoin(AppliedChange, AppliedChange.key == bindparam("key"))
    )
    for target, on in joins:
        query = query.outerjoin(target, on)
    return query.where(Round.id == bindparam("round_id"))


# A criterion of another rubric joins as nothing, like an unknown one.
_SCORE_CONTEXT = DriverStatement(_context_query(
    Criterion.id, Criterion.max_points, Criterion.step, Score.id, Score.value, Score.changed_at,
    joins=((Criterion, and_(Criterion.id == bindparam("criterion_id"), Criterion.rubric_id == Round.rubric_id)),
           (Score, and_(Score.sheet_id == ScoreSheet.id, Score.criterion_id == Criterion.id)))))
# The comment (up to MAX_COMMENT characters) is read only when it is what changes.
_COMMENT_CONTEXT = DriverStatement(_context_query(ScoreSheet.comment, ScoreSheet.comment_changed_at))
_NEW_SHEET = insert(ScoreSheet).returning(ScoreSheet.id)


def _bound(table, names, prefix=""):
    return {name: bindparam(prefix + name, type_=table.c[name].type) for name in names}


# Every bind parameter named explicitly and prefixed (score write "w_", audit
# "a_", applied key "k_"), so that on PostgreSQL the three can go as one
# statement (data-modifying CTEs): one round trip instead of three. The prefixes
# matter: a parameter named like a column of an UPDATE's table would be taken
# as one more column to set.
_WRITES = {
    "new": insert(Score).values(_bound(Score.__table__, ("sheet_id", "criterion_id", "value", "changed_at",
                                                          "device"), "w_")),
    "set": update(Score).where(Score.id == bindparam("w_score_id")).values(
        _bound(Score.__table__, ("value", "changed_at", "device"), "w_")),
    "drop": delete(Score).where(Score.id == bindparam("w_score_id")),
    "comment": update(ScoreSheet).where(ScoreSheet.id == bindparam("w_sheet_id")).values(
        comment=bindparam("w_comment"), comment_changed_at=bindparam("w_changed_at"),
        updated_at=bindparam("w_changed_at")),
}
_AUDIT_COLUMNS = ("at", "action", "object_type", "object_id", "before", "after", "reason", "competition_id",
                  "actor_id", "device", "ip")
_AUDIT = insert(AuditEvent).values(_bound(AuditEvent.__table__, _AUDIT_COLUMNS, "a_"))
_APPLIED = insert(AppliedChange).values(_bound(AppliedChange.__table__, ("key", "judge_id", "applied_at", "outcome",
                                                                           "fingerprint"),
                                               "k_"))
_COMBINED: dict[tuple[str | None, bool], DriverStatement] = {}


def _write(conn, kind: str | None, params: dict, audit_values: dict | None, applied: dict) -> None:
    """The save's writes: one statement on PostgreSQL, one each elsewhere (SQLite)."""
    params = {"w_" + k: v for k, v in params.items()}
    audit_values = audit_values and {"a_" + k: v for k, v in audit_values.items()}
    applied = {"k_" + k: v for k, v in applied.items()}
    if conn.dialect.name != "postgresql":
        if kind is not None:
            conn.execute(_WRITES[kind], params)
        if audit_values is not None:
            conn.execute(_AUDIT, audit_values)
        conn.execute(_APPLIED, applied)
        return
    combined = _COMBINED.get((kind, audit_values is not None))
    if combined is None:
        statement = _APPLIED
        if kind is not None:
            statement = statement.add_cte(_WRITES[kind].cte("score_write"))
        if audit_values is not None:
            statement = statement.add_cte(_AUDIT.cte("audit_write"))
        combined = _COMBINED[(kind, audit_values is not None)] = DriverStatement(statement)
    combined.execute(conn, {**params, **(audit_values or {}), **applied})


def _save_context(conn, round_id: int, user_id: int, entry_id: int, key: str,
                  criterion_id: int | None, session_hash: str | None) -> _SaveContext:
    params = {"round_id": round_id, "user_id": user_id, "entry_id": entry_id, "key": key,
              "session_hash": session_hash, "now": utcnow()}
    if criterion_id is None:
        rows = _COMMENT_CONTEXT.execute(conn, params)
    else:
        rows = _SCORE_CONTEXT.execute(conn, {**params, "criterion_id": criterion_id})
    if not rows:
        raise ScoringError(404, "not_found", _("This round does not exist."))
    row = rows[0]
    (state, competition_id, rubric_id, frozen, judge_id, assigned, conflicted, key_owner, key_fingerprint,
     active, session_current, sheet_id, submitted_at, *changed) = row
    if criterion_id is None:
        criterion = (None, None, None)
        sheet = (sheet_id, submitted_at, *changed, None, None, None)
    else:
        criterion = changed[:3]
        sheet = (sheet_id, submitted_at, None, None, *changed[3:])
    return _SaveContext(state, competition_id, rubric_id, bool(frozen),
                        judge_id if active else None,    # a deactivated account judges nothing
                        bool(assigned), bool(conflicted), key_owner, key_fingerprint,
                        bool(session_current), *criterion,
                        sheet=None if sheet_id is None else sheet)


def session_ended() -> ScoringError:
    return ScoringError(401, "session_ended", _("You have been logged out. Log in again: the changes not yet "
                                                "saved stay on this device and are sent then."))


def apply_change(round_id: int, entry_id: int, user_id: int, change: Change, *,
                 session_hash: str | None = None) -> ChangeResult:
    """Apply one change for the judge `user_id`; raises ScoringError when refused.

    `session_hash` names the login session a request came through (see
    contest.domain.login_sessions): the save is refused once it has ended.
    Trusted callers (the demo, paper imports) pass none.

    The hot path of the tablets: one query reads every fact to check, then one
    statement writes the score, its audit event and the key (see `_write`)."""
    try:
        return _apply_change(round_id, entry_id, user_id, change, session_hash)
    except IntegrityError:
        # Another request wrote the same rows meanwhile, most often this very
        # change sent again after a lost answer while the first send was still
        # being saved (the database refuses the colliding INSERT itself, not the
        # COMMIT). Now that it has committed, a second try sees its work: a
        # duplicate for the same key, the usual rules otherwise.
        db.session.rollback()
        return _apply_change(round_id, entry_id, user_id, change, session_hash)
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        # A pooled connection the database had dropped (it restarted since):
        # the autocommit engine does not ping before use. Sent once more on a
        # fresh connection, the change is applied, or found a duplicate if the
        # first send was written before the connection went.
        db.session.rollback()
        return _apply_change(round_id, entry_id, user_id, change, session_hash)


def _fingerprint(round_id: int, entry_id: int, change: Change) -> str:
    """What a key stands for: a resend carries the same; a key reused for another change does not."""
    return hashlib.sha256(repr((round_id, entry_id, change.criterion_id, change.value)).encode()).hexdigest()


def _apply_change(round_id: int, entry_id: int, user_id: int, change: Change,
                  session_hash: str | None) -> ChangeResult:
    if not change.key or len(change.key) > 64:
        raise ScoringError(400, "bad_request", _("Each change needs a key of at most 64 characters."))
    with _save_connection() as conn:
        ctx = _save_context(conn, round_id, user_id, entry_id, change.key, change.criterion_id, session_hash)
        if session_hash is not None and not ctx.session_current:
            raise session_ended()
        if ctx.judge_id is None:
            raise ScoringError(403, "not_a_judge", _("You are not a judge of this competition."))
        fingerprint = _fingerprint(round_id, entry_id, change)
        if ctx.key_owner == ctx.judge_id and ctx.key_fingerprint in (None, fingerprint):
            # A resend of a change already saved: answered even if the round has
            # locked since, so the tablet's queue drains. (Keys saved before
            # fingerprints were kept have none.)
            return ChangeResult("duplicate", None)
        check_can_score(_Context(_RoundView(ctx.round_state), ctx.judge_id, ctx.assigned, ctx.conflicted))
        if ctx.key_owner is not None:   # only after the judge is known to be allowed here
            raise ScoringError(409, "key_reused", _("This change key has already been used for another change."))
        value = _checked_value(ctx, change)
        return _save(conn, ctx, round_id, entry_id, user_id, change, value, fingerprint)


@contextmanager
def _save_connection() -> Iterator[Connection]:
    """The connection a save reads its facts and writes through.

    On PostgreSQL one of the autocommit engine's: the usual save is a single
    statement (score, audit event and key together, see `_write`), atomic by
    itself, so BEGIN and COMMIT would be two round trips that protect nothing.
    The read before it sees committed data just as it would inside a READ
    COMMITTED transaction. Elsewhere (SQLite), or when the session already has
    work in progress (the demo, an import), the session's transaction: a second
    connection would not see that work, and could wait on its locks forever."""
    engine = autocommit_engine()
    if engine is None or db.session().in_transaction():
        yield db.session.connection()
        return
    with engine.connect() as conn:
        yield conn


def _checked_value(ctx: _SaveContext, change: Change) -> Decimal | str | None:
    if change.criterion_id is not None:
        if ctx.criterion_id is None:
            raise ScoringError(422, "unknown_criterion", _("This criterion is not part of the round's rubric."))
        return parse_value(_CriterionView(ctx.criterion_id, ctx.max_points, ctx.step), change.value)
    value = str(change.value or "")
    if len(value) > MAX_COMMENT:
        raise ScoringError(422, "too_long", _("The comment can be at most %(n)d characters.", n=MAX_COMMENT))
    return value


def _save(conn, ctx: _SaveContext, round_id: int, entry_id: int, user_id: int, change: Change,
          value: Decimal | str | None, fingerprint: str) -> ChangeResult:
    now = utcnow()
    # The first score of a sheet (or of the rubric) writes more than one
    # statement: those go in the session's transaction, with the change itself.
    writer = conn
    if ctx.sheet is None:
        writer = db.session.connection()
        sheet_id = writer.execute(_NEW_SHEET, {"round_id": round_id, "judge_id": ctx.judge_id,
                                               "entry_id": entry_id, "comment": "", "updated_at": now}).scalar_one()
        submitted_at = comment = comment_at = score_id = score_value = score_at = None
    else:
        sheet_id, submitted_at, comment, comment_at, score_id, score_value, score_at = ctx.sheet
    reason = (change.reason or "").strip() or None
    if submitted_at is not None and not reason:
        raise ScoringError(422, "reason_required",
                           _("This score sheet has been submitted: give a short reason for the change."))
    when = _when(change.changed_at)
    device = (change.device or "")[:64] or None
    audit_device = (change.device or "")[:120] or None
    kind, params, audit_values = None, {}, None
    if change.criterion_id is not None:
        if score_at is not None and score_at > when:
            outcome = "superseded"
        else:
            outcome = "applied"
            if value is None:
                if score_id is not None:
                    kind, params = "drop", {"score_id": score_id}
            elif score_id is None:
                kind, params = "new", {"sheet_id": sheet_id, "criterion_id": ctx.criterion_id, "value": value,
                                       "changed_at": when, "device": device}
            else:
                kind, params = "set", {"score_id": score_id, "value": value, "changed_at": when, "device": device}
            if not ctx.rubric_frozen:
                writer = db.session.connection()
                _freeze_rubric(ctx.rubric_id)
            audit_values = audit.values_now(
                "score.changed", "score_sheet", sheet_id, competition_id=ctx.competition_id,
                before={"criterion": ctx.criterion_id, "value": None if score_value is None else _points(score_value)},
                after={"criterion": ctx.criterion_id, "value": None if value is None else _points(value),
                       "entry": entry_id, "round": round_id, "key": change.key},
                reason=reason, device=audit_device, actor_id=user_id)
    elif comment_at is not None and comment_at > when:
        outcome = "superseded"
    else:
        outcome = "applied"
        kind, params = "comment", {"sheet_id": sheet_id, "comment": value, "changed_at": when}
        audit_values = audit.values_now("score.comment", "score_sheet", sheet_id, competition_id=ctx.competition_id,
                                        before={"comment": comment or ""}, after={"comment": value, "key": change.key},
                                        reason=reason, device=audit_device, actor_id=user_id)
    _write(writer, kind, params, audit_values,
           {"key": change.key, "judge_id": ctx.judge_id, "applied_at": now, "outcome": outcome,
            "fingerprint": fingerprint})
    if db.session().in_transaction():   # the save went through the session (see _save_connection)
        db.session.commit()
    return ChangeResult(outcome, sheet_id)


@dataclass(frozen=True)
class _RoundView:
    state: RoundState


@dataclass(frozen=True)
class _CriterionView:
    """The criterion as the save reads it; its name only for a refusal's message."""

    id: int
    max_points: Decimal
    step: Decimal

    @property
    def name(self) -> str:
        return db.session.get(Criterion, self.id).name


def _freeze_rubric(rubric_id: int) -> None:
    """The first score freezes the rubric; later edits make a new version."""
    db.session.connection().execute(update(Rubric).where(Rubric.id == rubric_id, Rubric.frozen_at.is_(None))
                                    .values(frozen_at=utcnow()))


def missing_criteria(sheet: ScoreSheet | None, criteria: list[Criterion]) -> list[Criterion]:
    scored = {s.criterion_id for s in sheet.scores} if sheet is not None else set()
    return [c for c in criteria if c.required and c.id not in scored]


def submit_sheet(round_id: int, entry_id: int, user_id: int, reason: str | None = None) -> ScoreSheet:
    """Sign the sheet off. Every required criterion must have a score."""
    ctx = _context(round_id, user_id, entry_id)
    check_can_score(ctx)
    sheet = _sheet_for_update(round_id, ctx.judge_id, entry_id)
    missing = missing_criteria(sheet, ctx.round.rubric.criteria)
    if missing:
        raise ScoringError(422, "incomplete", _("Score every required criterion first: %(names)s.",
                                                names=", ".join(c.name for c in missing)),
                           missing=[c.id for c in missing])
    before = sheet.submitted_at.isoformat() if sheet.submitted_at else None
    sheet.submitted_at = utcnow()
    audit.record("score.submitted", "score_sheet", sheet.id, competition_id=ctx.round.competition_id,
                 before={"submitted_at": before}, after={"submitted_at": sheet.submitted_at.isoformat()},
                 reason=(reason or "").strip() or None)
    db.session.commit()
    return sheet


def sheet_state(sheet: ScoreSheet | None, criteria: list[Criterion]) -> dict:
    """What the judge's own device shows: their values only, never others'."""
    values = {s.criterion_id: s for s in sheet.scores} if sheet is not None else {}
    return {
        "scores": {str(c.id): (_points(values[c.id].value) if c.id in values else None) for c in criteria},
        "changed_at": {str(cid): s.changed_at.isoformat() for cid, s in values.items()},
        "comment": sheet.comment if sheet is not None else "",
        "submitted_at": sheet.submitted_at.isoformat() if sheet is not None and sheet.submitted_at else None,
        "missing": [c.id for c in missing_criteria(sheet, criteria)],
    }
