"""Nomination between levels: the lower competition's organizers propose their
winners and finalists (/manage/<slug>/nominations), the upper competition's
secretariat accepts or declines them (/manage/<slug>/proposals)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest.access import access
from contest.domain import competitions as competitions_domain
from contest.domain import nominations as domain
from contest.domain.errors import Conflict, DomainError, NotAllowed
from contest.extensions import db
from contest.forms.competitions import DecideNominationForm, ProposeForm, QuotaForm, WithdrawNominationForm
from contest.models import Competition, Entry, Nomination, NominationState, OrgUnit
from contest.transactions import atomic

bp = Blueprint("nominations", __name__, url_prefix="/manage")


def _status(error: DomainError) -> int:
    return 409 if isinstance(error, Conflict) else 403 if isinstance(error, NotAllowed) else 400


def _state_labels() -> dict:
    return {
        NominationState.proposed: _("Proposed"),
        NominationState.accepted: _("Accepted into the upper contest"),
        NominationState.declined: _("Declined"),
        NominationState.withdrawn: _("Withdrawn"),
    }


def _candidates_page(competition, status: int = 200):
    targets = domain.upper_competitions(competition)
    found = domain.candidates(competition)
    form = ProposeForm()
    form.target.choices = [(t.id, f"{t.name}") for t in targets]
    return render_template(
        "manage/nominations.html",
        competition=competition,
        candidates=found,
        targets=targets,
        form=form,
        withdraw_form=WithdrawNominationForm(formdata=None),
        state_labels=_state_labels(),
    ), status


@bp.route("/<slug>/nominations")
@access("competition:organizer")
def candidates(slug):
    return _candidates_page(competitions_domain.find_by_slug(slug))


@bp.route("/<slug>/nominations", methods=["POST"])
@access("competition:organizer")
def propose(slug):
    competition = competitions_domain.find_by_slug(slug)
    form = ProposeForm()
    form.target.choices = [(c.id, c.name) for c in domain.upper_competitions(competition)]
    valid = form.validate_on_submit()
    entry = db.session.get(Entry, form.entry_id.data) if form.entry_id.data and form.entry_id.data < 2**31 else None
    if entry is None or entry.competition_id != competition.id:
        abort(404)  # only this contest's own entries: another unit's entries are never reached from here
    if not valid:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return _candidates_page(competition, 400)
    target = db.session.get(Competition, form.target.data)
    if target is None:
        abort(404)
    try:
        with atomic():
            domain.propose(entry, target, current_user)
    except DomainError as error:
        flash(error.message, "error")
        return _candidates_page(competition, _status(error))
    flash(
        _("%(code)s has been proposed to %(name)s; its secretariat decides.", code=entry.code, name=target.name),
        "success",
    )
    return redirect(url_for("nominations.candidates", slug=slug))


@bp.route("/<slug>/nominations/<int:nomination_id>/withdraw", methods=["POST"])
@access("competition:organizer")
def withdraw(slug, nomination_id):
    """The lower contest takes back a proposal the upper one has not decided yet."""
    competition = competitions_domain.find_by_slug(slug)
    nomination = db.get_or_404(Nomination, nomination_id)
    if nomination.source_entry.competition_id != competition.id:
        abort(404)
    form = WithdrawNominationForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return _candidates_page(competition, 400)
    try:
        with atomic():
            domain.withdraw(nomination, current_user, form.reason.data or "")
    except DomainError as error:
        flash(error.message, "error")
        return _candidates_page(competition, _status(error))
    flash(
        _(
            "The nomination of %(code)s to %(name)s is withdrawn; the team has been told.",
            code=nomination.source_entry.code,
            name=nomination.target.name,
        ),
        "success",
    )
    return redirect(url_for("nominations.candidates", slug=slug))


def _proposals_page(competition, quota_form=None, status: int = 200, decide_form=None, decided=None):
    """`decide_form`, `decided`: a decision refused, shown again on its nomination with what was typed."""
    rows = domain.proposals(competition)
    units = {n.id: domain.source_unit(n) for n in rows}
    quota_form = quota_form or QuotaForm(prefix="quota")
    quota_form.org_unit.choices = sorted({(u.id, u.name) for u in units.values()}, key=lambda c: c[1])
    quotas = domain.quotas(competition)
    quota_units = {u.id: u for u in db.session.scalars(db.select(OrgUnit).where(OrgUnit.id.in_(list(quotas))))}
    return render_template(
        "manage/proposals.html",
        competition=competition,
        proposals=rows,
        units=units,
        decide_form=decide_form or DecideNominationForm(),
        decided=decided,
        quota_form=quota_form,
        quotas=[(quota_units[u], q) for u, q in quotas.items()],
        may_set_quota=competitions_domain.can_organize(current_user, competition),
        state_labels=_state_labels(),
        # Accepting would be refused: the page offers only declining, and says why.
        entries_closed=domain.entries_closed_reason(competition),
    ), status


@bp.route("/<slug>/proposals")
@access("competition:secretariat")
def proposals(slug):
    return _proposals_page(competitions_domain.find_by_slug(slug))


@bp.route("/<slug>/proposals/<int:nomination_id>", methods=["POST"])
@access("competition:secretariat")
def decide(slug, nomination_id):
    competition = competitions_domain.find_by_slug(slug)
    nomination = db.session.get(Nomination, nomination_id)
    if nomination is None or nomination.target_competition_id != competition.id:
        abort(404)
    form = DecideNominationForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return _proposals_page(competition, status=400, decide_form=form, decided=nomination.id)
    try:
        with atomic():
            if form.decision.data == "accept":
                entry = domain.accept(nomination, current_user, form.reason.data or "")
            else:
                domain.decline(nomination, current_user, form.reason.data or "")
    except DomainError as error:
        flash(error.message, "error")
        return _proposals_page(competition, status=_status(error), decide_form=form, decided=nomination.id)
    if form.decision.data == "accept":
        flash(
            _(
                "Accepted: the project is now an entry of this competition (team %(team)s); the team has been told.",
                team=entry.team.name,
            ),
            "success",
        )
    else:
        flash(_("Declined; the team has been told."), "success")
    return redirect(url_for("nominations.proposals", slug=slug))


@bp.route("/<slug>/proposals/quota", methods=["POST"])
@access("competition:organizer")
def set_quota(slug):
    competition = competitions_domain.find_by_slug(slug)
    form = QuotaForm(prefix="quota")
    form.org_unit.choices = [(u.id, u.name) for u in {domain.source_unit(n) for n in domain.proposals(competition)}]
    if not form.validate_on_submit():
        return _proposals_page(competition, form, 400)
    try:
        with atomic():
            domain.set_quota(competition, db.session.get(OrgUnit, form.org_unit.data), form.quota.data, current_user)
    except DomainError as error:
        flash(error.message, "error")
        return _proposals_page(competition, form, 400)
    flash(_("Saved."), "success")
    return redirect(url_for("nominations.proposals", slug=slug))
