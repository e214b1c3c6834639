"""The ecosystem dashboard, the yearly report's files, and the plan's targets."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
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
from contest.domain import followup, indicators, reports
from contest.domain import yearly_report as yearly
from contest.domain.errors import DomainError
from contest.extensions import db
from contest.forms.reports import FigureForm, TargetForm
from contest.i18n import format_day, format_number
from contest.models import CompetitionLevel, PlanFigure, PlanIndicator, PlanTarget
from contest.reports import charts
from contest.reports import figures as F
from contest.reports import indicators as indicators_module
from contest.reports.indicators import FROM_RECORDS_WITH_HAND_FIGURES, HAND_ENTERED, INDICATORS
from contest.request_guard import db_id
from contest.transactions import atomic

bp = Blueprint("reports", __name__, url_prefix="/reports")
register_rule("reports:viewer", lambda view_args: reports.may_see_reports(current_user))


def _int_arg(name: str) -> int | None:
    # An id or a year, or nothing: "²" passes str.isdigit() but not int(), a 20-digit number no column holds.
    return request.args.get(name, type=db_id)


def _filters(records: reports.Records) -> tuple[F.Filters, dict]:
    """The query string's filters, unknown values ignored (a stale link still works)."""
    chosen: dict[str, Any] = {
        "year": _int_arg("year"),
        "level": request.args.get("level") or None,
        "unit": _int_arg("unit"),
        "board": request.args.get("board") or None,
        "field": request.args.get("field") or None,
    }
    if chosen["year"] is not None and not 2000 <= chosen["year"] <= 2100:
        chosen["year"] = None
    if chosen["level"] not in {level.value for level in CompetitionLevel}:
        chosen["level"] = None
    if chosen["unit"] not in records.units:
        chosen["unit"] = None
    if chosen["board"] not in records.boards:
        chosen["board"] = None
    if chosen["field"] not in records.fields:
        chosen["field"] = None
    return F.Filters(
        year=chosen["year"],
        level=chosen["level"],
        unit_ids=reports.unit_scope(chosen["unit"]) if chosen["unit"] else None,
        board=chosen["board"],
        field=chosen["field"],
    ), chosen


def _units_to_offer(records: reports.Records) -> set[int]:
    """Units that hold something, with the units above them and those they were
    merged into: a current commune finds what its dissolved district held."""
    successors = reports.successor_ids()
    offered, todo = set(), [c.unit_id for c in records.competitions] + [t.unit_id for t in records.teams if t.unit_id]
    while todo:
        unit_id = todo.pop()
        if unit_id in offered or unit_id not in records.units:
            continue
        offered.add(unit_id)
        unit = records.units[unit_id]
        todo += successors.get(unit_id, []) + ([unit.parent_id] if unit.parent_id is not None else [])
    return offered


def _as_of(default: date) -> tuple[date, str | None]:
    """The day the indicators are counted to (?as_of=YYYY-MM-DD, the date field's value), and the
    field's message when the value is no day: the page then counts to `default` and says so."""
    try:
        return indicators.parse_as_of(request.args.get("as_of"), default), None
    except DomainError as error:
        return default, " ".join((error.message, _("The figures are counted to %(day)s.", day=format_day(default))))


@bp.route("/")
@access("reports:viewer")
def dashboard():
    as_of, as_of_error = _as_of(indicators.local_today())
    records = reports.load_records(reports.visible_competition_ids(current_user))
    filters, chosen = _filters(records)
    tables = reports.breakdowns(records, filters)
    totals = F.compute(records.competitions, records.teams, filters)
    # The trend ignores the year filter: it is the years side by side.
    trend_filters = F.Filters(level=filters.level, unit_ids=filters.unit_ids, board=filters.board, field=filters.field)
    trend = reports.breakdowns(records, trend_filters)["year"]
    years = [year for year, _ in trend.rows]
    series = [
        (_("Teams"), [f.teams for _, f in trend.rows]),
        (_("Valid entries"), [f.entries_valid for _, f in trend.rows]),
        (_("Teams led by a woman"), [f.women_led_teams for _, f in trend.rows]),
        (
            _("Women-owned businesses (women own ≥ 51 % and manage)"),
            [f.women_owned_businesses for _, f in trend.rows],
        ),
    ]
    # SVG drawn by contest.reports.charts, every text in it escaped there.
    chart = {
        "unit": charts.bar_chart(
            _("Teams by unit"), [(k, f.teams) for k, f in tables["unit"].rows], number=format_number
        ),
        "field": charts.bar_chart(
            _("Valid entries by field"), [(k, f.entries_valid) for k, f in tables["field"].rows], number=format_number
        ),
        "trend": charts.trend_chart(_("Teams and entries by year"), years, series, number=format_number),
    }
    round_names = {}
    for c in records.competitions:
        for position, name in c.rounds:
            round_names.setdefault(position, name)
    used_units = sorted(_units_to_offer(records), key=lambda u: records.units[u].name)
    # Student startup clubs by school, beside the school breakdown: the year and unit filters apply.
    clubs = [
        (reports.unit_label(school), n)
        for school, n in reports.clubs_by_school(
            filters.year, unit_ids=filters.unit_ids, seen_ids=reports.visible_unit_ids(current_user)
        )
    ]
    return render_template(
        "reports/dashboard.html",
        totals=totals,
        tables=tables,
        clubs=clubs,
        chart=chart,
        chosen=chosen,
        trend=trend,
        columns=F.COLUMNS,
        labels=reports.column_labels(),
        round_names=round_names,
        years=reports.report_years(records, reports.visible_unit_ids(current_user)),
        levels=[(level.value, reports.level_label(level.value)) for level in CompetitionLevel],
        units=[(u, reports.unit_label(records.units[u])) for u in used_units],
        boards=records.boards,
        fields=records.fields,
        progress=reports.plan_progress(reports.visible_competition_ids(current_user), as_of),
        as_of=as_of,
        as_of_error=as_of_error,
        status_labels=reports.status_labels(),
        scope=reports.figures_scope(current_user),
    ), 400 if as_of_error else 200


