"""The plan's yearly cycle: a unit officer records activities and submits the
unit's plan and results; the Department's officer sees who has submitted and
who is late, returns plans, consolidates and downloads the documents."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from contest.access import access, register_rule
from contest.domain import reporting_cycle as cycle
from contest.domain import reporting_documents as documents
from contest.domain import unit_officers
from contest.domain.errors import DomainError
from contest.extensions import db
from contest.forms.base import Form
from contest.forms.orgunits import KIND_LABELS
from contest.forms.reporting import ACTIVITY_LABELS, LINE_FORMS, ActivityForm, ExpectedUnitsForm
from contest.models import Activity, ActivityKind, OrgUnit, OrgUnitKind, ProvinceReport, ReportKind, UnitReport
from contest.reports.admin_document import write_docx, write_pdf
from contest.reports.consolidate import COUNT_KEYS, FIGURE_KEYS
from contest.transactions import atomic

bp = Blueprint("reporting", __name__, url_prefix="/reporting")
register_rule("reporting:unit", lambda args: cycle.is_unit_officer(current_user, args["unit_id"], args.get("year")))
register_rule("reporting:department", lambda args: cycle.is_department_officer(current_user))
register_rule(
    "reporting:any", lambda args: cycle.is_department_officer(current_user) or bool(cycle.officer_units(current_user))
)
MIMETYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
LINE_FIELDS = {ReportKind.plan: ("what", "when", "budget", "source"), ReportKind.results: ("result",)}


def figure_labels() -> dict[str, str]:
    return {
        "projects": _("Startup projects supported"),
        "competitions": _("Competitions held"),
        "events": _("Events"),
        "participants": _("Participants in events"),
        "clubs": _("Startup clubs"),
        "coworking": _("Co-working spaces"),
        "support_organisations": _("Support organisations"),
        "service_areas": _("Concentrated service areas"),
        "incubations": _("Incubations"),
        "mentoring": _("Mentoring given"),
        "funds": _("Fund decisions"),
    }


def state_labels() -> dict[str, str]:
    return {
        "none": _("Not started yet"),  # not "Not started": a judge's sheet in Vietnamese
        "draft": _("Draft"),
        "submitted": _("Submitted"),
        "returned": _("Returned for changes"),
    }


def nav_links(_app) -> list[tuple[str, str]]:
    """The menu's link for those who report: administrators and unit officers. The officer check is
    the one the units' own menu link makes (no statement for an account holding no unit role, one
    per request, shared, for an officer)."""
    if not current_user.is_authenticated:
        return []
    if current_user.is_admin or unit_officers.own_unit_ids(current_user):
        return [(_("Plan reporting"), url_for("reporting.home"))]
    return []


def _unit(unit_id: int) -> OrgUnit:
    return db.get_or_404(OrgUnit, unit_id)


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        abort(404)
    return year


def _file(document, fmt: str, name: str) -> Response:
    if fmt not in MIMETYPES:
        abort(404)
    data = write_docx(document) if fmt == "docx" else write_pdf(document)
    return Response(
        data,
        mimetype=MIMETYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}.{fmt}"', "Cache-Control": "private, no-store"},
    )


@bp.route("/")
@access("reporting:any")
def home():
    year = cycle.clock_today().year
    units = cycle.officer_units(current_user)
    return render_template(
        "reporting/home.html",
        units=units,
        # The years each unit reports for: this one and the last, or, for a unit that has ended, the
        # last year it reports for (its officers act for no later one).
        years={
            unit.id: [y for y in (year, year - 1) if not cycle.ended_before(unit, y)]
            or [unit.valid_to.year if unit.valid_to else year]
            for unit in units
        },
        year=year,
        department=cycle.is_department_officer(current_user),
    )


@bp.route("/plan")
@access("reporting:any")
def plan():
    year = cycle.clock_today().year
    current = cycle.current_plan() or abort(404)
    return render_template(
        "reporting/plan.html", plan=current, year=year, leads={t.id: cycle.lead_labels(t, year) for t in current.tasks}
    )


@bp.route("/unit/<int:unit_id>/<int:year>", methods=["GET", "POST"])
@access("reporting:unit", "reporting:department")
def unit_year(unit_id, year):
    unit, year = _unit(unit_id), _year(year)
    form = ActivityForm()
    tasks = cycle.tasks_for(unit, year)
    form.task.choices = [("", _("(none)"))] + [(str(t.id), f"{t.number}. {t.text[:90]}") for t in tasks]
    schools = cycle.club_schools(cycle.clock_today())
    form.school_id.choices = [("", _("(none)"))] + [(str(s.id), s.name) for s in schools]
    if request.method == "POST":
        if not cycle.is_unit_officer(current_user, unit.id, year):
            abort(403)
        if form.validate_on_submit():
            try:
                with atomic():
                    cycle.record_activity(
                        unit,
                        cycle.ActivityInput(
                            kind=ActivityKind(form.kind.data),
                            title=form.title.data,
                            occurred_on=form.occurred_on.data,
                            participants=form.participants.data,
                            evidence_url=form.evidence_url.data,
                            task_id=int(form.task.data) if form.task.data else None,
                            note=form.note.data or "",
                            school_id=int(form.school_id.data) if form.school_id.data else None,
                        ),
                        current_user,
                        year=year,
                    )
                    flash(_("Activity recorded."), "success")
                    return redirect(url_for("reporting.unit_year", unit_id=unit.id, year=year))
            except DomainError as error:
                getattr(form, error.field or "title", form.title).errors.append(error.message)
    found = {
        kind: db.session.scalar(
            select(UnitReport).where(UnitReport.unit_id == unit.id, UnitReport.year == y, UnitReport.kind == kind)
        )
        for kind, y in ((ReportKind.results, year), (ReportKind.plan, year + 1))
    }
    return render_template(
        "reporting/unit.html",
        unit=unit,
        year=year,
        form=form,
        tasks=tasks,
        activities=cycle.activities_of(unit, year),
        kinds=ACTIVITY_LABELS,
        club=ActivityKind.club.value,
        schools=schools,
        states=state_labels(),
        results=found[ReportKind.results],
        plan=found[ReportKind.plan],
        plan_asked=found[ReportKind.plan] is not None or not cycle.ended_before(unit, year + 1),
        results_due=cycle.deadline("results", year),
        plan_due=cycle.deadline("plan", year + 1),
        results_late=cycle.sent_late(found[ReportKind.results], cycle.deadline("results", year)),
        plan_late=cycle.sent_late(found[ReportKind.plan], cycle.deadline("plan", year + 1)),
        leads={t.id: cycle.lead_labels(t, year) for t in tasks},
        done=cycle.done_per_task(unit, year),
        closed=cycle.results_closed(unit, year),
        editable=cycle.is_unit_officer(current_user, unit.id),
        remove_form=Form(),
    ), 400 if request.method == "POST" else 200


@bp.route("/unit/<int:unit_id>/<int:year>/activities/<int:activity_id>/remove", methods=["POST"])
@access("reporting:unit")
def remove_activity(unit_id, year, activity_id):
    unit, year = _unit(unit_id), _year(year)
    if not Form().validate_on_submit():
        abort(400)
    activity = db.get_or_404(Activity, activity_id)
    if activity.unit_id != unit.id or activity.occurred_on.year != year:
        abort(404)
    try:
        with atomic():
            cycle.remove_activity(unit, activity, current_user)
            flash(_("Activity removed."), "success")
    except DomainError as error:
        flash(error.message, "error")
    return redirect(url_for("reporting.unit_year", unit_id=unit.id, year=year))


def _report_page(unit_id: int, year: int, kind: ReportKind):
    """The report's page. A GET writes nothing: before the first save it shows a blank report, not
    started, prefilled from the records; the first save (a POST) makes the report's row."""
    unit, year = _unit(unit_id), _year(year)
    form = Form()
    status, rows = 200, {}
    if request.method == "POST":
        if not cycle.is_unit_officer(current_user, unit.id, year):
            abort(403)
        if not form.validate_on_submit():
            abort(400)
        action = request.form.get("action", "save")
        shown = cycle.shown_report(unit, year, kind)  # its task lines, without writing
        rows = {
            line["task"]: LINE_FORMS[kind](prefix=f"line-{line['task']}", meta={"csrf": False})
            for line in shown.content.get("lines", [])
        }
        rows_valid = all([row.validate() for row in rows.values()])  # every row, so each shows its errors
        lines = {  # a field not sent stays as it was
            task: {k: "" if row[k].data is None else row[k].data for k in LINE_FIELDS[kind] if row[k].raw_data}
            for task, row in rows.items()
        }
        figures, bad = {}, []
        for key in COUNT_KEYS if kind is ReportKind.results else ():
            raw = request.form.get(f"figure-{key}", "").strip()
            if raw.isascii() and raw.isdigit() and len(raw) <= 9:
                figures[key] = int(raw)
            elif raw:
                bad.append(figure_labels()[key])
        try:
            with atomic():
                if not rows_valid:
                    raise DomainError(_("Please correct the fields marked below."))
                if bad:
                    raise DomainError(_("Enter a whole number, 0 or more: %(fields)s", fields=", ".join(bad)))
                report = cycle.report_for(unit, year, kind)
                if action == "correct":
                    cycle.correct(report, lines, figures, request.form.get("reason", ""), current_user)
                    message = _("Correction saved as version %(version)d.", version=report.version)
                else:
                    cycle.save_draft(report, lines, figures)
                    message = _("Draft saved.")
                    if action == "submit":
                        cycle.submit(report, current_user)
                        message = _("Submitted to the Department of Science and Technology.")
                flash(message, "success")
                return redirect(request.path)
        except DomainError as error:
            flash(error.message, "error")
            status = 400
    return render_template(
        "reporting/report.html",
        unit=unit,
        year=year,
        kind=kind.value,
        report=cycle.shown_report(unit, year, kind),
        form=form,
        fields=LINE_FIELDS[kind],
        rows=rows,  # after a refusal: what was typed, with each field's errors
        limits=cycle.LINE_LIMITS,
        figure_keys=FIGURE_KEYS,
        count_keys=COUNT_KEYS,
        labels=figure_labels(),
        due=cycle.deadline(kind.value, year),
        editable=cycle.is_unit_officer(current_user, unit.id, year),
    ), status


