from datetime import date
from pathlib import Path

from sqlalchemy import select

from contest.domain.orgunits import history, import_csv, save_unit, tree, units_valid_on
from contest.models import AuditEvent, OrgUnit, OrgUnitKind

DATA = Path(__file__).resolve().parents[3] / "contest" / "data"


def test_imports_the_quang_ngai_units(db):
    report = import_csv((DATA / "org_units_quang_ngai_2020.csv").read_text(encoding="utf-8"))
    assert report.errors == []
    assert report.created == 17
    province = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "QNG"))
    assert province.name == "Tỉnh Quảng Ngãi"
    assert len(province.children) == 16
    again = import_csv((DATA / "org_units_quang_ngai_2020.csv").read_text(encoding="utf-8"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 17)


def _load_reference(db):
    for name in ("org_units_quang_ngai_2020.csv", "org_units_quang_ngai_2025.csv"):
        report = import_csv((DATA / name).read_text(encoding="utf-8"))
        assert report.errors == [], report.errors
    db.session.commit()


def _unit(db, code):
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def test_the_2025_reform_is_data(db):
    _load_reference(db)
    codes_2024 = {u.code for u in units_valid_on(date(2024, 6, 1))}
    codes_2026 = {u.code for u in units_valid_on(date(2026, 1, 1))}
    assert "QNG-BS" in codes_2024 and "QNG-BS" not in codes_2026
    assert "QNG-21548" in codes_2026 and "KTM-62" not in codes_2026 and "QNG-21548" not in codes_2024
    new_province = _unit(db, "QNG-51")
    kinds = [u.kind for u in new_province.children]
    assert (
        len(kinds),
        kinds.count(OrgUnitKind.ward),
        kinds.count(OrgUnitKind.commune),
        kinds.count(OrgUnitKind.special_zone),
    ) == (96, 9, 86, 1)
    ly_son = _unit(db, "QNG-LS")
    assert [u.name for u in ly_son.successors] == ["Đặc khu Lý Sơn"]
    assert ly_son.successor_links[0].on == date(2025, 7, 1)
    # Many-to-one: Quảng Ngãi and Kon Tum both became the new province.
    assert sorted(u.code for u in new_province.predecessors) == ["KTM-62", "QNG"]
    assert _unit(db, "QNG-21025").name == "Phường Cẩm Thành"


def test_importing_the_reference_files_again_changes_nothing(db):
    _load_reference(db)
    again = import_csv((DATA / "org_units_quang_ngai_2025.csv").read_text(encoding="utf-8"))
    assert (again.created, again.updated, again.unchanged, again.links_added) == (0, 0, 98, 0)


def test_a_district_split_among_several_communes_and_communes_merged_into_one(db):
    """Many-to-many succession in one file: D went to X and Y; Y also took over E."""
    text = (
        "code,name,kind,parent_code,valid_from,valid_to,successor_of\n"
        "P,Tỉnh P,province,,,,\n"
        "D,Huyện D,district,P,2020-02-01,2025-06-30,\n"
        "E,Huyện E,district,P,2020-02-01,2025-06-30,\n"
        "X,Xã X,commune,P,2025-07-01,,D\n"
        "Y,Phường Y,ward,P,2025-07-01,,D;E\n"
    )
    report = import_csv(text)
    assert report.errors == [] and report.links_added == 3
    assert sorted(u.code for u in _unit(db, "D").successors) == ["X", "Y"]
    assert sorted(u.code for u in _unit(db, "Y").predecessors) == ["D", "E"]
    back, forward = history(_unit(db, "Y"))
    assert sorted(link.predecessor.code for link in back) == ["D", "E"] and forward == []
    _back, forward = history(_unit(db, "E"))
    assert [(link.successor.code, link.on) for link in forward] == [("Y", date(2025, 7, 1))]


def test_bad_succession_rows_are_refused_and_nothing_is_written(db):
    text = (
        "code,name,kind,parent_code,valid_from,valid_to,successor_of\n"
        "P,Tỉnh P,province,,,,\n"
        "X,Xã X,commune,P,2025-07-01,,NOWHERE;P\n"
        "Y,Xã Y,special_zone,P,2025-07-01,,Y\n"
    )
    report = import_csv(text)
    unknown = [e for e in report.errors if "NOWHERE" in e]
    itself = [e for e in report.errors if "NOWHERE" not in e]
    assert len(unknown) == 1 and "3" in unknown[0]
    assert len(itself) == 1 and "4" in itself[0]  # Y names itself as its predecessor
    assert db.session.scalars(select(OrgUnit)).all() == []


def test_the_edit_form_sets_several_successors(db):
    import_csv(
        "code,name,kind,parent_code,valid_from,valid_to\nD,Huyện D,district,,,2025-06-30\n"
        "X,Xã X,commune,,2025-07-01,\nY,Xã Y,commune,,2025-07-01,\n"
    )
    d = _unit(db, "D")
    save_unit(
        d,
        code="D",
        name="Huyện D",
        kind="district",
        parent_code=None,
        successor_codes="X; Y",
        valid_from=None,
        valid_to=date(2025, 6, 30),
    )
    assert sorted(u.code for u in d.successors) == ["X", "Y"]
    save_unit(
        d,
        code="D",
        name="Huyện D",
        kind="district",
        parent_code=None,
        successor_codes="Y",
        valid_from=None,
        valid_to=date(2025, 6, 30),
    )
    db.session.flush()
    assert [u.code for u in d.successors] == ["Y"]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "orgunit.saved")).all()[-1]
    assert event.before["successors"] == ["X", "Y"] and event.after["successors"] == ["Y"]


