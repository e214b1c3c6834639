"""Reports: which competitions a user may count, the records the figures are
computed from, and the yearly report. The counting itself is in
`contest.reports.figures`; what happened in rounds and awards comes from the
"report_outcomes" providers registered on the app (judging registers one), so
`contest` never imports `judging`."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from contest import signals
from contest.domain import unit_officers
from contest.domain.competitions import LEVEL_LABELS, STATE_LABELS
from contest.domain.entries import is_women_owned
from contest.extensions import db
from contest.i18n import format_day
from contest.models import (
    Activity,
    ActivityKind,
    Competition,
    CompetitionLevel,
    CompetitionRole,
    CompetitionRoleKind,
    CompetitionState,
    Entry,
    EntryStatus,
    EntryValidity,
    OrgUnit,
    OrgUnitKind,
    OrgUnitSuccession,
    ProjectOutcome,
    Team,
)
from contest.reports import figures as F
from contest.reports.indicators import IndicatorValue


@dataclass
class ContestOutcomes:
    """What a provider tells about competitions: their rounds, the rounds each
    entry took part in, and the awards each entry won."""

    rounds: dict[int, tuple[tuple[int, str], ...]] = field(default_factory=dict)  # competition → (position, name)
    reached: dict[int, tuple[int, ...]] = field(default_factory=dict)  # entry → round positions
    awards: dict[int, tuple[tuple[str, int], ...]] = field(default_factory=dict)  # entry → (award, prize)


# -- who sees what -------------------------------------------------------------


def sees_province(user) -> bool:
    """Whether the figures shown to `user` are the whole province's: administrators, and the
    officers of the Department (the province's lead unit for the plan, which consolidates the
    province's report: `reporting_cycle.department`). Every other viewer sees their own part."""
    from contest.domain.reporting_cycle import is_department_officer  # it imports this module

    return bool(user.is_authenticated and (user.is_admin or is_department_officer(user)))


def visible_competition_ids(user) -> list[int] | None:
    """None: every competition (administrators and the Department's officers, `sees_province`).
    Otherwise those where the user is an organizer or in the secretariat, or which their unit
    (or a unit under it) organises."""
    if sees_province(user):
        return None
    held = set(
        db.session.scalars(
            select(CompetitionRole.competition_id)
            .where(
                CompetitionRole.user_id == user.id,
                CompetitionRole.role.in_([CompetitionRoleKind.organizer, CompetitionRoleKind.secretariat]),
            )
            .distinct()
        )
    )
    # Unit officers: their units' competitions and those of the units under them.
    return sorted(held | set(unit_officers.seen_competition_ids(user)))


def may_see_reports(user) -> bool:
    return bool(
        user.is_authenticated and (user.is_admin or visible_competition_ids(user) or unit_officers.own_unit_ids(user))
    )


def unit_scope(unit_id: int) -> frozenset[int]:
    """The unit, the units under it, and the units it took over (followed back
    through succession links, which are many-to-many), so a current commune
    also counts what its dissolved predecessors held. A set: a district split
    among three communes that are all in scope is counted once."""
    units = db.session.execute(select(OrgUnit.id, OrgUnit.parent_id)).all()
    links = db.session.execute(select(OrgUnitSuccession.predecessor_id, OrgUnitSuccession.successor_id)).all()
    children, predecessors = defaultdict(list), defaultdict(list)
    for uid, parent_id in units:
        if parent_id is not None:
            children[parent_id].append(uid)
    for predecessor_id, successor_id in links:
        predecessors[successor_id].append(predecessor_id)
    scope, todo = set(), [unit_id]
    while todo:
        uid = todo.pop()
        if uid not in scope:
            scope.add(uid)
            todo.extend(children[uid] + predecessors[uid])
    return frozenset(scope)


def successor_ids() -> dict[int, list[int]]:
    """unit → the units that took it over, for following history forward."""
    found = defaultdict(list)
    for predecessor_id, successor_id in db.session.execute(
        select(OrgUnitSuccession.predecessor_id, OrgUnitSuccession.successor_id)
    ):
        found[predecessor_id].append(successor_id)
    return found


# -- records -------------------------------------------------------------------


@dataclass
class Records:
    competitions: list[F.CompetitionRecord]
    teams: list[F.TeamRecord]
    outcomes: list[F.Outcome]
    units: dict[int, OrgUnit]
    boards: list[str]
    fields: list[str]
    awards: dict[int, tuple[tuple[str, int], ...]]  # entry → announced (award, prize), from the providers
    states: dict[int, CompetitionState]


def _reference_day(competition: Competition) -> date:
    if competition.submission_deadline is None:
        return date(competition.year, 12, 31)
    return competition.submission_deadline.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def _person(member) -> F.Person:
    return F.Person(
        gender=member.gender.value if member.gender else None, born=member.date_of_birth, student=member.is_student
    )


def _contest_outcomes(competition_ids: list[int]) -> ContestOutcomes:
    merged = ContestOutcomes()
    for found in signals.collect(signals.report_outcomes, competition_ids=competition_ids):
        merged.rounds.update(found.rounds)
        merged.reached.update(found.reached)
        merged.awards.update(found.awards)
    return merged


def load_records(visible: list[int] | None) -> Records:
    query = select(Competition).options(selectinload(Competition.boards), selectinload(Competition.fields))
    if visible is not None:
        query = query.where(Competition.id.in_(visible))
    competitions = list(db.session.scalars(query))
    ids = [c.id for c in competitions]
    provided = _contest_outcomes(ids)
    boards = {b.id: b.name for c in competitions for b in c.boards}
    fields = {f.id: f.name for c in competitions for f in c.fields}
    teams = db.session.scalars(
        select(Team).where(Team.competition_id.in_(ids)).options(selectinload(Team.members))
    ).all()
    entries = {e.team_id: e for e in db.session.scalars(select(Entry).where(Entry.competition_id.in_(ids)))}
    by_id = {c.id: c for c in competitions}
    team_records = []
    for team in teams:
        competition, entry = by_id[team.competition_id], entries.get(team.id)
        members = tuple(_person(m) for m in team.members)
        leader = next((m for m in team.members if m.user_id == team.leader_id), None)
        submitted = entry is not None and entry.status is EntryStatus.submitted
        team_records.append(
            F.TeamRecord(
                competition_id=competition.id,
                year=competition.year,
                level=competition.level.value,
                unit_id=team.org_unit_id or competition.org_unit_id,
                reference_day=_reference_day(competition),
                leader=_person(leader) if leader else F.Person(None, None, False),
                members=members,
                board=boards.get(entry.board_id) if entry and entry.board_id is not None else None,
                field=fields.get(entry.field_id) if entry and entry.field_id is not None else None,
                submitted=submitted,
                valid=entry is not None and submitted and entry.validity is EntryValidity.valid,
                rounds_reached=provided.reached.get(entry.id, ()) if entry else (),
                awards=provided.awards.get(entry.id, ()) if entry else (),
                women_owned_business=entry is not None and is_women_owned(entry),
            )
        )
    competition_records = [
        F.CompetitionRecord(
            id=c.id,
            name=c.name,
            year=c.year,
            level=c.level.value,
            unit_id=c.org_unit_id,
            held=c.state is not CompetitionState.draft,
            rounds=provided.rounds.get(c.id, ()),
        )
        for c in competitions
    ]
    outcomes = [
        F.Outcome(entry_id=o.entry_id, kind=o.kind.value, on=o.occurred_on, amount=o.amount or 0, jobs=o.jobs or 0)
        for o in db.session.scalars(
            select(ProjectOutcome).join(Entry, Entry.id == ProjectOutcome.entry_id).where(Entry.competition_id.in_(ids))
        )
    ]
    units = {u.id: u for u in db.session.scalars(select(OrgUnit))}
    return Records(
        competition_records,
        team_records,
        outcomes,
        units,
        sorted(set(boards.values())),
        sorted(set(fields.values())),
        provided.awards,
        {c.id: c.state for c in competitions},
    )


# -- labels --------------------------------------------------------------------


def column_labels() -> dict[str, str]:
    return {
        "competitions": _("Competitions"),
        "teams": _("Teams"),
        "entries_submitted": _("Entries submitted"),
        "entries_valid": _("Valid entries"),
        "participants": _("Participants"),
        "women": _("Women"),
        "women_led_teams": _("Teams led by a woman"),
        "women_owned_businesses": _("Women-owned businesses (women own ≥ 51 % and manage)"),
        "student_teams": _("Student teams"),
        "youth": _("Aged 35 or less"),
        "awards": _("Awards"),
        "prize_money": _("Prize money (đồng)"),
    }


def indicator_labels() -> dict[str, str]:
    return {
        "projects_supported": _("Startup projects supported"),
        "enterprises_formed": _("Startup enterprises formed"),
        "projects_raising_capital": _("Projects that raised capital"),
        "certified_advisers": _("Certified startup advisers"),
        "support_organisations": _("Startup support organisations"),
        "service_areas": _("Concentrated startup service areas"),
    }


def status_labels() -> dict[str, str]:
    return {"met": _("Target reached"), "on_track": _("On track"), "behind": _("Behind the plan's pace")}


def level_label(value: str) -> str:
    return str(LEVEL_LABELS[CompetitionLevel(value)])


def unit_label(unit: OrgUnit | None) -> str:
    if unit is None:
        return _("Unknown unit")
    if unit.valid_to is not None:
        return _("%(name)s (until %(day)s)", name=unit.name, day=format_day(unit.valid_to))
    return unit.name


# -- breakdowns ------------------------------------------------------------------


def breakdowns(records: Records, filters: F.Filters) -> dict[str, F.Breakdown]:
    comps, teams, units = records.competitions, records.teams, records.units
    levels = {level.value: i for i, level in enumerate(CompetitionLevel)}
    return {
        "level": F.breakdown(
            comps,
            teams,
            lambda t, c: level_label(t.level),
            lambda c: level_label(c.level),
            filters,
            order=lambda name: [level_label(v) for v in levels].index(name),
        ),
        "unit": F.breakdown(
            comps,
            teams,
            lambda t, c: unit_label(units.get(t.unit_id) if t.unit_id else None),
            lambda c: unit_label(units.get(c.unit_id)),
            filters,
        ),
        # Pupils' and students' teams by the school they registered from (a unit of kind school);
        # teams from no school are left out, so its total sums its rows (as the yearly report's sheet).
        "school": F.breakdown(
            comps,
            teams,
            lambda t, c: (
                unit_label(units[t.unit_id])
                if t.unit_id in units and units[t.unit_id].kind is OrgUnitKind.school
                else None
            ),
            None,
            filters,
        ).of_rows_only(),
        "field": F.breakdown(comps, teams, lambda t, c: t.field, None, filters),
        "board": F.breakdown(comps, teams, lambda t, c: t.board, None, filters),
        "year": F.breakdown(comps, teams, lambda t, c: str(t.year), lambda c: str(c.year), filters),
    }


# -- student startup clubs by school ------------------------------------------------


def visible_unit_ids(user) -> frozenset[int] | None:
    """Whose recorded activities a user may count: None for administrators and the Department's
    officers (every unit, `sees_province`), otherwise the user's units and every unit under them."""
    return None if sees_province(user) else unit_officers.seen_unit_ids(user)


def figures_scope(user) -> str:
    """What the figures shown to `user` cover, said on every page that shows them: the province,
    the user's units (with the units under them), or the competitions the user organises."""
    if sees_province(user):
        return _("Figures of: the whole province")
    names = ", ".join(unit.name for unit in unit_officers.units_of(user))
    if names and unit_officers.seen_unit_ids(user) - unit_officers.own_unit_ids(user):
        return _("Figures of the unit: %(units)s and the units under it", units=names)
    if names:
        return _("Figures of the unit: %(units)s", units=names)
    return _("Figures of: the competitions you organise")


def clubs_by_school(
    year: int | None, *, unit_ids: frozenset[int] | None = None, seen_ids: frozenset[int] | None = None
) -> list[tuple[OrgUnit, int]]:
    """Startup clubs formed at each school (Đề án 1665's student clubs): the plan-reporting
    activities of kind club linked to a school, dated in `year` (None: every year), as
    (school, clubs) by the school's name. `unit_ids` (the reports' unit filter) and `seen_ids`
    (what the viewer may see) each keep a club whose school or recording unit is among them."""
    query = (
        select(Activity.school_id, func.count(Activity.id))
        .where(Activity.kind == ActivityKind.club, Activity.school_id.is_not(None))
        .group_by(Activity.school_id)
    )
    if year is not None:
        query = query.where(Activity.occurred_on >= date(year, 1, 1), Activity.occurred_on <= date(year, 12, 31))
    for ids in (unit_ids, seen_ids):
        if ids is not None:
            query = query.where(or_(Activity.school_id.in_(list(ids)), Activity.unit_id.in_(list(ids))))
    counts: dict[int, int] = {school_id: n for school_id, n in db.session.execute(query).all()}
    if not counts:
        return []
    schools = db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(list(counts))))
    return sorted(((school, counts[school.id]) for school in schools), key=lambda row: (row[0].name, row[0].id))


def report_years(records: Records, seen_ids: frozenset[int] | None) -> list[int]:
    """The years a report can be asked for, latest first: those of the competitions the
    viewer sees and those of the startup clubs recorded in units they see."""
    clubs = select(Activity.occurred_on).where(Activity.kind == ActivityKind.club, Activity.school_id.is_not(None))
    if seen_ids is not None:
        clubs = clubs.where(or_(Activity.school_id.in_(list(seen_ids)), Activity.unit_id.in_(list(seen_ids))))
    club_years = {day.year for day in db.session.scalars(clubs.distinct())}
    return sorted({c.year for c in records.competitions} | club_years, reverse=True)


def plan_progress(visible: list[int] | None, as_of: date) -> list[tuple[IndicatorValue, str, str]]:
    """Each target of the plan in force on `as_of` against the facts as of that day:
    (value, indicator label, period label). Definitions: contest.reports.indicators."""
    from contest.domain.indicators import values

    labels = indicator_labels()
    return [(v, labels[v.indicator], f"{v.start_year}–{v.end_year}") for v in values(visible, as_of)]


def state_label(state: CompetitionState) -> str:
    return str(STATE_LABELS[state])
