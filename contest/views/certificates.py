"""Certificates: the organizer's templates, batches and corrections; the
public verification page behind the QR code; a team's own downloads."""

from __future__ import annotations

from datetime import date

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
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from contest.access import access
from contest.domain import certificates as domain
from contest.domain.competitions import find_by_slug
from contest.domain.errors import DomainError
from contest.domain.uploads import MAX_BYTES
from contest.extensions import db, limiter, mail_limit
from contest.forms.teams import ConfirmForm
from contest.models import (
    BatchStatus,
    Certificate,
    CertificateBatch,
    CertificateTemplateRecord,
    Team,
)
from contest.request_guard import takes_upload
from contest.storage import get_storage
from contest.transactions import atomic

bp = Blueprint("certificates", __name__)
TEMPLATE_FIELDS = (
    "name",
    "kind_title",
    "issuer_lines",
    "motto_lines",
    "wording",
    "place",
    "signer_title_lines",
    "signer_name",
    "border_style",
    "orientation",
)


def _pdf(data: bytes, name: str, inline: bool = True) -> Response:
    return Response(
        data,
        mimetype="application/pdf",
        headers={
            "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
            "Cache-Control": "private, no-store",
        },
    )


def _of_competition(model, competition, object_id):
    obj = db.get_or_404(model, object_id)
    if obj.competition_id != competition.id:
        abort(404)
    return obj


@bp.route("/verify/<token>")
@access("public")
@limiter.limit("60/minute")
def verify(token):
    certificate = domain.find_by_token(token)
    if certificate is None:
        return render_template("certificates/verify.html", certificate=None), 404
    return render_template(
        "certificates/verify.html", certificate=certificate, issuer=domain._lines(certificate.template.issuer_lines)
    )


@bp.route("/manage/<slug>/certificates", methods=["GET", "POST"])
@access("competition:organizer")
@limiter.limit(mail_limit, methods=["POST"])
def index(slug):
    competition = find_by_slug(slug)
    domain.reap_abandoned(competition.id)
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        try:
            issued_on = date.fromisoformat(request.form.get("issued_on") or date.today().isoformat())
        except ValueError:
            flash(_("Give the date printed on the certificates."), "error")
            return redirect(url_for("certificates.index", slug=slug))
        if request.form.get("action") == "mail":
            mailing = domain.mail_certificates(competition)
            message = ngettext(
                "%(num)d certificate is on its way by mail.",
                "%(num)d certificates are on their way by mail.",
                mailing.queued,
            )
            if mailing.already:
                message += " " + ngettext(
                    "%(num)d had already been mailed and is not sent again.",
                    "%(num)d had already been mailed and are not sent again.",
                    mailing.already,
                )
            flash(message, "success")
            return redirect(url_for("certificates.index", slug=slug))
        batch = domain.start_batch(competition, issued_on, current_user)
        flash(_("Generating %(n)d certificates.", n=batch.total), "success")
        for record in domain.unsigned_templates(competition):
            flash(
                _("“%(name)s” has no signer's name: its certificates print an empty signer line.", name=record.name),
                "warning",
            )
        return redirect(url_for("certificates.index", slug=slug))
    domain.ensure_templates(competition)
    batches = db.session.scalars(
        db.select(CertificateBatch)
        .where(CertificateBatch.competition_id == competition.id)
        .order_by(CertificateBatch.id.desc())
        .limit(5)
    ).all()
    certificates = db.session.scalars(
        db.select(Certificate).where(Certificate.competition_id == competition.id).order_by(Certificate.serial)
    ).all()
    return render_template(
        "certificates/index.html",
        competition=competition,
        templates=domain.templates_of(competition),
        unsigned=domain.unsigned_templates(competition),
        batches=batches,
        certificates=certificates,
        confirm_form=ConfirmForm(),
        today=date.today().isoformat(),
    )


