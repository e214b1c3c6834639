"""The yearly report as an XLSX workbook. Pure: plain data in, bytes out.

Sheets: the summary, one per breakdown table (titled by the table's key), the
competitions with their winners, the indicators against their targets.
Figures are stored as numbers with a number format, never as formulas, so any
reader (openpyxl included) gets the values back.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from contest.domain.exports import EXCEL_MAX_TEXT, FORMULA_TRIGGERS, sheet_title
from contest.numbers import vn_number
from contest.reports.figures import COLUMNS
from contest.reports.yearly import YearlyReport

INTEGER = "#,##0"
MONEY = '#,##0 "₫"'
PERCENT = "0.0%"
HEADING_FONT = Font(bold=True, size=13)
BOLD = Font(bold=True)
MIN_WIDTH, MAX_WIDTH = 8, 50


def _text(value: str) -> str:
    # openpyxl refuses control characters; NFC so searching finds "ệ" however it was typed.
    return ILLEGAL_CHARACTERS_RE.sub("", unicodedata.normalize("NFC", value))[:EXCEL_MAX_TEXT]


class _Sheet:
    """Writes rows top-down and tracks column widths from what it wrote."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 0
        self.widths: dict[int, int] = {}

    def put(self, values: Sequence[Any], formats: Sequence[str | None] = (), *,
            font: Font | None = None, measure: bool = True) -> None:
        self.row += 1
        for column, value in enumerate(values, start=1):
            cell = self.ws.cell(row=self.row, column=column)
            fmt = formats[column - 1] if column <= len(formats) else None
            if isinstance(value, str):
                cell.value = text = _text(value)
                # Typed text stays text: data_type "s" is written as an inline string,
                # never a formula, and quotePrefix keeps Excel from running "=1+2"
                # when someone edits the cell (the value itself is left unchanged).
                cell.data_type = "s"
                if text.lstrip().startswith(FORMULA_TRIGGERS):
                    cell.quotePrefix = True
                width = max((len(line) for line in text.splitlines()), default=0)
            else:
                cell.value = value
                if value is not None and fmt:
                    cell.number_format = fmt
                # Formatted numbers gain separators (and " ₫"): measure them so.
                width = 0 if value is None else len(f"{value:,}") + (2 if fmt == MONEY else 0)
            if font is not None:
                cell.font = font
            if measure:
                self.widths[column] = max(self.widths.get(column, 0), width)

    def header(self, labels: Sequence[str]) -> None:
        self.put(labels, font=BOLD)
        for cell in self.ws[self.row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    def finish(self, freeze: str) -> None:
        self.ws.freeze_panes = freeze
        for column, width in self.widths.items():
            letter = get_column_letter(column)
            self.ws.column_dimensions[letter].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)


def _formats() -> list[str]:
    return [MONEY if key == "prize_money" else INTEGER for key in COLUMNS]


def write_xlsx(report: YearlyReport) -> bytes:
    """The workbook's bytes; every label comes translated in `report`."""
    labels = report.labels

    def label(key: str) -> str:
        return labels.get(key, key)

    def column_label(key: str) -> str:
        return report.column_labels.get(key, key)

    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()

    def new_sheet(title: str) -> _Sheet:
        return _Sheet(wb.create_sheet(title=sheet_title(title, taken)))

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
        sheet = new_sheet(table.key)
        sheet.put([table.heading], font=HEADING_FONT, measure=False)
        sheet.header([table.row_heading, *(column_label(key) for key in COLUMNS)])
        for name, figures in table.breakdown.rows:
            sheet.put([name, *report.figure_row(figures)], number_formats)
        total = report.figure_row(table.breakdown.total)
        sheet.put([label("total_row"), *total], number_formats, font=BOLD)
        sheet.finish("B3")  # keep the header row and the row names in view

    # Competitions: one row per winner; the competition's own columns only on its first row,
    # so summing the teams column still counts each competition once.
    sheet = new_sheet(label("competitions"))
    sheet.put([label("competitions")], font=HEADING_FONT, measure=False)
    sheet.header([label(key) for key in (
        "competition", "level", "unit", "state", "teams", "entries_valid", "rounds",
        "award", "code", "project", "team", "prize")])
    formats = [None, None, None, None, INTEGER, INTEGER, None, None, None, None, None, MONEY]
    for competition in report.competitions:
        rounds = "; ".join(f"{name}: {vn_number(count)}" for name, count in competition.rounds)
        first = [competition.name, competition.level, competition.unit, competition.state,
                 competition.teams, competition.entries_valid, rounds or None]
        for winner in competition.winners or (None,):
            won = [] if winner is None else [
                winner.award, winner.code, winner.title, winner.team, winner.prize or None]
            sheet.put([*first, *won], formats)
            first = [None] * len(first)
    sheet.finish("A3")

    # Indicators of the plan against their targets.
    sheet = new_sheet(label("indicators"))
    sheet.put([label("indicators")], font=HEADING_FONT, measure=False)
    sheet.header([label(key) for key in (
        "indicator", "period", "target", "achieved", "percent", "status")])
    for row in report.indicators:
        target = row.progress.target
        span = vn_number(target.low)
        if target.high != target.low:
            span += f"–{vn_number(target.high)}"
        sheet.put([row.label, row.period, span, row.progress.achieved,
                   row.progress.percent_of_low / 100, row.status],
                  [None, None, None, INTEGER, PERCENT, None])
    sheet.finish("A3")

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