@bp.route("/unit/<int:unit_id>/<int:year>/results", methods=["GET", "POST"])
@access("reporting:unit", "reporting:department")
def unit_results(unit_id, year):
    return _report_page(unit_id, year, ReportKind.results)


@bp.route("/unit/<int:unit_id>/<int:year>/plan", methods=["GET", "POST"])
@access("reporting:unit", "reporting:department")
def unit_plan(unit_id, year):
    return _report_page(unit_id, year, ReportKind.plan)


@bp.route("/unit/<int:unit_id>/<int:year>/results.<fmt>")
@access("reporting:unit", "reporting:department")
def unit_results_file(unit_id, year, fmt):
    report = cycle.shown_report(_unit(unit_id), _year(year), ReportKind.results)
    return _file(
        documents.unit_document(report, cycle.clock_today()), fmt, f"bao-cao-ket-qua-{year}-{report.unit.code}"
    )


@bp.route("/unit/<int:unit_id>/<int:year>/plan.<fmt>")
@access("reporting:unit", "reporting:department")
def unit_plan_file(unit_id, year, fmt):
    report = cycle.shown_report(_unit(unit_id), _year(year), ReportKind.plan)
    return _file(documents.unit_document(report, cycle.clock_today()), fmt, f"ke-hoach-{year}-{report.unit.code}")