@bp.route("/yearly")
@access("reports:viewer")
def yearly_page():
    records = reports.load_records(reports.visible_competition_ids(current_user))
    years = reports.report_years(records, reports.visible_unit_ids(current_user)) or [date.today().year]
    return render_template("reports/yearly.html", years=years, scope=reports.figures_scope(current_user))


@bp.route("/yearly/<int:year>.<fmt>")
@access("reports:viewer")
def yearly_file(year, fmt):
    if fmt not in ("xlsx", "pdf"):
        return redirect(url_for("reports.yearly_page"))
    if not 2000 <= year <= 2100:
        abort(404)
    try:
        as_of = indicators.parse_as_of(request.args.get("as_of"), date(year, 12, 31))
    except DomainError as error:
        abort(400, error.message)  # the site's error page (contest.factory), with the field's message
    report = yearly.build(
        year,
        reports.visible_competition_ids(current_user),
        current_app.config["REPORT_ORGANISATION"],
        as_of=as_of,
        seen_units=reports.visible_unit_ids(current_user),  # whose clubs count, as on the dashboard
        scope=reports.figures_scope(current_user),
    )
    if fmt == "xlsx":
        from contest.reports.xlsx import write_xlsx

        data, mimetype = write_xlsx(report), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        from contest.reports.pdf import write_pdf

        data, mimetype = write_pdf(report), "application/pdf"
    return Response(
        data,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="bao-cao-nam-{year}.{fmt}"',
            "Cache-Control": "private, no-store",
        },
    )


@bp.route("/targets", methods=["GET", "POST"])
@access("admin")
def targets():
    labels = reports.indicator_labels()
    target_form = TargetForm(prefix="target")
    target_form.indicator.choices = list(labels.items())
    figure_form = FigureForm(prefix="figure")
    figure_form.indicator.choices = [(key, labels[key]) for key in HAND_ENTERED]
    if request.method == "POST":
        form = target_form if request.form.get("action") == "target" else figure_form
        if form.validate_on_submit():
            try:
                with atomic():
                    if form is target_form:
                        followup.set_target(
                            form.start_year.data,
                            form.end_year.data,
                            PlanIndicator(form.indicator.data),
                            form.low.data,
                            form.high.data,
                        )
                    else:
                        followup.set_figure(
                            form.year.data,
                            PlanIndicator(form.indicator.data),
                            form.value.data,
                            form.note.data or "",
                            current_user,
                            form.source_document.data or "",
                        )
            except DomainError as error:
                flash(error.message, "error")
            else:
                flash(_("Saved."), "success")
                return redirect(url_for("reports.targets"))
    else:
        followup.ensure_default_targets()
    return render_template(
        "reports/targets.html",
        target_form=target_form,
        figure_form=figure_form,
        labels=labels,
        targets=db.session.scalars(
            select(PlanTarget).order_by(PlanTarget.plan_id, PlanTarget.start_year, PlanTarget.indicator)
        ).all(),
        figures=db.session.scalars(select(PlanFigure).order_by(PlanFigure.year.desc())).all(),
    )


@bp.route("/indicators/<indicator>")
@access("reports:viewer")
def indicator(indicator):
    """The drill-down: the records behind an indicator's number, for a period
    (?start=&end=, else each target's) as of a day (?as_of=, else today)."""
    if indicator not in INDICATORS:
        abort(404)
    as_of, as_of_error = _as_of(indicators.local_today())
    if as_of_error:
        flash(as_of_error, "error")
    start, end = _int_arg("start"), _int_arg("end")
    visible = reports.visible_competition_ids(current_user)
    facts = indicators.load_facts(visible)
    if start and end and 2000 <= start <= end <= 2100:
        shown = [indicators_module.compute(indicator, facts, start, end, min(as_of, date(end, 12, 31)))]
    else:
        plan = indicators.plan_for(as_of)
        shown = [
            v
            for v in indicators_module.against_targets(indicators.targets(plan), facts, as_of)
            if v.indicator == indicator
        ]
    return render_template(
        "reports/indicator.html",
        indicator=indicator,
        label=reports.indicator_labels()[indicator],
        values=shown,
        as_of=as_of,
        status_labels=reports.status_labels(),
        hand_entered=indicator in HAND_ENTERED and indicator not in FROM_RECORDS_WITH_HAND_FIGURES,
        scope=reports.figures_scope(current_user),
    ), 400 if as_of_error else 200
