"""Tests for the pure paper-score CSV import (judging.core.score_import)."""

from __future__ import annotations

import ast
import csv
import io
import random
import sys
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import judging.core.score_import as score_import
from judging.core.score_import import (
    CriterionRule,
    ImportContext,
    ImportedScore,
    ImportReport,
    RowProblem,
    parse_scores_csv,
)

FAST = settings(max_examples=150, deadline=None)
BOM = b"\xef\xbb\xbf"
HEADER = "judge_email,entry_code,criterion,score"

IDEA = CriterionRule("c1", "Ý tưởng sáng tạo", Decimal(10), Decimal("0.5"))
FEASIBILITY = CriterionRule("c2", "Tính khả thi", Decimal(10), Decimal("0.5"))
TEAM = CriterionRule("c3", "Đội ngũ", Decimal(5), Decimal(1))

CONTEXT = ImportContext(
    judges={"an@example.vn": 1, "binh@example.vn": 2, "cuong@example.vn": 3},
    entries={"QN-001": 10, "QN-002": 20, "QN-003": 30},
    criteria={rule.name: rule for rule in (IDEA, FEASIBILITY, TEAM)},
    assigned=frozenset({(1, 10), (1, 20), (2, 10), (2, 20), (3, 30)}),
    conflicts=frozenset({(3, 10), (2, 20)}),
)


# --------------------------------------------------------------------------- helpers


def parse(*lines: str, newline: str = "\n", bom: bool = False) -> ImportReport:
    data = newline.join(lines).encode()
    return parse_scores_csv(BOM + data if bom else data, CONTEXT)


def problems(report: ImportReport) -> list[tuple[int, str, dict]]:
    return [(p.line, p.code, dict(p.params)) for p in report.problems]


def values(report: ImportReport) -> list[tuple]:
    return [(s.judge_id, s.entry_id, s.criterion_id, s.value, s.line) for s in report.scores]


def only_problem(*lines: str) -> tuple[int, str, dict]:
    report = parse(HEADER, *lines)
    assert not report.ok and report.scores == ()
    [problem] = problems(report)
    return problem


# --------------------------------------------------------------------------- clean files


def test_clean_vietnamese_file_with_bom_semicolons_and_decimal_comma():
    nfd_name = unicodedata.normalize("NFD", "  ý   TƯỞNG sáng TẠO ")
    report = parse(
        "email_giam_khao;ma_ho_so;tieu_chi;diem",
        f"An@Example.VN ;qn-001;{nfd_name};7,5",
        "",
        "an@example.vn;QN-001;2; 8 ",
        "  ;  ;  ;  ",
        "binh@example.vn;QN-001;tính khả thi;10",
        "cuong@example.vn;QN-003;3;0",
        newline="\r\n",
        bom=True,
    )
    assert report.ok and report.problems == ()
    assert values(report) == [
        (1, 10, "c1", Decimal("7.5"), 2),
        (1, 10, "c2", Decimal(8), 4),
        (2, 10, "c2", Decimal(10), 6),
        (3, 30, "c3", Decimal(0), 7),
    ]
    assert all(isinstance(score, ImportedScore) for score in report.scores)


def test_comma_file_with_quoted_decimal_comma_and_columns_in_any_order():
    report = parse(
        "Score,Note,Criterion,Entry_Code,Judge_Email",
        '"4,5",typed from sheet 3,Đội ngũ,QN-002,an@example.vn',
        "4,,1,QN-002,an@example.vn",
    )
    assert problems(report) == [(2, "wrong_step", {"value": "4,5", "step": Decimal(1)})]
    report = parse(HEADER, 'an@example.vn,QN-002,1,"7,5"', "an@example.vn,QN-002,Đội ngũ,4")
    assert values(report) == [(1, 20, "c1", Decimal("7.5"), 2), (1, 20, "c3", Decimal(4), 3)]


def test_header_with_vietnamese_marks_and_excel_sep_line():
    report = parse("sep=;", "Email giám khảo;Mã hồ sơ;Tiêu chí;Điểm", "an@example.vn;QN-001;1;6,5")
    assert values(report) == [(1, 10, "c1", Decimal("6.5"), 3)]


def test_tab_delimiter_lone_cr_and_trailing_empty_cells():
    report = parse(
        "judge_email\tentry_code\tcriterion\tscore",
        "an@example.vn\tQN-001\t1\t5\t\t",
        newline="\r",
    )
    assert values(report) == [(1, 10, "c1", Decimal(5), 2)]


def test_plus_sign_and_minus_zero_are_numbers():
    report = parse(HEADER, "an@example.vn,QN-001,1,+7", "an@example.vn,QN-001,2,-0")
    assert values(report) == [(1, 10, "c1", Decimal(7), 2), (1, 10, "c2", Decimal(0), 3)]
    assert not report.scores[1].value.is_signed()


