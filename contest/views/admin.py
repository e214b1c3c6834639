from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from contest.access import access
from contest.audit_labels import action_label, object_text, readable
from contest.domain import accounts, orgunits
from contest.domain import outbox as outbox_domain
from contest.domain.errors import DomainError
from contest.extensions import db
from contest.forms.orgunits import KIND_LABELS, OrgUnitForm, OrgUnitImportForm
from contest.forms.teams import ConfirmForm
from contest.models import AuditEvent, OrgUnit, OutboxMessage, OutboxStatus, User
from contest.request_guard import takes_upload
from contest.transactions import atomic
from contest.views import form_status, show_domain_error

bp = Blueprint("admin", __name__, url_prefix="/admin")

PAGE_SIZE = 50


@bp.route("/")
@access("admin")
def index():
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    return render_template(
        "admin/index.html",
        n_users=db.session.scalar(select(func.count()).select_from(User)),
        n_units=db.session.scalar(select(func.count()).select_from(OrgUnit)),
        outbox_counts={s.value: counts.get(s, 0) for s in OutboxStatus},
    )


@bp.route("/orgunits")
@access("admin")
def orgunits_list():
    return render_template(
        "admin/orgunits.html", tree=orgunits.tree(), kind_labels=KIND_LABELS, import_form=OrgUnitImportForm()
    )


def _unit_form_values(form: OrgUnitForm) -> dict:
    return {
        "code": form.code.data,
        "name": form.name.data,
        "kind": form.kind.data,
        "parent_code": form.parent_code.data,
        "successor_codes": form.successor_code.data,
        "valid_from": form.valid_from.data,
        "valid_to": form.valid_to.data,
    }


@bp.route("/orgunits/new", methods=["GET", "POST"])
@access("admin")
def orgunit_new():
    form = OrgUnitForm()
    if form.validate_on_submit():
        try:
            with atomic():
                orgunits.save_unit(None, **_unit_form_values(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The unit has been saved."), "success")
            return redirect(url_for("admin.orgunits_list"))
    return render_template("admin/orgunit_form.html", form=form, unit=None), form_status(form)


@bp.route("/orgunits/<int:unit_id>", methods=["GET", "POST"])
@access("admin")
def orgunit_edit(unit_id):
    unit = db.get_or_404(OrgUnit, unit_id)
    form = OrgUnitForm(obj=unit)
    if request.method == "GET":
        form.kind.data = unit.kind.value
        form.parent_code.data = unit.parent.code if unit.parent else ""
        form.successor_code.data = "; ".join(u.code for u in unit.successors)
    if form.validate_on_submit():
        try:
            with atomic():
                orgunits.save_unit(unit, **_unit_form_values(form))
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The unit has been saved."), "success")
            return redirect(url_for("admin.orgunits_list"))
    return render_template("admin/orgunit_form.html", form=form, unit=unit), form_status(form)


@bp.route("/orgunits/import", methods=["POST"])
@access("admin")
@takes_upload(5 * 1024 * 1024)  # a province's units are a few hundred rows
def orgunits_import():
    form = OrgUnitImportForm()
    if not form.validate_on_submit():
        flash(_("Choose a CSV file to import."), "error")
        return redirect(url_for("admin.orgunits_list"))
    raw = form.file.data.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        flash(_("The file must be CSV in UTF-8."), "error")
        return redirect(url_for("admin.orgunits_list"))
    report = orgunits.import_csv(text)
    if report.errors:
        return render_template(
            "admin/orgunits.html",
            tree=orgunits.tree(),
            kind_labels=KIND_LABELS,
            import_form=form,
            import_errors=report.errors,
        ), 400
    flash(
        _(
            "Imported: %(created)d new, %(updated)d changed, %(unchanged)d unchanged.",
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
        ),
        "success",
    )
    return redirect(url_for("admin.orgunits_list"))


@bp.route("/outbox")
@access("admin")
def outbox():
    status = request.args.get("status")
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(PAGE_SIZE)
    if status in {s.value for s in OutboxStatus}:
        query = query.where(OutboxMessage.status == OutboxStatus(status))
    return render_template(
        "admin/outbox.html",
        messages=db.session.scalars(query).all(),
        status=status,
        status_labels=outbox_domain.STATUS_LABELS,
    )


@bp.route("/outbox/<int:message_id>")
@access("admin")
def outbox_message(message_id):
    """One mail as it was (or will be) sent, so staff can help someone whose mail did not arrive."""
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template("admin/outbox_message.html", message=message, status_labels=outbox_domain.STATUS_LABELS)


@bp.route("/users")
@access("admin")
def users():
    q = (request.args.get("q") or "").strip()
    query = select(User).order_by(User.id.desc()).limit(PAGE_SIZE)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(func.lower(User.email).like(like) | func.lower(User.full_name).like(like))
    return render_template("admin/users.html", users=db.session.scalars(query).all(), q=q, confirm_form=ConfirmForm())


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
@access("admin")
def user_deactivate(user_id):
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            with atomic():
                accounts.deactivate(user, by=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("%(email)s is deactivated and signed out everywhere.", email=user.email), "success")
    return redirect(url_for("admin.users", q=user.email))


@bp.route("/users/<int:user_id>/demote", methods=["POST"])
@access("admin")
def user_demote(user_id):
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        try:
            with atomic():
                accounts.demote_admin(user, by=current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("%(email)s is no longer an administrator.", email=user.email), "success")
    return redirect(url_for("admin.users", q=user.email))


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
@access("admin")
def user_reactivate(user_id):
    user = db.get_or_404(User, user_id)
    if ConfirmForm().validate_on_submit():
        accounts.reactivate(user, by=current_user)
        flash(_("%(email)s can sign in again.", email=user.email), "success")
    return redirect(url_for("admin.users", q=user.email))


@bp.route("/audit")
@access("admin")
def audit_log():
    # The actor is a plain id (see AuditEvent): an account since removed shows as its number.
    rows = db.session.execute(
        select(AuditEvent, User.email)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .order_by(AuditEvent.id.desc())
        .limit(PAGE_SIZE * 2)
    ).all()
    return render_template(
        "admin/audit.html", rows=rows, action_label=action_label, readable=readable, object_text=object_text
    )
