"""Nomination between levels, as organizers do it: the lower level proposes,
the upper level accepts or declines.

- Only an organizer of the lower competition proposes, and only its entries
  that won an announced award or reached its final round (of two or more);
- to a named upper competition (provincial level) of the same or a later
  year whose area contains the lower one's unit; a district's contest only
  when it was held before districts were abolished (1 July 2025); a youth
  contest only into a provincial contest that takes youth nominations;
- the upper competition's secretariat or organizers accept or decline each
  proposal with a reason, within a quota per source unit when one is set;
  the upper contest's rules (team size, age, enterprise age, board) are
  checked at acceptance and every failure is named;
- acceptance makes the same project an entry of the upper competition, owned
  by the same people, as a draft: no file or text of the source entry is
  copied, so the upper organizers read only what the team submits there;
  hence a proposal waits, and is accepted only while the upper competition
  still takes entries (`entries_closed_reason`). The team may bring its
  dossier over itself, from its entry page (`carry_over_dossier`): the
  fields still empty in the draft and documents of kinds it has none of;
- every step is audited and the team's leader is told by mail.

Functions change and flush; the caller commits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from contest.domain import attachments, audit
from contest.domain.accounts import external_url
from contest.domain.competitions import can_check_entries, can_organize, submissions_open
from contest.domain.concurrency import retry_on_clash
from contest.domain.entries import eligibility_problems, form_fields
from contest.domain.errors import Conflict, DomainError, NotAllowed
from contest.domain.outbox import queue_mail
from contest.domain.projects import contest_results
from contest.domain.teams import is_member, require_editable
from contest.extensions import db
from contest.i18n import format_day
from contest.models import (
    Competition,
    CompetitionLevel,
    CompetitionState,
    Entry,
    EntryStatus,
    Member,
    Nomination,
    NominationQuota,
    NominationState,
    OrgUnit,
    OrgUnitKind,
    Team,
)
from contest.models.base import utcnow

DISTRICTS_ABOLISHED = date(2025, 7, 1)
TERRITORIAL = {
    OrgUnitKind.province,
    OrgUnitKind.city,
    OrgUnitKind.town,
    OrgUnitKind.district,
    OrgUnitKind.commune,
    OrgUnitKind.ward,
    OrgUnitKind.special_zone,
}
DISTRICT_KINDS = {OrgUnitKind.city, OrgUnitKind.town, OrgUnitKind.district}
TAKING = (CompetitionState.open, CompetitionState.closed, CompetitionState.judging)
LIVE = (NominationState.proposed, NominationState.accepted)


def _area(unit: OrgUnit | None) -> OrgUnit | None:
    """The territory a unit serves: a department or a union serves its province."""
    while unit is not None and unit.kind not in TERRITORIAL:
        unit = unit.parent
    return unit


def _lineage(unit: OrgUnit) -> set[int]:
    """The unit and every unit it became (merged or split into), transitively."""
    seen: set[int] = set()
    todo = [unit]
    while todo:
        current = todo.pop()
        if current.id not in seen:
            seen.add(current.id)
            todo += current.successors
    return seen


def _within(unit: OrgUnit | None, area: OrgUnit) -> bool:
    """The unit is the area or under it, also through the units either became: a commune of the
    province formed in 2025 lies in the area of a department still filed under the old province."""
    areas = _lineage(area)
    seen = set()
    todo = [unit]
    while todo:
        current = todo.pop()
        if current is None or current.id in seen:
            continue
        seen.add(current.id)
        if current.id in areas:
            return True
        todo += [current.parent, *current.successors]
    return False


def _held_on(competition: Competition) -> date:
    deadline = competition.submission_deadline
    return deadline.date() if deadline else date(competition.year, 12, 31)


def target_problem(source: Competition, target: Competition) -> str | None:
    """Why `target` cannot take nominations from `source`, or None."""
    if target.id == source.id:
        return _("An entry cannot be nominated into its own competition.")
    if target.level is not CompetitionLevel.provincial or source.level is CompetitionLevel.provincial:
        return _("Nominations go from a commune, district, youth or other contest up to a provincial contest.")
    if source.level is CompetitionLevel.youth_idea and not target.takes_youth_nominations:
        return _("%(name)s does not take nominations from youth contests.", name=target.name)
    if target.year < source.year:
        return _("The upper contest must be of the same year or later.")
    if target.state not in TAKING:
        return _("The upper contest takes nominations only while it is open, closed or judging.")
    area = _area(target.org_unit)
    if area is None or not _within(source.org_unit, area):
        return _("%(unit)s is not within the area of %(upper)s.", unit=source.org_unit.name, upper=target.org_unit.name)
    if source.org_unit.kind in DISTRICT_KINDS and _held_on(source) >= DISTRICTS_ABOLISHED:
        return _("District contests can only nominate when held before 1 July 2025.")
    return None


def upper_competitions(source: Competition) -> list[Competition]:
    """The competitions `source` may nominate into."""
    candidates = db.session.scalars(
        select(Competition)
        .where(
            Competition.level == CompetitionLevel.provincial,
            Competition.year >= source.year,
            Competition.state.in_(TAKING),
        )
        .order_by(Competition.year, Competition.name)
    )
    return [c for c in candidates if target_problem(source, c) is None]


@dataclass(frozen=True)
class Candidate:
    entry: Entry
    results: tuple[str, ...]
    nominations: tuple[Nomination, ...]


def candidates(source: Competition) -> list[Candidate]:
    """The lower competition's entries that won an award or reached its final round."""
    entries = list(
        db.session.scalars(
            select(Entry)
            .where(Entry.competition_id == source.id, Entry.status == EntryStatus.submitted)
            .order_by(Entry.code)
        )
    )
    results = contest_results(entries)
    made: dict[int, list[Nomination]] = {}
    for n in db.session.scalars(
        select(Nomination).where(Nomination.source_entry_id.in_([e.id for e in entries])).order_by(Nomination.id)
    ):
        made.setdefault(n.source_entry_id, []).append(n)
    return [Candidate(e, results[e.id], tuple(made.get(e.id, ()))) for e in entries if results[e.id]]


