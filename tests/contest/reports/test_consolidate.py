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