# --------------------------------------------------------------------------- file problems


def test_not_utf8_names_the_line_of_the_bad_byte():
    data = f"{HEADER}\nan@example.vn,QN-001,1,5\n".encode() + "Đà".encode("cp1258")
    report = parse_scores_csv(BOM + data, CONTEXT)
    assert problems(report) == [(3, "not_utf8", {})]
    assert parse_scores_csv("judge".encode("utf-16"), CONTEXT).problems[0].code == "not_utf8"


@pytest.mark.parametrize("data", [b"", BOM, b"\n \r\n;;;\n", HEADER.encode(), f"{HEADER}\n,,,\n".encode()])
def test_empty_file(data):
    report = parse_scores_csv(data, CONTEXT)
    assert problems(report) == [(0, "empty_file", {})]
    assert not report.ok


def test_missing_columns_stops_before_the_rows():
    report = parse("", "Judge_Email;Entry_Code;Points", "x;y;z")
    assert problems(report) == [(2, "missing_columns", {"missing": ["criterion", "score"]})]


def test_field_too_big_for_csv_is_malformed_row():
    report = parse(HEADER, "an@example.vn,QN-001,1,5", "x" * 200_000, "an@example.vn,QN-001,2,5")
    assert problems(report) == [(3, "malformed_row", {})]
    assert report.scores == ()


# --------------------------------------------------------------------------- row problems


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("an@example.vn,QN-001,1", ("wrong_column_count", {"expected": 4, "found": 3})),
        ("an@example.vn,QN-001,1,7,5", ("wrong_column_count", {"expected": 4, "found": 5})),
        ("nobody@example.vn,QN-001,1,5", ("unknown_judge", {"email": "nobody@example.vn"})),
        ("an@example.vn,QN-999,1,5", ("unknown_entry", {"code": "QN-999"})),
        ("an@example.vn,QN-001,Thị trường,5", ("unknown_criterion", {"criterion": "Thị trường"})),
        ("an@example.vn,QN-001,4,5", ("unknown_criterion", {"criterion": "4"})),
        ("an@example.vn,QN-001,0,5", ("unknown_criterion", {"criterion": "0"})),
        ("an@example.vn,QN-001,1,bảy", ("not_a_number", {"value": "bảy"})),
        ("an@example.vn,QN-001,1,1e1", ("not_a_number", {"value": "1e1"})),
        ("an@example.vn,QN-001,1,NaN", ("not_a_number", {"value": "NaN"})),
        ("an@example.vn,QN-001,1,7.", ("not_a_number", {"value": "7."})),
        ("an@example.vn,QN-001,1,١", ("not_a_number", {"value": "١"})),
        ('an@example.vn,QN-001,1,"1.000,5"', ("not_a_number", {"value": "1.000,5"})),
        ("an@example.vn,QN-001,1,-1", ("out_of_range", {"value": "-1", "max": Decimal(10)})),
        ("an@example.vn,QN-001,3,6", ("out_of_range", {"value": "6", "max": Decimal(5)})),
        ("an@example.vn,QN-001,1,7.3", ("wrong_step", {"value": "7.3", "step": Decimal("0.5")})),
        ("an@example.vn,QN-001,3,2.5", ("wrong_step", {"value": "2.5", "step": Decimal(1)})),
        (
            "an@example.vn,QN-003,1,5",
            ("not_assigned", {"email": "an@example.vn", "code": "QN-003"}),
        ),
        (
            "binh@example.vn,QN-002,1,5",
            ("conflict", {"email": "binh@example.vn", "code": "QN-002"}),
        ),
        (",QN-001,1,5", ("blank_value", {"column": "judge_email"})),
        ("an@example.vn, ,1,5", ("blank_value", {"column": "entry_code"})),
        ("an@example.vn,QN-001,,5", ("blank_value", {"column": "criterion"})),
        ("an@example.vn,QN-001,1,", ("blank_value", {"column": "score"})),
    ],
)
def test_each_row_problem(row, expected):
    assert only_problem(row) == (2, *expected)


def test_duplicate_names_the_first_line_even_through_different_spellings():
    report = parse(
        HEADER,
        "an@example.vn,QN-001,1,5",
        "an@example.vn,QN-001,2,5",
        "AN@example.vn,qn-001,Ý TƯỞNG SÁNG TẠO,5",
        "an@example.vn,QN-001,1,6",
    )
    assert problems(report) == [
        (4, "duplicate", {"first_line": 2}),
        (5, "duplicate", {"first_line": 2}),
    ]


