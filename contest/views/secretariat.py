"""The secretariat (Tổ thư ký): list, filter, open and check entries; export."""

from urllib.parse import parse_qsl, urlencode

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from contest.access import access
from contest.domain import attachments
from contest.domain import entries as entries_domain
from contest.domain.competitions import can_organize, find_by_slug
from contest.domain.entry_list import EXPORT_HEADERS, EntryFilter, export_rows, list_entries
from contest.domain.errors import DomainError
from contest.domain.exports import to_csv, to_xlsx
from contest.domain.teams import is_student_team, is_women_led
from contest.extensions import db
from contest.forms.entries import ValidityForm
from contest.forms.teams import ConfirmForm
from contest.models import Entry, EntryStatus, EntryValidity, OrgUnit
from contest.request_guard import db_id
from contest.transactions import atomic
from contest.views import form_status, show_domain_error

bp = Blueprint("secretariat", __name__, url_prefix="/manage/<slug>/entries")


def _int(name):
    # An id, or nothing: "²" passes str.isdigit() but not int(), a 20-digit number no column holds.
    return request.args.get(name, type=db_id)


def _filter_from_request() -> EntryFilter:
    status = request.args.get("status")
    validity = request.args.get("validity")
    return EntryFilter(
        board_id=_int("board"),
        field_id=_int("field"),
        org_unit_id=_int("unit"),
        status=EntryStatus(status) if status in EntryStatus._value2member_map_ else None,
        validity=EntryValidity(validity) if validity in EntryValidity._value2member_map_ else None,
        women_led=request.args.get("women_led") == "1",
        women_owned=request.args.get("women_owned") == "1",
        student_team=request.args.get("student") == "1",
        query=(request.args.get("q") or "")[:100],
    )


@bp.route("/")
@access("competition:secretariat")
def index(slug):
    competition = find_by_slug(slug)
    entries = list_entries(competition, _filter_from_request())
    units = db.session.scalars(select(OrgUnit).order_by(OrgUnit.code)).all()
    return render_template(
        "secretariat/index.html",
        competition=competition,
        entries=entries,
        units=units,
        args=request.args,
        women_led=is_women_led,
        women_owned=entries_domain.is_women_owned,
        student_team=is_student_team,
        confirm_form=ConfirmForm(),
    )


@bp.route("/validity", methods=["POST"])
@access("competition:secretariat")
def bulk_validity(slug):
    """One check result for the ticked entries (each audited, each team told)."""
    competition = find_by_slug(slug)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    value = request.form.get("validity", "")
    if value not in ("valid", "invalid"):
        abort(400)
    ids = request.form.getlist("entry", type=db_id)
    try:
        with atomic():
            done = entries_domain.set_validity_many(competition, ids, EntryValidity(value), request.form.get("reason"))
    except DomainError as error:
        flash(error.message, "error")
    else:
        message = _("%(n)d entries checked; each team has been told.", n=done.changed)
        if done.unchanged:
            message += " " + _("%(n)d already had this result.", n=done.unchanged)
        if done.not_submitted:
            message += " " + _("%(n)d are not submitted and were left alone.", n=done.not_submitted)
        flash(message, "success" if done.changed else "warning")
    # Back to the list as it was filtered: only the filter's query is taken from the form.
    query = urlencode(parse_qsl(request.form.get("filters", "")[:500]))
    return redirect(url_for("secretariat.index", slug=slug) + (f"?{query}" if query else ""))


def _export_name(competition, ext):
    return f"ho-so-{competition.slug}.{ext}"


@bp.route("/export.csv")
@access("competition:secretariat")
def export_csv(slug):
    competition = find_by_slug(slug)
    data = to_csv(EXPORT_HEADERS, export_rows(list_entries(competition, _filter_from_request())))
    return Response(
        data,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_export_name(competition, "csv")}"'},
    )


@bp.route("/export.xlsx")
@access("competition:secretariat")
def export_xlsx(slug):
    competition = find_by_slug(slug)
    data = to_xlsx([("Hồ sơ dự thi", EXPORT_HEADERS, export_rows(list_entries(competition, _filter_from_request())))])
    return Response(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{_export_name(competition, "xlsx")}"'},
    )


def _entry_of(competition, entry_id) -> Entry:
    entry = db.get_or_404(Entry, entry_id)
    if entry.competition_id != competition.id:
        abort(404)
    return entry


@bp.route("/<int:entry_id>", methods=["GET", "POST"])
@access("competition:secretariat")
def show(slug, entry_id):
    competition = find_by_slug(slug)
    entry = _entry_of(competition, entry_id)
    form = ValidityForm()
    if request.method == "GET":
        form.validity.data = "invalid" if entry.validity is EntryValidity.invalid else "valid"
        form.reason.data = entry.validity_reason
    if form.validate_on_submit():
        try:
            with atomic():
                entries_domain.set_validity(entry, EntryValidity(form.validity.data), form.reason.data)
        except DomainError as error:
            show_domain_error(form, error)
        else:
            flash(_("The check has been saved and the team has been told."), "success")
            return redirect(url_for("secretariat.show", slug=slug, entry_id=entry.id))
    return render_template(
        "secretariat/show.html",
        competition=competition,
        entry=entry,
        form=form,
        attachment_labels=attachments.ATTACHMENT_LABELS,
        storage=attachments.storage_use(entry),
        retention_days=attachments.retention_days(),
        may_purge=can_organize(current_user, competition),
        confirm_form=ConfirmForm(),
        women_led=is_women_led(entry.team),
        women_owned=entries_domain.is_women_owned(entry),
        student_team=is_student_team(entry.team),
    ), form_status(form)


@bp.route("/<int:entry_id>/purge-earlier-files", methods=["POST"])
@access("competition:organizer")
def purge_earlier_files(slug, entry_id):
    """Delete now the contents of the entry's replaced and removed files (audited)."""
    competition = find_by_slug(slug)
    entry = _entry_of(competition, entry_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    freed = attachments.storage_use(entry).earlier_mb
    count = attachments.purge_earlier_files(entry)
    if count:
        flash(
            _(
                "The contents of %(count)d earlier files were deleted (%(mb)s MB freed); their records are kept.",
                count=count,
                mb=freed,
            ),
            "success",
        )
    else:
        flash(_("There are no stored earlier versions to delete."), "info")
    return redirect(url_for("secretariat.show", slug=slug, entry_id=entry.id) + "#files")