def _tell_team(nomination: Nomination, template: str, **context) -> None:
    team = nomination.source_entry.team
    queue_mail(
        team.leader.email,
        template,
        locale=team.leader.locale,
        nomination=nomination,
        entry=nomination.source_entry,
        target=nomination.target,
        team=team,
        **context,
    )


def propose(entry: Entry, target: Competition, user) -> Nomination:
    """An organizer of the entry's competition proposes it to `target`."""
    source = entry.competition
    if not can_organize(user, source):
        raise NotAllowed(_("Only the organizers of %(name)s can nominate its entries.", name=source.name))
    problem = target_problem(source, target)
    if problem:
        raise DomainError(problem, field="target")
    if entry.status is not EntryStatus.submitted:
        raise DomainError(_("Only submitted entries can be nominated."))
    results = contest_results([entry])[entry.id]
    if not results:
        raise DomainError(
            _(
                "%(code)s neither won an award nor reached the final round of %(name)s, so it cannot be nominated.",
                code=entry.code or "",
                name=source.name,
            ),
            code="not_qualified",
        )
    # One proposal of an entry at a time (a double click): the second waits, then finds the first.
    db.session.execute(select(Entry.id).where(Entry.id == entry.id).with_for_update(key_share=True))
    existing = db.session.scalar(
        select(Nomination).where(Nomination.source_entry_id == entry.id, Nomination.target_competition_id == target.id)
    )
    if existing is not None and existing.state in LIVE:
        raise Conflict(_("This entry has already been nominated to that competition."))
    if db.session.scalar(
        select(Entry.id).where(Entry.competition_id == target.id, Entry.project_id == entry.project_id)
    ):
        raise Conflict(_("This project is already an entry of that competition."))
    nomination = existing or Nomination(source_entry_id=entry.id, target_competition_id=target.id)
    nomination.state, nomination.source_result = NominationState.proposed, "; ".join(results)[:300]
    nomination.proposed_by_id, nomination.proposed_at = user.id, utcnow()
    nomination.decided_by_id = nomination.decided_at = nomination.reason = None
    db.session.add(nomination)
    db.session.flush()
    audit.record(
        "nomination.proposed",
        "nomination",
        nomination.id,
        competition_id=source.id,
        actor_id=user.id,
        after={"entry": entry.code, "target": target.slug, "results": nomination.source_result},
    )
    _tell_team(nomination, "nomination_proposed")
    return nomination