@bp.route("/department/<int:year>")
@access("reporting:department")
def department(year):
    year, today = _year(year), cycle.clock_today()
    province = db.session.scalar(select(ProvinceReport).where(ProvinceReport.year == year))
    return render_template(
        "reporting/department.html",
        year=year,
        expected_count=len(cycle.expected_units(year)),
        today=today,
        form=Form(),
        province=province,
        sent_since=cycle.sent_since_consolidation(province) if province else [],
        results=cycle.statuses(year, ReportKind.results, today),
        plans=cycle.statuses(year + 1, ReportKind.plan, today),
        plans_due=cycle.deadline("plan", year + 1),
        results_due=cycle.deadline("results", year),
        province_due=cycle.deadline("province", year),
        labels=figure_labels(),
        figure_keys=FIGURE_KEYS,
    )


@bp.route("/department/<int:year>/units", methods=["GET", "POST"])
@access("reporting:department")
def expected_units(year):
    """Which units are asked for the year's results and the next year's plan."""
    year = _year(year)
    expected_now = cycle.expected_units(year)
    units = cycle.units_of_year(year)
    units += [u for u in expected_now if u not in units]  # kept even if its dates were changed since
    expected = {unit.id for unit in expected_now}
    form = ExpectedUnitsForm()
    form.units.choices = [(unit.id, unit.name) for unit in units]
    suggest = request.args.get("suggest") == "1" or not expected
    status = 200
    if form.validate_on_submit():
        try:
            with atomic():
                cycle.set_expected_units(year, set(form.units.data), current_user)
            flash(_("The units expected to report for %(year)s are saved.", year=year), "success")
            return redirect(url_for("reporting.department", year=year))
        except DomainError as error:
            form.units.errors = [error.message]
            status = 400
    elif form.is_submitted():
        status = 400
    else:
        form.units.data = [u.id for u in cycle.suggested_units(year)] if suggest else sorted(expected)
    # The Department and the unions first, then the schools, then the localities.
    order = [OrgUnitKind.department, OrgUnitKind.youth_union, OrgUnitKind.womens_union, OrgUnitKind.school]
    order += [kind for kind in KIND_LABELS if kind not in order]
    groups: dict[str, list[OrgUnit]] = {}
    for unit in sorted(units, key=lambda u: order.index(u.kind)):
        groups.setdefault(str(KIND_LABELS[unit.kind]), []).append(unit)
    return render_template(
        "reporting/expected_units.html",
        year=year,
        form=form,
        groups=groups,
        suggested=suggest and not form.is_submitted(),
        deadline_results=cycle.deadline("results", year),
        deadline_plan=cycle.deadline("plan", year + 1),
    ), status


