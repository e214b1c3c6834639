"""The expert network's pages: the public directory, the officers' registry
(search, record, certifications, declared conflicts, mentoring, export), and
an expert's own record. Rules in contest.domain.experts."""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from contest import signals
from contest.access import access, register_rule
from contest.domain import experts as domain
from contest.domain import unit_officers
from contest.domain.errors import DomainError
from contest.domain.exports import to_csv, to_xlsx
from contest.domain.uploads import MAX_BYTES
from contest.extensions import db
from contest.forms.experts import (
    CertificationForm,
    ConsentForm,
    DeclaredConflictForm,
    EndConflictForm,
    ExpertForm,
    MentoringSessionForm,
    MentorshipForm,
    OwnRecordForm,
    RemoveCertificationForm,
)
from contest.models import (
    Certification,
    ConflictKind,
    DeclaredConflict,
    Expert,
    ExpertRole,
    Mentorship,
    OrgUnit,
    Project,
)
from contest.request_guard import db_id, takes_upload
from contest.storage import get_storage
from contest.transactions import atomic
from contest.views import form_status, show_domain_error

bp = Blueprint("experts", __name__)


def _certification(view_args) -> Certification:
    certification = db.session.get(Certification, view_args.get("certification_id"))
    if certification is None:
        abort(404)
    return certification


def _mentorship(view_args) -> Mentorship:
    mentorship = db.session.get(Mentorship, view_args.get("mentorship_id"))
    if mentorship is None:
        abort(404)
    return mentorship


def _conflict(view_args) -> DeclaredConflict:
    conflict = db.session.get(DeclaredConflict, view_args.get("conflict_id"))
    if conflict is None:
        abort(404)
    return conflict


register_rule("experts:officer", lambda view_args: domain.is_officer(current_user))
register_rule(
    "experts:conflict",
    lambda view_args: domain.may_see_record(current_user, _conflict(view_args).expert),
)
register_rule(
    "experts:certification",
    lambda view_args: domain.may_see_record(current_user, _certification(view_args).expert),
)
register_rule("experts:mentorship", lambda view_args: domain.may_log(current_user, _mentorship(view_args)))


def nav_links(_app) -> list[tuple[str, str]]:
    links = []
    if domain.is_officer(current_user):
        links.append((_("Experts"), url_for("experts.registry")))
    elif domain.has_record(current_user):
        links.append((_("My expert record"), url_for("experts.mine")))
    return links


def _unit_choices(empty: str, keep: int | None = None) -> list[tuple[int, str]]:
    """Today's units; `keep` (the unit a record already names) stays a choice even
    after the unit was merged away, so saving the record does not drop it."""
    today = unit_officers.today()
    units = [
        u for u in db.session.scalars(select(OrgUnit).order_by(OrgUnit.name)) if u.is_valid_on(today) or u.id == keep
    ]
    return [(0, empty)] + [(u.id, u.name) for u in units]


def _expert(expert_id: int) -> Expert:
    return db.get_or_404(Expert, expert_id)


# -- public ---------------------------------------------------------------------------------


@bp.route("/experts/")
@access("public")
def directory():
    field = (request.args.get("field") or "").strip()[:120]
    return render_template(
        "experts/directory.html", experts=domain.public_directory(field), field=field, fields=domain.field_names()
    )


@bp.route("/experts/<int:expert_id>/photo")
@access("public")
def photo(expert_id):
    expert = _expert(expert_id)
    if not expert.photo_key or not expert.shows("photo"):
        abort(404)
    data = get_storage().read(expert.photo_key)
    kind = expert.photo_key.rsplit(".", 1)[-1]
    mimetype = {"png": "image/png", "jpeg": "image/jpeg", "webp": "image/webp"}.get(kind, "application/octet-stream")
    return Response(data, mimetype=mimetype, headers={"Cache-Control": "no-store"})


# -- the expert's own record ------------------------------------------------------------


@bp.route("/experts/me", methods=["GET", "POST"])
@access("login")
@takes_upload(MAX_BYTES["image"])
def mine():
    expert = domain.of_user(current_user)
    if expert is None:
        return render_template("experts/mine.html", expert=None)
    form = _own_record_form(expert)
    if form.validate_on_submit():
        try:
            with atomic():
                domain.update_expert(
                    expert,
                    domain.ExpertInput(
                        full_name=form.full_name.data,
                        organisation=form.organisation.data or "",
                        email=expert.email or "",
                        phone=form.phone.data or "",
                        bio=form.bio.data or "",
                        org_unit_id=expert.org_unit_id,
                        fields=form.field_list(),
                        roles=tuple(r.role for r in expert.roles),
                        available=form.available.data,
                    ),
                )
                if form.photo.data:
                    domain.set_photo(expert, form.photo.data.filename or "photo", form.photo.data.read())
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("Your record has been saved."), "success")
            return redirect(url_for("experts.mine"))
    return _mine_page(expert, form=form)


