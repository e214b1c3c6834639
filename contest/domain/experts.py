"""The expert network: the registry of people, their certifications, consent to
be listed, declared conflicts of interest and mentoring. Officers (of any unit,
and administrators) keep the registry and see contact details; an expert sees
and corrects their own record; the public sees those who consented, and only
what they chose to show."""

from __future__ import annotations

import enum
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from contest.domain import audit, competitions, unit_officers
from contest.domain.accounts import normalize_email
from contest.domain.attachments import explain_upload
from contest.domain.errors import DomainError
from contest.domain.plausible_dates import plausible_year
from contest.domain.projects import given_up, path_order
from contest.domain.uploads import MAX_BYTES, validate_upload
from contest.extensions import db
from contest.models import (
    Certification,
    Competition,
    ConflictKind,
    DeclaredConflict,
    Entry,
    Expert,
    ExpertField,
    ExpertRole,
    ExpertRoleGrant,
    Field,
    MentoringSession,
    Mentorship,
    Project,
    Team,
    User,
)
from contest.models.base import length_of, utcnow
from contest.models.experts import PUBLIC_FIELDS
from contest.storage import get_storage
from contest.transactions import after_commit

ROLE_LABELS = {
    ExpertRole.judge: _l("Judge"),
    ExpertRole.mentor: _l("Mentor"),
    ExpertRole.adviser: _l("Adviser"),
    ExpertRole.trainer: _l("Trainer"),
    ExpertRole.investor: _l("Investor"),
}
CONFLICT_LABELS = {
    ConflictKind.company: _l("A company"),
    ConflictKind.school: _l("A school"),
    ConflictKind.relative_project: _l("A relative's project"),
    ConflictKind.other: _l("Other"),
}
PUBLIC_FIELD_LABELS = {
    "organisation": _l("Organisation"),
    "fields": _l("Fields of expertise"),
    "photo": _l("Photo"),
    "bio": _l("Short introduction"),
}


def is_officer(user) -> bool:
    """Who keeps the registry: administrators and the current officers of any unit."""
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_admin or unit_officers.own_unit_ids(user))


def of_user(user) -> Expert | None:
    if not has_record(user):
        return None
    return db.session.scalar(select(Expert).where(Expert.user_id == user.id))


def has_record(user) -> bool:
    """Whether an expert record is the account's: read with the signed-in account
    (contest.domain.login_sessions.load), so the menu asks no query of its own."""
    if not getattr(user, "is_authenticated", False):
        return False
    known = getattr(user, "has_expert_record", None)
    if known is not None:
        return bool(known)
    return db.session.scalar(select(Expert.id).where(Expert.user_id == user.id)) is not None


def may_see_record(user, expert: Expert) -> bool:
    return is_officer(user) or (expert.user_id is not None and expert.user_id == getattr(user, "id", None))


# -- the record -------------------------------------------------------------------


@dataclass
class ExpertInput:
    full_name: str
    organisation: str = ""
    email: str = ""
    phone: str = ""
    bio: str = ""
    org_unit_id: int | None = None
    fields: tuple[str, ...] = ()
    roles: tuple[ExpertRole, ...] = ()
    available: bool = True


def _clean(data: ExpertInput, expert: Expert | None) -> ExpertInput:
    name = " ".join((data.full_name or "").split())
    if not name:
        raise DomainError(_("Give the expert's full name."), field="full_name")
    email = normalize_email(data.email or "")
    if email and ("@" not in email or len(email) > length_of(Expert.email)):
        raise DomainError(_("Enter a valid e-mail address."), field="email")
    if email:
        taken = db.session.scalar(
            select(Expert.id).where(Expert.email == email, Expert.id != (expert.id if expert else 0))
        )
        if taken:
            raise DomainError(_("Another expert in the registry has this e-mail address."), field="email")
    if len(data.bio or "") > length_of(Expert.bio):
        raise DomainError(_("The introduction is too long."), field="bio")
    fields = tuple(dict.fromkeys(" ".join(f.split())[:120] for f in data.fields if f and f.strip()))
    return ExpertInput(
        name[:200],
        " ".join((data.organisation or "").split())[:200],
        email,
        (data.phone or "").strip()[:40],
        (data.bio or "").strip(),
        data.org_unit_id,
        fields,
        tuple(dict.fromkeys(data.roles)),
        bool(data.available),
    )


