"""Competition- and team-scoped access rules for `@access(...)`."""

from __future__ import annotations

from flask import abort, g
from flask_login import current_user
from sqlalchemy.orm import joinedload

from contest.access import register_rule
from contest.extensions import db


def _competition(view_args):
    """The URL's competition, selected once per request for the rules: a management page
    asks them for each page its menu links to (kept on `g`, as `_team` below)."""
    from contest.domain.competitions import find_by_slug

    slug = view_args.get("slug", "")
    known = g.setdefault("access_competitions", {})
    if slug not in known:
        known[slug] = find_by_slug(slug)
    if known[slug] is None:
        abort(404)
    return known[slug]


def _team(view_args):
    """The URL's team, with what team pages and these rules use: its competition,
    entry and members, in one query (a team has at most a handful of members).
    Kept on `g` for the request: the session holds rows only weakly, so without
    that the view's own `db.session.get(Team, ...)` would select the team again."""
    from contest.models import Team

    team = db.session.get(
        Team,
        view_args.get("team_id"),
        options=[joinedload(Team.competition), joinedload(Team.entry), joinedload(Team.members)],
    )
    if team is None:
        abort(404)
    g.setdefault("access_teams", set()).add(team)
    return team


def _is_organizer(view_args) -> bool:
    from contest.domain.competitions import can_organize

    return can_organize(current_user, _competition(view_args))


def _is_checker(view_args) -> bool:
    from contest.domain.competitions import can_check_entries

    return can_check_entries(current_user, _competition(view_args))


def _is_team_member(view_args) -> bool:
    from contest.domain.teams import is_member

    return is_member(current_user, _team(view_args))


def _is_team_leader(view_args) -> bool:
    return _team(view_args).leader_id == current_user.id


def _checks_team(view_args) -> bool:
    """Secretariat or organizers of the team's competition."""
    from contest.domain.competitions import can_check_entries

    return can_check_entries(current_user, _team(view_args).competition)


def install() -> None:
    register_rule("competition:organizer", _is_organizer)
    register_rule("competition:secretariat", _is_checker)
    register_rule("team:member", _is_team_member)
    register_rule("team:leader", _is_team_leader)
    register_rule("team:checker", _checks_team)


install()