def _own_record_form(expert: Expert, *, posted: bool = True) -> OwnRecordForm:
    """The expert's form: what was posted to it, else what the record holds."""
    form = OwnRecordForm() if posted else OwnRecordForm(formdata=None)
    if request.method == "GET" or not posted:
        form.full_name.data, form.organisation.data, form.phone.data = (
            expert.full_name,
            expert.organisation,
            expert.phone,
        )
        form.fields.data, form.bio.data, form.available.data = (
            ", ".join(expert.field_names),
            expert.bio,
            expert.available,
        )
    return form


def _mine_page(expert: Expert, *, form: OwnRecordForm | None = None, conflict_form=None):
    consent_form = ConsentForm(prefix="consent", formdata=None)
    consent_form.consent.data = expert.consent_public
    consent_form.public_fields.data = list(expert.public_fields or [])
    forms = (
        form or _own_record_form(expert, posted=False),
        conflict_form or DeclaredConflictForm(prefix="conflict", formdata=None),
    )
    return render_template(
        "experts/mine.html",
        expert=expert,
        form=forms[0],
        consent_form=consent_form,
        conflict_form=forms[1],
        links=signals.collect_lists(signals.expert_links, expert=expert),
        certification_states=domain.certification_states(expert.certifications, unit_officers.today()),
        **_labels(),
    ), form_status(*forms)


@bp.route("/experts/me/consent", methods=["POST"])
@access("login")
def consent():
    expert = domain.of_user(current_user)
    if expert is None:
        abort(404)
    form = ConsentForm(prefix="consent")
    if form.validate_on_submit():
        domain.set_consent(expert, bool(form.consent.data), list(form.public_fields.data or []))
        if form.consent.data:
            flash(_("You are listed in the public directory with what you chose to show."), "success")
        else:
            flash(_("You are no longer listed in the public directory."), "success")
    else:
        flash(_("Choose only among the fields offered."), "error")
    return redirect(url_for("experts.mine"))


@bp.route("/experts/me/conflicts", methods=["POST"])
@access("login")
def my_conflicts():
    expert = domain.of_user(current_user)
    if expert is None:
        abort(404)
    form = DeclaredConflictForm(prefix="conflict")
    if _declare(expert, form):
        return redirect(url_for("experts.mine") + "#conflicts")
    return _mine_page(expert, conflict_form=form)


def _declare(expert: Expert, form: DeclaredConflictForm) -> bool:
    """Record the declaration; False (the form holds the errors) when refused."""
    if not form.validate_on_submit():
        return False
    try:
        with atomic():
            domain.declare_conflict(
                expert,
                ConflictKind(form.kind.data),
                form.name.data,
                registration_number=form.registration_number.data or "",
                detail=form.detail.data or "",
                on=unit_officers.today(),
            )
    except DomainError as error:
        show_domain_error(form, error)
        return False
    flash(_("The conflict of interest is recorded; it will be proposed in every contest it touches."), "success")
    return True


