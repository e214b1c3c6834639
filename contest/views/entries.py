"""The entry (hồ sơ dự thi): edit with autosave, upload, submit, receipt, withdraw."""

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import current_user

from contest.access import access
from contest.domain import attachments, nominations
from contest.domain import entries as domain
from contest.domain.competitions import is_press_work, submissions_open
from contest.domain.entry_fields import FIELD_LABELS, WOMEN_OWNED_FACTS
from contest.domain.errors import Conflict, DomainError
from contest.extensions import (
    db,
    limiter,
    mail_limit,
    per_account,
    upload_limit,
    upload_limit_message,
)
from contest.forms.entries import EntryForm, UploadForm
from contest.forms.teams import ConfirmForm
from contest.i18n import format_formal_datetime, format_moment, format_time_left
from contest.models import Attachment, AttachmentKind, EntryStatus, Team
from contest.models.base import utcnow
from contest.request_guard import takes_json, takes_upload
from contest.transactions import atomic
from contest.views import show_domain_error

bp = Blueprint("entries", __name__)


def _entry_form(entry, data=None, choices=None):
    form = EntryForm(formdata=data) if data is not None else EntryForm(obj=entry)
    boards, fields = choices if choices is not None else domain.shown_choices(entry.competition_id)
    form.board.choices = [("", _("— choose —"))] + [(str(id_), name) for id_, name in boards]
    form.field.choices = [("", _("— choose —"))] + [(str(id_), name) for id_, name in fields]
    if is_press_work(entry):
        form.title.label.text = _("Title of the work")
    if data is None:
        form.board.data = str(entry.board_id or "")
        form.field.data = str(entry.field_id or "")
        form.stage.data = entry.stage.value if entry.stage else ""
        for key in WOMEN_OWNED_FACTS:
            value = getattr(entry, key)
            form[key].data = "" if value is None else "yes" if value else "no"
        form.media_type.data = entry.media_type.value if entry.media_type else ""
    return form


def _deadline(competition) -> dict | None:
    """The submission deadline as the entry page says it, and the time left before it."""
    deadline = competition.submission_deadline
    if deadline is None:
        return None
    left = deadline - utcnow()
    return {
        "at": deadline,
        "text": format_formal_datetime(deadline),
        "left": format_time_left(left) if left.total_seconds() > 0 else None,
    }


def _limit_attributes(limit: attachments.UploadLimit) -> dict:
    return {
        "data-accept": limit.accept,
        "data-max-bytes": limit.max_bytes,
        "data-max-mb": limit.max_mb,
        "data-types": limit.types,
    }


def _upload_form(entry, form: UploadForm | None = None) -> UploadForm:
    """The upload form carrying each kind's limits (accept=, data-max-bytes) for
    the browser to check a file before sending it; the server checks again. A
    press work (the media award) uploads the published work itself, not a pitch deck."""
    form = form or UploadForm()
    if is_press_work(entry):
        form.kind.choices = [
            ("description", _("The published work (PDF of the article, or a recording)")),
            ("image", _("Image (PNG, JPEG or WebP)")),
        ]
    limits = attachments.upload_limits(entry.competition)
    form.kind.choices = [(value, label, _limit_attributes(limits[value])) for value, label, *_rest in form.kind.choices]
    first = form.kind.choices[0][0]
    chosen = limits.get(form.kind.data or "", limits[first])
    form.file.render_kw = {"accept": chosen.accept, **_limit_attributes(chosen)}
    return form


def _render(team, entry, form, upload_form=None, problems=None, status=200):
    editable = submissions_open(team.competition) and entry.status is not EntryStatus.withdrawn
    return render_template(
        "entries/edit.html",
        team=team,
        press_work=is_press_work(entry),
        upload_limits=attachments.upload_limits(entry.competition),
        entry=entry,
        form=form,
        upload_form=_upload_form(entry, upload_form),
        upload_messages={
            "too_large": attachments.UPLOAD_MESSAGES["too_large"] % {"size_mb": "{size}", "max_mb": "{max}"},
            "wrong_type": attachments.UPLOAD_MESSAGES["wrong_type"] % {"detected": "{type}", "expected": "{types}"},
        },
        confirm_form=ConfirmForm(),
        editable=editable,
        problems=problems or [],
        attachment_labels=attachments.ATTACHMENT_LABELS,
        kinds=AttachmentKind,
        storage=attachments.storage_use(entry),
        retention_days=attachments.retention_days(),
        unsubmitted_changes=domain.has_unsubmitted_changes(entry),
        deadline=_deadline(team.competition),
        carry_over=editable and any(nominations.dossier_left_to_carry(entry)),
    ), status


