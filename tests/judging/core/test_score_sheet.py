"""Paper score sheets (judging.core.score_sheet): Vietnamese text, embedded fonts, blind rounds,
pagination with a repeated header, and many long criteria fitting on the page."""

from __future__ import annotations

import io
import re
import subprocess
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from contest.pdf import Box
from judging.core.score_sheet import (
    MIN_FONT_SIZE,
    ROW_MIN_HEIGHT,
    ScoreSheetData,
    SheetCriterion,
    SheetEntry,
    SheetLayout,
    layout_score_sheet,
    render_score_sheet,
)

MM = 72 / 25.4
LABELS = {
    "title": "PHIẾU CHẤM ĐIỂM", "judge": "Giám khảo", "round": "Vòng thi", "entry": "Dự án / Đội thi",
    "total": "Tổng điểm", "comment": "Nhận xét", "signature": "Chữ ký giám khảo", "date": "Ngày",
    "page": "Trang", "max": "Tối đa", "weight": "Hệ số", "rubric": "Bộ tiêu chí",
    "instructions": "Ghi điểm từng tiêu chí, không vượt quá điểm tối đa; ký tên ở cuối mỗi trang.",
}  # fmt: skip
CRITERIA = (
    SheetCriterion("Tính mới, tính sáng tạo", Decimal("20.00"), Decimal(1), Decimal("0.5")),
    SheetCriterion("Tính khả thi và hiệu quả kinh tế", Decimal(20), Decimal("1.5"), Decimal("0.5")),
    SheetCriterion("Thuyết trình và trả lời câu hỏi", 10, 0.5, 1),
)
TEAMS = ("Đội Tỏi đen Lý Sơn", "Nhóm Nông sản sạch Sơn Tịnh", "Hợp tác xã Quế Trà Bồng")
TITLES = ("Tỏi đen lên men tự nhiên", "Ứng dụng IoT giám sát vườn keo cho nông hộ miền núi", "Quế hữu cơ")


def entries(count: int = 3, blind: bool = False) -> tuple[SheetEntry, ...]:
    return tuple(SheetEntry(f"QNG-{i:03d}", TITLES[i % 3], None if blind else TEAMS[i % 3]) for i in range(count))


def make_data(**overrides: object) -> ScoreSheetData:
    values: dict[str, object] = {
        "competition_name": "Cuộc thi Khởi nghiệp đổi mới sáng tạo tỉnh Quảng Ngãi năm 2026",
        "round_name": "Chung kết - Bảng Dự án", "judge_name": "Nguyễn Thị Hồng Nhung",
        "rubric_name": "Tiêu chí 100 điểm", "criteria": CRITERIA, "entries": entries(),
        "labels": LABELS,
    }  # fmt: skip
    values.update(overrides)
    return ScoreSheetData(**values)  # type: ignore[arg-type]


def pdf_text(pdf: bytes, tmp_path: Path, page: int | None = None) -> str:
    """pdftotext in content-stream order, whitespace collapsed (wrapped cells read as one line)."""
    path = tmp_path / "sheet.pdf"
    path.write_bytes(pdf)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    result = subprocess.run(
        ["pdftotext", "-raw", "-enc", "UTF-8", *pages, str(path), "-"], capture_output=True, check=True, timeout=60
    )
    return " ".join(result.stdout.decode("utf-8").split())


