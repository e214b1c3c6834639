"""The organizing committee's pages: create, configure, open and close a
competition, grant roles. Nominations between levels: contest.views.nominations."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from contest import signals
from contest.access import access, allows
from contest.domain import competitions as domain
from contest.domain import orgunits, unit_officers
from contest.domain.errors import DomainError
from contest.extensions import db
from contest.forms.competitions import (
    CompetitionSettingsForm,
    GrantRoleForm,
    NewCompetitionForm,
    StateForm,
)
from contest.forms.teams import ConfirmForm
from contest.models import (
    CompetitionRole,
    CompetitionRoleKind,
    CompetitionState,
    OrgUnit,
    TimelineItem,
)
from contest.request_guard import takes_upload
from contest.transactions import atomic
from contest.views import form_status, show_domain_error

bp = Blueprint("manage", __name__, url_prefix="/manage")


def _local_tz():
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def to_utc(value: datetime | None) -> datetime | None:
    """Form times are Vietnam local time."""
    return value.replace(tzinfo=_local_tz()).astimezone(UTC) if value else None


def to_local(value: datetime | None) -> datetime | None:
    return value.astimezone(_local_tz()).replace(tzinfo=None) if value else None


def competition_menu(competition) -> list[tuple[str, str]]:
    """The competition's management menu, as (label, URL): its pages in `contest` and those other
    packages add (`manage_links`), each shown only to who may open it (its route's own rule,
    contest.access.allows), so the secretariat is not shown the organizers' pages, all 403."""
    slug = {"slug": competition.slug}
    links = [
        (_("Public page"), "competitions.show", slug),
        (_("Settings"), "manage.settings", slug),
        (_("Roles"), "manage.roles", slug),
        (_("Entries"), "secretariat.index", slug),
        (_("Nominate to the upper level"), "nominations.candidates", slug),
        (_("Nominations received"), "nominations.proposals", slug),
        *signals.collect_lists(signals.manage_links, competition=competition),
        (_("Certificates"), "certificates.index", slug),
    ]
    return [(label, url_for(endpoint, **args)) for label, endpoint, args in links if allows(endpoint, **args)]


@bp.route("/")
@access("login")
def index():
    mine = [c for c in domain.visible_competitions(current_user) if domain.can_check_entries(current_user, c)]
    # A competition's name leads to the first of its pages the visitor may open: Settings
    # (competition:organizer) for its organizers, else Entries (competition:secretariat,
    # which every competition listed here allows): one query for the whole list.
    organized = domain.organized_ids(current_user, mine)
    first_pages = {
        c.id: url_for("manage.settings" if c.id in organized else "secretariat.index", slug=c.slug) for c in mine
    }
    return render_template(
        "manage/index.html", competitions=mine, first_pages=first_pages, state_labels=domain.STATE_LABELS
    )


@bp.route("/new", methods=["GET", "POST"])
@access("admin")
def new():
    form = NewCompetitionForm()
    if request.method == "GET":
        form.year.data = unit_officers.today().year
    year = (
        form.year.data
        if isinstance(form.year.data, int) and 2000 <= form.year.data <= 2100
        else unit_officers.today().year
    )
    # Only units in force during the year, current ones first; none preselected.
    offered, left_out = orgunits.units_for_year(year)
    form.org_unit.choices = [(0, _("Choose the organising unit"))] + [(u.id, f"{u.name} ({u.code})") for u in offered]
    form.preset.choices = [(k, str(v)) for k, v in domain.PRESET_LABELS.items()]
    if form.validate_on_submit():
        try:
            unit = db.session.get(OrgUnit, form.org_unit.data) if form.org_unit.data else None
            if unit is None:
                raise DomainError(_("Choose the organising unit."), field="org_unit")
            with atomic():
                competition = domain.create_competition(
                    name=form.name.data,
                    year=form.year.data,
                    slug=form.slug.data,
                    org_unit=unit,
                    preset_name=form.preset.data,
                )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The competition has been created as a draft. Check its settings, then open it."), "success")
            return redirect(url_for("manage.settings", slug=competition.slug))
    return render_template("manage/new.html", form=form, year=year, left_out=len(left_out)), form_status(form)


def _fill_settings_form(form, competition):
    for name in domain.SETTINGS_FIELDS:
        if name not in ("registration_opens_at", "submission_deadline"):
            getattr(form, name).data = getattr(competition, name)
    form.registration_opens_at.data = to_local(competition.registration_opens_at)
    form.submission_deadline.data = to_local(competition.submission_deadline)
    form.boards.data = "\n".join(f"{b.code} {b.name}" for b in competition.boards)
    form.fields.data = "\n".join(f.name for f in competition.fields)
    form.timeline.data = "\n".join(f"{t.on.isoformat()} {t.label}" for t in competition.timeline)


def _state_choices(current: CompetitionState) -> list[tuple[str, str]]:
    """The current status (selected, so nothing else is chosen by default) and the
    ones it can move to, in lifecycle order."""
    return [
        (
            s.value,
            _("%(state)s (current)", state=domain.STATE_LABELS[s]) if s is current else str(domain.STATE_LABELS[s]),
        )
        for s in domain.state_choices(current)
    ]


