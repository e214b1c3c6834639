"""The plan's yearly cycle (Decision 827, section V): units draft their plan for
the next year by 30/10 and report the year's results by 10/12; the Department
returns plans with comments, sees who is late and consolidates the province's
report by 15/12. Reminders go through the outbox before each deadline.

Functions change and flush; the view or CLI command commits."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from contest.domain import audit, orgunits
from contest.domain import unit_officers as unit_officers_domain
from contest.domain.errors import Conflict, DomainError
from contest.domain.outbox import queue_mail
from contest.domain.reports import unit_scope
from contest.extensions import db
from contest.models import (
    Activity,
    ActivityKind,
    Competition,
    CompetitionState,
    CycleUnit,
    Entry,
    EntryValidity,
    MentoringSession,
    Mentorship,
    OrgUnit,
    OrgUnitKind,
    Plan,
    PlanTask,
    ProvinceReport,
    ReportKind,
    ReportReminder,
    ReportState,
    TimingKind,
    UnitOfficer,
    UnitOfficerRole,
    UnitReport,
    UnitReportVersion,
    User,
)
from contest.models.base import utcnow
from contest.numbers import vn_number
from contest.reports import plan_data
from contest.reports.consolidate import COUNT_KEYS, UnitFigures, consolidate
from contest.transactions import atomic

# The plan's "UBND các huyện, thị xã, thành phố": before 1/7/2025 the districts, towns and cities (and
# communes); from then the communes, wards and the special zone.
LOCALITY_KINDS = {
    OrgUnitKind.city,
    OrgUnitKind.town,
    OrgUnitKind.district,
    OrgUnitKind.commune,
    OrgUnitKind.ward,
    OrgUnitKind.special_zone,
}
# Which figure an activity of each kind adds to.
ACTIVITY_FIGURE = {
    ActivityKind.forum: "events",
    ActivityKind.training: "events",
    ActivityKind.workshop: "events",
    ActivityKind.exhibition: "events",
    ActivityKind.techfest: "events",
    ActivityKind.club: "clubs",
    ActivityKind.coworking: "coworking",
    ActivityKind.support_organisation: "support_organisations",
    ActivityKind.service_area: "service_areas",
    ActivityKind.incubation: "incubations",
    ActivityKind.mentoring: "mentoring",
    ActivityKind.fund_decision: "funds",
}
_TIMING = {
    "yearly": TimingKind.yearly,
    "once": TimingKind.once,
    "from": TimingKind.from_year,
    "as_needed": TimingKind.as_needed,
}


def clock_today() -> date:
    """The cycle's clock (one place, so a test can set it): the deadlines are the province's days."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def clock_now() -> datetime:
    return utcnow()


def province_day(moment: datetime) -> date:
    """The province's day of a moment stored in UTC (a report sent at 06:30 on 11/12 in Quảng Ngãi
    is 23:30 on 10/12 in UTC): the day a deadline is compared with."""
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


# -- the plan --------------------------------------------------------------------


def load_plan(data: plan_data.PlanData | None = None) -> Plan:
    """Create or update the plan and its tasks from the data file (idempotent)."""
    data = data or plan_data.load()
    plan = db.session.scalar(select(Plan).where(Plan.number == data.number))
    if plan is None:
        plan = Plan(number=data.number)
        db.session.add(plan)
    plan.issued_on, plan.issuer, plan.title = data.issued_on, data.issuer, data.title
    plan.start_year, plan.end_year = data.start_year, data.end_year
    db.session.flush()
    existing = {t.number: t for t in plan.tasks}
    for position, task in enumerate(data.tasks):
        row = existing.get(task.number)
        if row is None:
            row = PlanTask(number=task.number)
            plan.tasks.append(row)
        row.position, row.text = position, task.text
        row.leads = [{"name": lead.name, "unit": lead.unit} for lead in task.lead]
        row.coordinating = list(task.coordinating)
        row.timing_kind, row.timing_text = _TIMING[task.timing.kind], task.timing.text
        row.start_year, row.end_year = task.timing.start, task.timing.end
        row.minimum_per_year, row.indicators = task.minimum_per_year, list(task.indicators)
    db.session.flush()
    return plan


def current_plan() -> Plan | None:
    return db.session.scalar(select(Plan).order_by(Plan.issued_on.desc()).limit(1))


def deadline(kind: str, year: int) -> date:
    return plan_data.load().deadline(kind).due(year)


def _timing(task: PlanTask) -> plan_data.Timing:
    kind = {v: k for k, v in _TIMING.items()}[task.timing_kind]
    return plan_data.Timing(kind, task.timing_text, task.start_year, task.end_year)


def _present(unit: OrgUnit, day: date) -> OrgUnit:
    """The unit, or the unit that took over its work once it ceased to exist."""
    seen = set()
    while not unit.is_valid_on(day) and unit.successor is not None and unit.id not in seen:
        seen.add(unit.id)
        unit = unit.successor
    return unit


def lead_labels(task: PlanTask, year: int) -> list[str]:
    """The task's lead units as the plan names them; a unit dissolved by the
    reform is shown with its successor."""
    day, labels = date(year, 12, 31), []
    codes = {lead["unit"] for lead in task.leads if lead["unit"] and not lead["unit"].startswith("@")}
    units = {u.code: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.code.in_(codes)))}
    for lead in task.leads:
        unit = units.get(lead["unit"] or "")
        now = _present(unit, day) if unit else None
        if now is not None and now is not unit:
            labels.append(_("%(unit)s (now %(successor)s)", unit=lead["name"], successor=now.name))
        elif lead["unit"] == plan_data.LOCALITIES and year >= 2025:
            labels.append(_("%(unit)s (from 1/7/2025: the communes, wards and special zone)", unit=lead["name"]))
        else:
            labels.append(lead["name"])
    return labels


