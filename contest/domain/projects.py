"""Startup projects across contests: a project's path (commune → province →
national, youth contest → provincial contest), the enterprise it becomes
(one per registration number across the system), and the projects of an
area for the units' dashboards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select

from contest import signals
from contest.domain import audit
from contest.domain.concurrency import retry_on_clash
from contest.domain.errors import Conflict, DomainError, NotAllowed
from contest.extensions import db
from contest.models import (
    Competition,
    Enterprise,
    Entry,
    EntryStatus,
    Mentorship,
    Nomination,
    NominationState,
    Project,
    Team,
)
from contest.reports.indicators import normalise_registration_number


@dataclass(frozen=True)
class PathStep:
    entry: Entry
    competition: Competition
    results: tuple[str, ...]  # announced awards, "reached <final round>"
    nominated_from: Entry | None  # the lower-level entry this one was accepted from


def contest_results(entries: list[Entry]) -> dict[int, tuple[str, ...]]:
    """Each entry's announced awards and, when it reached it, its competition's
    final round (of two or more), from the report providers (judging)."""
    competition_ids = sorted({e.competition_id for e in entries})
    found: dict[int, tuple[str, ...]] = {e.id: () for e in entries}
    if not competition_ids:
        return found
    for provided in signals.collect(signals.report_outcomes, competition_ids=competition_ids):
        by_id = {e.id: e for e in entries}
        for entry_id, awards in provided.awards.items():
            if entry_id in by_id:
                found[entry_id] = found[entry_id] + tuple(name for name, _prize in awards)
        for entry_id, positions in provided.reached.items():
            entry = by_id.get(entry_id)
            rounds = provided.rounds.get(entry.competition_id, ()) if entry else ()
            if entry and len(rounds) >= 2:
                last_position, last_name = max(rounds)
                if last_position in positions:
                    found[entry_id] = found[entry_id] + (_("Reached the round “%(name)s”", name=last_name),)
    return found


def awards_won(entry: Entry) -> tuple[str, ...]:
    """The names of the awards `entry` won, once its competition's results are
    public (from the report providers: judging), highest tier first."""
    names: tuple[str, ...] = ()
    for provided in signals.collect(signals.report_outcomes, competition_ids=[entry.competition_id]):
        names += tuple(name for name, _prize in provided.awards.get(entry.id, ()))
    return names


def path_order(year: int, deadline: datetime | None, entry_id: int) -> tuple[int, date, int]:
    """Where an entry stands on its project's path: by its competition's year, then deadline."""
    return (year, deadline.date() if deadline else date(year, 12, 31), entry_id)


def given_up(status: EntryStatus, code: str | None) -> bool:
    """An entry withdrawn before it had a code: a draft given up, no step of the project's path."""
    return status is EntryStatus.withdrawn and not code


def _order(entry: Entry):
    competition = entry.competition
    return path_order(competition.year, competition.submission_deadline, entry.id)


def path(project: Project) -> list[PathStep]:
    """The project's entries in the order of their competitions."""
    entries = sorted((e for e in project.entries if not given_up(e.status, e.code)), key=_order)
    results = contest_results(entries)
    origins = dict(
        db.session.execute(
            select(Nomination.accepted_entry_id, Nomination.source_entry_id).where(
                Nomination.accepted_entry_id.in_([e.id for e in entries]), Nomination.state == NominationState.accepted
            )
        )
        .tuples()
        .all()
    )
    by_id = {e.id: e for e in entries}
    return [
        PathStep(e, e.competition, results.get(e.id, ()), by_id.get(origins.get(e.id) or e.origin_entry_id or 0))
        for e in entries
    ]


def display_name(project: Project) -> str:
    return project.name or next((e.title for e in project.entries if e.title), "") or _("Untitled project")


def projects_in_area(unit_ids, year: int | None = None) -> list[Project]:
    """Projects with an entry (submitted, or accepted from a lower level) in a
    competition of `year` organised by one of `unit_ids`, or whose team
    registered from one of them. For the units' dashboards."""
    unit_ids = list(unit_ids)
    query = (
        select(Project)
        .join(Entry, Entry.project_id == Project.id)
        .join(Competition, Competition.id == Entry.competition_id)
        .join(Team, Team.id == Entry.team_id)
        .where(
            or_(Competition.org_unit_id.in_(unit_ids), Team.org_unit_id.in_(unit_ids)),
            Entry.status != EntryStatus.withdrawn,
        )
        .distinct()
        .order_by(Project.id)
    )
    if year is not None:
        query = query.where(Competition.year == year)
    return list(db.session.scalars(query))


# -- enterprises --------------------------------------------------------------------


