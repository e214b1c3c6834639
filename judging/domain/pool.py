"""One judge pool across contests: judges are people of the province's
registry of experts (`contest.domain.experts`). An organizer invites from the
registry; a person invited from outside it joins on accepting. A judge's
history is every competition their person judged, with rounds, sheets scored
and leniency relative to the panel; the conflicts the person declared once are
proposed again for every contest whose entries they touch."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from dataclasses import dataclass, field

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from contest.domain import audit
from contest.domain import experts as experts_domain
from contest.domain.errors import DomainError
from contest.domain.unit_officers import today
from contest.extensions import db
from contest.models import (
    Competition,
    DeclaredConflict,
    Entry,
    EntryStatus,
    Expert,
    ExpertRole,
    ExpertRoleGrant,
    User,
)
from contest.models.base import utcnow
from judging.core.conflict_rules import Declaration, EntryNames, declared_touches
from judging.domain import judges as judges_domain
from judging.models import Conflict, ConflictSource, ConflictStatus, Judge, Round, ScoreSheet

# -- the person behind a judge ----------------------------------------------------------------


def link_on_accept(judge: Judge) -> Expert:
    """The accepted judge's person in the registry: linked if invited from it,
    else they join it now (listed publicly only once they consent)."""
    expert = db.session.get(Expert, judge.expert_id) if judge.expert_id else None
    if expert is not None and expert.user_id is None and experts_domain.of_user(judge.user) is None:
        expert.user_id = judge.user_id
    if expert is None:
        expert = experts_domain.join_registry(judge.user, organisation=judge.organisation or "")
        judge.expert_id = expert.id
    if ExpertRole.judge.value not in expert.role_values:
        expert.roles.append(ExpertRoleGrant(role=ExpertRole.judge))
    db.session.flush()
    # Invited by e-mail, the person is known to the registry only now: what they declared is proposed.
    propose_declared(db.session.get_one(Competition, judge.competition_id), [judge])
    return expert


def judges_of_expert(expert: Expert) -> list[Judge]:
    condition = Judge.expert_id == expert.id
    if expert.user_id is not None:
        condition = or_(condition, Judge.user_id == expert.user_id)
    return list(
        db.session.scalars(
            select(Judge)
            .join(Competition, Competition.id == Judge.competition_id)
            .where(condition)
            .order_by(Competition.year.desc(), Competition.name)
        )
    )


# -- inviting from the registry -------------------------------------------------------------


@dataclass
class Candidate:
    expert: Expert
    contests: int  # competitions judged before
    sheets: int  # score sheets submitted, all contests
    already: bool  # already on this competition's panel


def candidates(
    competition: Competition,
    *,
    field: str = "",
    unit_id: int | None = None,
    available_only: bool = True,
    text: str = "",
) -> list[Candidate]:
    found = experts_domain.search(
        text=text, field=field, unit_id=unit_id, role=ExpertRole.judge, available_only=available_only
    )
    if not found:
        return []
    ids = [e.id for e in found]
    user_of = {e.id: e.user_id for e in found}
    by_user = {u: e for e, u in user_of.items() if u is not None}
    rows = db.session.execute(
        select(Judge.id, Judge.expert_id, Judge.user_id, Judge.competition_id).where(
            or_(Judge.expert_id.in_(ids), Judge.user_id.in_(list(by_user) or [0]))
        )
    ).all()
    judge_expert: dict[int, int | None] = {}
    for judge_id, expert_id, user_id, _competition_id in rows:
        judge_expert[judge_id] = expert_id if expert_id in user_of else by_user.get(user_id)
    contests: dict[int, set[int]] = defaultdict(set)
    on_panel: set[int] = set()
    for judge_id, _e, _u, competition_id in rows:
        owner = judge_expert[judge_id]
        if owner is None:
            continue
        if competition_id == competition.id:
            on_panel.add(owner)
        else:
            contests[owner].add(competition_id)
    sheets: dict[int, int] = defaultdict(int)
    for judge_id, count in db.session.execute(
        select(ScoreSheet.judge_id, func.count(ScoreSheet.id))
        .where(ScoreSheet.judge_id.in_(list(judge_expert) or [0]), ScoreSheet.submitted_at.is_not(None))
        .group_by(ScoreSheet.judge_id)
    ).all():
        owner = judge_expert.get(judge_id)
        if owner is not None:
            sheets[owner] += count
    return [Candidate(e, len(contests[e.id]), sheets[e.id], e.id in on_panel) for e in found]


def invite_expert(competition: Competition, expert: Expert, *, invited_by: User) -> Judge:
    email = experts_domain.contact_email(expert)
    if not email:
        raise DomainError(
            _("The registry has no e-mail address for %(name)s: an officer adds it first.", name=expert.full_name)
        )
    wanted = {n.casefold() for n in expert.field_names}
    judge = judges_domain.invite_judge(
        competition,
        email=email,
        full_name=expert.full_name,
        organisation=expert.organisation or None,
        field_ids=[f.id for f in competition.fields if f.name.casefold() in wanted],
        org_unit_id=expert.org_unit_id,
        invited_by=invited_by,
    )
    judge.expert_id = expert.id
    db.session.flush()
    propose_declared(competition, [judge])
    return judge


# -- declared conflicts proposed again -------------------------------------------------------


def _entry_names(competition: Competition) -> list[EntryNames]:
    entries = db.session.scalars(
        select(Entry).where(Entry.competition_id == competition.id, Entry.status == EntryStatus.submitted)
    )
    found = []
    for entry in entries:
        team, project = entry.team, entry.project
        names = [entry.title or "", team.name if team else "", (team.organisation if team else "") or ""]
        names += [m.organisation or "" for m in (team.members if team else [])]
        numbers: list[str] = []
        if project is not None:
            names.append(project.name or "")
            names += [e.name for e in project.enterprises]
            numbers += [e.registration_number for e in project.enterprises]
        found.append(EntryNames(entry.id, tuple(n for n in names if n), tuple(numbers)))
    return found


def propose_declared(competition: Competition, judges: list[Judge] | None = None) -> int:
    """A pending proposal for every entry of the competition that a conflict the
    judge's person declared touches (not yet on record)."""
    judges = judges if judges is not None else judges_domain.judges_of(competition)
    day = today()
    declarations: list[Declaration] = []
    by_ref: dict[Hashable, DeclaredConflict] = {}
    for judge in judges:
        expert = db.session.get(Expert, judge.expert_id) if judge.expert_id else experts_domain.of_user(judge.user)
        if expert is None:
            continue
        for conflict in experts_domain.active_conflicts(expert, day):
            declarations.append(Declaration(judge.id, conflict.id, conflict.name, conflict.registration_number))
            by_ref[conflict.id] = conflict
    if not declarations:
        return 0
    known: set[tuple[Hashable, Hashable]] = set(
        db.session.execute(
            select(Conflict.judge_id, Conflict.entry_id).where(
                Conflict.judge_id.in_({d.judge_id for d in declarations})
            )
        ).tuples()
    )
    added = 0
    for declaration, entry_id in declared_touches(declarations, _entry_names(competition)):
        if (declaration.judge_id, entry_id) in known:
            continue
        known.add((declaration.judge_id, entry_id))
        declared = by_ref[declaration.ref]
        with force_locale("vi"):
            reason = _(
                "Declared in the registry of experts on %(day)s: %(kind)s %(name)s",
                day=declared.declared_on.strftime("%d/%m/%Y"),
                kind=str(experts_domain.CONFLICT_LABELS[declared.kind]).lower(),
                name=declared.name,
            )
        db.session.add(
            Conflict(
                judge_id=declaration.judge_id,
                entry_id=entry_id,
                source=ConflictSource.proposed,
                status=ConflictStatus.pending,
                reason=reason,
                created_at=utcnow(),
            )
        )
        added += 1
    if added:
        db.session.flush()
        audit.record(
            "conflict.proposed",
            "competition",
            competition.id,
            competition_id=competition.id,
            after={"proposals": added, "from": "declared"},
        )
    return added