@bp.route("/department/<int:year>/consolidate", methods=["POST"])
@access("reporting:department")
def consolidate(year):
    year = _year(year)
    if not Form().validate_on_submit():
        abort(400)
    try:
        with atomic():
            cycle.consolidate_year(year, current_user, cycle.clock_today())
            flash(_("The province's report for %(year)s is consolidated.", year=year), "success")
    except DomainError as error:
        flash(error.message, "error")
    return redirect(url_for("reporting.department", year=year))


def _return(unit_id: int, year: int, kind: ReportKind):
    unit, year = _unit(unit_id), _year(year)
    if not Form().validate_on_submit():
        abort(400)
    report = db.session.scalar(
        select(UnitReport).where(UnitReport.unit_id == unit.id, UnitReport.year == year, UnitReport.kind == kind)
    )
    if report is None:
        abort(404)
    try:
        with atomic():
            cycle.return_report(report, request.form.get("comment", ""), current_user)
            if kind is ReportKind.plan:
                flash(_("The plan was returned to %(unit)s.", unit=unit.name), "success")
            else:
                flash(_("The results were returned to %(unit)s.", unit=unit.name), "success")
    except DomainError as error:
        flash(error.message, "error")
    return redirect(url_for("reporting.department", year=year - 1 if kind is ReportKind.plan else year))


@bp.route("/department/<int:year>/plans/<int:unit_id>/return", methods=["POST"])
@access("reporting:department")
def return_plan(year, unit_id):
    return _return(unit_id, year, ReportKind.plan)


@bp.route("/department/<int:year>/results/<int:unit_id>/return", methods=["POST"])
@access("reporting:department")
def return_results(year, unit_id):
    """The Department reopens a unit's results (to add or remove an activity, say): the unit
    edits and sends them again."""
    return _return(unit_id, year, ReportKind.results)


@bp.route("/department/<int:year>/plans.<fmt>")
@access("reporting:department")
def province_plan_file(year, fmt):
    return _file(documents.province_plan_document(_year(year), cycle.clock_today()), fmt, f"ke-hoach-tong-hop-{year}")


@bp.route("/department/<int:year>/province.<fmt>")
@access("reporting:department")
def province_file(year, fmt):
    report = db.session.scalar(select(ProvinceReport).where(ProvinceReport.year == _year(year))) or abort(404)
    return _file(documents.province_document(report, cycle.clock_today()), fmt, f"bao-cao-tong-hop-{year}")
