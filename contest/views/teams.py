"""Teams: create, members, invitations, leadership."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from contest.access import access
from contest.domain import teams as domain
from contest.domain.certificates import team_certificates
from contest.domain.competitions import results_urls, submissions_open
from contest.domain.entries import has_unsubmitted_changes
from contest.domain.errors import Conflict, DomainError
from contest.domain.projects import awards_won, display_name, enter_existing_project, other_projects
from contest.domain.projects import path as project_path
from contest.extensions import auth_limit, db, failed_answer, limiter, mail_limit
from contest.forms.teams import (
    ConfirmForm,
    HandOverForm,
    InviteForm,
    JoinForm,
    MemberForm,
    NewTeamForm,
)
from contest.models import Gender, Member, OrgUnit, OrgUnitKind, Team
from contest.transactions import atomic
from contest.views import form_status, show_domain_error, visible_or_404

bp = Blueprint("teams", __name__)


def member_details(form, *, with_email: bool = False) -> domain.MemberDetails:
    return domain.MemberDetails(
        full_name=form.full_name.data,
        date_of_birth=form.date_of_birth.data,
        gender=Gender(form.gender.data) if form.gender.data else None,
        phone=form.phone.data,
        email=form.email.data if with_email else None,
        organisation=form.organisation.data,
        role_in_team=form.role_in_team.data,
        is_student=form.is_student.data,
        is_doan_member=form.is_doan_member.data,
    )


@bp.route("/my")
@access("login")
def mine():
    return render_template("teams/mine.html", teams=domain.teams_of(current_user))


@bp.route("/c/<slug>/team/new", methods=["GET", "POST"])
@access("login")
def new(slug):
    competition = visible_or_404(slug)
    form = NewTeamForm()
    units = db.session.scalars(select(OrgUnit).order_by(OrgUnit.code)).all()
    if domain.requires_school(competition):  # a student contest: teams register from their school
        units = [u for u in units if u.kind is OrgUnitKind.school]
        form.org_unit.label.text = _("School")
    form.org_unit.choices = [(0, _("— none —"))] + [(u.id, u.name) for u in units if u.valid_to is None]
    if not form.is_submitted():
        form.full_name.data = current_user.full_name
        form.phone.data = current_user.phone
    if form.validate_on_submit():
        try:
            with atomic():
                team = domain.create_team(
                    competition,
                    current_user,
                    name=form.name.data,
                    organisation=form.team_organisation.data,
                    org_unit=db.session.get(OrgUnit, form.org_unit.data) if form.org_unit.data else None,
                    show_names_publicly=form.show_names_publicly.data,
                    leader_details=member_details(form),
                )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Your team has been created. Add its members, then fill in the entry."), "success")
            return redirect(url_for("teams.show", team_id=team.id))
    return render_template(
        "teams/new.html", form=form, competition=competition, open_now=submissions_open(competition)
    ), form_status(form)


def _team_page(team, **forms):
    editable = submissions_open(team.competition)
    handover = HandOverForm()
    handover.member.choices = [(m.id, m.full_name) for m in team.members if m.user_id and m.user_id != team.leader_id]
    context = {
        "team": team,
        "editable": editable,
        "is_leader": team.leader_id == current_user.id,
        "invite_form": forms.get("invite_form") or InviteForm(prefix="invite"),
        "member_form": forms.get("member_form") or MemberForm(prefix="member"),
        "handover_form": handover,
        "confirm_form": ConfirmForm(),
        "invitations": domain.pending_invitations(team),
        "unsubmitted_changes": team.entry is not None and has_unsubmitted_changes(team.entry),
        "certificates": team_certificates(team.id),
        "awards": awards_won(team.entry) if team.entry is not None and team.entry.code else (),
        "results_url": results_urls([team.competition_id]).get(team.competition_id),
        "project_path": project_path(team.entry.project) if team.entry is not None else [],
        "other_projects": (
            other_projects(team.entry, current_user)
            if team.entry is not None and team.leader_id == current_user.id and editable and not team.entry.code
            else []
        ),
    }
    return render_template("teams/show.html", **context), form_status(*forms.values())


@bp.route("/teams/<int:team_id>")
@access("team:member", "team:checker")
def show(team_id):
    return _team_page(db.session.get(Team, team_id))


@bp.route("/teams/<int:team_id>/invite", methods=["POST"])
@access("team:leader")
@limiter.limit(mail_limit, methods=["POST"])
def invite(team_id):
    team = db.session.get(Team, team_id)
    form = InviteForm(prefix="invite")
    if form.validate_on_submit():
        try:
            with atomic():
                domain.invite(team, form.email.data, current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The invitation has been sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("teams.show", team_id=team.id))
    return _team_page(team, invite_form=form)


@bp.route("/teams/<int:team_id>/members", methods=["POST"])
@access("team:leader")
def add_member(team_id):
    team = db.session.get(Team, team_id)
    form = MemberForm(prefix="member")
    if form.validate_on_submit():
        try:
            with atomic():
                domain.add_member(team, member_details(form, with_email=True))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("%(name)s has been added to the team.", name=form.full_name.data), "success")
            return redirect(url_for("teams.show", team_id=team.id))
    return _team_page(team, member_form=form)


@bp.route("/teams/<int:team_id>/members/<int:member_id>/remove", methods=["POST"])
@access("team:leader")
def remove_member(team_id, member_id):
    team = db.session.get(Team, team_id)
    member = db.get_or_404(Member, member_id)
    if member.team_id != team.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            with atomic():
                domain.remove_member(team, member)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("%(name)s has been removed from the team.", name=member.full_name), "success")
    return redirect(url_for("teams.show", team_id=team.id))


@bp.route("/teams/<int:team_id>/leader", methods=["POST"])
@access("team:leader")
def hand_over(team_id):
    team = db.session.get(Team, team_id)
    form = HandOverForm()
    form.member.choices = [(m.id, m.full_name) for m in team.members]
    if form.validate_on_submit():
        member = db.session.get(Member, form.member.data)
        try:
            with atomic():
                domain.hand_over(team, member)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("%(name)s now leads the team.", name=member.full_name), "success")
    return redirect(url_for("teams.show", team_id=team.id))


@bp.route("/teams/<int:team_id>/leave", methods=["POST"])
@access("team:member")
def leave(team_id):
    team = db.session.get(Team, team_id)
    if ConfirmForm().validate_on_submit():
        try:
            with atomic():
                domain.leave_team(team, current_user)
        except DomainError as error:
            flash(error.message, "error")
            return redirect(url_for("teams.show", team_id=team.id))
        flash(_("You have left the team %(name)s.", name=team.name), "success")
    return redirect(url_for("teams.mine"))


@bp.route("/invite/<token>", methods=["GET", "POST"])
@access("login")
@limiter.limit(auth_limit, methods=["POST"], deduct_when=failed_answer)
def accept_invite(token):
    try:
        with atomic():
            invitation = domain.invitation_from_token(token)
    except DomainError as error:
        return render_template("auth/token_problem.html", message=error.message), 400
    form = JoinForm()
    if not form.is_submitted():
        form.full_name.data = current_user.full_name
        form.phone.data = current_user.phone
    if form.validate_on_submit():
        try:
            with atomic():
                domain.accept_invitation(token, current_user, member_details(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Welcome to the team %(name)s.", name=invitation.team.name), "success")
            return redirect(url_for("teams.show", team_id=invitation.team_id))
    return render_template("teams/join.html", form=form, invitation=invitation), form_status(form)


@bp.route("/teams/<int:team_id>/project", methods=["POST"])
@access("team:leader")
def choose_project(team_id):
    """The team enters a project it already has, so the project keeps one path."""
    from contest.models import Project

    team = db.session.get(Team, team_id)
    form = ConfirmForm()
    wanted = request.form.get("project_id", type=int) or 0
    project = db.session.get(Project, wanted) if 0 < wanted < 2**31 else None
    if not form.validate_on_submit() or team.entry is None or project is None:
        flash(_("Choose one of your projects."), "error")
        return _team_page(team)[0], 400
    try:
        with atomic():
            enter_existing_project(team.entry, project, current_user)
    except DomainError as error:
        flash(error.message, "error")
        return _team_page(team)[0], 400 if not isinstance(error, Conflict) else 409
    flash(_("The entry is now the project %(name)s.", name=display_name(project)), "success")
    return redirect(url_for("teams.show", team_id=team.id))