@bp.route("/manage/<slug>/certificates/templates/<int:template_id>", methods=["GET", "POST"])
@access("competition:organizer")
@takes_upload(len(domain.IMAGE_SLOTS) * MAX_BYTES["image"])  # a logo, a signature and a seal
def edit_template(slug, template_id):
    competition = find_by_slug(slug)
    record = _of_competition(CertificateTemplateRecord, competition, template_id)
    status = 200
    if request.method == "POST":
        if not ConfirmForm().validate_on_submit():
            abort(400)
        problems = []
        for slot in domain.IMAGE_SLOTS:
            upload = request.files.get(slot)
            try:
                with atomic():
                    if request.form.get(f"clear_{slot}"):
                        domain.clear_template_image(record, slot)
                    elif upload is not None and upload.filename:
                        domain.set_template_image(record, slot, upload.filename, upload.read())
            except DomainError as error:
                problems.append(error.message)
        values = {key: (request.form.get(key) or "").strip() for key in TEMPLATE_FIELDS}
        values["per_team"] = bool(request.form.get("per_team"))
        if problems:
            for problem in problems:
                flash(problem, "error")
            status = 400
        elif not values["name"] or not values["kind_title"] or not values["wording"]:
            flash(_("Name, title and wording are required."), "error")
            status = 400
        else:
            try:
                with atomic():
                    domain.update_template(record, **values)
            except DomainError as error:
                flash(error.message, "error")
                status = 400
            else:
                flash(_("The template has been saved."), "success")
                return redirect(url_for("certificates.edit_template", slug=slug, template_id=record.id))
    return render_template(
        "certificates/template.html", competition=competition, record=record, confirm_form=ConfirmForm()
    ), status


@bp.route("/manage/<slug>/certificates/templates/<int:template_id>/preview.pdf")
@access("competition:organizer")
def preview(slug, template_id):
    competition = find_by_slug(slug)
    record = _of_competition(CertificateTemplateRecord, competition, template_id)
    return _pdf(domain.preview(record), "xem-truoc.pdf")


@bp.route("/manage/<slug>/certificates/batches/<int:batch_id>.json")
@access("competition:organizer")
def batch_status(slug, batch_id):
    competition = find_by_slug(slug)
    domain.reap_abandoned(competition.id)
    batch = _of_competition(CertificateBatch, competition, batch_id)
    return jsonify(status=batch.status.value, done=batch.done, total=batch.total, error=batch.error)


@bp.route("/manage/<slug>/certificates/batches/<int:batch_id>/<kind>")
@access("competition:organizer")
def batch_download(slug, batch_id, kind):
    batch = _of_competition(CertificateBatch, find_by_slug(slug), batch_id)
    if batch.status is not BatchStatus.done or kind not in ("merged.pdf", "certificates.zip"):
        abort(404)
    if kind == "merged.pdf":
        return _pdf(get_storage().read(batch.merged_key), f"giay-chung-nhan-{slug}.pdf", inline=False)
    return Response(
        get_storage().read(batch.zip_key),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="giay-chung-nhan-{slug}.zip"'},
    )


@bp.route("/manage/<slug>/certificates/<int:certificate_id>.pdf")
@access("competition:organizer")
def download(slug, certificate_id):
    certificate = _of_competition(Certificate, find_by_slug(slug), certificate_id)
    return _pdf(domain.render(certificate), domain.file_name(certificate))


@bp.route("/manage/<slug>/certificates/<int:certificate_id>/correct", methods=["POST"])
@access("competition:organizer")
def correct(slug, certificate_id):
    certificate = _of_competition(Certificate, find_by_slug(slug), certificate_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        with atomic():
            if request.form.get("action") == "reissue":
                copy = domain.reissue(
                    certificate, request.form.get("reason", ""), person_name=request.form.get("person_name") or None
                )
                message = _("Reissued as %(serial)s; the old one now verifies as revoked.", serial=copy.serial)
            else:
                domain.revoke(certificate, request.form.get("reason", ""))
                message = _("The certificate has been revoked.")
    except DomainError as error:
        flash(error.message, "error")
    else:
        flash(message, "success")
    return redirect(url_for("certificates.index", slug=slug) + "#issued")


@bp.route("/teams/<int:team_id>/certificates/<int:certificate_id>.pdf")
@access("team:member")
def team_download(team_id, certificate_id):
    certificate = db.get_or_404(Certificate, certificate_id)
    if certificate.team_id != team_id or certificate.revoked_at is not None:
        abort(404)
    return _pdf(domain.render(certificate), domain.file_name(certificate), inline=False)


def team_certificates(team: Team) -> list[Certificate]:
    return domain.team_certificates(team.id)
