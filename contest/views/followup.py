"""Follow-up of projects: organizers record what became of each project, or
invite the team to record it themselves."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from contest.access import access
from contest.domain import followup
from contest.domain.competitions import find_by_slug
from contest.domain.errors import DomainError
from contest.extensions import db, limiter, mail_limit
from contest.forms.reports import OutcomeForm
from contest.forms.teams import ConfirmForm
from contest.models import Entry, EntryStatus, FollowUpInvitation, OutcomeKind, ProjectOutcome, Team
from contest.request_guard import db_id
from contest.transactions import atomic

bp = Blueprint("followup", __name__)


def _entry_of(slug: str, entry_id: int) -> Entry:
    competition = find_by_slug(slug)
    entry = db.session.get(Entry, entry_id)
    if competition is None or entry is None or entry.competition_id != competition.id:
        abort(404)
    return entry


def _handle(entry: Entry, form: OutcomeForm, confirm: ConfirmForm, here: str, *, by_team: bool):
    """The POST of an entry's follow-up page, shared by organizers and the team
    (`by_team`: the team's page, which removes only the team's own records)."""
    action = request.form.get("action")
    if action == "delete":
        outcome = db.session.get(ProjectOutcome, request.form.get("outcome_id", type=db_id) or 0)
        if outcome is None or outcome.entry_id != entry.id or not confirm.validate_on_submit():
            abort(400)
        if not followup.may_remove(outcome, by_team=by_team):
            abort(403)
        try:
            with atomic():
                followup.delete_outcome(outcome, request.form.get("reason", ""), by_team=by_team)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The record was removed."), "success")
        return redirect(here)
    if form.validate_on_submit():
        data = followup.OutcomeInput(
            kind=OutcomeKind(form.kind.data),
            occurred_on=form.occurred_on.data,
            source=form.source.data or "",
            detail=form.detail.data or "",
            registration_number=form.registration_number.data,
            amount=form.amount.data,
            jobs=form.jobs.data,
            note=form.note.data or "",
        )
        try:
            with atomic():
                followup.record_outcome(entry, data, current_user, by_team=by_team)
        except DomainError as error:
            if error.field and hasattr(form, error.field):
                getattr(form, error.field).errors = [error.message]
            else:
                flash(error.message, "error")
        else:
            flash(_("Recorded."), "success")
            return redirect(here)
    return None


def _page(entry: Entry, form: OutcomeForm, confirm: ConfirmForm, *, organizer: bool):
    return render_template(
        "followup/entry.html",
        entry=entry,
        form=form,
        confirm_form=confirm,
        outcomes=followup.outcomes_of(entry),
        labels=followup.OUTCOME_LABELS,
        organizer=organizer,
        invited=followup.team_invited(entry),
        may_remove=followup.may_remove,
    )


@bp.route("/manage/<slug>/followup")
@access("competition:organizer")
def competition_outcomes(slug):
    competition = find_by_slug(slug)
    mine = select(Entry.id).where(Entry.competition_id == competition.id)
    counts = dict(
        db.session.execute(
            select(ProjectOutcome.entry_id, func.count())
            .where(ProjectOutcome.entry_id.in_(mine))
            .group_by(ProjectOutcome.entry_id)
        )
        .tuples()
        .all()
    )
    invited = set(db.session.scalars(select(FollowUpInvitation.entry_id).where(FollowUpInvitation.entry_id.in_(mine))))
    entries = db.session.scalars(
        select(Entry)
        .where(Entry.competition_id == competition.id, Entry.status == EntryStatus.submitted)
        .order_by(Entry.code)
    ).all()
    return render_template(
        "followup/competition.html", competition=competition, entries=entries, counts=counts, invited=invited
    )


@bp.route("/manage/<slug>/followup/<int:entry_id>", methods=["GET", "POST"])
@access("competition:organizer")
@limiter.limit(mail_limit, methods=["POST"])
def entry_outcomes(slug, entry_id):
    entry = _entry_of(slug, entry_id)
    form, confirm = OutcomeForm(), ConfirmForm()
    here = url_for("followup.entry_outcomes", slug=slug, entry_id=entry.id)
    if request.method == "POST" and request.form.get("action") == "invite":
        if not confirm.validate_on_submit():
            abort(400)
        followup.invite_team(entry, current_user)
        flash(_("The team leader has been asked by e-mail to record what became of the project."), "success")
        return redirect(here)
    if request.method == "POST":
        done = _handle(entry, form, confirm, here, by_team=False)
        if done is not None:
            return done
    return _page(entry, form, confirm, organizer=True)


@bp.route("/teams/<int:team_id>/followup", methods=["GET", "POST"])
@access("team:member")
def team_outcomes(team_id):
    team = db.get_or_404(Team, team_id)
    entry = db.session.scalar(select(Entry).where(Entry.team_id == team.id))
    if not followup.team_invited(entry):
        abort(404)
    form, confirm = OutcomeForm(), ConfirmForm()
    here = url_for("followup.team_outcomes", team_id=team.id)
    if request.method == "POST":
        done = _handle(entry, form, confirm, here, by_team=True)
        if done is not None:
            return done
    return _page(entry, form, confirm, organizer=False)


def team_links(_app, team) -> list[tuple[str, str]]:
    entry = db.session.scalar(select(Entry).where(Entry.team_id == team.id))
    if not followup.team_invited(entry):
        return []
    return [(_("What became of the project"), url_for("followup.team_outcomes", team_id=team.id))]


def manage_links(_app, competition) -> list[tuple[str, str, dict]]:
    return [(_("Follow-up of projects"), "followup.competition_outcomes", {"slug": competition.slug})]
