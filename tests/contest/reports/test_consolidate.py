from contest.reports.consolidate import FIGURE_KEYS, UnitFigures, consolidate


def test_a_project_reported_by_two_units_counts_once_and_counts_are_summed():
    ward = UnitFigures(
        "Phường A", {"events": 2, "participants": 120}, frozenset({"entry:1", "entry:2"}), frozenset({"c:1"})
    )
    union = UnitFigures(
        "Tỉnh Đoàn",
        {"events": 1, "participants": 80, "clubs": 1},
        frozenset({"entry:2", "entry:3"}),
        frozenset({"c:1", "c:2"}),
    )
    result = consolidate([ward, union])
    assert result.totals["projects"] == 3
    assert result.totals["competitions"] == 2
    assert result.totals["events"] == 3 and result.totals["participants"] == 200 and result.totals["clubs"] == 1
    assert result.shared_projects == 1
    assert result.by_unit[0] == (
        "Phường A",
        {**dict.fromkeys(FIGURE_KEYS, 0), "projects": 2, "competitions": 1, "events": 2, "participants": 120},
    )


def test_no_units_consolidate_to_zero():
    assert set(consolidate([]).totals.values()) == {0}


def test_a_mentoring_session_a_predecessor_and_its_successor_both_count_is_one_session():
    district = UnitFigures("Huyện Lý Sơn", {"mentoring": 2}, sessions=frozenset({"session:1", "session:2"}))
    zone = UnitFigures("Đặc khu Lý Sơn", {"mentoring": 3}, sessions=frozenset({"session:2", "session:3"}))
    assert consolidate([district, zone]).totals["mentoring"] == 4
    # An officer who wrote fewer than the records give is never taken below zero.
    corrected = UnitFigures("Đặc khu Lý Sơn", {"mentoring": 0}, sessions=frozenset({"session:1", "session:2"}))
    assert consolidate([district, corrected]).totals["mentoring"] == 2