def _hold(nomination: Nomination) -> None:
    """One decision at a time in the upper contest (a double click, its secretary and an
    organizer at once, the lower level withdrawing meanwhile, two proposals of one project,
    a quota's last place): the next waits, then reads what the first decided."""
    db.session.execute(
        select(Competition.id).where(Competition.id == nomination.target_competition_id).with_for_update(key_share=True)
    )
    db.session.refresh(nomination)


def withdraw(nomination: Nomination, user, reason: str) -> None:
    if not can_organize(user, nomination.source_entry.competition):
        raise NotAllowed(_("Only the organizers of the nominating competition can withdraw it."))
    _hold(nomination)
    if nomination.state is not NominationState.proposed:
        raise Conflict(_("Only a proposal not yet decided can be withdrawn."))
    nomination.state, nomination.reason = NominationState.withdrawn, reason.strip() or None
    audit.record(
        "nomination.withdrawn",
        "nomination",
        nomination.id,
        actor_id=user.id,
        competition_id=nomination.source_entry.competition_id,
        before={"state": "proposed"},
        after={"state": "withdrawn"},
        reason=nomination.reason,
    )
    _tell_team(nomination, "nomination_withdrawn", reason=nomination.reason)


def proposals(target: Competition) -> list[Nomination]:
    return list(
        db.session.scalars(
            select(Nomination)
            .where(Nomination.target_competition_id == target.id)
            .order_by(Nomination.state, Nomination.proposed_at, Nomination.id)
        )
    )


def source_unit(nomination: Nomination) -> OrgUnit:
    return nomination.source_entry.competition.org_unit


def set_quota(target: Competition, unit: OrgUnit, quota: int | None, user) -> None:
    if not can_organize(user, target):
        raise NotAllowed(_("Only the organizers of %(name)s can set its quotas.", name=target.name))
    if quota is not None and quota < 0:
        raise DomainError(_("Numbers cannot be negative."), field="quota")

    # A double click, two organizers at once: the second finds the first's row and changes it.
    def work() -> None:
        row = db.session.scalar(
            select(NominationQuota).where(
                NominationQuota.competition_id == target.id, NominationQuota.org_unit_id == unit.id
            )
        )
        before = {"quota": row.quota} if row else None
        if quota is None:
            if row is not None:
                db.session.delete(row)
        elif row is None:
            db.session.add(NominationQuota(competition_id=target.id, org_unit_id=unit.id, quota=quota))
        else:
            row.quota = quota
        db.session.flush()
        audit.record(
            "nomination.quota",
            "competition",
            target.id,
            competition_id=target.id,
            before=before,
            actor_id=user.id,
            after={"unit": unit.code, "quota": quota},
        )

    retry_on_clash(work)


def quotas(target: Competition) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(NominationQuota.org_unit_id, NominationQuota.quota).where(
                NominationQuota.competition_id == target.id
            )
        )
        .tuples()
        .all()
    )


def _accepted_from(target: Competition, unit: OrgUnit) -> int:
    return (
        db.session.scalar(
            select(func.count(Nomination.id))
            .join(Entry, Entry.id == Nomination.source_entry_id)
            .join(Competition, Competition.id == Entry.competition_id)
            .where(
                Nomination.target_competition_id == target.id,
                Nomination.state == NominationState.accepted,
                Competition.org_unit_id == unit.id,
            )
        )
        or 0
    )


