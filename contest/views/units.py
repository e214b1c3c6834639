"""A unit's own pages: its dashboard, its history after reforms, its officers
and the competitions its officers create. Rules in contest.domain.unit_officers."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from contest.access import access, register_rule
from contest.domain import accounts, orgunits, reporting_cycle, reports, unit_officers
from contest.domain import competitions as competitions_domain
from contest.domain.errors import DomainError
from contest.domain.projects import projects_in_area
from contest.extensions import db
from contest.forms.orgunits import KIND_LABELS, AppointOfficerForm, UnitCompetitionForm
from contest.forms.teams import ConfirmForm
from contest.models import Competition, OrgUnit, UnitOfficer, UnitOfficerRole
from contest.reports import figures as F
from contest.transactions import atomic
from contest.views import form_status, show_domain_error

bp = Blueprint("units", __name__, url_prefix="/units")


def _unit(view_args) -> OrgUnit:
    unit = db.session.get(OrgUnit, view_args.get("unit_id"))
    if unit is None:
        abort(404)
    return unit


register_rule("unit:viewer", lambda view_args: unit_officers.sees(current_user, _unit(view_args)))
register_rule("unit:officer", lambda view_args: unit_officers.manages(current_user, _unit(view_args)))
register_rule("unit:appointer", lambda view_args: unit_officers.may_appoint(current_user, _unit(view_args)))


@bp.route("/")
@access("login")
def mine():
    return render_template("units/mine.html", units=unit_officers.units_of(current_user), kind_labels=KIND_LABELS)


@bp.route("/<int:unit_id>/")
@access("admin", "unit:viewer")
def dashboard(unit_id):
    unit = _unit({"unit_id": unit_id})
    area = reports.unit_scope(unit.id)
    this_year = unit_officers.today().year
    below = unit_officers.units_below(unit)
    competitions = list(
        db.session.scalars(
            select(Competition)
            .where(Competition.org_unit_id.in_(area))
            .order_by(Competition.year.desc(), Competition.name)
        )
    )
    records = reports.load_records([c.id for c in competitions])
    totals = F.compute(records.competitions, records.teams, F.Filters(unit_ids=area))
    return render_template(
        "units/dashboard.html",
        unit=unit,
        kind_labels=KIND_LABELS,
        competitions=competitions,
        below=below,
        state_labels=competitions_domain.STATE_LABELS,
        totals=totals,
        labels=reports.column_labels(),
        columns=F.COLUMNS,
        officers=unit_officers.officers_of(unit),
        role_labels=unit_officers.ROLE_LABELS,
        manages=unit_officers.manages(current_user, unit) or current_user.is_admin,
        may_appoint=unit_officers.may_appoint(current_user, unit),
        validity=orgunits.validity_text(unit),
        year=this_year,
        projects=projects_in_area(area, this_year),
        reports_here=reporting_cycle.is_unit_officer(current_user, unit.id, this_year),
    )


@bp.route("/<int:unit_id>/history")
@access("public")
def history(unit_id):
    unit = _unit({"unit_id": unit_id})
    back, forward = orgunits.history(unit)
    return render_template(
        "units/history.html",
        unit=unit,
        back=back,
        forward=forward,
        kind_labels=KIND_LABELS,
        validity=orgunits.validity_text,
    )


@bp.route("/<int:unit_id>/officers", methods=["GET", "POST"])
@access("unit:appointer")
def officers(unit_id):
    unit = _unit({"unit_id": unit_id})
    form = AppointOfficerForm()
    form.role.choices = [(r.value, str(label)) for r, label in unit_officers.ROLE_LABELS.items()]
    if form.validate_on_submit():
        try:
            with atomic():
                officer = unit_officers.appoint(
                    unit,
                    form.email.data,
                    UnitOfficerRole(form.role.data),
                    by=current_user,
                    valid_from=form.valid_from.data,
                    valid_to=form.valid_to.data,
                )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("%(name)s is now an officer of %(unit)s.", name=officer.user.full_name, unit=unit.name), "success")
            return redirect(url_for("units.officers", unit_id=unit.id))
    return render_template(
        "units/officers.html",
        unit=unit,
        form=form,
        officers=(listed := unit_officers.officers_of(unit)),
        may_deactivate=unit_officers.deactivatable(current_user, listed),
        role_labels=unit_officers.ROLE_LABELS,
        confirm_form=ConfirmForm(),
    ), form_status(form)


@bp.route("/<int:unit_id>/officers/<int:officer_id>/end", methods=["POST"])
@access("unit:appointer")
def end_officer(unit_id, officer_id):
    officer = db.session.get(UnitOfficer, officer_id)
    if officer is None or officer.org_unit_id != unit_id:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit():
        try:
            with atomic():
                unit_officers.end(officer, by=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The role has been removed."), "success")
    return redirect(url_for("units.officers", unit_id=unit_id))


@bp.route("/<int:unit_id>/officers/<int:officer_id>/deactivate", methods=["POST"])
@access("unit:appointer")
def deactivate_account(unit_id, officer_id):
    """Stop the account of one of the unit's officers (the domain checks that it
    serves no unit outside the appointer's reach)."""
    officer = db.session.get(UnitOfficer, officer_id)
    if officer is None or officer.org_unit_id != unit_id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            with atomic():
                accounts.deactivate(officer.user, by=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("%(email)s is deactivated and signed out everywhere.", email=officer.user.email), "success")
    return redirect(url_for("units.officers", unit_id=unit_id))


@bp.route("/<int:unit_id>/competitions/new", methods=["GET", "POST"])
@access("admin", "unit:officer")
def new_competition(unit_id):
    unit = _unit({"unit_id": unit_id})
    form = UnitCompetitionForm()
    form.preset.choices = [(k, str(competitions_domain.PRESET_LABELS[k])) for k in unit_officers.presets_for(unit)]
    if request.method == "GET":
        form.year.data = unit_officers.today().year
    if form.validate_on_submit():
        try:
            with atomic():
                competition = unit_officers.create_competition(
                    current_user,
                    unit,
                    name=form.name.data,
                    year=form.year.data,
                    slug=form.slug.data,
                    preset_name=form.preset.data,
                )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The competition has been created as a draft. Check its settings, then open it."), "success")
            return redirect(url_for("manage.settings", slug=competition.slug))
    return render_template(
        "units/new_competition.html", unit=unit, form=form, validity=orgunits.validity_text(unit)
    ), form_status(form)


def nav_links(_app) -> list[tuple[str, str]]:
    """ "My unit" in the navigation, for a current unit officer."""
    units = unit_officers.units_of(current_user)
    if not units:
        return []
    if len(units) == 1:
        return [(_("My unit"), url_for("units.dashboard", unit_id=units[0].id))]
    return [(_("My units"), url_for("units.mine"))]
