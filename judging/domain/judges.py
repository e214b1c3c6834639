"""Judges: invitation by e-mail (the account is created from the invite),
profile, and conflicts of interest (declared, proposed, decided)."""

from __future__ import annotations

import secrets

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from contest.domain import audit
from contest.domain.accounts import external_url, normalize_email
from contest.domain.errors import Conflict as ConflictError
from contest.domain.errors import DomainError
from contest.domain.outbox import queue_mail
from contest.domain.passwords import hash_password
from contest.domain.tokens import make_token, read_link
from contest.extensions import db
from contest.models import Competition, CompetitionLevel, Entry, EntryStatus, User
from contest.models.base import utcnow
from judging.core.conflict_rules import EntryFacts, JudgeFacts, MemberFacts, suspect
from judging.domain.counting import scored_sheets_of
from judging.models import Assignment, Conflict, ConflictSource, ConflictStatus, Judge, ScoreSheet

INVITE_PURPOSE = "judge-invite"
INVITE_MAX_AGE = 14 * 24 * 3600
SUSPICION_LABELS = {
    "team_member": _l("The judge is a member of the team"),
    "same_organisation": _l("Same school or workplace"),
    "same_mail_domain": _l("Same organisation e-mail domain"),
    "same_unit": _l("Same unit (unit-level contest)"),
}


def judges_of(competition: Competition) -> list[Judge]:
    return list(
        db.session.scalars(
            select(Judge).join(User).where(Judge.competition_id == competition.id).order_by(User.full_name)
        )
    )


def invite_judge(
    competition: Competition,
    *,
    email: str,
    full_name: str,
    organisation: str | None,
    field_ids: list[int],
    org_unit_id: int | None = None,
    invited_by: User,
) -> Judge:
    email = normalize_email(email)
    if not email or "@" not in email:
        raise DomainError(_("Enter a valid e-mail address."), field="email")
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        if not full_name.strip():
            raise DomainError(_("Give the judge's full name."), field="full_name")
        # An unusable password until the judge sets one from the invitation.
        user = User(
            email=email,
            full_name=full_name.strip(),
            password_hash=hash_password(secrets.token_urlsafe(32)),
            locale="vi",
        )
        db.session.add(user)
        db.session.flush()
    if db.session.scalar(select(Judge.id).where(Judge.competition_id == competition.id, Judge.user_id == user.id)):
        raise DomainError(_("This person is already a judge of this competition."), field="email")
    judge = Judge(
        competition_id=competition.id,
        user_id=user.id,
        organisation=(organisation or "").strip() or None,
        field_ids=sorted(set(field_ids)),
        org_unit_id=org_unit_id,
        invited_at=utcnow(),
    )
    db.session.add(judge)
    db.session.flush()
    token = make_token(INVITE_PURPOSE, {"j": judge.id, "u": user.id})
    queue_mail(
        user.email,
        "judge_invite",
        locale=user.locale,
        competition=competition,
        judge=judge,
        user=user,
        invited_by=invited_by,
        link=external_url("judge.accept_invite", token=token),
    )
    audit.record("judge.invited", "judge", judge.id, competition_id=competition.id, after={"email": email})
    db.session.flush()
    return judge


def judge_from_token(token: str) -> Judge:
    payload = read_link(
        INVITE_PURPOSE,
        token,
        INVITE_MAX_AGE,
        expired=_("This invitation has expired. Ask the organizers to send a new one."),
        invalid=_("This invitation link is not valid."),
    )
    judge = db.session.get(Judge, payload.get("j"))
    if judge is None or judge.user_id != payload.get("u"):
        raise DomainError(_("This invitation link is not valid."))
    return judge


def needs_password(judge: Judge) -> bool:
    """Accounts made by the invitation have never logged in and set no password."""
    return judge.accepted_at is None and judge.user.last_login_at is None and judge.user.email_verified_at is None


def accept_invite(judge: Judge, password: str | None = None) -> None:
    user = judge.user
    if needs_password(judge):
        if not password or not 10 <= len(password) <= 128:
            raise DomainError(_("The password must be 10 to 128 characters long."), field="password")
        user.password_hash = hash_password(password)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # the link in the mail proves the address
    if judge.accepted_at is None:
        judge.accepted_at = utcnow()
        audit.record("judge.accepted", "judge", judge.id, competition_id=judge.competition_id)
    from judging.domain.pool import link_on_accept

    link_on_accept(judge)  # the person is in the registry of experts from now on
    db.session.flush()


# -- conflicts of interest ----------------------------------------------------


def excluded_pairs(competition_id: int) -> set[tuple[int, int]]:
    return set(
        db.session.execute(
            select(Conflict.judge_id, Conflict.entry_id)
            .join(Judge)
            .where(Judge.competition_id == competition_id, Conflict.status == ConflictStatus.confirmed)
        ).tuples()
    )