def _snapshot(expert: Expert) -> dict:
    return {
        "full_name": expert.full_name,
        "organisation": expert.organisation,
        "email": expert.email,
        "phone": expert.phone,
        "bio": expert.bio,
        "org_unit_id": expert.org_unit_id,
        "fields": expert.field_names,
        "roles": expert.role_values,
        "available": expert.available,
    }


def _apply(expert: Expert, data: ExpertInput) -> None:
    expert.full_name, expert.organisation, expert.email = data.full_name, data.organisation, data.email or None
    expert.phone, expert.bio, expert.org_unit_id, expert.available = (
        data.phone,
        data.bio,
        data.org_unit_id,
        data.available,
    )
    wanted = set(data.fields)
    expert.fields = [f for f in expert.fields if f.name in wanted] + [
        ExpertField(name=name) for name in data.fields if name not in set(expert.field_names)
    ]
    roles = set(data.roles)
    expert.roles = [r for r in expert.roles if r.role in roles] + [
        ExpertRoleGrant(role=role) for role in data.roles if role.value not in set(expert.role_values)
    ]


def create_expert(data: ExpertInput, *, by: User | None, user: User | None = None) -> Expert:
    data = _clean(data, None)
    if user is not None and of_user(user) is not None:
        raise DomainError(_("This person is already in the registry."))
    expert = Expert(user_id=user.id if user else None, added_by_id=by.id if by else None, public_fields=[])
    _apply(expert, data)
    db.session.add(expert)
    db.session.flush()
    audit.record("expert.added", "expert", expert.id, after=_snapshot(expert))
    return expert


def update_expert(expert: Expert, data: ExpertInput) -> None:
    data = _clean(data, expert)
    before = _snapshot(expert)
    _apply(expert, data)
    db.session.flush()
    after = _snapshot(expert)
    if after != before:
        audit.record("expert.updated", "expert", expert.id, before=before, after=after)


def join_registry(user: User, *, organisation: str = "", roles: tuple[ExpertRole, ...] = (ExpertRole.judge,)) -> Expert:
    """The person's record in the registry, made now if they have none (a judge
    invited from outside it joins on accepting). Not listed publicly until they consent."""
    expert = of_user(user)
    if expert is None:
        expert = db.session.scalar(
            select(Expert).where(Expert.email == normalize_email(user.email), Expert.user_id.is_(None))
        )
        if expert is not None:
            expert.user_id = user.id
    if expert is None:
        expert = create_expert(
            ExpertInput(full_name=user.full_name or user.email, organisation=organisation, roles=roles),
            by=user,
            user=user,
        )
    for role in roles:
        if role.value not in expert.role_values:
            expert.roles.append(ExpertRoleGrant(role=role))
    db.session.flush()
    return expert


def contact_email(expert: Expert) -> str | None:
    return expert.user.email if expert.user is not None else expert.email


def set_consent(expert: Expert, consent: bool, public_fields: list[str] | None = None) -> None:
    """Give or withdraw consent to be listed. Withdrawing takes effect at once
    (the directory reads this row); what the person did as a judge stays on record."""
    before = {"consent": expert.consent_public, "public_fields": list(expert.public_fields or [])}
    expert.consent_public = bool(consent)
    if public_fields is not None:
        expert.public_fields = [f for f in PUBLIC_FIELDS if f in public_fields]
    expert.consent_changed_at = utcnow()
    db.session.flush()
    audit.record(
        "expert.consent_given" if consent else "expert.consent_withdrawn",
        "expert",
        expert.id,
        before=before,
        after={"consent": expert.consent_public, "public_fields": expert.public_fields},
    )


