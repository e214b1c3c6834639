"""Round-scoped access rules for `@access(...)`."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from contest.access import register_rule
from contest.extensions import db


def _round(view_args):
    from judging.models import Round

    round_ = db.session.get(Round, view_args.get("round_id"))
    if round_ is None:
        abort(404)
    return round_


def _is_round_judge(view_args) -> bool:
    from judging.domain.rounds import judge_of

    return judge_of(_round(view_args).competition_id, current_user.id) is not None


def _is_round_organizer(view_args) -> bool:
    from contest.domain.competitions import can_organize

    return can_organize(current_user, _round(view_args).competition)


register_rule("round:judge", _is_round_judge)
register_rule("round:organizer", _is_round_organizer)