def leads_task(unit: OrgUnit, task: PlanTask, year: int) -> bool:
    day = date(year, 12, 31)
    for lead in task.leads:
        code = lead["unit"]
        if code == plan_data.LOCALITIES and unit.kind in LOCALITY_KINDS:
            return True
        if code == plan_data.SCHOOLS and unit.kind is OrgUnitKind.school:
            return True
        if code and not code.startswith("@"):
            named = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
            if named is None:
                continue
            if _present(named, day).id == unit.id:
                return True
            if named.id == unit.id and not ended_before(unit, year):  # its last year: it reports its part
                return True
    return False


def tasks_for(unit: OrgUnit, year: int) -> list[PlanTask]:
    plan = current_plan()
    if plan is None:
        return []
    return [t for t in plan.tasks if _timing(t).applies_to(year) and leads_task(unit, t, year)]


# -- who reports -------------------------------------------------------------------

# A unit reports through its officers (contest.domain.unit_officers): the same role that runs its contests.


def officer_units(user) -> list[OrgUnit]:
    return unit_officers_domain.units_of(user)


def is_unit_officer(user, unit_id: int, year: int | None = None) -> bool:
    """Whether `user` acts for the unit in the cycle: an administrator, or a current officer of
    the unit. For a year, the officer's role counts only if the unit had not ended before it
    (`ended_before`): the officers of a unit that has ended (a district abolished on 30/6/2025)
    still read, send and correct its reports up to the year it ended, its last report being sent
    after its end, and act for no later year, when the units that took it over report."""
    if not user.is_authenticated:
        return False
    if user.is_admin:
        return True
    if unit_id not in unit_officers_domain.own_unit_ids(user):
        return False
    if year is None:
        return True
    unit = db.session.get(OrgUnit, unit_id)
    return unit is not None and not ended_before(unit, year)


def department() -> OrgUnit | None:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == current_app.config["REPORTING_DEPARTMENT_CODE"]))


def is_department_officer(user) -> bool:
    if not user.is_authenticated:
        return False
    unit = department()
    return user.is_admin or (unit is not None and unit.id in unit_officers_domain.own_unit_ids(user))


def add_officer(unit: OrgUnit, user: User) -> None:
    """Make `user` the unit's focal point from the unit's first day (demo and tests; people appoint
    officers through unit_officers.appoint, which checks who may)."""
    if unit.id in unit_officers_domain.own_unit_ids(user):
        return
    db.session.add(
        UnitOfficer(
            org_unit=unit,
            user=user,
            role=UnitOfficerRole.focal_point,
            valid_from=unit.valid_from or date(2000, 1, 1),
            granted_at=utcnow(),
        )
    )
    db.session.flush()
    unit_officers_domain.forget_cache()


def unit_officers(unit_id: int) -> list[User]:
    """The accounts that report for the unit today."""
    return unit_officers_domain.accounts_of(unit_id)


def open_cycle(year: int, units: list[OrgUnit]) -> None:
    """The units expected to send their plan and results for the year."""
    for unit in units:
        if db.session.get(CycleUnit, (year, unit.id)) is None:
            db.session.add(CycleUnit(year=year, unit_id=unit.id))
    db.session.flush()


def ended_before(unit: OrgUnit, year: int) -> bool:
    """Whether the unit had ended before `year` began: the cycle's one rule for whether a unit
    that has ended still reports for a year, decided by its end date (valid_to, its last day in
    force) against the year the report covers (1/1 to 31/12; its results are due on 10/12).

    A unit that ended during the year (a district abolished on 30/6/2025, a department merged in
    February) is still expected for that year: its results for the months it existed are its last
    report, sent after its end, by its officers. A unit that ended before 1 January is not expected
    for the year, nor for any later one, has no report for it and its officers act for none of them
    (`is_unit_officer`): the units that took it over report. (The cycle of a year also asks for
    the next year's plan, which a unit that will not exist then is not asked for: see `statuses`.)"""
    return unit.valid_to is not None and unit.valid_to < date(year, 1, 1)


