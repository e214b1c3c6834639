"""The one spreadsheet writer (CSV and XLSX) of both wings, safe to open in
Excel or LibreOffice. Pure: no Flask, no database.

Cells hold text typed by teams, and a spreadsheet runs text that starts with
=, +, -, @, a tab or a carriage return (also after leading spaces) as a
formula. The defence differs by format, as OWASP's CSV-injection guidance
advises:

- XLSX: text is stored as text (an inline string, never a formula) and such
  a cell is marked with `quotePrefix`, so Excel keeps it text even when someone
  edits it; the value itself is left as typed.
- CSV has no cell types: such text gets a leading apostrophe.

Real numbers and dates are kept as numbers and dates; numbers carry no
locale (machine output). Every export goes through here: `to_csv`, `to_xlsx`
for plain tables, `SheetWriter` for laid-out workbooks (the yearly report).
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Vietnam has no daylight saving time, so a fixed offset is exact (and needs no tzdata).
VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")
EXCEL_MAX_TEXT = 32767
SHEET_TITLE_MAX = 31
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
BOLD = Font(bold=True)
MIN_WIDTH, MAX_WIDTH = 8, 60

Row = Sequence[Any]
Sheet = tuple[str, Sequence[Any], Iterable[Row]]


def looks_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS) or text.lstrip().startswith(FORMULA_TRIGGERS)


def plain_cell(value: Any) -> Any:
    """Numbers, dates, booleans and None unchanged; anything else as its text
    (an enum as its value), NFC so searching finds "ệ" however it was typed."""
    if value is None or isinstance(value, bool | int | float | Decimal | date):
        return value
    if isinstance(value, Enum):
        value = value.value
        if not isinstance(value, str):
            return plain_cell(value)
    # str.__str__ keeps the characters of str subclasses; str(x) could change them.
    text = str.__str__(value) if isinstance(value, str) else str(value)
    return unicodedata.normalize("NFC", text)


def safe_cell(value: Any) -> Any:
    """A CSV cell: as plain_cell, with a leading apostrophe on text a
    spreadsheet would read as a formula."""
    value = plain_cell(value)
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


def _local(value: datetime) -> datetime:
    """Excel has no time zones: show aware times in Vietnam time, naive ones as given."""
    if value.tzinfo is None:
        return value
    return value.astimezone(VIETNAM_TZ).replace(tzinfo=None)


# -- CSV ---------------------------------------------------------------------------


def _csv_text(value: Any) -> str:
    value = safe_cell(value)
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()  # unambiguous whatever the reader's locale
    return str(value)


def to_csv(headers: Sequence[Any], rows: Iterable[Row]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows Vietnamese correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([_csv_text(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_text(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


# -- XLSX --------------------------------------------------------------------------


def sheet_title(title: str, taken: set[str] | None = None) -> str:
    """A title Excel accepts: at most 31 characters, none of []:*?/\\, not
    starting or ending with a quote, and unique (case-insensitively) in `taken`."""
    clean = " ".join(_SHEET_TITLE_BAD.sub(" ", unicodedata.normalize("NFC", str(title or ""))).split()).strip("'")
    clean = clean[:SHEET_TITLE_MAX].strip(" '") or "Sheet"
    taken = taken if taken is not None else set()
    candidate, number = clean, 1
    while candidate.lower() in taken:
        number += 1
        tail = f" ({number})"
        candidate = clean[: SHEET_TITLE_MAX - len(tail)].rstrip(" '") + tail
    taken.add(candidate.lower())
    return candidate


def _xlsx_value(value: Any) -> tuple[Any, str | None]:
    """The value to store and its number format (None: leave General)."""
    value = plain_cell(value)
    if isinstance(value, bool) or value is None:
        return value, None
    if isinstance(value, int):
        return value, "#,##0"
    if isinstance(value, float | Decimal):
        if not math.isfinite(value):
            return str(value), None  # Excel has no NaN or infinity
        return value, "#,##0" if value == int(value) else "#,##0.00"
    if isinstance(value, datetime):
        return _local(value), "dd/mm/yyyy hh:mm"
    if isinstance(value, date):
        return value, "dd/mm/yyyy"
    # openpyxl refuses control characters (NFC again: one may have parted a letter from
    # its mark); Excel cells hold at most 32767 characters.
    return unicodedata.normalize("NFC", ILLEGAL_CHARACTERS_RE.sub("", value))[:EXCEL_MAX_TEXT], None


def _display_width(value: Any, number_format: str | None) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        # Formatted numbers gain separators, and a unit in quotes (' "₫"') its width.
        unit = number_format.split('"')[1] if number_format and number_format.count('"') == 2 else ""
        return len(f"{value:,}") + (len(unit) + 1 if unit else 0)
    text = "" if value is None else str(value)
    return max((len(line) for line in text.splitlines()), default=0)


class SheetWriter:
    """Writes a worksheet's rows top-down, every cell through the same rules,
    and fits the columns to what it wrote."""

    def __init__(self, ws: Worksheet) -> None:
        self.ws = ws
        self.row = 0
        self.widths: dict[int, int] = {}

    def put(
        self,
        values: Iterable[Any],
        formats: Sequence[str | None] = (),
        *,
        font: Font | None = None,
        measure: bool = True,
    ) -> None:
        """One row. A format given for a column replaces the value's own
        (numbers "#,##0", dates "dd/mm/yyyy"); `measure=False` for titles that
        may run across the columns."""
        self.row += 1
        for column, raw in enumerate(values, start=1):
            value, number_format = _xlsx_value(raw)
            given = formats[column - 1] if column <= len(formats) else None
            if given and value is not None and not isinstance(value, str):
                number_format = given
            cell = self.ws.cell(row=self.row, column=column)
            cell.value = value
            if isinstance(value, str):
                # Typed text stays text: data_type "s" is written as an inline string,
                # never a formula, and quotePrefix keeps Excel from running "=1+2"
                # when someone edits the cell.
                cell.data_type = "s"
                if looks_like_formula(value):
                    cell.quotePrefix = True
            elif number_format:
                cell.number_format = number_format
            if font is not None:
                cell.font = font
            if measure:
                self.widths[column] = max(self.widths.get(column, 0), _display_width(value, number_format))

    def header(self, labels: Sequence[Any]) -> None:
        """A bold header row, wrapped so long labels need no wide column."""
        self.put(labels, font=BOLD)
        for cell in self.ws[self.row]:
            cell.alignment = Alignment(wrap_text=True, vertical="top")

    def finish(self, freeze: str = "A2") -> None:
        """Freeze the rows (and columns) above and left of `freeze`; roughly fit
        the columns, within bounds that keep the sheet readable."""
        self.ws.freeze_panes = freeze
        for column, width in self.widths.items():
            self.ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, MIN_WIDTH), MAX_WIDTH)


def new_workbook() -> tuple[Workbook, set[str]]:
    """An empty workbook and the set of sheet titles taken (for sheet_title)."""
    wb = Workbook()
    wb.remove(wb.active)
    return wb, set()


def add_sheet(wb: Workbook, title: str, taken: set[str]) -> SheetWriter:
    return SheetWriter(wb.create_sheet(title=sheet_title(title, taken)))


def workbook_bytes(wb: Workbook) -> bytes:
    if not wb.worksheets:
        wb.create_sheet(title="Sheet")  # a workbook needs at least one sheet
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one sheet per (title, headers, rows), header row bold and frozen."""
    wb, taken = new_workbook()
    for title, headers, rows in sheets:
        sheet = add_sheet(wb, title, taken)
        sheet.header(headers)
        for row in rows:
            sheet.put(row)
        sheet.finish("A2")
    return workbook_bytes(wb)