@bp.route("/<slug>/settings", methods=["GET", "POST"])
@access("competition:organizer")
@takes_upload(domain.RULES_DOCUMENT_BYTES)
def settings(slug):
    competition = domain.find_by_slug(slug)
    form = CompetitionSettingsForm()
    form.state.choices = _state_choices(competition.state)
    if request.method == "GET":
        _fill_settings_form(form, competition)
    if not form.state.data:  # a GET, or an archived competition (no status to choose)
        form.state.data = competition.state.value
    if form.validate_on_submit():
        values = {name: getattr(form, name).data for name in domain.SETTINGS_FIELDS}
        values["registration_opens_at"] = to_utc(values["registration_opens_at"])
        values["submission_deadline"] = to_utc(values["submission_deadline"])
        if values["work_file_max_mb"] is None:  # asked of the media award only
            del values["work_file_max_mb"]
        values["description"] = values["description"] or ""  # a form sent without it: no description, not a 500
        try:
            with atomic():
                competition.timeline = [TimelineItem(on=day, label=label) for day, label in form.timeline_items()]
                domain.update_settings(competition, boards=form.board_pairs(), fields=form.field_names(), **values)
                if form.rules_document.data:
                    upload = form.rules_document.data
                    domain.replace_rules_document(competition, upload.filename or "", upload.read())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The settings have been saved."), "success")
            wanted = CompetitionState(form.state.data)
            if wanted is not competition.state:
                if domain.irreversible_effect(competition.state, wanted) is not None:
                    # Saved first, so nothing typed is lost; the move itself waits for a confirmation.
                    return redirect(url_for("manage.change_state", slug=slug, to=wanted.value))
                _change_state(competition, wanted)
            return redirect(url_for("manage.settings", slug=slug))
    return render_template(
        "manage/settings.html",
        competition=competition,
        form=form,
        state_labels=domain.STATE_LABELS,
    ), form_status(form)


def _change_state(competition, wanted: CompetitionState) -> None:
    """A move that can be undone (open ⇄ closed), made from the settings page."""
    try:
        with atomic():
            domain.change_state(competition, wanted)
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(_("The competition is now: %(state)s.", state=domain.STATE_LABELS[competition.state]), "success")


@bp.route("/<slug>/state", methods=["GET", "POST"])
@access("competition:organizer")
def change_state(slug):
    """A move of status that cannot be undone, confirmed on a page saying what it ends
    (GET ?to=<state>); the settings page sends the organizer here. The POST needs
    confirm=yes for such a move (contest.domain.competitions.change_state checks)."""
    competition = domain.find_by_slug(slug)
    form = StateForm()
    wanted_value = form.state.data if request.method == "POST" else request.args.get("to", "")
    try:
        wanted = CompetitionState(wanted_value)
    except ValueError:
        flash(_("Choose the new status on the settings page."), "error")
        return redirect(url_for("manage.settings", slug=slug))
    if wanted not in domain.TRANSITIONS[competition.state]:
        flash(
            _(
                "A competition cannot go from “%(old)s” to “%(new)s”.",
                old=domain.STATE_LABELS[competition.state],
                new=domain.STATE_LABELS[wanted],
            ),
            "error",
        )
        return redirect(url_for("manage.settings", slug=slug))
    refused = None
    if form.validate_on_submit():
        try:
            with atomic():
                domain.change_state(competition, wanted, confirmed=request.form.get("confirm") == "yes")
        except DomainError as error:
            if error.field != "confirm":
                flash(error.message, "error")
                return redirect(url_for("manage.settings", slug=slug))
            refused = error.message
        else:
            flash(_("The competition is now: %(state)s.", state=domain.STATE_LABELS[competition.state]), "success")
            return redirect(url_for("manage.settings", slug=slug))
    form.state.data = wanted.value
    return render_template(
        "manage/confirm_state.html",
        competition=competition,
        form=form,
        wanted=wanted,
        effect=domain.irreversible_effect(competition.state, wanted),
        refused=refused,
        state_labels=domain.STATE_LABELS,
    ), (400 if request.method == "POST" else 200)


@bp.route("/<slug>/roles", methods=["GET", "POST"])
@access("competition:organizer")
def roles(slug):
    competition = domain.find_by_slug(slug)
    form = GrantRoleForm()
    if form.validate_on_submit():
        try:
            with atomic():
                domain.grant_role(competition, form.email.data, CompetitionRoleKind(form.role.data), current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The role has been granted."), "success")
            return redirect(url_for("manage.roles", slug=slug))
    return render_template(
        "manage/roles.html",
        competition=competition,
        form=form,
        grants=domain.roles_of(competition),
        revoke_form=ConfirmForm(),
    ), form_status(form)


@bp.route("/<slug>/roles/<int:role_id>/revoke", methods=["POST"])
@access("competition:organizer")
def revoke_role(slug, role_id):
    competition = domain.find_by_slug(slug)
    grant = db.get_or_404(CompetitionRole, role_id)
    if grant.competition_id != competition.id or not ConfirmForm().validate_on_submit():
        return redirect(url_for("manage.roles", slug=slug))
    if grant.user_id == current_user.id and grant.role is CompetitionRoleKind.organizer:
        flash(_("You cannot remove your own organizer role."), "error")
    else:
        domain.revoke_role(grant)
        flash(_("The role has been removed."), "success")
    return redirect(url_for("manage.roles", slug=slug))
