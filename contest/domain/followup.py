"""Follow-up of projects after a contest, and the plan's targets: recorded by
organizers (or by the team, when an organizer invited it), every change in
the audit log since these facts feed the province's indicators. A team
removes only what the team recorded; organizers' records are theirs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from contest.domain import audit
from contest.domain.accounts import external_url
from contest.domain.concurrency import retry_on_clash
from contest.domain.errors import DomainError, NotAllowed
from contest.domain.outbox import queue_mail
from contest.extensions import db
from contest.models import (
    Entry,
    FollowUpInvitation,
    OutcomeKind,
    PlanFigure,
    PlanIndicator,
    PlanTarget,
    ProjectOutcome,
)
from contest.models.base import utcnow

OUTCOME_LABELS = {
    OutcomeKind.incubated: _l("Incubated"),
    OutcomeKind.enterprise_registered: _l("Enterprise registered"),
    OutcomeKind.capital_raised: _l("Capital raised"),
    OutcomeKind.product_certified: _l("Product certified (OCOP, VietGAP...)"),
    OutcomeKind.jobs_created: _l("Jobs created"),
}


@dataclass
class OutcomeInput:
    kind: OutcomeKind
    occurred_on: date
    source: str
    detail: str = ""
    registration_number: str | None = None
    amount: int | None = None
    jobs: int | None = None
    note: str = ""


def _check(data: OutcomeInput, entry: Entry, today: date) -> None:
    if data.occurred_on > today:
        raise DomainError(_("The date cannot be in the future."), field="occurred_on")
    if data.occurred_on.year < entry.competition.year - 1:
        raise DomainError(_("The date is before the project's competition."), field="occurred_on")
    if not data.source.strip():
        raise DomainError(_("Say where this is known from (a document, a call, a news article)."), field="source")
    if data.kind is OutcomeKind.enterprise_registered and not (data.registration_number or "").strip():
        raise DomainError(_("Give the enterprise registration number."), field="registration_number")
    if data.kind is OutcomeKind.capital_raised and not data.amount:
        raise DomainError(_("Give the amount raised, in đồng."), field="amount")
    if data.kind is OutcomeKind.jobs_created and not data.jobs:
        raise DomainError(_("Give the number of jobs created."), field="jobs")
    if data.kind in (OutcomeKind.incubated, OutcomeKind.product_certified) and not data.detail.strip():
        field_message = (
            _("Say where the project is incubated.")
            if data.kind is OutcomeKind.incubated
            else _("Say which certification the product received.")
        )
        raise DomainError(field_message, field="detail")
    for value in (data.amount, data.jobs):
        if value is not None and value < 0:
            raise DomainError(_("Numbers cannot be negative."))


def _snapshot(outcome: ProjectOutcome) -> dict:
    return {
        "kind": outcome.kind.value,
        "occurred_on": outcome.occurred_on.isoformat(),
        "detail": outcome.detail,
        "registration_number": outcome.registration_number,
        "amount": outcome.amount,
        "jobs": outcome.jobs,
        "source": outcome.source,
        "by_team": outcome.by_team,
    }


def record_outcome(
    entry: Entry, data: OutcomeInput, user, today: date | None = None, *, by_team: bool = False
) -> ProjectOutcome:
    """`by_team`: recorded by the team on its invited page (else by organizers)."""
    _check(data, entry, today or date.today())
    outcome = ProjectOutcome(
        entry_id=entry.id,
        kind=data.kind,
        occurred_on=data.occurred_on,
        detail=data.detail.strip(),
        registration_number=(data.registration_number or "").strip() or None,
        amount=data.amount,
        jobs=data.jobs,
        source=data.source.strip(),
        note=data.note.strip(),
        recorded_by_id=user.id,
        recorded_at=utcnow(),
        by_team=by_team,
    )
    db.session.add(outcome)
    db.session.flush()
    if data.kind is OutcomeKind.enterprise_registered:
        from contest.domain.projects import record_enterprise

        record_enterprise(
            entry.project,
            outcome.registration_number or "",
            outcome.occurred_on,
            name=outcome.detail,
            source=outcome.source,
        )
    audit.record(
        "followup.recorded",
        "project_outcome",
        outcome.id,
        after=_snapshot(outcome),
        competition_id=entry.competition_id,
    )
    return outcome


def may_remove(outcome: ProjectOutcome, *, by_team: bool) -> bool:
    """Organizers remove any record; the team only what the team recorded."""
    return not by_team or outcome.by_team


def delete_outcome(outcome: ProjectOutcome, reason: str, *, by_team: bool = False) -> None:
    """`by_team`: the removal comes from the team's page (else from organizers)."""
    if not may_remove(outcome, by_team=by_team):
        raise NotAllowed(_("This record was made by the organizers; only they can remove it."))
    if not reason.strip():
        raise DomainError(_("Say why this record is removed."), field="reason")
    audit.record(
        "followup.deleted",
        "project_outcome",
        outcome.id,
        before=_snapshot(outcome),
        after={"removed_by": "team" if by_team else "organizers"},
        reason=reason.strip(),
        competition_id=outcome.entry.competition_id,
    )
    db.session.delete(outcome)
    if outcome.kind is OutcomeKind.enterprise_registered and outcome.registration_number:
        from contest.domain.projects import forget_enterprise

        db.session.flush()
        forget_enterprise(outcome.registration_number, reason.strip())