def units_of_year(year: int) -> list[OrgUnit]:
    """The units that exist on at least one day of the year (below the province), by name."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    units = db.session.scalars(
        select(OrgUnit).where(OrgUnit.kind != OrgUnitKind.province).order_by(OrgUnit.name, OrgUnit.id)
    )
    return [unit for unit in units if unit.overlaps(first, last)]


def suggested_units(year: int) -> list[OrgUnit]:
    """The units the plan asks to report for the year: those that lead a task applying to it and
    exist on at least one day of it, never one that had ended before it (`ended_before`). A unit
    the plan names that ended during the year is proposed for that year, its last report, and so
    is the unit that took it over (which reports for it from the next year on)."""
    plan = current_plan()
    if plan is None:
        return []
    due = deadline("results", year)
    tasks = [t for t in plan.tasks if _timing(t).applies_to(year)]
    codes = {lead["unit"] for t in tasks for lead in t.leads if lead["unit"]}
    named: set[int] = set()
    for unit in db.session.scalars(select(OrgUnit).where(OrgUnit.code.in_({c for c in codes if c[0] != "@"}))):
        named |= {unit.id, _present(unit, due).id}
    kinds = (LOCALITY_KINDS if plan_data.LOCALITIES in codes else set()) | (
        {OrgUnitKind.school} if plan_data.SCHOOLS in codes else set()
    )
    return [u for u in units_of_year(year) if not ended_before(u, year) and (u.id in named or u.kind in kinds)]


def _sent_in_cycle(year: int):
    """The condition on UnitReport for a report of the cycle of `year` that was sent (the year's
    results, the next year's plan; submitted or returned)."""
    return (UnitReport.state != ReportState.draft) & (
        ((UnitReport.year == year) & (UnitReport.kind == ReportKind.results))
        | ((UnitReport.year == year + 1) & (UnitReport.kind == ReportKind.plan))
    )


def set_expected_units(year: int, unit_ids: set[int], actor: User | None) -> None:
    """Decide which units are expected to send the year's results and the next
    year's plan (the Department's choice; `suggested_units` proposes it). A unit
    that has already sent a report of the cycle stays expected. A unit that had
    ended before the year is refused, even one chosen before its end was recorded
    (`ended_before`); one that ended during the year may be chosen. Audited."""
    current = {row.unit_id: row for row in db.session.scalars(select(CycleUnit).where(CycleUnit.year == year))}
    allowed = {unit.id: unit for unit in units_of_year(year)}
    chosen = {unit.id: unit for unit in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit_ids or {0})))}
    sent_ids = set(
        db.session.scalars(
            select(UnitReport.unit_id).where(
                UnitReport.unit_id.in_((set(current) | unit_ids) or {0}), _sent_in_cycle(year)
            )
        )
    )
    ended = sorted(
        (unit for unit in chosen.values() if ended_before(unit, year) and unit.id not in sent_ids),
        key=lambda unit: (unit.name, unit.id),
    )
    if ended:
        raise DomainError(
            _(
                "%(units)s had already ended before %(year)s: a unit reports up to the year it ends, and "
                "the units that took it over report after that. Leave it out.",
                units=", ".join(f"{unit.name} ({orgunits.validity_text(unit)})" for unit in ended),
                year=year,
            ),
            field="units",
        )
    unknown = unit_ids - set(allowed) - set(current)
    if unknown:
        raise DomainError(_("Choose units that exist in %(year)s.", year=year), field="units")
    dropped = set(current) - unit_ids
    sent = db.session.scalars(
        select(OrgUnit.name).where(OrgUnit.id.in_((dropped & sent_ids) or {0})).order_by(OrgUnit.name)
    ).all()
    if sent:
        raise Conflict(
            _(
                "These units have already sent a report for %(year)s and stay expected: %(units)s.",
                year=year,
                units=", ".join(sent),
            ),
            code="already_sent",
        )
    added = unit_ids - set(current)
    if not added and not dropped:
        return
    codes = {
        unit.id: unit.code
        for unit in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(set(current) | unit_ids)))
    }
    for unit_id in dropped:
        db.session.delete(current[unit_id])
    for unit_id in added:
        db.session.add(CycleUnit(year=year, unit_id=unit_id))
    db.session.flush()
    audit.record(
        "reporting.expected_units",
        "reporting_cycle",
        year,
        before={"units": sorted(codes[i] for i in current)},
        after={"units": sorted(codes[i] for i in unit_ids)},
        actor_id=actor.id if actor else None,
    )


def expected_units(year: int) -> list[OrgUnit]:
    """The units expected to report for the year: those the Department chose, less one that had
    ended before the year (`ended_before`: its end recorded after it was chosen), which is neither
    listed, counted as missing or late, nor reminded, unless it has sent a report of the cycle."""
    sent = select(UnitReport.id).where(UnitReport.unit_id == OrgUnit.id, _sent_in_cycle(year)).exists()
    return list(
        db.session.scalars(
            select(OrgUnit)
            .join(CycleUnit, CycleUnit.unit_id == OrgUnit.id)
            .where(
                CycleUnit.year == year,
                OrgUnit.valid_to.is_(None) | (OrgUnit.valid_to >= date(year, 1, 1)) | sent,
            )
            .order_by(OrgUnit.name)
        )
    )


# -- activities ------------------------------------------------------------------------


@dataclass
class ActivityInput:
    kind: ActivityKind
    title: str
    occurred_on: date
    participants: int | None = None
    evidence_url: str | None = None
    task_id: int | None = None
    entry_id: int | None = None
    note: str = ""
    school_id: int | None = None  # a startup club's school (a unit of kind school)


def club_schools(day: date) -> list[OrgUnit]:
    """The schools a startup club may be recorded at: units of kind school in existence on `day`, by name."""
    schools = db.session.scalars(
        select(OrgUnit).where(OrgUnit.kind == OrgUnitKind.school).order_by(OrgUnit.name, OrgUnit.id)
    )
    return [school for school in schools if school.is_valid_on(day)]