def test_formula_cells_are_only_text():
    report = parse(
        HEADER,
        '"=HYPERLINK(""http://x"")",QN-001,1,5',
        "an@example.vn,@QN-001,1,5",
        "an@example.vn,QN-001,+cmd|' /C calc'!A0,5",
        "an@example.vn,QN-001,1,=2+5",
        "an@example.vn,QN-001,2,-3+10",
    )
    assert problems(report) == [
        (2, "unknown_judge", {"email": '=HYPERLINK("http://x")'}),
        (3, "unknown_entry", {"code": "@QN-001"}),
        (4, "unknown_criterion", {"criterion": "+cmd|' /C calc'!A0"}),
        (5, "not_a_number", {"value": "=2+5"}),
        (6, "not_a_number", {"value": "-3+10"}),
    ]


def test_every_problem_of_every_row_with_line_numbers():
    report = parse(
        "email_giam_khao;ma_ho_so;tieu_chi;diem",
        "an@example.vn;QN-001;1;7,5",  # good
        "",
        "cuong@example.vn;QN-001;Đội ngũ;5,5",
        'an@example.vn;QN-001;"Tính',  # a quoted line break: the row spans lines 5-6
        'khả  thi";11',
        "nobody@example.vn;QN-404;9;",
        "an@example.vn;QN-001;1;7",
        "an@example.vn;QN-002",
        "binh@example.vn;QN-001;2;-0,5",
        "binh@example.vn;QN-001;3;4",  # good
        bom=True,
    )
    assert problems(report) == [
        (4, "out_of_range", {"value": "5,5", "max": Decimal(5)}),
        (4, "wrong_step", {"value": "5,5", "step": Decimal(1)}),
        (4, "not_assigned", {"email": "cuong@example.vn", "code": "QN-001"}),
        (4, "conflict", {"email": "cuong@example.vn", "code": "QN-001"}),
        (5, "out_of_range", {"value": "11", "max": Decimal(10)}),
        (7, "blank_value", {"column": "score"}),
        (7, "unknown_judge", {"email": "nobody@example.vn"}),
        (7, "unknown_entry", {"code": "QN-404"}),
        (7, "unknown_criterion", {"criterion": "9"}),
        (8, "duplicate", {"first_line": 2}),
        (9, "wrong_column_count", {"expected": 4, "found": 2}),
        (10, "out_of_range", {"value": "-0,5", "max": Decimal(10)}),
    ]
    assert all(isinstance(problem, RowProblem) for problem in report.problems)


def test_scores_are_withheld_while_any_row_is_bad():
    good = [f"an@example.vn,QN-001,{c},5" for c in (1, 2, 3)]
    assert parse(HEADER, *good).ok
    report = parse(HEADER, *good, "an@example.vn,QN-001,1,5")  # one duplicate spoils the file
    assert not report.ok
    assert report.scores == ()
    assert [p.code for p in report.problems] == ["duplicate"]


def test_ok_needs_scores_and_no_problems():
    score = ImportedScore(1, 10, "c1", Decimal(5), 2)
    problem = RowProblem(3, "blank_value", {"column": "score"})
    assert ImportReport((score,), ()).ok
    assert not ImportReport((), ()).ok
    assert not ImportReport((score,), (problem,)).ok


# --------------------------------------------------------------------------- context and purity


def test_context_keys_are_normalised_and_criteria_must_be_distinct():
    context = ImportContext(
        judges={" An@Example.VN ": 1},
        entries={"qn-001": 10},
        criteria={"Đội  ngũ": TEAM},
        assigned=frozenset({(1, 10)}),
    )
    data = f"{HEADER}\nan@example.vn,QN-001,đội ngũ,3\n".encode()
    assert parse_scores_csv(data, context).ok
    twins = {"Đội ngũ": TEAM, "ĐỘI NGŨ": IDEA}
    with pytest.raises(ValueError, match="share the name"):
        parse_scores_csv(data, ImportContext({}, {}, twins, frozenset()))


def test_criterion_rule_checks_its_numbers():
    assert CriterionRule("c", "x", 10, 1).max_points == Decimal(10)
    with pytest.raises(TypeError):
        CriterionRule("c", "x", Decimal(10), 0.5)
    with pytest.raises(ValueError):
        CriterionRule("c", "x", Decimal(10), Decimal(0))
    with pytest.raises(ValueError):
        CriterionRule("c", "x", Decimal(-1), Decimal(1))
    with pytest.raises(ValueError):
        CriterionRule("c", "x", Decimal("NaN"), Decimal(1))


def test_module_imports_only_the_standard_library():
    tree = ast.parse(Path(score_import.__file__).read_text(encoding="utf-8"))
    modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    modules |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    assert {name.split(".")[0] for name in modules} <= set(sys.stdlib_module_names)