def pdf_fonts(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """(font name, embedded yes/no) for every font pdffonts lists."""
    path = tmp_path / "fonts.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True, timeout=60)
    rows = out.stdout.splitlines()[2:]  # after the header and the dashes
    # Columns: name type [type] encoding emb sub uni object ID; "emb" is 5th from the end.
    return [(row.split()[0], row.split()[-5]) for row in rows if row.strip()]


def assert_fits(layout: SheetLayout) -> None:
    """Columns tile the usable width; every text is readable and inside its cell and the page."""
    content = layout.content
    assert sum(c.width for c in layout.columns) <= content.width + 1e-6
    assert (
        layout.columns[0].x >= content.x - 1e-6
        and layout.columns[-1].x + layout.columns[-1].width <= content.right + 1e-6
    )
    for left, right in zip(layout.columns, layout.columns[1:], strict=False):
        assert right.x == pytest.approx(left.x + left.width)
    for block in layout.blocks():
        assert block.size >= MIN_FONT_SIZE, block.role
        assert content.contains(block.box), f"{block.role} {block.box} leaves {content}"
        assert all(unicodedata.is_normalized("NFC", line.text) for line in block.lines)
    header = layout.header_row
    for block in layout.header_blocks:
        if block.role in ("criterion", "max", "weight", "step") or block.role.startswith("head_"):
            assert any(Box(c.x, header.y, c.width, header.height).contains(block.box) for c in layout.columns)
    for page in layout.pages:
        for block in page.blocks:
            if block.role in ("code", "entry_title", "team"):
                column = layout.columns[0 if block.role == "code" else 1]
                cells = [Box(column.x, row.box.y, column.width, row.box.height) for row in page.rows]
                assert any(cell.contains(block.box) for cell in cells), block.role
        for row in page.rows:
            assert row.box.height >= 9 * MM and row.box.top <= header.y + 1e-6
        for rule in page.rules:
            assert content.x <= rule.x1 < rule.x2 <= content.right and content.y <= rule.y


# --------------------------------------------------------------------------- text and fonts


def test_pdf_parses_and_carries_the_vietnamese_text(tmp_path: Path) -> None:
    pdf = render_score_sheet(make_data())
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert width > height  # landscape
    text = pdf_text(pdf, tmp_path)
    for expected in (
        "Tính khả thi và hiệu quả kinh tế",
        "Đội Tỏi đen Lý Sơn",
        "PHIẾU CHẤM ĐIỂM",
        "Giám khảo: Nguyễn Thị Hồng Nhung",
        "Vòng thi: Chung kết - Bảng Dự án",
        "Bộ tiêu chí: Tiêu chí 100 điểm",
        "Cuộc thi Khởi nghiệp đổi mới sáng tạo tỉnh Quảng Ngãi",
        "Ứng dụng IoT giám sát vườn keo cho nông hộ miền núi",
        "Hợp tác xã Quế Trà Bồng",
        "QNG-001",
        "Tổng điểm",
        "Nhận xét",
        "Chữ ký giám khảo",
        "Ngày",
        "Trang 1 / 1",
        LABELS["instructions"],
    ):
        assert expected in text, expected


def test_max_and_weight_are_printed_under_each_criterion(tmp_path: Path) -> None:
    text = pdf_text(render_score_sheet(make_data()), tmp_path)
    assert "Tính mới, tính sáng tạo Tối đa 20 Hệ số ×1" in text  # Decimal("20.00") prints as 20
    assert "Tính khả thi và hiệu quả kinh tế Tối đa 20 Hệ số ×1,5" in text
    assert "Thuyết trình và trả lời câu hỏi Tối đa 10 Hệ số ×0,5" in text
    labels = {**LABELS, "decimal_mark": ".", "step": "Bước"}
    text = pdf_text(render_score_sheet(make_data(labels=labels)), tmp_path)
    assert "Tối đa 20 Hệ số ×1.5 Bước 0.5" in text


def test_every_font_is_embedded_and_none_is_helvetica(tmp_path: Path) -> None:
    pdf = render_score_sheet(make_data(entries=entries(30)))
    fonts = pdf_fonts(pdf, tmp_path)
    assert fonts
    for name, embedded in fonts:
        assert embedded == "yes", name
        assert "Helvetica" not in name and "Times" not in name
    assert b"Helvetica" not in pdf


def test_decomposed_input_comes_out_composed(tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Đội Tỏi đen Lý Sơn")
    assert decomposed != "Đội Tỏi đen Lý Sơn"
    data = make_data(
        entries=(SheetEntry("A1", unicodedata.normalize("NFD", "Tỏi đen"), decomposed),),
        judge_name=unicodedata.normalize("NFD", "Trần Phước Hiền"),
    )
    text = pdf_text(render_score_sheet(data), tmp_path)  # not normalised by the test
    assert "Đội Tỏi đen Lý Sơn" in text and "Trần Phước Hiền" in text


def test_markup_prints_as_typed(tmp_path: Path) -> None:
    data = make_data(entries=(SheetEntry("<b>1</b>", "&amp; <font color=red>", "Đội {team}"),))
    text = pdf_text(render_score_sheet(data), tmp_path)
    assert "<b>1</b>" in text and "&amp; <font color=red>" in text and "Đội {team}" in text


# --------------------------------------------------------------------------- blind rounds


def test_blind_sheet_contains_no_team_names(tmp_path: Path) -> None:
    open_text = pdf_text(render_score_sheet(make_data(entries=entries(6))), tmp_path)
    assert all(team in open_text for team in TEAMS)
    data = make_data(entries=entries(6, blind=True))
    blind_text = pdf_text(render_score_sheet(data), tmp_path)
    assert not any(team in blind_text for team in TEAMS)
    assert all(title in blind_text for title in TITLES) and "QNG-005" in blind_text
    assert not any(b.role == "team" for b in layout_score_sheet(data).blocks())


# --------------------------------------------------------------------------- pages


def test_45_entries_flow_onto_several_pages_with_the_header_repeated(tmp_path: Path) -> None:
    data = make_data(entries=entries(45))
    pdf = render_score_sheet(data)
    count = len(PdfReader(io.BytesIO(pdf)).pages)
    layout = layout_score_sheet(data)
    assert count == len(layout.pages) >= 3
    seen: list[str] = []
    for page in range(1, count + 1):
        text = pdf_text(pdf, tmp_path, page)
        for repeated in (
            "PHIẾU CHẤM ĐIỂM",
            "Nguyễn Thị Hồng Nhung",
            "Dự án / Đội thi",
            "Tổng điểm",
            "Nhận xét",
            "Tính khả thi và hiệu quả kinh tế",
            "Chữ ký giám khảo",
        ):
            assert repeated in text, (page, repeated)
        assert f"Trang {page} / {count}" in text
        seen += re.findall(r"QNG-\d{3}", text)
    assert seen == [f"QNG-{i:03d}" for i in range(45)]  # each once, in order
    assert [row.code for page in layout.pages for row in page.rows] == seen
    assert_fits(layout)


def test_rows_leave_room_for_handwriting_and_the_footer() -> None:
    layout = layout_score_sheet(make_data(entries=entries(20)))
    assert ROW_MIN_HEIGHT >= 9 * MM
    for page in layout.pages:
        lowest = min(row.box.y for row in page.rows)
        signature = min(rule.y for rule in page.rules)
        assert lowest - signature >= 9 * MM  # space to sign above the line


def test_sheet_without_entries_is_one_page_with_the_header(tmp_path: Path) -> None:
    layout = layout_score_sheet(make_data(entries=()))
    assert len(layout.pages) == 1 and layout.pages[0].rows == ()
    text = pdf_text(render_score_sheet(make_data(entries=())), tmp_path)
    assert "Tính khả thi và hiệu quả kinh tế" in text and "Trang 1 / 1" in text


# --------------------------------------------------------------------------- fitting

LONG_CRITERIA = tuple(
    SheetCriterion(f"{name} của dự án khởi nghiệp", 5, weight, 1)
    for name, weight in (
        ("Tính mới và tính sáng tạo của ý tưởng", 4),
        ("Tính khả thi và hiệu quả kinh tế", 3),
        ("Thị trường, khách hàng và đối thủ cạnh tranh", 3),
        ("Mô hình kinh doanh và doanh thu", 2),
        ("Năng lực và kinh nghiệm của đội ngũ", 2),
        ("Tác động kinh tế - xã hội - môi trường", 2),
        ("Phương án tài chính và huy động vốn", 1),
        ("Lộ trình phát triển trong ba năm tới", 1),
        ("Sản phẩm mẫu, dịch vụ thử nghiệm", 1),
        ("Kỹ năng thuyết trình và trả lời câu hỏi", 1),
    )
)


def test_ten_long_criteria_fit_the_page_readably(tmp_path: Path) -> None:
    assert len(LONG_CRITERIA) == 10 and min(len(c.name) for c in LONG_CRITERIA) > 50
    data = make_data(criteria=LONG_CRITERIA, entries=entries(12))
    layout = layout_score_sheet(data)
    assert_fits(layout)
    names = [b for b in layout.header_blocks if b.role == "criterion"]
    assert len(names) == 10 and not any(b.truncated for b in names)
    assert all(b.size >= MIN_FONT_SIZE for b in names) and len({b.size for b in names}) == 1
    criterion_columns = [c for c in layout.columns if c.role == "criterion"]
    assert min(c.width for c in criterion_columns) >= 12 * MM  # room to write "4,5"
    text = pdf_text(render_score_sheet(data), tmp_path)
    assert all(c.name in text for c in LONG_CRITERIA)


def test_few_criteria_give_spare_width_to_title_and_comment() -> None:
    layout = layout_score_sheet(make_data(criteria=CRITERIA[:1]))
    widths = {c.role: c.width for c in layout.columns}
    assert sum(c.width for c in layout.columns) == pytest.approx(layout.content.width)
    assert widths["entry"] > 80 * MM and widths["comment"] > 70 * MM


VIETNAMESE = "aăâbđeêioôơuưyáàảãạắằẳẵặấầẩẫậếềểễệốồổỗộớờởỡợứừửữựĐƯƠỆỮ0123456789"
vn_text = st.text(alphabet=st.sampled_from(VIETNAMESE + "    -,.()\u0301\u0323\t\n"), min_size=1, max_size=120)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    names=st.lists(vn_text, min_size=1, max_size=12),
    rows=st.lists(st.tuples(vn_text, vn_text, st.none() | vn_text), max_size=20),
    judge=vn_text,
)
def test_random_text_never_leaves_its_cell_or_the_page(names, rows, judge) -> None:
    criteria = tuple(SheetCriterion(name, 10, 1, Decimal("0.5")) for name in names)
    sheet_entries = tuple(SheetEntry(code[:12], title, team) for code, title, team in rows)
    assert_fits(layout_score_sheet(make_data(criteria=criteria, entries=sheet_entries, judge_name=judge)))


# --------------------------------------------------------------------------- input checks


def test_missing_labels_and_empty_rubric_are_rejected() -> None:
    with pytest.raises(ValueError, match="signature"):
        make_data(labels={k: v for k, v in LABELS.items() if k != "signature"})
    with pytest.raises(ValueError, match="criterion"):
        make_data(criteria=())


def test_round_record_prints_names_as_typed(tmp_path):
    from judging.core.round_record import RecordRow, RoundRecord, render_round_record

    labels = {
        k: k.capitalize()
        for k in (
            "title",
            "panel",
            "method",
            "hash",
            "frozen",
            "rank",
            "code",
            "project",
            "team",
            "score",
            "judges",
            "spread",
            "chair",
            "secretary",
            "page",
        )
    }
    rows = [
        RecordRow(i + 1, f"QNG-2026-Y-{i:03d}", "Tỏi đen Lý Sơn " * 8, "Đội <b>Tỏi</b> & Lý Sơn", 90 - i, 5, 3.5)
        for i in range(60)
    ]
    pdf = render_round_record(
        RoundRecord(
            "Cuộc thi Khởi nghiệp tỉnh Quảng Ngãi",
            "Chung kết",
            "Mean",
            "trim=0",
            "a" * 64,
            "20/12/2026",
            ["TS. Nguyễn Văn Khoa"],
            rows,
            labels,
        )
    )
    text = pdf_text(pdf, tmp_path)
    assert all(embedded == "yes" and "Helvetica" not in name for name, embedded in pdf_fonts(pdf, tmp_path))
    assert "Đội <b>Tỏi</b> & Lý Sơn" in text and "QNG-2026-Y-059" in text and "TS. Nguyễn Văn Khoa" in text