def _free_name(target: Competition, team: Team) -> str:
    """The team's name, else with its contest's name, its unit's, then a number: communes
    name their contests alike, and teams too ("Nhóm Khởi nghiệp xanh")."""
    taken = set(db.session.scalars(select(Team.name).where(Team.competition_id == target.id)))
    source = team.competition
    tried = [
        team.name,
        f"{team.name} ({source.name})"[:150],
        f"{team.name} ({source.name}, {source.org_unit.name})"[:150],
    ]
    number = 2
    while all(name in taken for name in tried):
        suffix = f" ({number})"
        tried.append(tried[1][: 150 - len(suffix)] + suffix)
        number += 1
    return next(name for name in tried if name not in taken)


def _upper_entry(nomination: Nomination) -> Entry:
    """The project's entry in the upper competition, owned by the same people:
    a draft carrying only what places it (title, board, field, stage)."""
    source, target = nomination.source_entry, nomination.target
    old = source.team
    team = Team(
        competition_id=target.id,
        name=_free_name(target, old),
        leader_id=old.leader_id,
        org_unit_id=old.org_unit_id,
        organisation=old.organisation,
        show_names_publicly=old.show_names_publicly,
    )
    for seat, member in enumerate(old.members, start=1):
        team.members.append(
            Member(
                seat=seat,
                **{
                    c: getattr(member, c)
                    for c in (
                        "user_id",
                        "full_name",
                        "date_of_birth",
                        "gender",
                        "phone",
                        "email",
                        "organisation",
                        "role_in_team",
                        "is_student",
                    )
                },
            )
        )
    board = next((b for b in target.boards if source.board and b.code == source.board.code), None)
    field = next((f for f in target.fields if source.field and f.name == source.field.name), None)
    entry = Entry(
        competition_id=target.id,
        competition=target,
        team=team,
        project_id=source.project_id,
        origin_entry_id=source.id,
        board_id=board.id if board else None,
        field_id=field.id if field else None,
        status=EntryStatus.draft,
        title=source.title,
        stage=source.stage,
        company_registered_on=source.company_registered_on,
    )
    db.session.add_all([team, entry])
    db.session.flush()
    return entry


def acceptance_problems(nomination: Nomination, entry: Entry) -> list[str]:
    """The upper contest's rules, named, for the entry acceptance would make."""
    target, source = nomination.target, nomination.source_entry
    problems = [p for p in eligibility_problems(entry) if p]
    if source.board is not None and not any(b.code == source.board.code for b in target.boards):
        problems.append(_("%(name)s has no board for “%(board)s”.", name=target.name, board=source.board.name))
    if target.max_company_age_years is not None:
        day = _held_on(target)
        for enterprise in source.project.enterprises:
            years = (
                day.year
                - enterprise.founded_on.year
                - ((day.month, day.day) < (enterprise.founded_on.month, enterprise.founded_on.day))
            )
            if years >= target.max_company_age_years:
                problems.append(
                    _(
                        "The enterprise %(number)s was founded on %(day)s, more than %(years)d years "
                        "before the contest.",
                        number=enterprise.registration_number,
                        day=format_day(enterprise.founded_on),
                        years=target.max_company_age_years,
                    )
                )
    return list(dict.fromkeys(problems))


class NotEligible(DomainError):
    def __init__(self, problems: list[str]):
        super().__init__(
            _("The entry does not meet this contest's rules: %(problems)s", problems=" ".join(problems)),
            code="not_eligible",
        )
        self.problems = problems