@bp.route("/registry/conflicts/<int:conflict_id>/end", methods=["POST"])
@access("experts:conflict")
def end_conflict(conflict_id):
    """The expert (or an officer) ends a declared conflict that no longer applies."""
    conflict = _conflict({"conflict_id": conflict_id})
    own = conflict.expert.user_id is not None and conflict.expert.user_id == current_user.id
    back = url_for("experts.mine") if own else url_for("experts.record", expert_id=conflict.expert_id)
    if EndConflictForm(prefix="end").validate_on_submit():
        try:
            with atomic():
                domain.end_conflict(conflict, on=unit_officers.today(), by=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The conflict of interest has ended; new contests will no longer propose it."), "success")
    else:
        flash(_("The form has expired or was sent from elsewhere. Please reload the page and try again."), "error")
    return redirect(back + "#conflicts")


def _labels() -> dict:
    return {
        "role_labels": domain.ROLE_LABELS,
        "conflict_labels": domain.CONFLICT_LABELS,
        "public_field_labels": domain.PUBLIC_FIELD_LABELS,
    }


# -- the officers' registry ----------------------------------------------------------------


@bp.route("/registry/")
@access("experts:officer")
def registry():
    role_value = request.args.get("role") or ""
    role = ExpertRole(role_value) if role_value in {r.value for r in ExpertRole} else None
    unit_id = request.args.get("unit", type=db_id) or None
    field = (request.args.get("field") or "").strip()[:120]
    text = (request.args.get("q") or "").strip()[:120]
    found = domain.search(text=text, field=field, unit_id=unit_id, role=role)
    return render_template(
        "experts/registry.html",
        experts=found,
        in_force=domain.certifications_in_force(found, unit_officers.today()),
        fields=domain.field_names(),
        units=_unit_choices(_("Any unit"))[1:],
        chosen={"role": role_value if role else "", "unit": unit_id, "field": field, "q": text},
        **_labels(),
    )


def _expert_form(expert: Expert | None, *, posted: bool = True) -> ExpertForm:
    """The record's form: what was posted to it, else what the record holds."""
    form = ExpertForm() if posted else ExpertForm(formdata=None)
    form.org_unit.choices = _unit_choices(_("— none —"), keep=expert.org_unit_id if expert else None)
    if expert is not None and (request.method == "GET" or not posted):
        form.full_name.data, form.organisation.data = expert.full_name, expert.organisation
        form.org_unit.data, form.email.data, form.phone.data = expert.org_unit_id or 0, expert.email, expert.phone
        form.fields.data, form.roles.data = ", ".join(expert.field_names), expert.role_values
        form.bio.data, form.available.data = expert.bio, expert.available
    return form


def _input(form: ExpertForm) -> domain.ExpertInput:
    return domain.ExpertInput(
        full_name=form.full_name.data,
        organisation=form.organisation.data or "",
        email=form.email.data or "",
        phone=form.phone.data or "",
        bio=form.bio.data or "",
        org_unit_id=form.org_unit.data or None,
        fields=form.field_list(),
        roles=tuple(ExpertRole(v) for v in form.roles.data or []),
        available=form.available.data,
    )


@bp.route("/registry/new", methods=["GET", "POST"])
@access("experts:officer")
def new():
    form = _expert_form(None)
    if form.validate_on_submit():
        try:
            with atomic():
                expert = domain.create_expert(_input(form), by=current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The expert has been added to the registry."), "success")
            return redirect(url_for("experts.record", expert_id=expert.id))
    return render_template("experts/new.html", form=form), form_status(form)


@bp.route("/registry/<int:expert_id>", methods=["GET", "POST"])
@access("experts:officer")
def record(expert_id):
    expert = _expert(expert_id)
    form = _expert_form(expert)
    if form.validate_on_submit():
        try:
            with atomic():
                domain.update_expert(expert, _input(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The record has been saved."), "success")
            return redirect(url_for("experts.record", expert_id=expert.id))
    return _record_page(expert, form=form)


def _mentorship_form(**kwargs) -> MentorshipForm:
    form = MentorshipForm(prefix="mentor", **kwargs)
    form.project.choices = domain.projects_to_mentor()
    form.org_unit.choices = _unit_choices(_("— none —"))
    return form


def _record_page(expert, *, form=None, certification_form=None, mentorship_form=None, conflict_form=None):
    forms = (
        form or _expert_form(expert, posted=False),
        certification_form or CertificationForm(prefix="cert", formdata=None),
        mentorship_form or _mentorship_form(formdata=None),
        conflict_form or DeclaredConflictForm(prefix="conflict", formdata=None),
    )
    return render_template(
        "experts/record.html",
        expert=expert,
        form=forms[0],
        certification_form=forms[1],
        mentorship_form=forms[2],
        conflict_form=forms[3],
        mentorships=domain.mentorships_of(expert),
        contact_email=domain.contact_email(expert),
        links=signals.collect_lists(signals.expert_links, expert=expert),
        certification_states=domain.certification_states(expert.certifications, unit_officers.today()),
        **_labels(),
    ), form_status(*forms)


@bp.route("/registry/<int:expert_id>/certifications", methods=["POST"])
@access("experts:officer")
@takes_upload(MAX_BYTES["scan"])
def add_certification(expert_id):
    expert = _expert(expert_id)
    form = CertificationForm(prefix="cert")
    if form.validate_on_submit():
        upload = form.scan.data
        try:
            with atomic():
                domain.add_certification(
                    expert,
                    domain.CertificationInput(
                        programme=form.programme.data,
                        issuer=form.issuer.data,
                        number=form.number.data or "",
                        issued_on=form.issued_on.data,
                        expires_on=form.expires_on.data,
                        scan_name=(upload.filename or "") if upload else "",
                        scan=upload.read() if upload else None,
                    ),
                    by=current_user,
                )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The certification has been recorded."), "success")
            return redirect(url_for("experts.record", expert_id=expert.id) + "#certifications")
    return _record_page(expert, certification_form=form)


@bp.route("/registry/certifications/<int:certification_id>/scan")
@access("experts:certification")
def scan(certification_id):
    certification = _certification({"certification_id": certification_id})
    if not certification.scan_key:
        abort(404)
    return Response(
        get_storage().read(certification.scan_key),
        mimetype=certification.scan_content_type or "application/octet-stream",
        headers={
            "Content-Disposition": f"inline; filename*=UTF-8''{quote(certification.scan_name or 'scan')}",
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/registry/<int:expert_id>/conflicts", methods=["POST"])
@access("experts:officer")
def declare_conflict(expert_id):
    expert = _expert(expert_id)
    form = DeclaredConflictForm(prefix="conflict")
    if _declare(expert, form):
        return redirect(url_for("experts.record", expert_id=expert.id) + "#conflicts")
    return _record_page(expert, conflict_form=form)


@bp.route("/registry/certifications/<int:certification_id>/remove", methods=["POST"])
@access("experts:officer")
def remove_certification(certification_id):
    """Remove a certification entered by mistake (audited, with the reason)."""
    certification = _certification({"certification_id": certification_id})
    expert = certification.expert
    form = RemoveCertificationForm(prefix="remove")
    if form.validate_on_submit():
        try:
            with atomic():
                domain.remove_certification(certification, reason=form.reason.data, by=current_user)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The certification has been removed; it no longer counts."), "success")
            return redirect(url_for("experts.record", expert_id=expert.id) + "#certifications")
    flash(
        form.reason.errors[0]
        if form.reason.errors
        else _("The form has expired or was sent from elsewhere. Please reload the page and try again."),
        "error",
    )
    return _record_page(expert)[0], 400


@bp.route("/registry/<int:expert_id>/mentorships", methods=["POST"])
@access("experts:officer")
def assign_mentor(expert_id):
    expert = _expert(expert_id)
    form = _mentorship_form()
    if form.validate_on_submit():
        try:
            with atomic():
                mentorship = domain.assign_mentor(
                    expert,
                    db.session.get(Project, form.project.data),
                    starts_on=form.starts_on.data,
                    ends_on=form.ends_on.data,
                    org_unit_id=form.org_unit.data or None,
                    by=current_user,
                )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The mentor has been assigned."), "success")
            return redirect(url_for("experts.mentorship", mentorship_id=mentorship.id))
    return _record_page(expert, mentorship_form=form)


@bp.route("/mentorships/<int:mentorship_id>", methods=["GET", "POST"])
@access("experts:mentorship")
def mentorship(mentorship_id):
    found = _mentorship({"mentorship_id": mentorship_id})
    form = MentoringSessionForm()
    if form.validate_on_submit():
        try:
            with atomic():
                domain.log_session(
                    found, held_on=form.held_on.data, topic=form.topic.data, hours=form.hours.data, by=current_user
                )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The session has been logged."), "success")
            return redirect(url_for("experts.mentorship", mentorship_id=found.id))
    return render_template(
        "experts/mentorship.html",
        mentorship=found,
        form=form,
        total_hours=sum((s.hours for s in found.sessions), start=0),
        officer=domain.is_officer(current_user),
    ), form_status(form)


@bp.route("/registry/export.<fmt>")
@access("experts:officer")
def export(fmt):
    if fmt not in ("csv", "xlsx"):
        abort(404)
    headers, rows = domain.export_table(by=current_user)
    if fmt == "csv":
        return Response(
            to_csv(headers, rows),
            mimetype="text/csv",
            headers={"Content-Disposition": 'attachment; filename="chuyen-gia.csv"', "Cache-Control": "no-store"},
        )
    return Response(
        to_xlsx([(_("Experts"), headers, rows)]),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": 'attachment; filename="chuyen-gia.xlsx"', "Cache-Control": "no-store"},
    )