def _team_entry(team_id):
    # No query: the access rule loaded the team with its competition, entry and members.
    team = db.session.get(Team, team_id)
    return team, domain.get_or_create_entry(team)


@bp.route("/teams/<int:team_id>/entry", methods=["GET", "POST"])
@access("team:member")
def edit(team_id):
    team, entry = _team_entry(team_id)
    if request.method == "GET":
        return _render(team, entry, _entry_form(entry))
    choices = domain.board_and_field_choices(entry.competition_id)  # fresh: the choice is checked against them
    form = _entry_form(entry, request.form, choices)
    if not form.validate():
        return _render(team, entry, form, status=400)  # nothing saved; the page keeps what was typed
    values, _errors = form.draft_values()
    try:
        domain.save_draft(entry, values, choices)
    except Conflict as error:
        flash(error.message, "error")
        return _render(team, entry, form, status=409)
    except DomainError as error:
        show_domain_error(form, error)
        return _render(team, entry, form, status=400)
    flash(_("The draft has been saved."), "success")
    return redirect(url_for("entries.edit", team_id=team.id))


@bp.route("/teams/<int:team_id>/entry/autosave", methods=["POST"])
@access("team:member")
@takes_json(256 * 1024)  # every text field of an entry, even as \u escapes
def autosave(team_id):
    """JSON autosave from the edit page while the team types."""
    team, entry = _team_entry(team_id)
    values = request.get_json(silent=True)
    if not isinstance(values, dict):
        return jsonify(error="bad_request", message=_("The data sent was not understood.")), 400
    # The same form as the page's POST checks the JSON: each refused field is
    # reported and left out, everything else saves (text too long: what fits).
    form, sent = EntryForm.from_json(values)
    form.validate()
    clean, errors = form.draft_values(sent)
    try:
        domain.save_draft(entry, clean)
    except Conflict as error:
        return jsonify(error=error.code or "conflict", message=error.message), 409
    except DomainError as error:
        return jsonify(
            error=error.code or "invalid", message=error.message, errors={error.field or "": error.message}
        ), 400
    return jsonify(
        saved_at=entry.draft_saved_at.isoformat(),
        saved_label=_("Saved at %(time)s", time=format_datetime(entry.draft_saved_at, "HH:mm:ss")),
        errors=errors,
    )


@bp.route("/teams/<int:team_id>/entry/upload", methods=["POST"])
@access("team:member")
@takes_upload(attachments.largest_upload_for_team)  # one file per request, its limit the team's competition's
@limiter.limit(upload_limit, key_func=per_account, error_message=upload_limit_message)
def upload(team_id):
    team, entry = _team_entry(team_id)
    upload_form = _upload_form(entry)
    if upload_form.validate_on_submit():
        file = upload_form.file.data
        try:
            with atomic():
                attachments.add_attachment(
                    entry, AttachmentKind(upload_form.kind.data), file.filename or "", file.read(), current_user
                )
        except DomainError as error:
            upload_form.file.errors = [error.message]
        else:
            flash(_("The file %(name)s has been uploaded.", name=entry.attachments[-1].filename), "success")
            return redirect(url_for("entries.edit", team_id=team.id) + "#documents")
    return _render(team, entry, _entry_form(entry), upload_form=upload_form, status=400)


