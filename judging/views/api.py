"""The scoring API the tablet page uses (JSON; described at /api/openapi.json).

CSRF applies as on every form: the page sends its token in X-CSRFToken."""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from contest.access import access, signed_in
from contest.extensions import db
from contest.forms.base import plausible_year
from contest.request_guard import fits_db_integer, takes_json
from contest.transactions import atomic
from judging.core.openapi import OPENAPI
from judging.domain import scoring
from judging.domain.rounds import timer_state
from judging.models import Round, ScoreSheet

bp = Blueprint("api", __name__, url_prefix="/api")


def _refused(error: scoring.ScoringError):
    return jsonify(error=error.code, message=error.message, **error.details), error.status


def _bad_request(message: str):
    return jsonify(error="bad_request", message=message), 400


def _parse_change(body) -> scoring.Change:
    if not isinstance(body, dict):
        raise scoring.ScoringError(400, "bad_request", _("The data sent was not understood."))
    changed_at = None
    if body.get("changed_at"):
        try:
            changed_at = datetime.fromisoformat(str(body["changed_at"]).replace("Z", "+00:00"))
        except ValueError:
            raise scoring.ScoringError(400, "bad_request", _("The time of the change was not understood.")) from None
        if changed_at.tzinfo is None:
            raise scoring.ScoringError(400, "bad_request", _("The time of the change needs a time zone."))
        if not plausible_year(changed_at):
            raise scoring.ScoringError(400, "bad_request", _("The time of the change was not understood."))
    criterion = body.get("criterion_id")
    if criterion is not None and not fits_db_integer(criterion):
        raise scoring.ScoringError(400, "bad_request", _("The criterion was not understood."))
    if criterion is None and "comment" not in body:
        raise scoring.ScoringError(400, "bad_request", _("Send either a criterion and its value, or a comment."))
    return scoring.Change(
        key=str(body.get("key") or ""),
        criterion_id=criterion,
        value=body.get("value") if criterion is not None else body.get("comment"),
        changed_at=changed_at,
        device=str(body.get("device") or "")[:64] or None,
        reason=str(body.get("reason") or "")[:500] or None,
    )


@bp.route("/openapi.json")
@access("public")
def openapi():
    return jsonify(OPENAPI)


@bp.route("/rounds/<int:round_id>/sheets/<int:entry_id>")
@access("login")  # judge, assignment and conflicts: checked by the domain
def sheet(round_id, entry_id):
    try:
        allowed = scoring.permission(round_id, entry_id, current_user.id)
        allowed.check(reading=True)
    except scoring.ScoringError as error:
        return _refused(error)
    round_ = db.session.get(Round, round_id)
    own = db.session.scalar(
        select(ScoreSheet).filter_by(round_id=round_id, judge_id=allowed.judge_id, entry_id=entry_id)
    )
    return jsonify(round_state=round_.state.value, **scoring.sheet_state(own, round_.rubric.criteria))


@bp.route("/rounds/<int:round_id>/sheets/<int:entry_id>/changes", methods=["POST"])
@access("session")  # active account, judge, assignment and conflicts: checked by the domain in one query
@takes_json()
def change(round_id, entry_id):
    named = signed_in()
    if named is None:
        return _refused(scoring.session_ended())
    user_id, session_hash = named
    # The score save owns its short transaction (docs/architecture.md, "Transactions"):
    # nothing else is done in this request, so it commits the change itself and,
    # when the same change sent again was committed by another request meanwhile
    # (the key's unique index refuses it), rolls back and applies it once more,
    # when it is found a duplicate. A refusal rolls back before answering.
    try:
        change = _parse_change(request.get_json(silent=True))
        try:
            result = scoring.apply_change(round_id, entry_id, user_id, change, session_hash=session_hash)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            result = scoring.apply_change(round_id, entry_id, user_id, change, session_hash=session_hash)
            db.session.commit()
    except scoring.ScoringError as error:
        db.session.rollback()
        return _refused(error)
    return jsonify(outcome=result.outcome)


@bp.route("/rounds/<int:round_id>/sheets/<int:entry_id>/submit", methods=["POST"])
@access("login")  # judge, assignment and conflicts: checked by the domain
@takes_json()
def submit(round_id, entry_id):
    body = request.get_json(silent=True) or {}
    try:
        with atomic():  # a refused sign-off leaves nothing behind (not even an empty sheet)
            sheet = scoring.submit_sheet(round_id, entry_id, current_user.id, reason=str(body.get("reason") or ""))
    except scoring.ScoringError as error:
        return _refused(error)
    return jsonify(submitted_at=sheet.submitted_at.isoformat())


@bp.route("/rounds/<int:round_id>/timer")
@access("round:judge", "round:organizer")
def timer(round_id):
    round_ = db.session.get(Round, round_id)
    return jsonify(timer_state(round_))
