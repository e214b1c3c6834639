"""Teams: creation, members with and without accounts, invitations, leadership.

Team size is held by the database: every member takes a numbered seat, unique
per team, from 1 to the competition's maximum."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select

from contest.domain import audit
from contest.domain.accounts import external_url
from contest.domain.competitions import submissions_open
from contest.domain.concurrency import retry_on_clash
from contest.domain.errors import Conflict, DomainError, NotAllowed
from contest.domain.outbox import queue_mail
from contest.domain.plausible_dates import birth_date_problem
from contest.domain.tokens import make_token, read_link
from contest.extensions import db
from contest.models import (
    Competition,
    CompetitionLevel,
    EntryStatus,
    Gender,
    Member,
    OrgUnit,
    OrgUnitKind,
    Team,
    TeamInvitation,
    User,
)
from contest.models.base import utcnow
from contest.transactions import atomic

INVITE_PURPOSE = "team-invite"
INVITE_MAX_AGE = 7 * 24 * 3600


@dataclass(frozen=True)
class MemberDetails:
    """A member entered by the leader; many will never have an account."""

    full_name: str
    date_of_birth: date | None = None
    gender: Gender | None = None
    phone: str | None = None
    email: str | None = None
    organisation: str | None = None
    role_in_team: str | None = None
    is_student: bool = False
    is_doan_member: bool | None = None  # asked in youth contests only


def asks_doan_membership(competition: Competition) -> bool:
    """The Youth Union's contests ask whether each member is a đoàn viên (optional)."""
    return competition.level is CompetitionLevel.youth_idea


def requires_school(competition: Competition) -> bool:
    """A student contest's teams register from their school: a unit of kind school."""
    return competition.level is CompetitionLevel.student


def require_editable(team: Team, now: datetime | None = None) -> None:
    if not submissions_open(team.competition, now):
        raise Conflict(
            _("The submission deadline has passed: the team and its entry can no longer be changed."),
            code="deadline_passed",
        )


def is_member(user, team: Team) -> bool:
    return bool(user and user.is_authenticated and any(m.user_id == user.id for m in team.members))


def teams_of(user: User) -> list[Team]:
    return list(
        db.session.scalars(select(Team).join(Member).where(Member.user_id == user.id).order_by(Team.id.desc())).unique()
    )


def _take_seat(team_id: int, build_member) -> Member:
    """Add a member on the lowest free seat; the unique (team, seat) constraint
    turns a race for the last seat into a clean refusal."""

    def work() -> Member:
        team = db.session.get_one(Team, team_id)
        taken = {m.seat for m in team.members}
        free = [s for s in range(1, team.competition.team_max + 1) if s not in taken]
        if not free:
            raise Conflict(
                _("The team is full: at most %(max)d members.", max=team.competition.team_max), code="team_full"
            )
        member = build_member(team)
        member.seat = free[0]
        team.members.append(member)
        db.session.flush()
        _after_membership_change(team)
        return member

    return retry_on_clash(work)


def _after_membership_change(team: Team) -> None:
    """A submitted entry's per-person slots follow its members."""
    entry = team.entry
    if entry is not None and entry.status is EntryStatus.submitted:
        from contest.domain.entries import claim_person_slots

        problems = claim_person_slots(entry)
        if problems:
            raise DomainError(problems[0], code="entry_limit")


def create_team(
    competition: Competition,
    leader: User,
    *,
    name: str,
    organisation: str | None,
    org_unit: OrgUnit | None,
    show_names_publicly: bool = True,
    leader_details: MemberDetails,
) -> Team:
    if not submissions_open(competition):
        raise Conflict(_("This competition is not open for registration."), code="closed")
    if competition.restrict_to_unit and org_unit is None:
        raise DomainError(_("Choose the unit your team belongs to."), field="org_unit")
    if requires_school(competition) and (org_unit is None or org_unit.kind is not OrgUnitKind.school):
        raise DomainError(_("Choose your team's school: this contest is for pupils and students."), field="org_unit")
    if db.session.scalar(select(Team.id).where(Team.competition_id == competition.id, Team.name == name.strip())):
        raise DomainError(_("Another team in this competition already has this name."), field="name")
    team = Team(
        competition=competition,
        name=name.strip(),
        leader_id=leader.id,
        organisation=organisation or None,
        org_unit=org_unit,
        show_names_publicly=show_names_publicly,
    )
    team.members.append(
        Member(seat=1, user_id=leader.id, **_member_values(leader_details, competition, email=leader.email))
    )
    db.session.add(team)
    db.session.flush()
    audit.record("team.created", "team", team.id, competition_id=competition.id, after={"name": team.name})
    db.session.flush()
    return team


def _member_values(details: MemberDetails, competition: Competition, email: str | None = None) -> dict:
    problem = birth_date_problem(details.date_of_birth)
    if problem:
        raise DomainError(problem, field="date_of_birth")
    return {
        "full_name": details.full_name.strip(),
        "date_of_birth": details.date_of_birth,
        "gender": details.gender,
        "phone": (details.phone or "").strip() or None,
        "email": (email or details.email or "").strip().lower() or None,
        "organisation": (details.organisation or "").strip() or None,
        "role_in_team": (details.role_in_team or "").strip() or None,
        "is_student": details.is_student,
        "is_doan_member": details.is_doan_member if asks_doan_membership(competition) else None,
    }


def add_member(team: Team, details: MemberDetails) -> Member:
    require_editable(team)
    member = _take_seat(team.id, lambda _team: Member(**_member_values(details, team.competition)))
    audit.record(
        "team.member_added", "team", team.id, competition_id=team.competition_id, after={"member": member.full_name}
    )
    db.session.flush()
    return member


