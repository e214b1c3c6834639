"""The yearly report as an XLSX workbook. Pure: plain data in, bytes out.

Sheets: the summary, one per breakdown table (titled by its translated heading), the
students' startups by school (when any), the competitions with their winners, the indicators against their targets.
Figures are stored as numbers with a number format, never as formulas, so any
reader (openpyxl included) gets the values back; every cell goes through the
one writer, contest.domain.exports.SheetWriter (text stays text, formula-like
text marked with quotePrefix).
"""

from __future__ import annotations

from openpyxl.styles import Font

from contest.domain.exports import BOLD, SheetWriter, add_sheet, new_workbook, workbook_bytes
from contest.numbers import vn_number
from contest.reports.figures import COLUMNS
from contest.reports.yearly import YearlyReport

INTEGER = "#,##0"
MONEY = '#,##0 "₫"'
PERCENT = "0.0%"
HEADING_FONT = Font(bold=True, size=13)


def _formats() -> list[str]:
    return [MONEY if key == "prize_money" else INTEGER for key in COLUMNS]


def write_xlsx(report: YearlyReport) -> bytes:
    """The workbook's bytes; every label comes translated in `report`."""
    labels = report.labels

    def label(key: str) -> str:
        return labels.get(key, key)

    def column_label(key: str) -> str:
        return report.column_labels.get(key, key)

    wb, taken = new_workbook()

    def new_sheet(title: str) -> SheetWriter:
        return add_sheet(wb, title, taken)

    # Summary: the year's totals as label/value rows.
    sheet = new_sheet(label("summary"))
    sheet.put([report.title], font=HEADING_FONT, measure=False)
    sheet.put([report.subtitle], measure=False)
    sheet.header([label("figure"), label("value")])
    for key, fmt in zip(COLUMNS, _formats(), strict=True):
        sheet.put([column_label(key), getattr(report.totals, key)], [None, fmt])
    sheet.finish("A4")

    # One sheet per breakdown table: heading, header, rows, total row.
    number_formats = [None, *_formats()]
    for table in report.tables:
        sheet = new_sheet(table.heading)  # "Theo đơn vị": the tab says what the sheet holds
        sheet.put([table.heading], font=HEADING_FONT, measure=False)
        sheet.header([table.row_heading, *(column_label(key) for key in COLUMNS)])
        for name, figures in table.breakdown.rows:
            sheet.put([name, *report.figure_row(figures)], number_formats)
        total = report.figure_row(table.breakdown.total)
        sheet.put([label("total_row"), *total], number_formats, font=BOLD)
        sheet.finish("B3")  # keep the header row and the row names in view

    # Students' startups by school (Đề án 1665), when any school had teams or clubs:
    # the total sums these rows only.
    if report.schools:
        sheet = new_sheet(label("schools"))  # "Theo trường"
        sheet.put([label("schools")], font=HEADING_FONT, measure=False)
        sheet.put([label("schools_note")], measure=False)
        sheet.header([label(key) for key in ("school", "teams", "entries_valid", "clubs")])
        school_formats = [None, INTEGER, INTEGER, INTEGER]
        for school in report.schools:
            sheet.put([school.name, school.teams, school.entries_valid, school.clubs], school_formats)
        together = report.schools_total()
        sheet.put([together.name, together.teams, together.entries_valid, together.clubs], school_formats, font=BOLD)
        sheet.finish("B4")

    # Competitions: one row per winner; the competition's own columns only on its first row,
    # so summing the teams column still counts each competition once.
    sheet = new_sheet(label("competitions"))
    sheet.put([label("competitions")], font=HEADING_FONT, measure=False)
    sheet.header(
        [
            label(key)
            for key in (
                "competition",
                "level",
                "unit",
                "state",
                "teams",
                "entries_valid",
                "rounds",
                "award",
                "code",
                "project",
                "team",
                "prize",
            )
        ]
    )
    formats = [None, None, None, None, INTEGER, INTEGER, None, None, None, None, None, MONEY]
    for competition in report.competitions:
        rounds = "; ".join(f"{name}: {vn_number(count)}" for name, count in competition.rounds)
        first = [
            competition.name,
            competition.level,
            competition.unit,
            competition.state,
            competition.teams,
            competition.entries_valid,
            rounds or None,
        ]
        for winner in competition.winners or (None,):
            won = [] if winner is None else [winner.award, winner.code, winner.title, winner.team, winner.prize or None]
            sheet.put([*first, *won], formats)
            first = [None] * len(first)
    sheet.finish("A3")

    # Indicators of the plan against their targets.
    sheet = new_sheet(label("indicators"))
    sheet.put([label("indicators")], font=HEADING_FONT, measure=False)
    sheet.header([label(key) for key in ("indicator", "period", "target", "in_year", "achieved", "percent", "status")])
    for row in report.indicators:
        target = row.progress.target
        if target is None:  # every row of the report is a target's
            continue
        span = vn_number(target.low)
        if target.high != target.low:
            span += f"–{vn_number(target.high)}"
        sheet.put(
            [
                row.label,
                row.period,
                span,
                row.year_value,
                row.progress.achieved,
                row.progress.percent_of_low / 100,
                row.status,
            ],
            [None, None, None, INTEGER, INTEGER, PERCENT, None],
        )
    sheet.finish("A3")

    return workbook_bytes(wb)
