"""Loads the facts the plan's indicators count (`contest.reports.indicators`)
from the database, for the competitions a reader may see, and the plans'
targets. The counting and its definitions are in the pure module."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select

from contest.domain import audit
from contest.domain.errors import DomainError
from contest.extensions import db
from contest.models import (
    Certification,
    Competition,
    Enterprise,
    Entry,
    EntryStatus,
    EntryValidity,
    EntryVersion,
    Expert,
    Mentorship,
    Nomination,
    NominationState,
    OutcomeKind,
    Plan,
    PlanFigure,
    PlanIndicator,
    PlanTarget,
    Project,
    ProjectOutcome,
)
from contest.reports import indicators as I

# Decision 827/QĐ-UBND (27/6/2022): the plan and its targets, as the plan states them.
DECISION_827 = {
    "number": "827/QĐ-UBND",
    "issued_on": date(2022, 6, 27),
    "issuer": "Chủ tịch UBND tỉnh Quảng Ngãi",
    "title": "Kế hoạch xây dựng Hệ sinh thái khởi nghiệp đổi mới sáng tạo tỉnh Quảng Ngãi giai đoạn "
    "2022 - 2025, định hướng đến năm 2030",
    "start_year": 2022,
    "end_year": 2030,
}
DECISION_827_TARGETS = (
    (2022, 2025, PlanIndicator.projects_supported, 100, 120),
    (2022, 2025, PlanIndicator.enterprises_formed, 30, 35),
    (2022, 2025, PlanIndicator.projects_raising_capital, 1, 2),
    (2022, 2025, PlanIndicator.support_organisations, 12, 14),
    (2022, 2025, PlanIndicator.service_areas, 1, 2),
    (2022, 2025, PlanIndicator.certified_advisers, 25, 30),
    (2026, 2030, PlanIndicator.projects_supported, 150, 160),
    (2026, 2030, PlanIndicator.enterprises_formed, 55, 60),
    (2026, 2030, PlanIndicator.projects_raising_capital, 2, 3),
    (2026, 2030, PlanIndicator.certified_advisers, 40, 50),
)


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _local_day(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    return moment.astimezone(_zone()).date()


def local_today() -> date:
    """Today in Quảng Ngãi: the indicators date facts by the local day."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def _took_part_on(submitted: datetime | None, deadline: datetime | None, year: int) -> date:
    """An entry takes part on its first submission, and at the latest on its
    competition's deadline (entries recorded later, such as imported ones,
    belong to their contest's time), else on 31/12 of the contest's year."""
    days = [d for d in (_local_day(submitted), _local_day(deadline)) if d is not None]
    return min(days) if days else date(year, 12, 31)


def _names(project_ids) -> dict[int, str]:
    rows = db.session.execute(
        select(Project.id, Project.name, func.min(Entry.title))
        .outerjoin(Entry, Entry.project_id == Project.id)
        .where(Project.id.in_(list(project_ids)))
        .group_by(Project.id, Project.name)
    ).all()
    return {pid: name or title or _("Untitled project") for pid, name, title in rows}