# --------------------------------------------------------------------------- properties


@st.composite
def score_tables(draw):
    """A random round, a valid score table for it, and how the secretariat saved it."""
    rnd = random.Random(draw(st.integers(0, 2**32)))
    steps = (Decimal(1), Decimal("0.5"), Decimal("0.25"), Decimal("0.1"))
    rules = [
        CriterionRule(
            f"c{i}",
            f"Tiêu chí {i} {name}",
            Decimal(draw(st.integers(0, 20))),
            draw(st.sampled_from(steps)),
        )
        for i, name in enumerate(
            draw(
                st.lists(
                    st.sampled_from(["Ý tưởng", "Thị trường", "Đội ngũ", "Tài chính"]),
                    min_size=1,
                    max_size=4,
                )
            )
        )
    ]
    judges = {f"gk{j}@tinh.gov.vn": j for j in range(draw(st.integers(1, 4)))}
    entries = {f"QN-{e:03d}": e * 100 for e in range(draw(st.integers(1, 5)))}
    assigned = frozenset((j, e) for j in judges.values() for e in entries.values() if rnd.random() < 0.7)
    triples = [(j, e, r) for j, e in sorted(assigned) for r in range(len(rules))]
    chosen = rnd.sample(triples, draw(st.integers(1, max(1, len(triples))))) if triples else []
    expected = []
    for j, e, r in chosen:
        rule = rules[r]
        steps_to_max = int(rule.max_points / rule.step)
        expected.append((j, e, rule.id, rnd.randint(0, steps_to_max) * rule.step))
    style = {
        "delimiter": draw(st.sampled_from([",", ";", "\t"])),
        "comma": draw(st.booleans()),
        "bom": draw(st.booleans()),
        "vietnamese": draw(st.booleans()),
        "newline": draw(st.sampled_from(["\n", "\r\n"])),
        "blank_lines": draw(st.booleans()),
    }
    context = ImportContext(judges, entries, {rule.name: rule for rule in rules}, assigned)
    return context, rules, expected, style, rnd


def write_csv(context, rules, expected, style, rnd) -> tuple[bytes, list[int]]:
    """The table as CSV bytes, and the line each score lands on."""
    email_of = {j: email for email, j in context.judges.items()}
    code_of = {e: code for code, e in context.entries.items()}
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=style["delimiter"], lineterminator=style["newline"])
    header = "email_giam_khao ma_ho_so tieu_chi diem" if style["vietnamese"] else HEADER.replace(",", " ")
    writer.writerow(header.split())
    lines, line = [], 1
    for j, e, criterion_id, value in expected:
        if style["blank_lines"] and rnd.random() < 0.3:
            buffer.write(style["newline"])
            line += 1
        position = next(i for i, rule in enumerate(rules) if rule.id == criterion_id)
        name = rules[position].name
        criterion = rnd.choice([str(position + 1), name.upper(), f"  {name.lower()} ", name.replace(" ", "   ")])
        email = rnd.choice([email_of[j], email_of[j].upper()])
        text = str(value).replace(".", ",") if style["comma"] else str(value)
        writer.writerow([email, code_of[e].lower(), criterion, text])
        line += 1
        lines.append(line)
    data = buffer.getvalue().encode()
    return (BOM + data if style["bom"] else data), lines


@FAST
@given(score_tables())
def test_valid_tables_come_back_exactly(table):
    context, rules, expected, style, rnd = table
    data, lines = write_csv(context, rules, expected, style, rnd)
    report = parse_scores_csv(data, context)
    if not expected:
        assert [p.code for p in report.problems] == ["empty_file"]
        return
    assert report.problems == ()
    assert report.ok
    got = [(s.judge_id, s.entry_id, s.criterion_id, s.value) for s in report.scores]
    assert got == expected
    assert [s.line for s in report.scores] == lines


@FAST
@given(
    st.binary(max_size=400)
    | st.lists(
        st.sampled_from(
            [
                "an@example.vn",
                "QN-001",
                "1",
                "7,5",
                "-1",
                "=1",
                '"',
                ",",
                ";",
                "\n",
                "\r",
                " ",
                "tieu_chi",
                "diem",
                HEADER,
            ]
        ),
        max_size=40,
    ).map(lambda parts: "".join(parts).encode())
)
def test_any_bytes_give_a_report_never_an_exception(data):
    report = parse_scores_csv(data, CONTEXT)
    assert report.ok == (not report.problems)
    assert (report.scores == ()) or report.ok
    assert all(problem.line >= 0 for problem in report.problems)
    assert [p.line for p in report.problems] == sorted(p.line for p in report.problems)