def update_member(member: Member, details: MemberDetails) -> None:
    require_editable(member.team)
    email = member.email if member.user_id else None  # account holders keep their account's address
    for key, value in _member_values(details, member.team.competition, email=email).items():
        setattr(member, key, value)
    db.session.flush()


def remove_member(team: Team, member: Member) -> None:
    require_editable(team)
    if member.is_leader:
        raise NotAllowed(_("Hand over leadership before removing the leader."))
    with atomic():  # a refused change of the entry's slots leaves the member in the team
        team.members.remove(member)
        db.session.flush()
        _after_membership_change(team)
    audit.record(
        "team.member_removed", "team", team.id, competition_id=team.competition_id, before={"member": member.full_name}
    )
    db.session.flush()


def leave_team(team: Team, user: User) -> None:
    member = next((m for m in team.members if m.user_id == user.id), None)
    if member is None:
        raise NotAllowed(_("You are not a member of this team."))
    if member.is_leader:
        raise NotAllowed(_("The leader cannot leave: hand over leadership first."))
    remove_member(team, member)


def hand_over(team: Team, new_leader: Member) -> None:
    require_editable(team)
    if new_leader.team_id != team.id or new_leader.user_id is None:
        raise DomainError(_("Leadership can only go to a member who has an account."), field="member")
    before = team.leader_id
    team.leader_id = new_leader.user_id
    audit.record(
        "team.leader_changed",
        "team",
        team.id,
        competition_id=team.competition_id,
        before={"leader_id": before},
        after={"leader_id": new_leader.user_id},
    )
    db.session.flush()


# -- invitations ---------------------------------------------------------------


def invite(team: Team, email: str, invited_by: User) -> TeamInvitation:
    require_editable(team)
    email = email.strip().lower()
    if any(m.email == email for m in team.members):
        raise DomainError(_("This person is already in the team."), field="email")
    if _pending_invitation(team, email):
        raise DomainError(
            _(
                "%(email)s has already been invited and has not answered yet. The invitation is valid for"
                " %(days)d days: ask them to look for it in their mail (and the spam folder); once it has"
                " expired you can invite them again.",
                email=email,
                days=INVITE_MAX_AGE // (24 * 3600),
            ),
            field="email",
            code="already_invited",
        )
    if len(team.members) >= team.competition.team_max:
        raise Conflict(_("The team is full: at most %(max)d members.", max=team.competition.team_max), code="team_full")
    invitation = TeamInvitation(
        team_id=team.id, email=email, nonce=secrets.token_hex(8), invited_by_id=invited_by.id, created_at=utcnow()
    )
    db.session.add(invitation)
    db.session.flush()
    token = make_token(INVITE_PURPOSE, {"i": invitation.id, "n": invitation.nonce})
    queue_mail(
        email,
        "team_invite",
        inviter=invited_by,
        team=team,
        competition=team.competition,
        accept_url=external_url("teams.accept_invite", token=token),
    )
    audit.record("team.invited", "team", team.id, competition_id=team.competition_id, after={"email": email})
    db.session.flush()
    return invitation


def _pending_invitation(team: Team, email: str) -> bool:
    """Whether `email` holds an invitation to the team not yet answered, revoked or expired."""
    return (
        db.session.scalar(
            select(TeamInvitation.id)
            .where(
                TeamInvitation.team_id == team.id,
                func.lower(TeamInvitation.email) == email,
                TeamInvitation.accepted_at.is_(None),
                TeamInvitation.revoked_at.is_(None),
                TeamInvitation.created_at > utcnow() - timedelta(seconds=INVITE_MAX_AGE),
            )
            .limit(1)
        )
        is not None
    )


def invitation_from_token(token: str) -> TeamInvitation:
    payload = read_link(
        INVITE_PURPOSE,
        token,
        INVITE_MAX_AGE,
        expired=_("This invitation has expired. Ask the team leader for a new one."),
        invalid=_("This invitation link is not valid."),
    )
    invitation = db.session.get(TeamInvitation, payload.get("i"))
    if invitation is None or invitation.nonce != payload.get("n") or invitation.revoked_at:
        raise DomainError(_("This invitation link is not valid."), code="invalid")
    if invitation.accepted_at is not None:
        raise DomainError(_("This invitation has already been used."), code="used")
    return invitation


def accept_invitation(token: str, user: User, details: MemberDetails) -> Member:
    invitation = invitation_from_token(token)
    team = invitation.team
    require_editable(team)
    if any(m.user_id == user.id for m in team.members):
        raise DomainError(_("You are already in this team."), code="already_member")
    invitation_id = invitation.id

    def build(_team: Team) -> Member:
        accepted = db.session.get_one(TeamInvitation, invitation_id)
        if accepted.accepted_at is not None:
            raise DomainError(_("This invitation has already been used."), code="used")
        accepted.accepted_at = utcnow()
        return Member(user_id=user.id, **_member_values(details, team.competition, email=user.email))

    member = _take_seat(team.id, build)
    queue_mail(team.leader.email, "team_member_joined", locale=team.leader.locale, team=team, member=member)
    audit.record("team.joined", "team", team.id, competition_id=team.competition_id, after={"member": member.full_name})
    db.session.flush()
    return member


def pending_invitations(team: Team) -> list[TeamInvitation]:
    return list(
        db.session.scalars(
            select(TeamInvitation).where(
                TeamInvitation.team_id == team.id,
                TeamInvitation.accepted_at.is_(None),
                TeamInvitation.revoked_at.is_(None),
            )
        )
    )


def age_on(birth: date, day: date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def is_women_led(team: Team) -> bool:
    leader = next((m for m in team.members if m.user_id == team.leader_id), None)
    return leader is not None and leader.gender is Gender.female


def is_student_team(team: Team) -> bool:
    return bool(team.members) and sum(m.is_student for m in team.members) * 2 > len(team.members)