def set_photo(expert: Expert, filename: str, data: bytes) -> None:
    check = validate_upload(filename, data, "image", max_bytes=MAX_BYTES["image"])
    if not check.ok:
        raise DomainError(explain_upload(check), field="photo")
    old = expert.photo_key
    expert.photo_key = get_storage().save(data, suffix="." + (check.detected or "bin"))
    db.session.flush()
    if old:
        after_commit(lambda: get_storage().delete(old))


# -- finding people --------------------------------------------------------------------


def field_names() -> list[str]:
    """The fields competitions use, and any an expert was given."""
    names = set(db.session.scalars(select(Field.name).distinct())) | set(
        db.session.scalars(select(ExpertField.name).distinct())
    )
    return sorted(names, key=str.casefold)


def search(
    *,
    text: str = "",
    field: str = "",
    unit_id: int | None = None,
    role: ExpertRole | None = None,
    available_only: bool = False,
    public_only: bool = False,
) -> list[Expert]:
    query = select(Expert)
    if public_only:
        query = query.where(Expert.consent_public.is_(True))
    if text.strip():
        like = f"%{text.strip()}%"
        query = query.where(or_(Expert.full_name.ilike(like), Expert.organisation.ilike(like)))
    if field:
        query = query.where(Expert.id.in_(select(ExpertField.expert_id).where(ExpertField.name == field)))
    if unit_id:
        query = query.where(Expert.org_unit_id == unit_id)
    if role is not None:
        query = query.where(Expert.id.in_(select(ExpertRoleGrant.expert_id).where(ExpertRoleGrant.role == role)))
    if available_only:
        query = query.where(Expert.available.is_(True))
    return list(db.session.scalars(query.order_by(Expert.full_name, Expert.id)))


def public_directory(field: str = "") -> list[Expert]:
    """Those who consented; filtered by a field only among those who show their fields
    (else the filter would tell the public a field the person kept to themself)."""
    found = search(field=field, public_only=True)
    return [e for e in found if e.shows("fields")] if field else found


# -- certifications ----------------------------------------------------------------------


@dataclass
class CertificationInput:
    programme: str
    issuer: str
    number: str
    issued_on: date | None
    expires_on: date | None = None
    scan_name: str = ""
    scan: bytes | None = None


class CertificationState(enum.Enum):
    """Where a certification stands on a given day."""

    in_force = "in_force"  # it has an expiry day, not yet passed
    expired = "expired"  # its expiry day has passed
    no_expiry = "no_expiry"  # it never expires


def certification_state(expires_on: date | None, on: date) -> CertificationState:
    """The state of a certification expiring on `expires_on` (None: never) on
    the day `on`. The expiry day is the last day it holds, as for `valid_in`."""
    if expires_on is None:
        return CertificationState.no_expiry
    return CertificationState.in_force if on <= expires_on else CertificationState.expired


def certification_states(certifications: Iterable[Certification], on: date) -> dict[int, CertificationState]:
    """Each certification's state on the day `on`, by its id (for the pages that list them)."""
    return {c.id: certification_state(c.expires_on, on) for c in certifications}


def certifications_in_force(experts: Iterable[Expert], on: date) -> dict[int, int]:
    """How many of each expert's certifications still hold on the day `on`, by expert id."""
    return {
        e.id: sum(certification_state(c.expires_on, on) is not CertificationState.expired for c in e.certifications)
        for e in experts
    }


def _check_year(day: date | None, field: str) -> None:
    """A registry date in the app's years (plausible_year, which the forms apply first): a year
    such as 0001 is a slip that would count an adviser as certified in every year of the plan."""
    if day is not None and not plausible_year(day):
        raise DomainError(_("Enter a year such as 2026."), field=field)