def declare_conflict(judge: Judge, entry: Entry, reason: str) -> Conflict:
    """A judge's own declaration counts at once: it is an exclusion."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say briefly why (for example: a relative is in the team)."), field="reason")
    if entry.competition_id != judge.competition_id:
        raise DomainError(_("This entry is not in your competition."))
    conflict = db.session.scalar(select(Conflict).where(Conflict.judge_id == judge.id, Conflict.entry_id == entry.id))
    before = None if conflict is None else {"status": conflict.status.value}
    newly_confirmed = conflict is None or conflict.status is not ConflictStatus.confirmed
    if conflict is None:
        conflict = Conflict(
            judge_id=judge.id,
            entry_id=entry.id,
            source=ConflictSource.declared,
            created_at=utcnow(),
            reason=reason,
            status=ConflictStatus.confirmed,
        )
        db.session.add(conflict)
    else:
        conflict.status, conflict.reason, conflict.source = ConflictStatus.confirmed, reason, ConflictSource.declared
    if newly_confirmed:  # when the exclusion began; a repeated declaration does not move it
        conflict.decided_by_id, conflict.decided_at = judge.user_id, utcnow()
    _drop_unscored_assignments(judge.id, entry.id)
    db.session.flush()
    audit.record(
        "conflict.declared",
        "conflict",
        conflict.id,
        competition_id=judge.competition_id,
        before=before,
        after={"judge": judge.id, "entry": entry.id, "status": "confirmed"},
        reason=reason,
    )
    if newly_confirmed:
        _record_scores_counted(conflict, counted=False)
    db.session.flush()
    return conflict


def propose_conflicts(competition: Competition) -> int:
    """Add a pending proposal for every likely conflict not yet on record."""
    judges = judges_of(competition)
    entries = list(
        db.session.scalars(
            select(Entry).where(Entry.competition_id == competition.id, Entry.status == EntryStatus.submitted)
        )
    )
    known = set(
        db.session.execute(
            select(Conflict.judge_id, Conflict.entry_id).join(Judge).where(Judge.competition_id == competition.id)
        ).tuples()
    )
    facts_j = [JudgeFacts(j.id, j.user_id, j.user.email, j.organisation, j.org_unit_id) for j in judges]
    facts_e = [
        EntryFacts(
            e.id,
            e.team.organisation,
            e.team.org_unit_id,
            tuple(MemberFacts(m.user_id, m.email, m.organisation) for m in e.team.members),
        )
        for e in entries
    ]
    added = 0
    unit_level = competition.level is CompetitionLevel.district_commune or competition.restrict_to_unit
    for s in suspect(facts_j, facts_e, unit_level=unit_level):
        if (s.judge_id, s.entry_id) in known:
            continue
        # Stored in Vietnamese, the contest's language, like a minute of the meeting.
        with force_locale("vi"):
            reason = str(SUSPICION_LABELS[s.code]) + (f": {s.detail}" if s.detail else "")
        db.session.add(
            Conflict(
                judge_id=s.judge_id,
                entry_id=s.entry_id,
                source=ConflictSource.proposed,
                status=ConflictStatus.pending,
                reason=reason,
                created_at=utcnow(),
            )
        )
        added += 1
    if added:
        audit.record(
            "conflict.proposed",
            "competition",
            competition.id,
            competition_id=competition.id,
            after={"proposals": added},
        )
    db.session.flush()
    from judging.domain.pool import propose_declared

    return added + propose_declared(competition, judges)  # what the judges' people declared once


def decide_conflict(conflict: Conflict, confirm: bool, decided_by: User) -> None:
    if conflict.status is not ConflictStatus.pending and conflict.source is ConflictSource.declared:
        raise ConflictError(_("A judge's own declaration cannot be dismissed."))
    was_confirmed = conflict.status is ConflictStatus.confirmed
    before = conflict.status.value
    conflict.status = ConflictStatus.confirmed if confirm else ConflictStatus.dismissed
    conflict.decided_by_id, conflict.decided_at = decided_by.id, utcnow()
    if confirm:
        _drop_unscored_assignments(conflict.judge_id, conflict.entry_id)
    db.session.flush()
    audit.record(
        "conflict.decided",
        "conflict",
        conflict.id,
        competition_id=conflict.judge.competition_id,
        before={"status": before},
        after={"status": conflict.status.value},
    )
    if confirm != was_confirmed:
        _record_scores_counted(conflict, counted=not confirm)
    db.session.flush()


def _record_scores_counted(conflict: Conflict, counted: bool) -> None:
    """Audit each sheet the judge had scored on the entry: its scores are left
    out of results computed from now on (a confirmed conflict), or count again
    (the conflict dismissed). Snapshots already frozen do not change."""
    for sheet in scored_sheets_of(conflict.judge_id, conflict.entry_id):
        audit.record(
            "scores.reinstated" if counted else "scores.excluded",
            "score_sheet",
            sheet.sheet_id,
            competition_id=conflict.judge.competition_id,
            reason=conflict.reason,
            after={
                "round": sheet.round_id,
                "judge": sheet.judge_id,
                "entry": sheet.entry_id,
                "conflict": conflict.id,
                "status": conflict.status.value,
                "submitted": sheet.submitted,
                "scores": [{"criterion": c, "value": v} for c, v in sheet.scores],
            },
        )


def _drop_unscored_assignments(judge_id: int, entry_id: int) -> None:
    scored_rounds = select(ScoreSheet.round_id).where(ScoreSheet.judge_id == judge_id, ScoreSheet.entry_id == entry_id)
    db.session.execute(
        delete(Assignment).where(
            Assignment.judge_id == judge_id, Assignment.entry_id == entry_id, Assignment.round_id.not_in(scored_rounds)
        )
    )