def _club_school_id(unit: OrgUnit, data: ActivityInput) -> int | None:
    """The school of a startup club (Đề án 1665's student clubs): only a club has one; the one
    chosen must be a school that existed on the club's date; a school's own club is its own when
    no school is chosen."""
    if data.kind is not ActivityKind.club:
        if data.school_id is not None:
            raise DomainError(
                _("Only a startup club belongs to a school: leave the school empty for this kind of activity."),
                field="school_id",
            )
        return None
    if data.school_id is None:
        return unit.id if unit.kind is OrgUnitKind.school else None
    school = db.session.get(OrgUnit, data.school_id)
    if school is None or school.kind is not OrgUnitKind.school:
        raise DomainError(_("Choose the club's school from the list of schools."), field="school_id")
    if not school.is_valid_on(data.occurred_on):
        raise DomainError(
            _("%(school)s did not exist on the club's date.", school=school.name),
            field="school_id",
        )
    return school.id


def results_closed(unit: OrgUnit, year: int) -> bool:
    """Whether the unit's results for the year are submitted: its activities of that year are what
    the report (and the province's consolidation) counted, so they stay as they are until the
    Department returns the report."""
    return (
        db.session.scalar(
            select(UnitReport.id).where(
                UnitReport.unit_id == unit.id,
                UnitReport.year == year,
                UnitReport.kind == ReportKind.results,
                UnitReport.state == ReportState.submitted,
            )
        )
        is not None
    )


def _refuse_if_closed(unit: OrgUnit, year: int) -> None:
    if results_closed(unit, year):
        raise Conflict(
            _(
                "The results for %(year)s have been submitted, so the year's activities are closed. To add or "
                "remove one, ask the Department of Science and Technology to return the report.",
                year=year,
            ),
            field="occurred_on",
            code="results_closed",
        )


def record_activity(
    unit: OrgUnit, data: ActivityInput, actor: User | None, today: date | None = None, year: int | None = None
) -> Activity:
    """Record an activity; `year`, when given (the unit's page of that year), is the year its date must
    fall in. Refused once the results of the activity's year are submitted."""
    today = today or clock_today()
    title = " ".join((data.title or "").split())
    if not title:
        raise DomainError(_("Say what the activity was."), field="title")
    if data.occurred_on > today:
        raise DomainError(_("An activity is recorded once it has taken place."), field="occurred_on")
    if unit.valid_to is not None and data.occurred_on > unit.valid_to:
        raise DomainError(
            _(
                "%(unit)s is %(dates)s: an activity after its end is recorded by the unit that took it over.",
                unit=unit.name,
                dates=orgunits.validity_text(unit),
            ),
            field="occurred_on",
        )
    if year is not None and data.occurred_on.year != year:
        raise DomainError(
            _("This page records the activities of %(year)s: the date must fall in %(year)s.", year=year),
            field="occurred_on",
        )
    _refuse_if_closed(unit, data.occurred_on.year)
    if data.participants is not None and data.participants < 0:
        raise DomainError(_("Participants cannot be negative."), field="participants")
    url = (data.evidence_url or "").strip() or None
    if url and not url.lower().startswith(("https://", "http://")):
        raise DomainError(_("Evidence is a link starting with https:// or http://."), field="evidence_url")
    if data.task_id is not None and db.session.get(PlanTask, data.task_id) is None:
        raise DomainError(_("Choose a task of the plan."), field="task_id")
    school_id = _club_school_id(unit, data)
    activity = Activity(
        unit_id=unit.id,
        kind=data.kind,
        title=title[:300],
        occurred_on=data.occurred_on,
        participants=data.participants,
        evidence_url=url,
        task_id=data.task_id,
        entry_id=data.entry_id,
        school_id=school_id,
        note=data.note or "",
        recorded_by_id=actor.id if actor else None,
        recorded_at=utcnow(),
    )
    db.session.add(activity)
    db.session.flush()
    # Activities are what the unit's yearly figures count: who recorded what is kept.
    audit.record(
        "activity.recorded",
        "activity",
        activity.id,
        after=_activity_values(activity),
        actor_id=actor.id if actor else None,
    )
    return activity


def _activity_values(activity: Activity) -> dict:
    return {
        "unit": activity.unit_id,
        "kind": activity.kind.value,
        "title": activity.title,
        "occurred_on": activity.occurred_on.isoformat(),
        "participants": activity.participants,
        "task": activity.task_id,
        "school": activity.school_id,
    }


def remove_activity(unit: OrgUnit, activity: Activity, actor: User | None) -> None:
    """Remove one of the unit's activities recorded by mistake, while the results of its year are not
    submitted. Audited."""
    if activity.unit_id != unit.id:
        raise DomainError(_("This activity is not the unit's."))
    _refuse_if_closed(unit, activity.occurred_on.year)
    before = _activity_values(activity)
    db.session.delete(activity)
    db.session.flush()
    audit.record("activity.removed", "activity", activity.id, before=before, actor_id=actor.id if actor else None)


def activities_of(unit: OrgUnit, year: int) -> list[Activity]:
    return list(
        db.session.scalars(
            select(Activity)
            .where(
                Activity.unit_id == unit.id,
                Activity.occurred_on >= date(year, 1, 1),
                Activity.occurred_on <= date(year, 12, 31),
            )
            .order_by(Activity.occurred_on, Activity.id)
        )
    )


# The tasks about holding contests (1.3, 1.4, 1.5) are those whose figure is the contests held.
CONTEST_TASK_FIGURE = "competitions"