def add_certification(expert: Expert, data: CertificationInput, *, by: User | None) -> Certification:
    programme, issuer = " ".join((data.programme or "").split()), " ".join((data.issuer or "").split())
    if not programme:
        raise DomainError(_("Name the programme or course."), field="programme")
    if not issuer:
        raise DomainError(_("Name the issuing body."), field="issuer")
    if data.issued_on is None:
        raise DomainError(_("Give the date of issue."), field="issued_on")
    _check_year(data.issued_on, "issued_on")
    _check_year(data.expires_on, "expires_on")
    if data.issued_on > unit_officers.today():
        # A future date would count the expert as certified before the certificate exists.
        raise DomainError(_("A certification is recorded once it has been issued."), field="issued_on")
    if data.expires_on is not None and data.expires_on < data.issued_on:
        raise DomainError(_("A certificate cannot expire before it is issued."), field="expires_on")
    certification = Certification(
        expert=expert,
        programme=programme[:300],
        issuer=issuer[:300],
        number=(data.number or "").strip()[:80],
        issued_on=data.issued_on,
        expires_on=data.expires_on,
        recorded_by_id=by.id if by else None,
        recorded_at=utcnow(),
    )
    if data.scan:
        check = validate_upload(data.scan_name or "scan.pdf", data.scan, "scan", max_bytes=MAX_BYTES["scan"])
        if not check.ok:
            raise DomainError(explain_upload(check), field="scan")
        certification.scan_key = get_storage().save(data.scan, suffix="." + (check.detected or "bin"))
        certification.scan_name, certification.scan_content_type = check.safe_name, check.content_type or ""
    db.session.add(certification)
    db.session.flush()
    audit.record(
        "certification.recorded",
        "certification",
        certification.id,
        after={
            "expert": expert.id,
            "programme": certification.programme,
            "issuer": certification.issuer,
            "number": certification.number,
            "issued_on": certification.issued_on.isoformat(),
            "expires_on": certification.expires_on.isoformat() if certification.expires_on else None,
        },
    )
    return certification


def _certification_snapshot(certification: Certification) -> dict:
    return {
        "expert": certification.expert_id,
        "programme": certification.programme,
        "issuer": certification.issuer,
        "number": certification.number,
        "issued_on": certification.issued_on.isoformat(),
        "expires_on": certification.expires_on.isoformat() if certification.expires_on else None,
        "scan": certification.scan_name or None,
    }


def remove_certification(certification: Certification, *, reason: str, by: User | None) -> None:
    """Remove a certification entered by mistake: it no longer counts for the
    certified-advisers indicator; the audit log keeps what it said, and why."""
    reason = " ".join((reason or "").split())
    if len(reason) < 3:
        raise DomainError(_("Say why the certification is removed."), field="reason")
    before = _certification_snapshot(certification)
    expert = certification.expert
    scan_key, certification_id = certification.scan_key, certification.id
    expert.certifications.remove(certification)
    db.session.delete(certification)
    db.session.flush()
    audit.record(
        "certification.removed",
        "certification",
        certification_id,
        before=before,
        after=None,
        reason=reason[:500],
        actor_id=by.id if by else None,
    )
    if scan_key:
        after_commit(lambda: get_storage().delete(scan_key))


# -- declared conflicts --------------------------------------------------------------------


def declare_conflict(
    expert: Expert, kind: ConflictKind, name: str, *, registration_number: str = "", detail: str = "", on: date
) -> DeclaredConflict:
    name = " ".join((name or "").split())
    if len(name) < 2:
        raise DomainError(_("Name the company, school or project."), field="name")
    conflict = DeclaredConflict(
        expert=expert,
        kind=kind,
        name=name[:300],
        registration_number=(registration_number or "").strip()[:40],
        detail=(detail or "").strip()[:500],
        declared_on=on,
    )
    db.session.add(conflict)
    db.session.flush()
    audit.record(
        "expert.conflict_declared",
        "declared_conflict",
        conflict.id,
        after={
            "expert": expert.id,
            "kind": kind.value,
            "name": conflict.name,
            "registration": conflict.registration_number,
        },
    )
    return conflict