# -- history -------------------------------------------------------------------------------


@dataclass
class RoundService:
    round: Round
    sheets: int
    offset: float | None  # mean points above (+) or below (−) the panel on the same entries
    z: float | None


@dataclass
class Service:
    judge: Judge
    competition: Competition
    rounds: list[RoundService] = field(default_factory=list)

    @property
    def sheets(self) -> int:
        return sum(r.sheets for r in self.rounds)


def history(expert: Expert) -> list[Service]:
    from judging.domain import results

    services = []
    for judge in judges_of_expert(expert):
        service = Service(judge, db.session.get_one(Competition, judge.competition_id))
        counts = dict(
            db.session.execute(
                select(ScoreSheet.round_id, func.count(ScoreSheet.id))
                .where(ScoreSheet.judge_id == judge.id, ScoreSheet.submitted_at.is_not(None))
                .group_by(ScoreSheet.round_id)
            )
            .tuples()
            .all()
        )
        rounds = db.session.scalars(
            select(Round).where(Round.competition_id == judge.competition_id).order_by(Round.position)
        )
        for round_ in rounds:
            if not counts.get(round_.id):
                continue
            lean = results.compute(round_).leniency.get(judge.id)
            service.rounds.append(
                RoundService(round_, counts[round_.id], lean.offset if lean else None, lean.z if lean else None)
            )
        services.append(service)
    return services