def done_per_task(unit: OrgUnit, year: int) -> dict[int, int]:
    """What the unit did for each task in the year (for the plan's "at least N a year"): the
    activities it recorded for the task, and, for a task about holding contests that it leads,
    the contests it held in the year, as its report counts them (`held_competitions`): a contest
    is no activity, so none was recorded for the task."""
    done: dict[int, int] = {}
    for activity in activities_of(unit, year):
        if activity.task_id is not None:
            done[activity.task_id] = done.get(activity.task_id, 0) + 1
    held = len(held_competitions(unit, year))
    if held:
        for task in tasks_for(unit, year):
            if CONTEST_TASK_FIGURE in (task.indicators or ()):
                done[task.id] = done.get(task.id, 0) + held
    return done


# -- figures -------------------------------------------------------------------------------


def _first_entries():
    """Each project's first entry: the key a project is reported by ("entry:<id>"), whichever of its
    entries (a contest, then the one its nomination was accepted into) or records a unit reports."""
    return select(Entry.project_id, func.min(Entry.id).label("entry_id")).group_by(Entry.project_id).subquery()


def _project_keys(entry_ids: set[int]) -> set[str]:
    """The projects of these entries, each keyed by its first entry (`_first_entries`): a project two
    units report by two of its entries counts once, as in the plan's indicator."""
    if not entry_ids:
        return set()
    first_entry = _first_entries()
    return {
        f"entry:{first}"
        for first in db.session.scalars(
            select(first_entry.c.entry_id)
            .join(Entry, Entry.project_id == first_entry.c.project_id)
            .where(Entry.id.in_(list(entry_ids)))
        )
    }


def _mentoring_in(scope, year: int) -> list[tuple[int, str]]:
    """Mentoring sessions of the registry held in the year under the units'
    programmes, each with the project it supported (keyed by its first entry,
    as the contests' projects are, so a project counts once)."""
    first_entry = _first_entries()
    rows = db.session.execute(
        select(MentoringSession.id, Mentorship.project_id, first_entry.c.entry_id)
        .join(Mentorship, Mentorship.id == MentoringSession.mentorship_id)
        .outerjoin(first_entry, first_entry.c.project_id == Mentorship.project_id)
        .where(
            Mentorship.org_unit_id.in_(list(scope)),
            MentoringSession.held_on >= date(year, 1, 1),
            MentoringSession.held_on <= date(year, 12, 31),
        )
    ).all()
    return [(sid, f"entry:{eid}" if eid is not None else f"project:{pid}") for sid, pid, eid in rows]


def held_competitions(unit: OrgUnit, year: int, scope: frozenset[int] | None = None) -> list[int]:
    """The contests of the year that the unit (or the units under or merged into it) held:
    past their draft. What its report counts as "Competitions held"."""
    scope = scope if scope is not None else unit_scope(unit.id)
    return list(
        db.session.scalars(
            select(Competition.id).where(
                Competition.org_unit_id.in_(scope),
                Competition.year == year,
                Competition.state != CompetitionState.draft,
            )
        )
    )


def unit_figures(unit: OrgUnit, year: int) -> UnitFigures:
    """What the records say the unit did in the year: the contests it (or the
    units under or merged into it) organised and their valid entries, and its
    activities. The one place the cycle reads figures from."""
    scope = unit_scope(unit.id)
    competitions = held_competitions(unit, year, scope)
    entries = (
        set(
            db.session.scalars(
                select(Entry.id).where(Entry.competition_id.in_(competitions), Entry.validity == EntryValidity.valid)
            )
        )
        if competitions
        else set()
    )
    counts = dict.fromkeys(COUNT_KEYS, 0)
    for activity in activities_of(unit, year):
        counts[ACTIVITY_FIGURE[activity.kind]] += 1
        if ACTIVITY_FIGURE[activity.kind] == "events":
            counts["participants"] += activity.participants or 0
        if activity.entry_id is not None:
            entries.add(activity.entry_id)
    projects = _project_keys(entries)
    mentored = _mentoring_in(scope, year)
    counts["mentoring"] += len(mentored)
    projects |= {key for _session, key in mentored}
    return UnitFigures(
        unit.name,
        counts,
        frozenset(projects),
        frozenset(f"competition:{c}" for c in competitions),
        frozenset(f"session:{sid}" for sid, _key in mentored),
    )


def prefill(unit: OrgUnit, year: int, kind: ReportKind) -> dict:
    """A report's first content: a line per task the unit leads, results
    prefilled from its activities, and the figures the records give."""
    figures = unit_figures(unit, year)
    by_task: dict[int | None, list[Activity]] = {}
    for activity in activities_of(unit, year):
        by_task.setdefault(activity.task_id, []).append(activity)
    lines = []
    for task in tasks_for(unit, year):
        done = by_task.get(task.id, [])
        result = "; ".join(
            f"{a.title} ({a.occurred_on:%d/%m/%Y}" + (f", {a.participants} người" if a.participants else "") + ")"
            for a in done
        )
        lines.append(
            {
                "task": task.number,
                "text": task.text,
                "what": "",
                "when": "",
                "budget": "",
                "source": "",
                "result": result if kind is ReportKind.results else "",
            }
        )
    return {
        "lines": lines,
        "figures": {
            **dict(figures.counts),
            "projects": len(figures.projects),
            "competitions": len(figures.competitions),
        },
        "projects": sorted(figures.projects),
        "competitions": sorted(figures.competitions),
        "mentoring_sessions": sorted(figures.sessions),
        # The counts the records gave when last read: a figure still equal to its record is the
        # records' and follows them (refresh_draft); one the officer changed is the officer's.
        "recorded": dict(figures.counts),
    }


