"""The yearly report (units by 10 December, the Department to the province by
15 December): the year's figures by level, unit, board and field, the
students' startups by school (Đề án 1665), every competition with its winners,
and the plan's indicators against targets. Built once as plain data;
`contest.reports.xlsx` and `.pdf` lay it out."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from contest.domain import reports
from contest.extensions import db
from contest.models import Entry, Team
from contest.reports import figures as F
from contest.reports.yearly import CompetitionSummary, IndicatorRow, SchoolRow, Table, Winner, YearlyReport


def _labels() -> dict[str, str]:
    return {
        "summary": _("Overview of the year"),
        "figure": _("Figure"),
        "value": _("Value"),
        "total_row": _("All together"),
        "competitions": _("Competitions and their winners"),
        "competition": _("Competition"),
        "level": _("Level"),
        "unit": _("Organising unit"),
        "state": _("State"),
        "teams": _("Teams"),
        "entries_valid": _("Valid entries"),
        "rounds": _("Rounds"),
        "winners": _("Winners"),
        "award": _("Award"),
        "code": _("Code"),
        "project": _("Project"),
        "team": _("Team"),
        "prize": _("Prize (đồng)"),
        "indicators": _("The plan's indicators"),
        "indicator": _("Indicator"),
        "period": _("Period"),
        "target": _("Target"),
        "achieved": _("Achieved"),
        "percent": _("Share of the lower target"),
        "status": _("Assessment"),
        "in_year": _("In the year"),
        "schools": _("By school"),
        "school": _("School"),
        "clubs": _("Startup clubs formed"),
        "schools_note": _(
            "Students' startups (Đề án 1665): the teams registered from each school and their valid entries, "
            "and the startup clubs formed at the school in the year as the units recorded them."
        ),
    }


def _schools(school: F.Breakdown, clubs: list[tuple[str, int]]) -> list[SchoolRow]:
    """One row per school: its teams and valid entries from the school breakdown's rows
    (whose total, on the dashboard, is their sum too), and the clubs formed there."""
    rows = {name: SchoolRow(name, figures.teams, figures.entries_valid, 0) for name, figures in school.rows}
    for name, n in clubs:
        row = rows.get(name, SchoolRow(name, 0, 0, 0))
        rows[name] = SchoolRow(name, row.teams, row.entries_valid, row.clubs + n)
    return sorted(rows.values(), key=lambda row: row.name)


def _summaries(records: reports.Records, year: int) -> list[CompetitionSummary]:
    filters = F.Filters(year=year)
    chosen = [c for c in records.competitions if filters.keeps_competition(c) and c.held]
    by_competition: dict[int, list[F.TeamRecord]] = {c.id: [] for c in chosen}
    for team in records.teams:
        if team.competition_id in by_competition:
            by_competition[team.competition_id].append(team)
    awards = records.awards
    entries = db.session.execute(
        select(Entry.id, Entry.code, Entry.title, Team.name, Entry.competition_id)
        .join(Team, Team.id == Entry.team_id)
        .where(Entry.id.in_(list(awards)), Entry.competition_id.in_(list(by_competition)))
    ).all()
    winners: dict[int, list[Winner]] = {}
    for entry_id, code, title, team_name, competition_id in entries:
        for award, prize in awards[entry_id]:
            winners.setdefault(competition_id, []).append(Winner(award, code or "", title, team_name, prize))
    result = []
    for c in sorted(chosen, key=lambda c: (c.level, c.name)):
        teams = by_competition[c.id]
        rounds = tuple((name, sum(1 for t in teams if position in t.rounds_reached)) for position, name in c.rounds)
        result.append(
            CompetitionSummary(
                name=c.name,
                level=reports.level_label(c.level),
                unit=reports.unit_label(records.units.get(c.unit_id)),
                state=reports.state_label(records.states[c.id]),
                teams=len(teams),
                entries_valid=sum(t.valid for t in teams),
                rounds=rounds,
                winners=tuple(sorted(winners.get(c.id, []), key=lambda w: (-w.prize, w.award, w.code))),
            )
        )
    return result


def build(
    year: int,
    visible: list[int] | None,
    organisation: str,
    today: date | None = None,
    as_of: date | None = None,
    *,
    seen_units: frozenset[int] | None = None,
    scope: str | None = None,
) -> YearlyReport:
    """The report of `year` as of `as_of` (31/12 of the year unless chosen): a
    report for a past year is the same whenever it is produced.

    `visible`: the competitions counted (reports.visible_competition_ids; None: all).
    `seen_units`: the units whose recorded clubs are counted (reports.visible_unit_ids;
    None: all). Clubs belong to units, not competitions, so a report restricted to some
    competitions but given no units counts no club rather than every one.
    `scope`: what the figures cover in words (reports.figures_scope), added to the subtitle."""
    today = today or date.today()
    if visible is not None and seen_units is None:
        seen_units = frozenset()
    as_of = as_of or date(year, 12, 31)
    records = reports.load_records(visible)
    filters = F.Filters(year=year)
    tables = reports.breakdowns(records, filters)
    headings = {
        "level": (_("By level"), _("Level")),
        "unit": (_("By unit"), _("Unit")),
        "board": (_("By board"), _("Board")),
        "field": (_("By field"), _("Field")),
    }
    status = reports.status_labels()
    clubs = [(reports.unit_label(school), n) for school, n in reports.clubs_by_school(year, seen_ids=seen_units)]
    return YearlyReport(
        year=year,
        title=_("Report on the startup competitions and ecosystem, %(year)s", year=year),
        subtitle=" · ".join(
            part
            for part in (
                _(
                    "%(organisation)s — made on %(day)s",
                    organisation=organisation,
                    day=format_date(today, "dd/MM/yyyy"),
                ),
                scope,
            )
            if part
        ),
        generated_on=today,
        as_of=as_of,
        column_labels=reports.column_labels(),
        totals=F.compute(records.competitions, records.teams, filters),
        tables=[Table(key, heading, row_heading, tables[key]) for key, (heading, row_heading) in headings.items()],
        competitions=_summaries(records, year),
        indicators=[
            IndicatorRow(label, period, p, status[p.status], p.per_year.get(year, 0))
            for p, label, period in reports.plan_progress(visible, as_of)
            if p.start_year <= year <= p.end_year
        ],
        labels=_labels(),
        schools=_schools(tables["school"], clubs),
    )