def end_conflict(conflict: DeclaredConflict, *, on: date, by: User | None) -> None:
    """The conflict no longer applies from `on` (the person left the company, the
    relative's project closed): later contests stop proposing it; the record stays."""
    if conflict.ended_on is not None:
        raise DomainError(_("This conflict of interest has already ended."))
    before = {"ended_on": None}
    conflict.ended_on = max(on, conflict.declared_on)
    db.session.flush()
    audit.record(
        "expert.conflict_ended",
        "declared_conflict",
        conflict.id,
        before={**before, "expert": conflict.expert_id, "name": conflict.name},
        after={"ended_on": conflict.ended_on.isoformat(), "expert": conflict.expert_id, "name": conflict.name},
        actor_id=by.id if by else None,
    )


def active_conflicts(expert: Expert, on: date) -> list[DeclaredConflict]:
    """Conflicts that apply on the day: declared by then and not ended (ended_on is
    the first day it no longer applies)."""
    return [c for c in expert.conflicts if c.declared_on <= on and (c.ended_on is None or c.ended_on > on)]


# -- mentoring --------------------------------------------------------------------------


def projects_to_mentor() -> list[tuple[int, str]]:
    """The startup projects an expert may be assigned to mentor, as (project id, label): each
    project once (it is followed across contests, contest.models.projects), never a press work
    of the media award. Teams in different contests often give the same name, so the label adds
    the team and the contest of the project's latest entry, and that entry's code when even
    these are the same."""
    press = [c.id for c in db.session.scalars(select(Competition)) if competitions.is_press_work(c)]
    rows = db.session.execute(
        select(
            Entry.project_id,
            Entry.id,
            Entry.code,
            Entry.status,
            Entry.title,
            Project.name.label("project_name"),
            Team.name.label("team_name"),
            Competition.name.label("contest_name"),
            Competition.year,
            Competition.submission_deadline,
        )
        .join(Competition, Competition.id == Entry.competition_id)
        .join(Team, Team.id == Entry.team_id)
        .join(Project, Project.id == Entry.project_id)
        .where(Entry.competition_id.not_in(press))
    ).all()
    latest: dict[int, tuple] = {}
    for row in rows:
        if given_up(row.status, row.code):
            continue
        order = path_order(row.year, row.submission_deadline, row.id)  # the latest entry on its path
        if row.project_id not in latest or order > latest[row.project_id][0]:
            latest[row.project_id] = (order, row)
    labelled = []
    for _order, row in latest.values():
        name = row.project_name or row.title or _("Untitled project")
        contest = row.contest_name if str(row.year) in row.contest_name else f"{row.contest_name} ({row.year})"
        label = _("%(project)s — %(team)s, %(contest)s", project=name, team=row.team_name, contest=contest)
        labelled.append((name.casefold(), -row.year, label, row))
    taken = Counter(label for _name, _year, label, _row in labelled)
    return [
        (row.project_id, label if taken[label] == 1 else f"{label} ({row.code or '#' + str(row.project_id)})")
        for _name, _year, label, row in sorted(labelled, key=lambda item: item[:3] + (item[3].project_id,))
    ]