def refresh_draft(report: UnitReport) -> None:
    """Until a report is submitted, what it takes from the records follows them: a draft saved in
    March would otherwise be submitted in December with March's figures. Stored on each save
    (`save_draft`); a page or a file shows the same without storing it (`shown_report`)."""
    content = _refreshed(report)
    if content != report.content:
        report.content = content
        db.session.flush()


def _refreshed(report: UnitReport) -> dict:
    """The report's content with what it takes from the records brought up to date (read only):
    the projects and competitions (which nobody types) are the records' today; a count follows its
    record unless the officer changed it; a task the unit has come to lead gets its line. What the
    officer wrote is kept. A submitted report is as it was submitted."""
    if report.state is ReportState.submitted:
        return report.content
    fresh = prefill(report.unit, report.year, report.kind)
    content = copy.deepcopy(report.content)
    figures = content.setdefault("figures", {})
    recorded = content.get("recorded")
    for key in COUNT_KEYS:
        if recorded is not None and key in figures and figures[key] == recorded.get(key):
            figures[key] = fresh["figures"][key]
    for key in ("projects", "competitions"):
        content[key] = fresh[key]
        figures[key] = fresh["figures"][key]
    content["mentoring_sessions"] = fresh["mentoring_sessions"]
    content["recorded"] = fresh["recorded"]
    have = {line["task"]: line for line in content.get("lines", [])}
    led = [have.pop(line["task"], line) for line in fresh["lines"]]
    content["lines"] = led + [line for line in content.get("lines", []) if line["task"] in have]
    return content


# -- reports -----------------------------------------------------------------------------------


def find_report(unit: OrgUnit, year: int, kind: ReportKind) -> UnitReport | None:
    """The unit's stored report, None when nobody has saved it yet."""
    return db.session.scalar(
        select(UnitReport).where(UnitReport.unit_id == unit.id, UnitReport.year == year, UnitReport.kind == kind)
    )


@dataclass
class ShownReport:
    """A unit's report as its page and its files show it, read without writing anything (a GET
    writes nothing): `row` is the stored report, None until its first save (not started);
    `content` is what it says now, for a report not submitted with what it takes from the
    records brought up to date, as its next save stores it."""

    unit: OrgUnit
    year: int
    kind: ReportKind
    row: UnitReport | None
    content: dict

    @property
    def state(self) -> str:
        """ "none" (not started: no row), or the row's state."""
        return "none" if self.row is None else self.row.state.value

    @property
    def version(self) -> int:
        return self.row.version if self.row is not None else 0

    @property
    def submitted_at(self) -> datetime | None:
        return self.row.submitted_at if self.row is not None else None

    @property
    def comment(self) -> str:
        return self.row.comment if self.row is not None else ""

    @property
    def versions(self) -> list[UnitReportVersion]:
        return list(self.row.versions) if self.row is not None else []


def shown_report(unit: OrgUnit, year: int, kind: ReportKind) -> ShownReport:
    """The report to show (`ShownReport`): the stored one brought up to date, or, before its
    first save, a blank one prefilled from the records and not stored."""
    row = find_report(unit, year, kind)
    content = prefill(unit, year, kind) if row is None else _refreshed(row)
    return ShownReport(unit, year, kind, row, content)


def report_for(unit: OrgUnit, year: int, kind: ReportKind) -> UnitReport:
    """The unit's stored report, made (a draft prefilled from the records) when it has none: for
    a change, the first save; showing it is `shown_report`, which stores nothing."""

    def existing() -> UnitReport | None:
        return find_report(unit, year, kind)

    report = existing()
    if report is None:
        if ended_before(unit, year):
            raise DomainError(
                _(
                    "%(unit)s (%(dates)s) had ended before %(year)s: it has no report for that year; the units "
                    "that took it over report.",
                    unit=unit.name,
                    dates=orgunits.validity_text(unit),
                    year=year,
                )
            )
        content = prefill(unit, year, kind)
        try:
            with atomic():
                report = UnitReport(
                    unit_id=unit.id,
                    year=year,
                    kind=kind,
                    state=ReportState.draft,
                    version=0,
                    content=content,
                    comment="",
                )
                db.session.add(report)
                db.session.flush()
        except IntegrityError:  # made at the same moment by another request (the unit's and the Department's)
            report = existing()
            if report is None:
                raise
    return report


# What a task line may hold. The content is JSON, so its limits live here (the forms take them from here):
# the most characters of each text, and the budget in whole đồng.
LINE_LIMITS = {"what": 2000, "when": 200, "budget": 30, "source": 200, "result": 2000}
BUDGET_MAX = 1_000_000_000_000  # a thousand billion đồng: far above any task's estimate


def budget_amount(value: int | str) -> int | None:
    """A task's budget in đồng, given as a number or as typed ("50.000.000"); None when empty.
    Refused unless it is a whole amount from 0 to BUDGET_MAX."""
    if isinstance(value, str):
        raw = value.replace(".", "").replace(",", "").replace(" ", "").strip()
        if not raw:
            return None
        if not (raw.isascii() and raw.isdigit() and len(raw) <= 15):
            raise DomainError(_("Enter the budget in đồng, digits only, such as 50.000.000."), field="budget")
        value = int(raw)
    if not 0 <= value <= BUDGET_MAX:
        raise DomainError(_("The budget is at most %(amount)s đồng.", amount=vn_number(BUDGET_MAX)), field="budget")
    return value