def entries_closed_reason(target: Competition, now: datetime | None = None) -> str | None:
    """Why `target` cannot accept a nomination now, or None. Acceptance makes a draft the team
    completes and submits there (nothing enters submitted), so the contest must still take
    entries: `submissions_open`, or open with its registration still to come (the team submits
    once it opens). Closed for entries, past the deadline, judging or ended: the draft could
    never be submitted, and the project would be stuck there."""
    if submissions_open(target, now):
        return None
    deadline = target.submission_deadline
    if target.state is CompetitionState.open and (deadline is None or (now or utcnow()) <= deadline):
        return None  # registration opens later: the team submits then
    if target.state in (CompetitionState.draft, CompetitionState.open, CompetitionState.closed):
        return _(
            "%(name)s is not taking entries now (submissions are closed), so the team could never submit the "
            "entry that accepting would make. Reopen submissions or extend the deadline to accept, or decline.",
            name=target.name,
        )
    return _(
        "%(name)s no longer takes entries (judging has begun or the contest has ended), so the team could never "
        "submit the entry that accepting would make. Decline the nomination, with the reason.",
        name=target.name,
    )


def accept(nomination: Nomination, user, reason: str = "") -> Entry:
    target = nomination.target
    if not can_check_entries(user, target):
        raise NotAllowed(
            _("Only the secretariat or organizers of %(name)s can decide its nominations.", name=target.name)
        )
    _hold(nomination)
    if nomination.state is not NominationState.proposed:
        raise Conflict(_("This nomination has already been decided."))
    closed = entries_closed_reason(target)
    if closed:
        raise Conflict(closed, code="entries_closed")
    # What held when it was proposed may not hold now: the contest has moved on, or the
    # project has become its entry another way (the team entered it, another proposal).
    problem = target_problem(nomination.source_entry.competition, target)
    if problem:
        raise DomainError(problem)
    if db.session.scalar(
        select(Entry.id).where(
            Entry.competition_id == target.id, Entry.project_id == nomination.source_entry.project_id
        )
    ):
        raise Conflict(_("This project is already an entry of that competition."))
    unit = source_unit(nomination)
    quota = quotas(target).get(unit.id)
    if quota is not None and _accepted_from(target, unit) >= quota:
        raise Conflict(_("The quota of %(n)d nominations from %(unit)s is already reached.", n=quota, unit=unit.name))
    savepoint = db.session.begin_nested()
    entry = _upper_entry(nomination)
    problems = acceptance_problems(nomination, entry)
    if problems:
        savepoint.rollback()
        raise NotEligible(problems)
    savepoint.commit()
    nomination.state, nomination.accepted_entry_id = NominationState.accepted, entry.id
    nomination.decided_by_id, nomination.decided_at, nomination.reason = user.id, utcnow(), reason.strip() or None
    audit.record(
        "nomination.accepted",
        "nomination",
        nomination.id,
        competition_id=target.id,
        actor_id=user.id,
        before={"state": "proposed"},
        after={"state": "accepted", "entry": entry.id, "project": entry.project_id},
        reason=nomination.reason,
    )
    _tell_team(
        nomination,
        "nomination_decided",
        accepted=True,
        reason=nomination.reason,
        team_url=external_url("teams.show", team_id=entry.team_id),
        entry_url=external_url("entries.edit", team_id=entry.team_id),
    )
    return entry


# -- the team carries its dossier over ------------------------------------------------
# Accepting copies nothing of the source entry (the upper contest's secretariat reads drafts
# too): the team brings its dossier over itself, from its entry page, when it chooses.

# Of the entry form's fields, those not carried: board and field are placed at acceptance
# (matched by code and by name, ids differ between contests), and consent to the public gallery
# is given anew in each contest.
NOT_CARRIED = ("board", "field", "gallery_opt_in")


def _empty(value) -> bool:
    return value is None or value == ""


@dataclass(frozen=True)
class Carried:
    """What `carry_over_dossier` gave the draft, and what it did not."""

    fields: list[str]  # filled in from the origin (they were empty in the draft)
    kept: list[str]  # the draft's own, left as the team typed them
    files: list  # the new attachment rows
    left: list[attachments.LeftBehind]  # the origin's files not carried, with the reason

    @property
    def nothing(self) -> bool:
        return not self.fields and not self.files


