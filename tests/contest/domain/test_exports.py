"""Spreadsheet exports: formulas typed by teams stay text; numbers and dates stay typed."""

from __future__ import annotations

import csv
import io
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from contest.domain.exports import safe_cell, sheet_title, to_csv, to_xlsx

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADERS = ["Mã hồ sơ", "Tên đội", "Số thành viên", "Kinh phí cần (đồng)", "Nộp lúc", "Ghi chú"]
EVIL = '=HYPERLINK("http://x")'
ROWS = [
    ["QN-001", EVIL, 3, 500_000_000, datetime(2025, 3, 15, 9, 30), date(2025, 3, 1)],
    ["QN-002", "Đội Sáng Tạo Quảng Ngãi", -2, Decimal("1.5"), None, "@SUM(A1)"],
    ["QN-003", " +cmd|' /C calc'!A0", 4, 2.75, None, "-10"],
]


class Color(Enum):  # like the models' enums: str() would give "Color.red"
    red = "=red"
    blue = 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@x", "'@x"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("  =1", "'  =1"),
        ("\n-1", "'\n-1"),
        ("Đội 1", "Đội 1"),
        ("", ""),
        ("a=b", "a=b"),
        ("'=already", "'=already"),
        (-5, -5),
        (-1.5, -1.5),
        (Decimal("-3"), Decimal("-3")),
        (0, 0),
        (True, True),
        (None, None),
        (date(2025, 1, 2), date(2025, 1, 2)),
        (Color.red, "'=red"),
        (Color.blue, 2),
    ],
)
def test_safe_cell(value, expected):
    assert safe_cell(value) == expected
    assert type(safe_cell(value)) is type(expected)


@given(st.text())
def test_safe_cell_never_leaves_a_formula(text):
    out = safe_cell(text)
    assert out.startswith("'") or not (out.startswith(TRIGGERS) or out.lstrip().startswith(TRIGGERS))
    typed = unicodedata.normalize("NFC", text)  # exports write text NFC, as the app stores it
    assert out.removeprefix("'") == typed or out == typed


def test_csv_keeps_vietnamese_and_escapes_formulas():
    data = to_csv(HEADERS, ROWS)
    assert data.startswith(b"\xef\xbb\xbf")  # BOM, so Excel reads UTF-8
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == HEADERS
    assert table[1][1] == "'" + EVIL
    assert table[1][2:6] == ["3", "500000000", "2025-03-15 09:30", "2025-03-01"]
    assert table[2][1] == "Đội Sáng Tạo Quảng Ngãi"
    assert table[2][2] == "-2"  # a real number is not escaped
    assert table[2][4] == "" and table[2][5] == "'@SUM(A1)"
    assert table[3][1].startswith("' +cmd") and table[3][5] == "'-10"


def test_csv_writes_aware_times_in_vietnam_time():
    data = to_csv(["t"], [[datetime(2025, 1, 1, 20, 0, tzinfo=UTC)]])
    assert "2025-01-02 03:00" in data.decode("utf-8-sig")


def load(data: bytes):
    return load_workbook(io.BytesIO(data))


def test_xlsx_text_stays_text_and_numbers_stay_numbers():
    wb = load(to_xlsx([("Hồ sơ dự thi", HEADERS, ROWS)]))
    ws = wb["Hồ sơ dự thi"]
    assert [c.value for c in ws[1]] == HEADERS
    # XLSX keeps typed text as typed, as text, marked so editing it cannot turn it into a formula.
    evil = ws["B2"]
    assert isinstance(evil.value, str) and evil.value == EVIL and evil.data_type == "s" and evil.quotePrefix
    assert ws["F3"].value == "@SUM(A1)" and ws["F3"].quotePrefix
    assert ws["F4"].value == "-10" and ws["F4"].data_type == "s" and ws["F4"].quotePrefix
    assert ws["B3"].value == "Đội Sáng Tạo Quảng Ngãi" and not ws["B3"].quotePrefix
    assert ws["B4"].value == " +cmd|' /C calc'!A0" and ws["B4"].quotePrefix  # after leading spaces too
    assert not ws["C3"].quotePrefix  # a real negative number
    assert ws["C2"].value == 3 and ws["C2"].data_type == "n" and ws["C2"].number_format == "#,##0"
    assert ws["C3"].value == -2 and ws["C3"].data_type == "n"
    assert ws["D2"].value == 500_000_000 and ws["D2"].number_format == "#,##0"
    assert ws["D4"].value == 2.75
    assert ws["E2"].value == datetime(2025, 3, 15, 9, 30) and ws["E2"].is_date
    assert ws["F2"].value == datetime(2025, 3, 1) and ws["F2"].number_format == "dd/mm/yyyy"
    assert ws["E3"].value is None


