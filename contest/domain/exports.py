"""Spreadsheet exports (CSV and XLSX) that are safe to open in Excel or
LibreOffice. Pure: no Flask, no database.

Cells hold text typed by teams, so text that a spreadsheet would run as a
formula (=, +, -, @, tab, carriage return, also after leading spaces) is
prefixed with a single quote, as OWASP's CSV-injection guidance advises.
Real numbers and dates are kept as numbers and dates.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Vietnam has no daylight saving time, so a fixed offset is exact (and needs no tzdata).
VIETNAM_TZ = timezone(timedelta(hours=7), "ICT")
EXCEL_MAX_TEXT = 32767
SHEET_TITLE_MAX = 31
_SHEET_TITLE_BAD = re.compile(r"[\[\]:*?/\\\x00-\x1f]")

Row = Sequence[Any]
Sheet = tuple[str, Sequence[Any], Iterable[Row]]


def safe_cell(value: Any) -> Any:
    """Numbers, dates, booleans and None unchanged; anything else as text,
    with a leading quote if a spreadsheet would read it as a formula."""
    if value is None or isinstance(value, bool | int | float | Decimal | date):
        return value
    if isinstance(value, Enum):
        value = value.value
        if not isinstance(value, str):
            return safe_cell(value)
    # str.__str__ keeps the characters of str subclasses; str(x) could change them.
    text = str.__str__(value) if isinstance(value, str) else str(value)
    if text.startswith(FORMULA_TRIGGERS) or text.lstrip().startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


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
    clean = " ".join(_SHEET_TITLE_BAD.sub(" ", str(title or "")).split()).strip("'")
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
    value = safe_cell(value)
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
    # openpyxl refuses control characters; removing them can expose a leading "="
    # ("\x01=1"), so escape again. Excel cells hold at most 32767 characters.
    return safe_cell(ILLEGAL_CHARACTERS_RE.sub("", value))[:EXCEL_MAX_TEXT], None


def _display_width(value: Any) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return len(f"{value:,}")
    text = "" if value is None else str(value)
    return max((len(line) for line in text.splitlines()), default=0)


def _write_row(ws, row_number: int, values: Iterable[Any], widths: dict[int, int], *, bold: bool = False) -> None:
    for column, raw in enumerate(values, start=1):
        value, number_format = _xlsx_value(raw)
        cell = ws.cell(row=row_number, column=column)
        cell.value = value
        if isinstance(value, str):
            # Belt and braces: escaped text never starts with "=", but make sure
            # openpyxl writes it as a string and never as a formula.
            cell.data_type = "s"
        if number_format:
            cell.number_format = number_format
        if bold:
            cell.font = Font(bold=True)
        widths[column] = max(widths.get(column, 0), _display_width(value))


def _add_sheet(wb: Workbook, title: str, headers: Sequence[Any], rows: Iterable[Row]) -> None:
    ws = wb.create_sheet(title=title)
    widths: dict[int, int] = {}
    _write_row(ws, 1, headers, widths, bold=True)
    for row_number, row in enumerate(rows, start=2):
        _write_row(ws, row_number, row, widths)
    ws.freeze_panes = "A2"
    for column, width in widths.items():
        # Roughly fitted: a little padding, within bounds that keep the sheet readable.
        ws.column_dimensions[get_column_letter(column)].width = min(max(width + 2, 8), 60)


def to_xlsx(sheets: Sequence[Sheet]) -> bytes:
    """A workbook with one sheet per (title, headers, rows), header row bold and frozen."""
    wb = Workbook()
    wb.remove(wb.active)
    taken: set[str] = set()
    for title, headers, rows in sheets:
        _add_sheet(wb, sheet_title(title, taken), headers, rows)
    if not wb.worksheets:
        wb.create_sheet(title="Sheet")  # a workbook needs at least one sheet
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
