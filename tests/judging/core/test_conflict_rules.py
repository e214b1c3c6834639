"""Conflicts a person declared once, found again among a later contest's entries (pure)."""

from judging.core.conflict_rules import Declaration, EntryNames, declared_touches


def test_a_declared_company_touches_entries_by_name_or_registration_number():
    declarations = [
        Declaration(1, "a", "Công ty TNHH Nông Sản Sạch"),
        Declaration(2, "b", "Hợp tác xã khác", registration_number="4300 123.456"),
        Declaration(3, "c", "ABC"),  # too short to be found inside a longer name
    ]
    entries = [
        EntryNames(10, ("Dự án tỏi đen", "công ty tnhh nông sản sạch, chi nhánh Lý Sơn")),
        EntryNames(11, ("Dự án nước mắm",), ("4300123456",)),
        EntryNames(12, ("ABC Farm", "Trường THPT số 1")),
        EntryNames(13, ("ABC",)),
    ]
    assert sorted((d.judge_id, e) for d, e in declared_touches(declarations, entries)) == [(1, 10), (2, 11), (3, 13)]
