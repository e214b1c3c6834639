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


def _sees_expert(view_args) -> bool:
    """The person themself, or an officer who keeps the registry of experts."""
    from contest.domain import experts
    from contest.models import Expert

    expert = db.session.get(Expert, view_args.get("expert_id"))
    if expert is None:
        abort(404)
    return experts.may_see_record(current_user, expert)


register_rule("round:judge", _is_round_judge)
register_rule("expert:self_or_officer", _sees_expert)
register_rule("round:organizer", _is_round_organizer)