def assign_mentor(
    expert: Expert,
    project: Project,
    *,
    starts_on: date,
    ends_on: date | None = None,
    org_unit_id: int | None = None,
    by: User | None,
) -> Mentorship:
    if not any(not competitions.is_press_work(e) and not given_up(e.status, e.code) for e in project.entries):
        raise DomainError(
            _("Choose a startup project: a press work of the media award is not a project to mentor."),
            field="project",
        )
    _check_year(starts_on, "starts_on")
    _check_year(ends_on, "ends_on")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("The end comes before the start."), field="ends_on")
    mentorship = Mentorship(
        expert=expert,
        project=project,
        starts_on=starts_on,
        ends_on=ends_on,
        org_unit_id=org_unit_id,
        assigned_by_id=by.id if by else None,
        assigned_at=utcnow(),
    )
    if ExpertRole.mentor.value not in expert.role_values:
        expert.roles.append(ExpertRoleGrant(role=ExpertRole.mentor))
    db.session.add(mentorship)
    db.session.flush()
    audit.record(
        "mentorship.assigned",
        "mentorship",
        mentorship.id,
        after={"expert": expert.id, "project": project.id, "starts_on": starts_on.isoformat()},
    )
    return mentorship


def parse_hours(value) -> Decimal:
    try:
        hours = Decimal(str(value).replace(",", ".").strip())
        if not hours.is_finite():  # "NaN", "Infinity": not a number of hours
            raise InvalidOperation(value)
        hours = hours.quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError) as error:
        raise DomainError(_("Give the hours as a number, such as 1.5."), field="hours") from error
    if not Decimal("0") < hours <= Decimal("24"):
        raise DomainError(_("A session lasts more than 0 and at most 24 hours."), field="hours")
    return hours


def log_session(mentorship: Mentorship, *, held_on: date, topic: str, hours, by: User | None) -> MentoringSession:
    topic = " ".join((topic or "").split())
    if not topic:
        raise DomainError(_("Say what the session was about."), field="topic")
    if held_on > unit_officers.today():
        # A session to come would count its hours, and the unit's mentoring, before it is held.
        raise DomainError(_("A session is logged once it has been held."), field="held_on")
    if held_on < mentorship.starts_on or (mentorship.ends_on is not None and held_on > mentorship.ends_on):
        raise DomainError(_("The session falls outside the mentoring period."), field="held_on")
    session = MentoringSession(
        mentorship=mentorship,
        held_on=held_on,
        topic=topic[:300],
        hours=parse_hours(hours),
        recorded_by_id=by.id if by else None,
        recorded_at=utcnow(),
    )
    db.session.add(session)
    db.session.flush()
    audit.record(
        "mentoring.session_logged",
        "mentoring_session",
        session.id,
        after={"mentorship": mentorship.id, "held_on": held_on.isoformat(), "hours": str(session.hours)},
    )
    return session


def mentorships_of(expert: Expert) -> list[Mentorship]:
    return list(
        db.session.scalars(select(Mentorship).where(Mentorship.expert_id == expert.id).order_by(Mentorship.starts_on))
    )


def may_log(user, mentorship: Mentorship) -> bool:
    return is_officer(user) or (
        mentorship.expert.user_id is not None and mentorship.expert.user_id == getattr(user, "id", None)
    )


# -- export ---------------------------------------------------------------------------------


def export_table(*, by: User) -> tuple[list[str], list[list]]:
    """The whole registry with contact details, for officers; the export is audited."""
    headers = [
        _("Name"),
        _("Organisation"),
        _("Unit"),
        _("E-mail"),
        _("Phone"),
        _("Fields of expertise"),
        _("Roles"),
        _("Certifications"),
        _("Listed publicly"),
    ]
    rows = []
    experts = search()
    for e in experts:
        rows.append(
            [
                e.full_name,
                e.organisation,
                e.org_unit.name if e.org_unit else "",
                contact_email(e) or "",
                e.phone,
                ", ".join(e.field_names),
                ", ".join(str(ROLE_LABELS[r.role]) for r in e.roles),
                "; ".join(
                    f"{c.programme} ({c.issuer}, {c.issued_on:%d/%m/%Y}{', ' + c.number if c.number else ''})"
                    for c in e.certifications
                ),
                _("yes") if e.consent_public else _("no"),
            ]
        )
    audit.record("experts.exported", "expert", None, after={"rows": len(rows)}, actor_id=by.id)
    return headers, rows