def _line_value(key: str, value) -> str:
    if key == "budget":
        amount = budget_amount(value)
        return "" if amount is None else vn_number(amount)
    text = str(value)
    if len(text) > LINE_LIMITS[key]:
        raise DomainError(_("At most %(max)d characters.", max=LINE_LIMITS[key]), field=key)
    return text


def _merged(report: UnitReport, lines: dict[str, dict], figures: dict[str, int]) -> dict:
    content = copy.deepcopy(report.content)
    for line in content.get("lines", []):
        line.update({k: _line_value(k, v) for k, v in lines.get(line["task"], {}).items() if k in LINE_LIMITS})
    for key, value in figures.items():
        if key in content.get("figures", {}):
            if value < 0:
                raise DomainError(_("A figure cannot be negative."), field=key)
            content["figures"][key] = value
    return content


def _lock(report: UnitReport) -> None:
    """The report's row lock (PostgreSQL), its state read again under it: of two requests at once
    (a double click on "Submit"), the second waits for the first and sees what it did."""
    db.session.flush()
    db.session.refresh(report, with_for_update=True)


def save_draft(report: UnitReport, lines: dict[str, dict], figures: dict[str, int]) -> None:
    _lock(report)
    if report.state is ReportState.submitted:
        raise Conflict(_("This report was submitted and is locked; a correction needs a reason."))
    report.content = _merged(report, lines, figures)
    refresh_draft(report)
    db.session.flush()


def _new_version(report: UnitReport, actor: User | None, reason: str | None, now: datetime) -> None:
    report.version += 1
    db.session.add(
        UnitReportVersion(
            report_id=report.id,
            version=report.version,
            content=copy.deepcopy(report.content),
            reason=reason,
            submitted_at=now,
            submitted_by_id=actor.id if actor else None,
        )
    )


def submit(report: UnitReport, actor: User | None, now: datetime | None = None) -> None:
    _lock(report)
    if report.state is ReportState.submitted:
        raise Conflict(_("This report is already submitted."))
    now = now or clock_now()
    before = report.state.value
    report.state, report.submitted_at, report.submitted_by_id = ReportState.submitted, now, actor.id if actor else None
    _new_version(report, actor, None, now)
    audit.record(
        "unit_report.submitted",
        "unit_report",
        report.id,
        before={"state": before},
        after={
            "state": "submitted",
            "version": report.version,
            "unit_id": report.unit_id,
            "year": report.year,
            "kind": report.kind.value,
        },
        actor_id=actor.id if actor else None,
    )
    db.session.flush()


def correct(
    report: UnitReport,
    lines: dict[str, dict],
    figures: dict[str, int],
    reason: str,
    actor: User | None,
    now: datetime | None = None,
) -> None:
    """Change a submitted report: a new version, with the reason, audited."""
    _lock(report)
    if report.state is not ReportState.submitted:
        raise Conflict(_("Only a submitted report is corrected; edit the draft instead."))
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError(_("A correction of a submitted report needs a reason."), field="reason")
    before = copy.deepcopy(report.content)
    report.content = _merged(report, lines, figures)
    _new_version(report, actor, reason, now or clock_now())
    audit.record(
        "unit_report.corrected",
        "unit_report",
        report.id,
        before=before,
        after=report.content,
        reason=reason,
        actor_id=actor.id if actor else None,
    )
    db.session.flush()


def return_report(report: UnitReport, comment: str, actor: User | None) -> None:
    """The Department sends a submitted plan or report back with its comments."""
    comment = (comment or "").strip()
    _lock(report)
    if report.state is not ReportState.submitted:
        raise Conflict(_("Only a submitted report can be returned."))
    if not comment:
        raise DomainError(_("Say what the unit should change."), field="comment")
    report.state, report.comment = ReportState.returned, comment
    audit.record(
        "unit_report.returned",
        "unit_report",
        report.id,
        before={"state": "submitted"},
        after={"state": "returned"},
        reason=comment,
        actor_id=actor.id if actor else None,
    )
    db.session.flush()


@dataclass
class UnitStatus:
    unit: OrgUnit
    report: UnitReport | None
    due: date
    overdue: bool  # not submitted and the deadline has passed
    late: bool  # submitted after the deadline
    expected: bool = True  # False: a unit the Department has not (yet) asked, which sent one all the same

    @property
    def submitted(self) -> bool:
        return self.report is not None and self.report.state is ReportState.submitted


def sent_late(report: UnitReport | None, due: date) -> bool:
    """Whether a submitted report was first sent after its deadline (the province's day)."""
    if report is None or report.state is not ReportState.submitted or not report.versions:
        return False
    return province_day(report.versions[0].submitted_at) > due