def outcomes_of(entry: Entry) -> list[ProjectOutcome]:
    return list(
        db.session.scalars(
            select(ProjectOutcome)
            .where(ProjectOutcome.entry_id == entry.id)
            .order_by(ProjectOutcome.occurred_on, ProjectOutcome.id)
        )
    )


def invite_team(entry: Entry, user) -> FollowUpInvitation:
    invitation = db.session.get(FollowUpInvitation, entry.id)
    if invitation is None:
        invitation = FollowUpInvitation(entry_id=entry.id, invited_by_id=user.id, invited_at=utcnow())
        db.session.add(invitation)
        audit.record("followup.team_invited", "entry", entry.id, competition_id=entry.competition_id)
    leader = entry.team.leader
    queue_mail(
        leader.email,
        "followup_invite",
        locale=leader.locale,
        team=entry.team,
        entry=entry,
        link=external_url("followup.team_outcomes", team_id=entry.team_id),
    )
    return invitation


def team_invited(entry: Entry | None) -> bool:
    return entry is not None and db.session.get(FollowUpInvitation, entry.id) is not None


# -- plan targets and hand-entered figures ----------------------------------------


def ensure_default_targets() -> None:
    """Decision 827/QĐ-UBND and its targets, when missing."""
    from contest.domain.indicators import ensure_plan

    ensure_plan()


def set_target(start_year: int, end_year: int, indicator: PlanIndicator, low: int, high: int, plan=None) -> PlanTarget:
    """A target of `plan` (by default the plan in force in `start_year`)."""
    from contest.domain.indicators import ensure_plan, plan_for

    plan = plan or plan_for(date(start_year, 12, 31)) or ensure_plan()
    if not 2000 <= start_year <= end_year <= 2100:
        raise DomainError(_("The period must run from an earlier year to a later one."), field="start_year")
    if not 0 <= low <= high:
        raise DomainError(_("The lower target must be at least 0 and at most the upper target."), field="low")

    # A double click, two administrators at once: the second finds the first's row and changes it.
    def work() -> PlanTarget:
        target = db.session.scalar(
            select(PlanTarget).where(
                PlanTarget.plan_id == plan.id, PlanTarget.start_year == start_year, PlanTarget.indicator == indicator
            )
        )
        before = None
        if target is None:
            target = PlanTarget(
                plan_id=plan.id, start_year=start_year, indicator=indicator, end_year=end_year, low=low, high=high
            )
            db.session.add(target)
        else:
            before = {"end_year": target.end_year, "low": target.low, "high": target.high}
            target.end_year, target.low, target.high = end_year, low, high
        db.session.flush()
        audit.record(
            "plan.target_set",
            "plan_target",
            target.id,
            before=before,
            after={
                "plan": plan.number,
                "start_year": start_year,
                "end_year": end_year,
                "indicator": indicator.value,
                "low": low,
                "high": high,
            },
        )
        return target

    return retry_on_clash(work)


def set_figure(
    year: int, indicator: PlanIndicator, value: int, note: str, user, source_document: str = ""
) -> PlanFigure:
    """A yearly figure entered by hand, with the document it comes from (without
    one the indicators leave it out: a figure nobody can trace is not shown)."""
    if not 2000 <= year <= 2100:
        raise DomainError(_("Give a year between 2000 and 2100."), field="year")
    if value < 0:
        raise DomainError(_("Numbers cannot be negative."), field="value")
    if indicator is PlanIndicator.certified_advisers and not source_document.strip():
        # Counted from the registry's certifications; a figure by hand only with its document, shown apart.
        raise DomainError(
            _("Certified advisers are counted from the registry: a figure by hand needs its source document."),
            field="source_document",
        )

    # A double click, two administrators at once: the second finds the first's row and changes it.
    def work() -> PlanFigure:
        figure = db.session.scalar(select(PlanFigure).where(PlanFigure.year == year, PlanFigure.indicator == indicator))
        before = None
        if figure is None:
            figure = PlanFigure(
                year=year,
                indicator=indicator,
                value=value,
                note=note.strip(),
                recorded_by_id=user.id,
                recorded_at=utcnow(),
                source_document=source_document.strip(),
            )
            db.session.add(figure)
        else:
            before = {"value": figure.value, "note": figure.note, "source_document": figure.source_document}
            figure.value, figure.note, figure.recorded_by_id, figure.recorded_at = (
                value,
                note.strip(),
                user.id,
                utcnow(),
            )
            figure.source_document = source_document.strip()
        db.session.flush()
        audit.record(
            "plan.figure_set",
            "plan_figure",
            figure.id,
            before=before,
            after={
                "year": year,
                "indicator": indicator.value,
                "value": value,
                "note": note.strip(),
                "source_document": source_document.strip(),
            },
        )
        return figure

    return retry_on_clash(work)