def record_enterprise(
    project: Project | None, registration_number: str, founded_on: date, *, name: str = "", source: str = ""
) -> Enterprise:
    """The enterprise with this registration number, recorded once across the
    system: a second record of the same number (on another entry of the
    project, or by another unit) finds the first instead of adding one."""
    number = normalise_registration_number(registration_number)
    if not number:
        raise DomainError(_("Give the enterprise registration number."), field="registration_number")

    # Recorded on two entries at the same moment: the second finds the first's row.
    def work() -> Enterprise:
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.registration_number == number))
        if enterprise is not None:
            if enterprise.project_id is None and project is not None:
                enterprise.project_id = project.id
                audit.record("enterprise.linked", "enterprise", enterprise.id, after={"project": project.id})
            return enterprise
        enterprise = Enterprise(
            registration_number=number,
            name=name.strip(),
            founded_on=founded_on,
            project_id=project.id if project else None,
            source=source.strip(),
        )
        db.session.add(enterprise)
        db.session.flush()
        audit.record(
            "enterprise.recorded",
            "enterprise",
            enterprise.id,
            after={
                "registration_number": number,
                "founded_on": founded_on.isoformat(),
                "project": project.id if project else None,
                "source": enterprise.source,
            },
        )
        return enterprise

    return retry_on_clash(work)


def forget_enterprise(registration_number: str, reason: str) -> None:
    """The enterprise goes when no follow-up record names its number any more
    (the one removed was a mistake): an enterprise nobody can trace is not counted.
    While some remain, it is as the earliest of them says (project, founding date, name)."""
    from contest.models import OutcomeKind, ProjectOutcome

    number = normalise_registration_number(registration_number)
    enterprise = db.session.scalar(select(Enterprise).where(Enterprise.registration_number == number))
    if enterprise is None:
        return
    named = [
        o
        for o in db.session.scalars(
            select(ProjectOutcome).where(
                ProjectOutcome.kind == OutcomeKind.enterprise_registered,
                ProjectOutcome.registration_number.is_not(None),
            )
        )
        if normalise_registration_number(o.registration_number or "") == number
    ]
    if named:
        # The enterprise is as the earliest remaining record says: the one removed may be
        # where its project, founding date (the year it is counted in) or name came from.
        first = min(named, key=lambda o: o.id)
        before = {
            "founded_on": enterprise.founded_on.isoformat(),
            "project": enterprise.project_id,
            "name": enterprise.name,
            "source": enterprise.source,
        }
        enterprise.founded_on, enterprise.project_id = first.occurred_on, first.entry.project_id
        enterprise.name, enterprise.source = first.detail.strip(), first.source.strip()
        after = {
            "founded_on": enterprise.founded_on.isoformat(),
            "project": enterprise.project_id,
            "name": enterprise.name,
            "source": enterprise.source,
        }
        if after != before:
            audit.record("enterprise.corrected", "enterprise", enterprise.id, reason=reason, before=before, after=after)
    else:
        audit.record(
            "enterprise.removed",
            "enterprise",
            enterprise.id,
            reason=reason,
            before={
                "registration_number": number,
                "founded_on": enterprise.founded_on.isoformat(),
                "project": enterprise.project_id,
            },
        )
        db.session.delete(enterprise)


# -- a team enters a project it already has ----------------------------------------------


def projects_of(user) -> list[Project]:
    """Projects with an entry whose team has `user` as a member (the leader included)."""
    from contest.models import Member

    return list(
        db.session.scalars(
            select(Project)
            .join(Entry, Entry.project_id == Project.id)
            .join(Member, Member.team_id == Entry.team_id)
            .where(Member.user_id == user.id)
            .distinct()
            .order_by(Project.id)
        )
    )


def other_projects(entry: Entry, user) -> list[Project]:
    """What the team's leader may enter this entry as: their projects not yet in this competition."""
    taken = set(db.session.scalars(select(Entry.project_id).where(Entry.competition_id == entry.competition_id)))
    return [p for p in projects_of(user) if p.id not in taken]


def enter_existing_project(entry: Entry, project: Project, user) -> None:
    """The team enters a project it already has (from an earlier contest) instead
    of a new one: the entry joins that project, and the empty project it had goes."""
    if project.id == entry.project_id:
        return
    if entry.team.leader_id != user.id:
        raise NotAllowed(_("Only the team's leader can choose the project."))
    if project.id not in {p.id for p in other_projects(entry, user)}:
        raise NotAllowed(_("Choose one of your own projects that is not yet in this competition."))
    # Only before the entry's first submission (as the team's page offers it): a submitted
    # entry is a fact of its contest, and its project may hold what was recorded since
    # (an enterprise, mentoring), which deleting the project would lose.
    if (
        entry.code
        or db.session.scalar(select(Nomination.id).where(Nomination.source_entry_id == entry.id))
        or db.session.scalar(select(Entry.id).where(Entry.project_id == entry.project_id, Entry.id != entry.id))
        or db.session.scalar(select(Enterprise.id).where(Enterprise.project_id == entry.project_id))
        or db.session.scalar(select(Mentorship.id).where(Mentorship.project_id == entry.project_id))
    ):
        raise Conflict(_("This entry already belongs to a project with a path of its own."))
    before = entry.project_id
    old = entry.project
    entry.project_id = project.id
    entry.project = project
    db.session.flush()
    if old is not None and not db.session.scalar(select(Entry.id).where(Entry.project_id == old.id)):
        db.session.delete(old)
    audit.record(
        "entry.project_chosen",
        "entry",
        entry.id,
        competition_id=entry.competition_id,
        actor_id=user.id,
        before={"project": before},
        after={"project": project.id},
    )