@bp.route("/teams/<int:team_id>/entry/carry-over", methods=["POST"])
@access("team:member")
def carry_over(team_id):
    """The team fills its nominated draft from its entry in the lower-level contest."""
    team, entry = _team_entry(team_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with atomic():
            done = nominations.carry_over_dossier(entry, current_user)
    except DomainError as error:
        flash(error.message, "error")
        return redirect(url_for("entries.edit", team_id=team.id))
    if done.nothing:
        flash(_("Nothing more to copy: the draft already holds what it can take of the nominated entry."), "info")
    else:
        flash(
            _(
                "Copied from the nominated entry: %(fields)s; documents: %(files)s.",
                fields=", ".join(str(FIELD_LABELS[name]) for name in done.fields) or _("no field"),
                files=", ".join(a.filename for a in done.files) or _("none"),
            ),
            "success",
        )
    if done.left:
        flash(
            _(
                "Not copied: %(files)s",
                files="; ".join(f"{item.filename} ({item.reason()})" for item in done.left),
            ),
            "warning",
        )
    return redirect(url_for("entries.edit", team_id=team.id))


@bp.route("/teams/<int:team_id>/entry/attachments/<int:attachment_id>/remove", methods=["POST"])
@access("team:member")
def remove_attachment(team_id, attachment_id):
    team, entry = _team_entry(team_id)
    attachment = db.get_or_404(Attachment, attachment_id)
    if attachment.entry_id != entry.id:
        abort(404)
    if ConfirmForm().validate_on_submit():
        try:
            with atomic():
                attachments.remove_attachment(entry, attachment)
        except DomainError as error:
            flash(error.message, "error")
    return redirect(url_for("entries.edit", team_id=team.id) + "#documents")


@bp.route("/teams/<int:team_id>/entry/attachments/<int:attachment_id>")
@access("team:member", "team:checker")
def download(team_id, attachment_id):
    team = db.session.get(Team, team_id)
    attachment = db.get_or_404(Attachment, attachment_id)
    if team.entry is None or attachment.entry_id != team.entry.id:
        abort(404)
    return attachment_response(attachment)


def attachment_response(attachment: Attachment) -> Response | tuple[str, int]:
    """Serve with the type we detected, never the client's, and as a download
    unless it is a PDF or image the browser shows without running anything."""
    if attachment.purged_at is not None:
        message = _(
            "The contents of %(name)s were deleted on %(date)s, after it had been replaced; its record "
            "(name, size, SHA-256) is kept.",
            name=attachment.filename,
            date=format_moment(attachment.purged_at),
        )
        return render_template("error.html", status=410, title="purged", message=message), 410
    inline = attachment.content_type in ("application/pdf", "image/png", "image/jpeg", "image/webp")
    disposition = "inline" if inline else "attachment"
    from urllib.parse import quote

    headers = {
        "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(attachment.filename)}",
        "Cache-Control": "private, no-store",
        # The page embeds its own PDFs; nothing else may frame them.
        "Content-Security-Policy": "default-src 'none'; frame-ancestors 'self'; sandbox",
        "X-Frame-Options": "SAMEORIGIN",
    }
    return Response(domain.attachment_bytes(attachment), mimetype=attachment.content_type, headers=headers)


@bp.route("/teams/<int:team_id>/entry/submit", methods=["POST"])
@access("team:member")
@limiter.limit(mail_limit, methods=["POST"])
def submit(team_id):
    team, entry = _team_entry(team_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with atomic():
            domain.submit(entry, current_user)
    except domain.AlreadySubmitted as done:  # the same submission sent twice: show what was received
        flash(done.message, "info")
        return redirect(url_for("entries.receipt", team_id=team.id))
    except domain.SubmissionRefused as refused:
        return _render(team, entry, _entry_form(entry), problems=refused.problems, status=400)
    except DomainError as error:
        flash(error.message, "error")
        return _render(team, entry, _entry_form(entry), status=409)
    return redirect(url_for("entries.receipt", team_id=team.id))


@bp.route("/teams/<int:team_id>/entry/receipt")
@access("team:member")
def receipt(team_id):
    team = db.session.get(Team, team_id)
    entry = team.entry
    if entry is None or not entry.versions:
        abort(404)
    return render_template("entries/receipt.html", team=team, entry=entry, version=entry.versions[-1])


@bp.route("/teams/<int:team_id>/entry/withdraw", methods=["POST"])
@access("team:leader")
def withdraw(team_id):
    team, entry = _team_entry(team_id)
    if ConfirmForm().validate_on_submit():
        try:
            with atomic():
                domain.withdraw(entry, current_user)
        except DomainError as error:
            flash(error.message, "error")
        else:
            flash(_("The entry has been withdrawn."), "success")
    return redirect(url_for("teams.show", team_id=team.id))
