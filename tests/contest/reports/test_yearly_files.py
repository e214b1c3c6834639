"""The yearly report's XLSX and PDF files, from a report built by hand."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from dataclasses import replace
from datetime import date

from openpyxl import load_workbook
from pypdf import PdfReader

from contest.numbers import vn_money, vn_number, vn_percent
from contest.reports.figures import COLUMNS, Breakdown, Figures
from contest.reports.indicators import IndicatorValue, Target
from contest.reports.pdf import write_pdf
from contest.reports.xlsx import write_xlsx
from contest.reports.yearly import (
    LABEL_KEYS,
    CompetitionSummary,
    IndicatorRow,
    SchoolRow,
    Table,
    Winner,
    YearlyReport,
)

LABELS = dict(
    zip(
        LABEL_KEYS,
        (
            "Tổng hợp",
            "Chỉ số",
            "Giá trị",
            "Tổng cộng",
            "Các cuộc thi",
            "Cuộc thi",
            "Cấp",
            "Đơn vị",
            "Trạng thái",
            "Số đội",
            "Hồ sơ hợp lệ",
            "Các vòng",
            "Đạt giải",
            "Giải",
            "Mã",
            "Dự án",
            "Đội",
            "Tiền thưởng",
            "Chỉ tiêu kế hoạch",
            "Chỉ tiêu",
            "Giai đoạn",
            "Mục tiêu",
            "Đạt được",
            "Tỷ lệ",
            "Tình trạng",
            "Trong năm",
            "Theo trường",
            "Trường học",
            "Câu lạc bộ khởi nghiệp",
            "Khởi nghiệp của học sinh, sinh viên (Đề án 1665)",
        ),
        strict=True,
    )
)
COLUMN_LABELS = dict(
    zip(
        COLUMNS,
        (
            "Cuộc thi",
            "Số đội",
            "Hồ sơ đã nộp",
            "Hồ sơ hợp lệ",
            "Người tham gia",
            "Nữ",
            "Đội do nữ dẫn dắt",
            "Doanh nghiệp do phụ nữ làm chủ",
            "Đội sinh viên",
            "Thanh niên",
            "Giải thưởng",
            "Tiền thưởng",
        ),
        strict=True,
    )
)
TEAM = "Nhóm <b>& Cộng sự"
SCHOOLS = [
    SchoolRow("Trường Đại học Phạm Văn Đồng", 5, 3, 2),
    # A school with clubs but no team this year, and one whose name looks like markup and a formula.
    SchoolRow("Trường THPT Lê Khiết", 0, 0, 1),
    SchoolRow("=Trường <b>& Cao đẳng", 2, 2, 0),
]
FORMULA = "=1+2"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def figures(seed: int) -> Figures:
    return Figures(**{key: (seed * 1_500_000 if key == "prize_money" else seed + i) for i, key in enumerate(COLUMNS)})


def summed(parts: list[Figures]) -> Figures:
    return Figures(**{key: sum(getattr(f, key) for f in parts) for key in COLUMNS})


def table(key: str, heading: str, row_heading: str, names: list[str]) -> Table:
    rows = [(name, figures(seed)) for seed, name in enumerate(names, start=1)]
    return Table(key, heading, row_heading, Breakdown(rows, summed([f for _, f in rows])))


def make_report(**changes) -> YearlyReport:
    tables = [
        table("by_unit", "Theo đơn vị", "Đơn vị", ["Sở Khoa học và Công nghệ", "Trường Đại học Phạm Văn Đồng"]),
        table("by_level", "Theo cấp", "Cấp", ["Cấp tỉnh", "Cấp trường"]),
        # Decomposed (NFD) as some keyboards type it: the files must hold NFC.
        table("by_field", unicodedata.normalize("NFD", "Theo lĩnh vực"), "Lĩnh vực", ["Nông nghiệp", "Du lịch"]),
    ]
    competitions = [
        CompetitionSummary(
            name="Khởi nghiệp đổi mới sáng tạo tỉnh 2025",
            level="Cấp tỉnh",
            unit="Sở Khoa học và Công nghệ",
            state="Đã kết thúc",
            teams=12,
            entries_valid=10,
            rounds=(("Sơ khảo", 10), ("Chung khảo", 5)),
            winners=(
                Winner("Giải Nhất", "KN-001", FORMULA, TEAM, 1_500_000),
                Winner("Giải Khuyến khích", "KN-007", "Trà thảo mộc Ba Tơ", "Đội Ba Tơ", 0),
            ),
        ),
        CompetitionSummary(
            name="Ý tưởng sinh viên",
            level="Cấp trường",
            unit="Trường Đại học Phạm Văn Đồng",
            state="Đang diễn ra",
            teams=4,
            entries_valid=3,
            rounds=(),
            winners=(),
        ),
    ]
    indicators = [
        IndicatorRow(
            label="Dự án được hỗ trợ",
            period="2022–2025",
            progress=IndicatorValue(
                "projects_supported",
                2022,
                2025,
                date(2025, 12, 31),
                {2022: 20, 2023: 22, 2024: 25, 2025: 20},
                87,
                (),
                target=Target("projects_supported", 2022, 2025, 100, 120),
            ),
            status="Đúng tiến độ",
            year_value=20,
        )
    ]
    report = YearlyReport(
        year=2025,
        title="Báo cáo năm 2025 hệ sinh thái khởi nghiệp",
        subtitle="Sở Khoa học và Công nghệ tỉnh Quảng Ngãi",
        generated_on=date(2025, 12, 31),
        as_of=date(2025, 12, 31),
        column_labels=COLUMN_LABELS,
        totals=summed([f for _, f in tables[0].breakdown.rows]),
        tables=tables,
        competitions=competitions,
        indicators=indicators,
        labels=LABELS,
        schools=SCHOOLS,
    )
    return replace(report, **changes)


# -- XLSX -------------------------------------------------------------------------------


def workbook(report: YearlyReport | None = None):
    return load_workbook(io.BytesIO(write_xlsx(report or make_report())))


def test_xlsx_has_a_sheet_per_table_and_the_fixed_sheets() -> None:
    wb = workbook()
    # Tabs named in Vietnamese for what they hold (NFC even when the heading was typed decomposed).
    assert wb.sheetnames == [
        "Tổng hợp",
        "Theo đơn vị",
        "Theo cấp",
        "Theo lĩnh vực",
        "Theo trường",
        "Các cuộc thi",
        "Chỉ tiêu kế hoạch",
    ]
    assert all(ws.freeze_panes for ws in wb.worksheets)


def test_xlsx_schools_sheet_shows_each_school_and_a_total_of_these_rows() -> None:
    ws = workbook()["Theo trường"]
    rows = [list(row) for row in ws.iter_rows()]
    assert rows[0][0].value == "Theo trường"
    assert rows[1][0].value == "Khởi nghiệp của học sinh, sinh viên (Đề án 1665)"
    assert [c.value for c in rows[2]] == ["Trường học", "Số đội", "Hồ sơ hợp lệ", "Câu lạc bộ khởi nghiệp"]
    assert all(c.font.b for c in rows[2])
    body, total = rows[3:-1], rows[-1]
    assert [[c.value for c in r] for r in body] == [[s.name, s.teams, s.entries_valid, s.clubs] for s in SCHOOLS]
    assert [c.value for c in total] == ["Tổng cộng", 7, 5, 3]
    assert all(c.font.b for c in total)
    for cell in (*(c for r in body for c in r[1:]), *total[1:]):
        assert cell.data_type == "n" and isinstance(cell.value, int) and cell.number_format == "#,##0"
    formula_like = body[2][0]
    assert formula_like.data_type == "s" and formula_like.quotePrefix  # text, never a formula
    assert ws.freeze_panes == "B4"


def test_xlsx_has_no_schools_sheet_without_a_school() -> None:
    wb = workbook(make_report(schools=[]))
    assert "Theo trường" not in wb.sheetnames
    assert len(wb.sheetnames) == 6


def test_xlsx_table_sheets_show_rows_and_a_total_that_sums_them() -> None:
    report = make_report()
    wb = workbook(report)
    for table_ in report.tables:
        ws = wb[nfc(table_.heading)]
        rows = [list(row) for row in ws.iter_rows()]
        assert rows[0][0].value == nfc(table_.heading)
        assert [c.value for c in rows[1]] == [table_.row_heading, *COLUMN_LABELS.values()]
        assert all(c.font.b for c in rows[1])
        body, total = rows[2:-1], rows[-1]
        assert [r[0].value for r in body] == [name for name, _ in table_.breakdown.rows]
        assert total[0].value == "Tổng cộng"
        for column in range(1, len(COLUMNS) + 1):
            assert total[column].value == sum(r[column].value for r in body)
            assert total[column].value == getattr(table_.breakdown.total, COLUMNS[column - 1])
            for cell in (*(r[column] for r in body), total[column]):
                assert cell.data_type == "n" and isinstance(cell.value, int)
                assert cell.number_format != "General"
        prize = total[COLUMNS.index("prize_money") + 1]
        assert "₫" in prize.number_format


def test_xlsx_summary_lists_the_totals() -> None:
    report = make_report()
    ws = workbook(report)["Tổng hợp"]
    values = {row[0]: row[1] for row in ws.iter_rows(min_row=4, values_only=True)}
    assert values == {COLUMN_LABELS[key]: getattr(report.totals, key) for key in COLUMNS}


def test_xlsx_keeps_formula_like_text_as_text() -> None:
    data = write_xlsx(make_report())
    ws = load_workbook(io.BytesIO(data))["Các cuộc thi"]
    cells = {c.value: c for row in ws.iter_rows() for c in row if c.value is not None}
    assert cells[FORMULA].data_type == "s" and cells[FORMULA].quotePrefix  # as typed, marked as text
    assert TEAM in cells
    assert cells[1_500_000].number_format.endswith('"₫"')
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [archive.read(n) for n in archive.namelist() if n.startswith("xl/worksheets/")]
    assert not any(b"<f>" in xml or b"<f " in xml for xml in sheets)


def test_xlsx_indicators_with_percent_format() -> None:
    ws = workbook()["Chỉ tiêu kế hoạch"]
    row = list(next(ws.iter_rows(min_row=3, max_row=3)))
    assert [c.value for c in row] == ["Dự án được hỗ trợ", "2022–2025", "100–120", 20, 87, 0.87, "Đúng tiến độ"]
    assert row[5].number_format == "0.0%"


def test_xlsx_sheet_titles_are_valid_whatever_the_labels() -> None:
    labels = {**LABELS, "summary": "Tổng hợp: 2025/2026 [tỉnh]?", "indicators": "Chỉ tiêu " * 10}
    wb = workbook(make_report(labels=labels))
    for title in wb.sheetnames:
        assert len(title) <= 31 and not re.search(r"[\[\]:*?/\\]", title)


# -- PDF --------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    return nfc("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages))


def test_pdf_shows_the_vietnamese_headings_and_names_as_typed() -> None:
    text = pdf_text(write_pdf(make_report()))
    for expected in (
        "Báo cáo năm 2025",
        "Theo đơn vị",
        "Theo lĩnh vực",
        "Tổng cộng",
        "Chỉ tiêu kế hoạch",
        TEAM,
        FORMULA,
        "Khởi nghiệp đổi mới sáng tạo",
        vn_money(1_500_000),
        "100–120",
        vn_percent(87.0),
    ):
        assert expected in text, expected


def test_pdf_shows_the_schools_table_with_its_total() -> None:
    text = pdf_text(write_pdf(make_report()))
    section = text[text.index("Theo trường") : text.index("Các cuộc thi")]
    assert "Khởi nghiệp của học sinh, sinh viên (Đề án 1665)" in section
    assert "Trường học" in section and "Câu lạc bộ khởi nghiệp" in section
    cells = [line.strip() for line in section.splitlines()]  # one cell a line, in reading order
    start = cells.index("Trường Đại học Phạm Văn Đồng")
    assert cells[start:] == [
        *("Trường Đại học Phạm Văn Đồng", "5", "3", "2"),
        *("Trường THPT Lê Khiết", "0", "0", "1"),
        *("=Trường <b>& Cao đẳng", "2", "2", "0"),  # printed as typed
        *("Tổng cộng", "7", "5", "3"),
    ]


def test_pdf_has_no_schools_part_without_a_school() -> None:
    text = pdf_text(write_pdf(make_report(schools=[])))
    assert "Theo trường" not in text and "Đề án 1665" not in text
    assert "Theo lĩnh vực" in text and "Các cuộc thi" in text


def test_pdf_fonts_are_embedded_truetype_subsets() -> None:
    data = write_pdf(make_report())
    reader = PdfReader(io.BytesIO(data))
    seen = set()
    for page in reader.pages:
        for ref in page["/Resources"]["/Font"].values():
            font = ref.get_object()
            assert font["/Subtype"] == "/TrueType"
            assert re.fullmatch(r"/[A-Z]{6}\+\S+", font["/BaseFont"]), font["/BaseFont"]
            assert "/FontFile2" in font["/FontDescriptor"].get_object()
            seen.add(font["/BaseFont"])
    assert seen and b"Helvetica" not in data


def test_pdf_long_table_splits_and_repeats_its_header() -> None:
    long = table("by_unit", "Theo đơn vị", "Đơn vị dài", [f"Đơn vị số {n}" for n in range(1, 121)])
    reader = PdfReader(io.BytesIO(write_pdf(make_report(tables=[long]))))
    pages = [nfc(page.extract_text()) for page in reader.pages]
    with_rows = [p for p in pages if "Đơn vị số" in p]
    assert len(with_rows) >= 2
    assert all("Đơn vị dài" in p for p in with_rows)
    assert any("Đơn vị số 120" in p for p in pages)


def test_vietnamese_number_formats() -> None:
    assert vn_number(1_500_000) == "1.500.000"
    assert vn_money(1_500_000) == "1.500.000 đ"
    assert vn_percent(87.0) == "87,0%"