def _carried_fields(entry: Entry, origin: Entry) -> tuple[list[str], list[str]]:
    """The fields both entry forms ask that the origin has filled: those empty in the draft
    (to carry) and those the draft already has (kept)."""
    asked = set(form_fields(origin.competition))
    to_fill: list[str] = []
    kept: list[str] = []
    for name in form_fields(entry.competition):
        if name in NOT_CARRIED or name not in asked or _empty(getattr(origin, name)):
            continue
        (to_fill if _empty(getattr(entry, name)) else kept).append(name)
    return to_fill, kept


def can_carry_over(entry: Entry) -> bool:
    """`entry` is a nominated copy, still a draft: the one the team may fill from its origin."""
    return entry.status is EntryStatus.draft and entry.origin is not None


def dossier_left_to_carry(entry: Entry) -> tuple[list[str], list]:
    """The fields and the origin's files `carry_over_dossier` would carry now (for the entry
    page: nothing left, no offer)."""
    if not can_carry_over(entry):
        return [], []
    origin = entry.origin
    return _carried_fields(entry, origin)[0], attachments.carry_plan(origin, entry)[0]


def carry_over_dossier(entry: Entry, user) -> Carried:
    """A member of the team fills its nominated draft from the origin entry (the team's entry in
    the lower contest): the fields the upper contest's form asks that are still empty in the
    draft (what the team typed there stays), and the origin's current documents of kinds the
    draft has none of, that the upper contest's upload rules take (sharing their stored files;
    see contest.domain.attachments.carry_files). Only while that contest takes entries. Audited
    when something is carried."""
    if not is_member(user, entry.team):
        raise NotAllowed(_("Only a member of the team can bring its dossier over."))
    if not can_carry_over(entry):
        raise Conflict(
            _("Only a draft entry nominated from a lower-level contest can take that entry's dossier."),
            code="not_nominated_draft",
        )
    require_editable(entry.team)
    origin = entry.origin
    files, left = attachments.carry_files(origin, entry)
    to_fill, kept = _carried_fields(entry, origin)
    for name in to_fill:
        setattr(entry, name, getattr(origin, name))
    done = Carried(to_fill, kept, files, left)
    if done.nothing:
        return done
    entry.draft_saved_at = utcnow()
    db.session.flush()
    audit.record(
        "entry.dossier_carried",
        "entry",
        entry.id,
        competition_id=entry.competition_id,
        actor_id=user.id,
        after={
            "origin_entry": origin.id,
            "fields_carried": to_fill,
            "fields_kept": kept,
            "files_carried": [
                {"kind": a.kind.value, "filename": a.filename, "size": a.size, "sha256": a.sha256} for a in files
            ],
            "files_left": [
                {"kind": f.kind.value, "filename": f.filename, "size": f.size, "reason": f.reason()} for f in left
            ],
        },
    )
    return done


def decline(nomination: Nomination, user, reason: str) -> None:
    target = nomination.target
    if not can_check_entries(user, target):
        raise NotAllowed(
            _("Only the secretariat or organizers of %(name)s can decide its nominations.", name=target.name)
        )
    _hold(nomination)
    if nomination.state is not NominationState.proposed:
        raise Conflict(_("This nomination has already been decided."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason; the nominating unit and the team will read it."), field="reason")
    nomination.state, nomination.reason = NominationState.declined, reason
    nomination.decided_by_id, nomination.decided_at = user.id, utcnow()
    audit.record(
        "nomination.declined",
        "nomination",
        nomination.id,
        competition_id=target.id,
        actor_id=user.id,
        before={"state": "proposed"},
        after={"state": "declined"},
        reason=reason,
    )
    _tell_team(nomination, "nomination_decided", accepted=False, reason=reason, team_url=None)