def statuses(year: int, kind: ReportKind, today: date) -> list[UnitStatus]:
    """The expected units of the cycle with their report: the cycle of year Y
    asks for the results of Y and the plans for Y+1 (of the units that will exist in Y+1).
    A unit that was not expected but sent one (submitted, or returned to it) follows them,
    marked so: the Department sees, returns and consolidates what it received."""
    due = deadline(kind.value, year)
    reports = {
        r.unit_id: r
        for r in db.session.scalars(
            # With its unit: the units not expected are listed from their reports.
            select(UnitReport)
            .options(joinedload(UnitReport.unit))
            .where(UnitReport.year == year, UnitReport.kind == kind)
        )
    }
    expected = expected_units(year - 1 if kind is ReportKind.plan else year)
    ids = {unit.id for unit in expected}
    others = sorted(
        (r.unit for r in reports.values() if r.unit_id not in ids and r.state is not ReportState.draft),
        key=lambda unit: (unit.name, unit.id),
    )
    result = []
    for unit in expected + others:
        report = reports.get(unit.id)
        submitted = report is not None and report.state is ReportState.submitted
        sent = report is not None and report.state is not ReportState.draft
        if kind is ReportKind.plan and not sent and not unit.overlaps(date(year, 1, 1), date(year, 12, 31)):
            continue  # a unit gone before the year (the districts, from 1/7/2025) plans nothing for it
        result.append(
            UnitStatus(
                unit,
                report,
                due,
                overdue=not submitted and today > due and unit.id in ids,
                late=sent_late(report, due),
                expected=unit.id in ids,
            )
        )
    return result


# -- the province's report --------------------------------------------------------------------


def consolidate_year(year: int, actor: User | None, today: date, now: datetime | None = None) -> ProvinceReport:
    """Add up the submitted results of every unit into the province's report."""
    rows = statuses(year, ReportKind.results, today)
    submitted = [(s, s.report) for s in rows if s.submitted and s.report is not None]
    if not submitted:
        raise Conflict(_("No unit has submitted its results for %(year)s yet.", year=year))
    figures = [
        UnitFigures(
            s.unit.name,
            {k: v for k, v in r.content["figures"].items() if k in COUNT_KEYS},
            frozenset(r.content.get("projects", [])),
            frozenset(r.content.get("competitions", [])),
            frozenset(r.content.get("mentoring_sessions", [])),
        )
        for s, r in submitted
    ]
    result = consolidate(figures)
    lines: dict[str, list[str]] = {}
    for s, r in submitted:
        for line in r.content.get("lines", []):
            if line.get("result"):
                lines.setdefault(line["task"], []).append(f"{s.unit.name}: {line['result']}")
    content = {
        "totals": result.totals,
        "by_unit": result.by_unit,
        "shared_projects": result.shared_projects,
        "submitted": [s.unit.name for s, _r in submitted],
        "late": [s.unit.name for s, _r in submitted if s.late],
        "missing": [s.unit.name for s in rows if not s.submitted and s.expected],
        "lines": lines,
    }
    report = db.session.scalar(select(ProvinceReport).where(ProvinceReport.year == year))
    before = report.content["totals"] if report else None
    if report is None:
        report = ProvinceReport(year=year, content=content, consolidated_at=now or clock_now())
        db.session.add(report)
    report.content, report.consolidated_at = content, now or clock_now()
    report.consolidated_by_id = actor.id if actor else None
    db.session.flush()
    audit.record(
        "province_report.consolidated",
        "province_report",
        report.id,
        before=before,
        after=result.totals,
        actor_id=actor.id if actor else None,
    )
    return report


def sent_since_consolidation(report: ProvinceReport) -> list[str]:
    """The units whose results for the year were sent or corrected after the
    province's report was consolidated: its figures leave that out until it is
    consolidated again."""
    return list(
        db.session.scalars(
            select(OrgUnit.name)
            .join(UnitReport, UnitReport.unit_id == OrgUnit.id)
            .join(UnitReportVersion, UnitReportVersion.report_id == UnitReport.id)
            .where(
                UnitReport.year == report.year,
                UnitReport.kind == ReportKind.results,
                UnitReportVersion.submitted_at > report.consolidated_at,
            )
            .distinct()
            .order_by(OrgUnit.name)
        )
    )


# -- reminders -----------------------------------------------------------------------------------


def _claim_reminder(unit_id: int, year: int, kind: ReportKind, days: int) -> bool:
    """Insert the reminder's row unless it exists: the unique constraint decides,
    so two runs at once queue one reminder."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(ReportReminder)
        .values(unit_id=unit_id, year=year, kind=kind.name, days_before=days, queued_at=utcnow())
        .on_conflict_do_nothing()
        .returning(ReportReminder.id)
    )
    return db.session.execute(statement).scalar() is not None


def queue_reminders(today: date) -> int:
    """Queue a reminder to the officers of each unit that has not submitted, at
    the thresholds configured (REPORTING_REMINDER_DAYS, e.g. 14, 7, 1 days
    before); each once per unit and deadline, however often this runs."""
    thresholds = sorted(current_app.config["REPORTING_REMINDER_DAYS"])
    queued = 0
    for kind, year in ((ReportKind.plan, today.year + 1), (ReportKind.results, today.year)):
        due = deadline(kind.value, year)
        left = (due - today).days
        reached = [d for d in thresholds if 0 <= left <= d]
        if not reached:
            continue
        for status in statuses(year, kind, today):
            officers = unit_officers(status.unit.id)
            if (
                status.submitted
                or not status.expected
                or not officers
                or not _claim_reminder(status.unit.id, year, kind, reached[0])
            ):
                continue
            for officer in officers:
                queue_mail(
                    officer.email,
                    "report_reminder",
                    locale=officer.locale,
                    user=officer,
                    unit=status.unit,
                    kind=kind.value,
                    year=year,
                    due=due,
                    days=left,
                )
            queued += 1
    db.session.flush()
    return queued