def load_facts(visible: list[int] | None) -> I.Facts:
    """What the indicators count, within the competitions `visible` (None: all)."""

    def scoped(query, column):
        return query if visible is None else query.where(column.in_(visible))

    first_submission = (
        select(EntryVersion.entry_id, func.min(EntryVersion.submitted_at).label("first"))
        .group_by(EntryVersion.entry_id)
        .subquery()
    )
    entries = db.session.execute(
        scoped(
            select(
                Entry.project_id,
                Entry.code,
                Entry.submitted_at,
                first_submission.c.first,
                Competition.name,
                Competition.submission_deadline,
                Competition.year,
            )
            .join(Competition, Competition.id == Entry.competition_id)
            .outerjoin(first_submission, first_submission.c.entry_id == Entry.id)
            .where(Entry.status == EntryStatus.submitted, Entry.validity != EntryValidity.invalid),
            Entry.competition_id,
        )
    ).all()
    accepted = db.session.execute(
        scoped(
            select(Entry.project_id, Entry.id, Nomination.decided_at, Competition.name)
            .join(Entry, Entry.id == Nomination.accepted_entry_id)
            .join(Competition, Competition.id == Nomination.target_competition_id)
            .where(Nomination.state == NominationState.accepted),
            Nomination.target_competition_id,
        )
    ).all()
    outcomes = db.session.execute(
        scoped(
            select(
                Entry.project_id,
                ProjectOutcome.id,
                ProjectOutcome.kind,
                ProjectOutcome.occurred_on,
                ProjectOutcome.amount,
                ProjectOutcome.detail,
                ProjectOutcome.source,
            )
            .join(Entry, Entry.id == ProjectOutcome.entry_id)
            .where(ProjectOutcome.kind.in_([OutcomeKind.incubated, OutcomeKind.capital_raised])),
            Entry.competition_id,
        )
    ).all()
    mentoring_query = select(Mentorship.project_id, Mentorship.id, Mentorship.starts_on, Expert.full_name).join(
        Expert, Expert.id == Mentorship.expert_id
    )
    if visible is not None:
        mentoring_query = mentoring_query.where(
            Mentorship.project_id.in_(select(Entry.project_id).where(Entry.competition_id.in_(visible)))
        )
    mentoring = db.session.execute(mentoring_query).all()
    project_ids = (
        {r[0] for r in entries} | {r[0] for r in accepted} | {r[0] for r in outcomes} | {r[0] for r in mentoring}
    )
    enterprise_query = select(Enterprise).where(Enterprise.project_id.is_not(None))
    if visible is not None:
        enterprise_query = enterprise_query.where(
            Enterprise.project_id.in_(select(Entry.project_id).where(Entry.competition_id.in_(visible)))
        )
    found_enterprises = list(db.session.scalars(enterprise_query))
    names = _names(project_ids | {e.project_id for e in found_enterprises})

    participations = [
        I.Participation(pid, names[pid], _took_part_on(first or submitted_at, deadline, year), competition, code or "")
        for pid, code, submitted_at, first, competition, deadline, year in entries
    ]
    participations += [
        I.Participation(
            pid,
            names[pid],
            decided_at.astimezone(_zone()).date(),
            _("%(name)s (nomination accepted)", name=competition),
            f"nomination:{eid}",
        )
        for pid, eid, decided_at, competition in accepted
        if decided_at
    ]
    participations += [
        I.Participation(pid, names[pid], on, _("Incubated: %(detail)s", detail=detail), f"outcome:{oid}")
        for pid, oid, kind, on, _amount, detail, _source in outcomes
        if kind is OutcomeKind.incubated
    ]
    participations += [
        I.Participation(pid, names[pid], on, _("Mentored by %(name)s", name=mentor), f"mentorship:{mid}")
        for pid, mid, on, mentor in mentoring
    ]
    raises = [
        I.Raise(pid, names[pid], on, amount or 0, detail, source)
        for pid, _oid, kind, on, amount, detail, source in outcomes
        if kind is OutcomeKind.capital_raised
    ]
    enterprises = [
        I.EnterpriseFact(e.registration_number, e.name, e.founded_on, e.project_id, names.get(e.project_id or 0, ""))
        for e in found_enterprises
    ]
    figures = [
        I.HandFigure(f.indicator.value, f.year, f.value, f.source_document)
        for f in db.session.scalars(select(PlanFigure))
    ]
    certifications = [
        I.CertificationFact(expert_id, name, c.programme, c.issuer, c.number, c.issued_on, c.expires_on)
        for c, expert_id, name in db.session.execute(
            select(Certification, Expert.id, Expert.full_name).join(Expert, Expert.id == Certification.expert_id)
        ).tuples()
    ]
    return I.Facts(tuple(participations), tuple(enterprises), tuple(raises), tuple(figures), tuple(certifications))


# -- plans ------------------------------------------------------------------------


def plans() -> list[Plan]:
    return list(db.session.scalars(select(Plan).order_by(Plan.issued_on, Plan.id)))


def plan_for(day: date) -> Plan | None:
    """The latest-issued plan whose years cover `day`, else the latest plan."""
    every = plans()
    covering = [p for p in every if p.start_year <= day.year <= p.end_year and p.issued_on <= day]
    found = covering or every
    return found[-1] if found else None


def targets(plan: Plan | None) -> list[I.Target]:
    if plan is None:
        return []
    order = {indicator: i for i, indicator in enumerate(I.INDICATORS)}
    rows = db.session.scalars(select(PlanTarget).where(PlanTarget.plan_id == plan.id))
    return sorted(
        (I.Target(t.indicator.value, t.start_year, t.end_year, t.low, t.high, plan.number) for t in rows),
        key=lambda t: (t.start_year, order[t.indicator]),
    )


def ensure_plan(data: dict = DECISION_827, rows=DECISION_827_TARGETS) -> Plan:
    """Create the plan and whichever of its targets are missing (idempotent)."""
    plan = db.session.scalar(select(Plan).where(Plan.number == data["number"]))
    if plan is None:
        plan = Plan(**data)
        db.session.add(plan)
        db.session.flush()
        audit.record("plan.loaded", "plan", plan.id, after={"number": plan.number})
    existing = {
        (t.start_year, t.indicator) for t in db.session.scalars(select(PlanTarget).where(PlanTarget.plan_id == plan.id))
    }
    for start, end, indicator, low, high in rows:
        if (start, indicator) not in existing:
            db.session.add(
                PlanTarget(plan_id=plan.id, start_year=start, end_year=end, indicator=indicator, low=low, high=high)
            )
    db.session.flush()
    return plan


def values(visible: list[int] | None, as_of: date, plan: Plan | None = None) -> list[I.IndicatorValue]:
    """Each target of the plan (by default the one in force on `as_of`) against the facts as of `as_of`."""
    plan = plan or plan_for(as_of)
    return I.against_targets(targets(plan), load_facts(visible), as_of)


def parse_as_of(value: str | None, default: date) -> date:
    """The day figures are counted to, as the date field sends it (2024-12-31), else `default`."""
    if not value:
        return default
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise DomainError(
            _("“%(value)s” is not a day of the calendar.", value=value[:40]),
            field="as_of",
        ) from error