def test_xlsx_has_no_formulas_anywhere():
    wb = load(to_xlsx([("A", HEADERS, ROWS), ("B", ["=cmd"], [["=1+1"], ["+A1"]])]))
    cells = [cell for ws in wb.worksheets for row in ws.iter_rows() for cell in row]
    assert cells and all(cell.data_type != "f" for cell in cells)


def test_xlsx_layout():
    ws = load(to_xlsx([("Hồ sơ", HEADERS, ROWS)])).active
    assert ws.freeze_panes == "A2"
    assert all(cell.font.b for cell in ws[1])
    assert not ws["A2"].font.b
    assert 8 <= ws.column_dimensions["B"].width <= 60


def test_xlsx_survives_control_characters_without_exposing_a_formula():
    ws = load(to_xlsx([("x", ["a"], [["\x01=1+1"], ["Đội\x00 A"]])])).active
    assert ws["A2"].value == "=1+1" and ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert ws["A3"].value == "Đội A" and not ws["A3"].quotePrefix
    ws = load(to_xlsx([("x", ["a"], [["A\x01\u0301"]])])).active
    assert ws["A2"].value == "Á"  # the mark rejoins its letter


def test_no_apostrophe_in_xlsx_and_one_in_csv_for_the_same_text():
    rows = [["=1+1", "Quảng Ngãi", -3]]
    ws = load(to_xlsx([("x", ["a", "b", "c"], rows)])).active
    table = list(csv.reader(io.StringIO(to_csv(["a", "b", "c"], rows).decode("utf-8-sig"))))
    assert [c.value for c in ws[2]] == ["=1+1", "Quảng Ngãi", -3]
    assert table[1] == ["'=1+1", "Quảng Ngãi", "-3"]


@settings(deadline=None, max_examples=40)  # a workbook per example: slow-ish
@given(st.text())
def test_xlsx_never_stores_a_formula_and_marks_what_would_run(text):
    ws = load(to_xlsx([("x", ["a"], [[text]])])).active
    cell = ws["A2"]
    assert cell.data_type != "f"
    if isinstance(cell.value, str) and cell.value.lstrip().startswith(TRIGGERS):
        assert cell.quotePrefix


def test_xlsx_sheet_titles_are_made_valid_and_unique():
    long = "Danh sách hồ sơ dự thi [vòng 1]: *bảng A*?/\\ rất dài"
    wb = load(to_xlsx([(long, ["a"], []), (long, ["a"], []), ("", ["a"], [])]))
    titles = wb.sheetnames
    assert len(titles) == 3 and len({t.lower() for t in titles}) == 3
    for title in titles:
        assert 0 < len(title) <= 31 and not set(title) & set("[]:*?/\\")


def test_sheet_title():
    assert sheet_title("'Hồ sơ'") == "Hồ sơ"
    taken: set[str] = set()
    assert [sheet_title("A", taken), sheet_title("a", taken)] == ["A", "a (2)"]


def test_empty_workbook_still_opens():
    assert load(to_xlsx([])).sheetnames == ["Sheet"]


def test_aware_datetimes_go_to_vietnam_time():
    moment = datetime(2025, 1, 1, 20, 0, tzinfo=timezone(timedelta(hours=0)))
    ws = load(to_xlsx([("t", ["t"], [[moment]])])).active
    assert ws["A2"].value == datetime(2025, 1, 2, 3, 0)


def test_every_spreadsheet_is_written_by_this_module():
    """One writer: no other module builds a workbook or writes cells itself."""
    import ast
    from pathlib import Path

    root = Path(__file__).resolve().parents[3]
    writers = []
    for path in [*(root / "contest").rglob("*.py"), *(root / "judging").rglob("*.py")]:
        if path == root / "contest" / "domain" / "exports.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("openpyxl")
                and any(a.name in ("Workbook", "ILLEGAL_CHARACTERS_RE") for a in node.names)
            ):
                writers.append(str(path.relative_to(root)))
            if isinstance(node, ast.Import) and any(a.name.startswith("openpyxl") for a in node.names):
                writers.append(str(path.relative_to(root)))
    assert writers == []