def test_a_bad_file_imports_nothing_and_names_every_bad_line(db):
    text = (
        "code,name,kind,parent_code,valid_from,valid_to\n"
        "A,Unit A,province,,,\n"
        "B,Unit B,planet,A,,\n"
        "C,Unit C,district,ZZZ,2020-13-01,\n"
        "D,,district,A,,\n"
    )
    report = import_csv(text)
    assert len(report.errors) >= 4
    assert any("3" in e and "planet" in e for e in report.errors)
    assert any("ZZZ" in e for e in report.errors)
    assert db.session.scalars(select(OrgUnit)).all() == []


def test_missing_columns_are_reported(db):
    report = import_csv("code,name\nA,B\n")
    assert report.errors and "kind" in report.errors[0]


def test_parent_cycles_are_refused(db):
    import_csv("code,name,kind,parent_code,valid_from,valid_to\nA,A,province,,,\nB,B,district,A,,\n")
    a = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "A"))
    import pytest

    from contest.domain.errors import DomainError

    with pytest.raises(DomainError) as info:
        save_unit(
            a,
            code="A",
            name="A",
            kind="province",
            parent_code="B",
            successor_codes=None,
            valid_from=None,
            valid_to=None,
        )
    assert info.value.field == "parent_code"


def test_editing_a_unit_is_audited_with_before_and_after(db):
    unit = save_unit(
        None,
        code="X1",
        name="Xã Một",
        kind="commune",
        parent_code=None,
        successor_codes=None,
        valid_from=date(2025, 7, 1),
        valid_to=None,
    )
    save_unit(
        unit,
        code="X1",
        name="Xã Một (mới)",
        kind="commune",
        parent_code=None,
        successor_codes=None,
        valid_from=date(2025, 7, 1),
        valid_to=None,
    )
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "orgunit.saved")).all()
    assert events[-1].before["name"] == "Xã Một" and events[-1].after["name"] == "Xã Một (mới)"
    assert [u.code for u, _depth in tree()] == ["X1"]
    assert unit.kind is OrgUnitKind.commune


def test_a_code_or_name_too_long_for_the_table_is_a_listed_error_and_nothing_is_written(db):
    """A code holds 32 characters and a name 200: PostgreSQL refused the longer ones at the
    flush, an error page instead of the import's list of bad lines."""
    text = (
        "code,name,kind,parent_code,valid_from,valid_to,successor_of\n"
        "QNG-OK,Xã Tịnh Khê,commune,,,,\n"
        f"{'X' * 33},Xã Tịnh An,commune,,,,\n"
        f"QNG-LONG,{'Xã ' * 70},commune,,,,\n"
    )
    report = import_csv(text)
    assert report.errors == ["Dòng 3: code dài tối đa 32 ký tự.", "Dòng 4: name dài tối đa 200 ký tự."]
    assert db.session.scalar(select(OrgUnit).where(OrgUnit.code == "QNG-OK")) is None


def test_the_old_province_ends_when_the_new_one_starts(db):
    """The 2020 file leaves QNG open; QNG-51 replaced it on 2025-07-01, so one
    Tỉnh Quảng Ngãi is current, and importing the 2020 file again keeps the end."""
    _load_reference(db)
    old = _unit(db, "QNG")
    assert old.valid_to == date(2025, 6, 30)
    assert [u.code for u in old.successors] == ["QNG-51"]
    current = [u for u in units_valid_on(date(2026, 1, 1)) if u.name == "Tỉnh Quảng Ngãi"]
    assert [u.code for u in current] == ["QNG-51"]
    assert [u.code for u in units_valid_on(date(2025, 6, 30)) if u.kind == OrgUnitKind.province] == ["KTM-62", "QNG"]
    again = import_csv((DATA / "org_units_quang_ngai_2020.csv").read_text(encoding="utf-8"))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 17)
    assert _unit(db, "QNG").valid_to == date(2025, 6, 30)
