"""Checking paper scores typed into a CSV before `flask scores import` saves them.

When tablets fail, judges score on paper and the secretariat types the sheets
into a spreadsheet.  Typing mistakes will happen, and a half-imported round is
worse than none, so the import is all-or-nothing: `parse_scores_csv` checks
every row against the round, reports every problem with its line in the file,
and fills `scores` only when there is no problem at all.  It is pure (standard
library only) so the CLI, an upload page and the tests share one implementation.

The file: UTF-8 with or without BOM; a header row, then one score per row.
Columns are found by header name, in any order, extra columns ignored:
judge_email / email_giam_khao, entry_code / ma_ho_so, criterion / tieu_chi,
score / diem (case, spaces and Vietnamese marks ignored, so "Điểm" works).
The delimiter is whichever of , ; or tab splits the header into known names
(an Excel "sep=;" first line is honoured).  A score is a plain decimal, with
a point or a comma ("7,5").  Cells are only ever text: "=1+1" is not_a_number
and "-1" is out_of_range.  Criteria match by name (case, spacing and Unicode
form ignored) or by 1-based position in `ImportContext.criteria`.

Problem codes (params in brackets), for the caller to translate.  `line` is
the 1-based line in the file where the row starts, 0 for the file as a whole.
`value` params are the cell as typed; `max` and `step` are Decimals.

* not_utf8 (): at the line of the first byte that is not UTF-8; nothing else
  is checked.
* empty_file (): no header, or a header and no score rows (line 0).
* missing_columns (missing): canonical names the header lacks; rows are not
  checked.
* malformed_row (): the CSV cannot be read on from here (a field over the csv
  module's size limit); later rows are not checked.
* wrong_column_count (expected, found): the row's other checks are skipped.
* blank_value (column): a required cell is empty.
* unknown_judge (email), unknown_entry (code), unknown_criterion (criterion).
* not_a_number (value), out_of_range (value, max), wrong_step (value, step).
* not_assigned (email, code), conflict (email, code): checked independently,
  so a conflicted pair that is not assigned gets both.
* duplicate (first_line): same judge, entry and criterion as an earlier row.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

__all__ = [
    "COLUMNS", "CriterionRule", "ImportContext", "ImportReport", "ImportedScore",
    "RowProblem", "parse_scores_csv",
]  # fmt: skip

COLUMNS = ("judge_email", "entry_code", "criterion", "score")
_HEADER_NAMES = {name: name for name in COLUMNS} | {
    "email_giam_khao": "judge_email",
    "ma_ho_so": "entry_code",
    "tieu_chi": "criterion",
    "diem": "score",
}
_DELIMITERS = (",", ";", "\t")  # on a tie the first wins
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)")
_BLANK_LINE = re.compile(r"[\s,;]*")
_SEP_LINE = re.compile(r"sep=([,;\t])", re.IGNORECASE)
_MISSING = object()


@dataclass(frozen=True)
class CriterionRule:
    """A criterion of the rubric: scores are 0..max_points on multiples of step."""

    id: Hashable
    name: str
    max_points: Decimal
    step: Decimal

    def __post_init__(self) -> None:
        for name in ("max_points", "step"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Decimal | int):
                raise TypeError(f"{name} must be a Decimal or int, got {value!r}")
            object.__setattr__(self, name, Decimal(value))
        if not (self.step.is_finite() and self.max_points.is_finite()):
            raise ValueError("max_points and step must be finite")
        if self.step <= 0 or self.max_points < 0:
            raise ValueError("step must be positive and max_points not negative")


@dataclass(frozen=True)
class ImportContext:
    """What the round allows.  Keys are normalised again here, so any case works.

    `criteria` must be in rubric order: position "1" is its first criterion.
    """

    judges: Mapping[str, Hashable]  # e-mail -> judge id
    entries: Mapping[str, Hashable]  # entry code -> entry id
    criteria: Mapping[str, CriterionRule]  # criterion name -> rule
    assigned: frozenset[tuple[Hashable, Hashable]]  # (judge id, entry id)
    conflicts: frozenset[tuple[Hashable, Hashable]] = frozenset()


@dataclass(frozen=True)
class RowProblem:
    """What is wrong where: a code plus parameters, not prose."""

    line: int
    code: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class ImportedScore:
    judge_id: Hashable
    entry_id: Hashable
    criterion_id: Hashable
    value: Decimal
    line: int


@dataclass(frozen=True)
class ImportReport:
    """`scores` is empty whenever there are problems: only an ok report imports."""

    scores: tuple[ImportedScore, ...]
    problems: tuple[RowProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.scores)


def parse_scores_csv(data: bytes, context: ImportContext) -> ImportReport:
    """Check every row of a score CSV; see the module docstring."""
    lookup = _Lookup(context)
    body = data.removeprefix(codecs.BOM_UTF8)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        return _failed(body.count(b"\n", 0, error.start) + 1, "not_utf8", {})
    lines = io.StringIO(text, newline="").readlines()  # splits on \n, \r\n and \r only
    start, delimiter = _find_header(lines)
    if start is None:
        return _failed(0, "empty_file", {})

    problems: list[RowProblem] = []
    scores: list[ImportedScore] = []
    seen: dict[tuple[Hashable, Hashable, Hashable], int] = {}
    reader = csv.reader(lines[start:], delimiter=delimiter)
    done = 0  # physical lines the reader has consumed so far
    try:
        header = next(reader)
        columns: dict[str | None, int] = {}
        for i, cell in enumerate(header):
            columns.setdefault(_HEADER_NAMES.get(_header_key(cell)), i)
        missing = [name for name in COLUMNS if name not in columns]
        if missing:
            return _failed(start + 1, "missing_columns", {"missing": missing})
        done = reader.line_num
        for row in reader:  # a blank line comes as [], so `done` stays exact
            line, done = start + done + 1, reader.line_num
            cells = [cell.strip() for cell in row]
            if any(cells):
                found, score = _check_row(cells, line, header, columns, lookup, seen)
                problems += found
                scores += [score] if score else []
    except csv.Error:
        problems.append(RowProblem(start + done + 1, "malformed_row", {}))
    if not problems and not scores:
        problems.append(RowProblem(0, "empty_file", {}))
    return ImportReport(() if problems else tuple(scores), tuple(problems))


def _failed(line: int, code: str, params: Mapping[str, Any]) -> ImportReport:
    return ImportReport((), (RowProblem(line, code, params),))


def _find_header(lines: list[str]) -> tuple[int | None, str]:
    """Index of the header line and the delimiter, after blank and "sep=" lines."""
    delimiter = None
    for i, text in enumerate(lines):
        if _BLANK_LINE.fullmatch(text):
            continue
        sep = _SEP_LINE.fullmatch(text.strip("\r\n"))
        if sep and delimiter is None:
            delimiter = sep.group(1)
            continue
        return i, delimiter or max(_DELIMITERS, key=lambda d: _header_fit(text, d))
    return None, ","


def _header_fit(text: str, delimiter: str) -> tuple[int, int]:
    try:
        cells = next(csv.reader([text], delimiter=delimiter), [])
    except csv.Error:
        return (0, 0)
    return sum(_header_key(cell) in _HEADER_NAMES for cell in cells), len(cells)


def _header_key(cell: str) -> str:
    """'  Điểm ' -> 'diem', 'Judge E-mail' -> 'judge_e_mail'."""
    plain = unicodedata.normalize("NFD", cell.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(char for char in plain if not unicodedata.combining(char))
    return re.sub(r"[\s\-]+", "_", plain.strip().lower())


def criterion_key(name: str) -> str:
    """Criterion names compare without case, spacing or Unicode form (the rubric refuses two equal ones)."""
    return " ".join(unicodedata.normalize("NFC", name.casefold()).split())


class _Lookup:
    def __init__(self, context: ImportContext) -> None:
        self.context = context
        self.judges = {_nfc(k).lower(): v for k, v in context.judges.items()}
        self.entries = {_nfc(k).upper(): v for k, v in context.entries.items()}
        self.criteria: dict[str, CriterionRule] = {}
        for name, rule in context.criteria.items():
            if self.criteria.setdefault(criterion_key(name), rule) is not rule:
                raise ValueError(f"two criteria share the name {name!r}")
        self.positions = list(context.criteria.values())

    def criterion(self, cell: str) -> CriterionRule | None:
        rule = self.criteria.get(criterion_key(cell))
        if rule is None and cell.isascii() and cell.isdigit() and len(cell) < 6:
            position = int(cell)
            if 0 < position <= len(self.positions):
                rule = self.positions[position - 1]
        return rule


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


def _check_row(
    cells: list[str],
    line: int,
    header: list[str],
    columns: Mapping[str | None, int],
    lookup: _Lookup,
    seen: dict[tuple[Hashable, Hashable, Hashable], int],
) -> tuple[list[RowProblem], ImportedScore | None]:
    """Every problem of one non-blank row, and its score when there is none."""
    while len(cells) > len(header) and not cells[-1]:  # trailing empty cells from a spreadsheet
        cells.pop()
    if len(cells) != len(header):
        params = {"expected": len(header), "found": len(cells)}
        return [RowProblem(line, "wrong_column_count", params)], None
    email, code, name, raw = (cells[columns[column]] for column in COLUMNS)
    found: list[RowProblem] = []

    def problem(code_: str, **params: Any) -> None:
        found.append(RowProblem(line, code_, params))

    for column, cell in zip(COLUMNS, (email, code, name, raw), strict=True):
        if not cell:
            problem("blank_value", column=column)
    judge = lookup.judges.get(_nfc(email).lower(), _MISSING) if email else _MISSING
    entry = lookup.entries.get(_nfc(code).upper(), _MISSING) if code else _MISSING
    rule = lookup.criterion(name) if name else None
    if email and judge is _MISSING:
        problem("unknown_judge", email=email)
    if code and entry is _MISSING:
        problem("unknown_entry", code=code)
    if name and rule is None:
        problem("unknown_criterion", criterion=name)

    value = Decimal(raw.replace(",", ".")) if _NUMBER.fullmatch(raw) else None
    if raw and value is None:
        problem("not_a_number", value=raw)
    if rule is not None and value is not None:
        if not 0 <= value <= rule.max_points:
            problem("out_of_range", value=raw, max=rule.max_points)
        if Fraction(value) % Fraction(rule.step):
            problem("wrong_step", value=raw, step=rule.step)

    if judge is not _MISSING and entry is not _MISSING:
        if (judge, entry) not in lookup.context.assigned:
            problem("not_assigned", email=email, code=code)
        if (judge, entry) in lookup.context.conflicts:
            problem("conflict", email=email, code=code)
        if rule is not None:
            first = seen.setdefault((judge, entry, rule.id), line)
            if first != line:
                problem("duplicate", first_line=first)
    if found:
        return found, None
    assert rule is not None and value is not None  # noqa: S101 - a missing one was reported as a problem above
    return [], ImportedScore(judge, entry, rule.id, value.copy_abs(), line)  # "-0" -> 0
