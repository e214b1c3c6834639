from datetime import date
from pathlib import Path

from sqlalchemy import select

from contest.domain.orgunits import import_csv, save_unit, tree, units_valid_on
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


def test_the_2025_reform_is_data(db):
    import_csv((DATA / "org_units_quang_ngai_2020.csv").read_text(encoding="utf-8"))
    import_csv((DATA / "org_units_reform_2025.csv").read_text(encoding="utf-8"))
    codes_2024 = {u.code for u in units_valid_on(date(2024, 6, 1))}
    codes_2026 = {u.code for u in units_valid_on(date(2026, 1, 1))}
    assert "QNG-BS" in codes_2024 and "QNG-BS" not in codes_2026
    assert "QNG-LSO" in codes_2026 and "KTM" not in codes_2026
    ly_son = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "QNG-LS"))
    assert ly_son.successor.code == "QNG-LSO"
    kon_tum = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "KTM"))
    assert kon_tum.successor.code == "QNG"


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
        save_unit(a, code="A", name="A", kind="province", parent_code="B", successor_code=None,
                  valid_from=None, valid_to=None)
    assert info.value.field == "parent_code"


def test_editing_a_unit_is_audited_with_before_and_after(db):
    unit = save_unit(None, code="X1", name="Xã Một", kind="commune", parent_code=None,
                     successor_code=None, valid_from=date(2025, 7, 1), valid_to=None)
    save_unit(unit, code="X1", name="Xã Một (mới)", kind="commune", parent_code=None,
              successor_code=None, valid_from=date(2025, 7, 1), valid_to=None)
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "orgunit.saved")).all()
    assert events[-1].before["name"] == "Xã Một" and events[-1].after["name"] == "Xã Một (mới)"
    assert [u.code for u, _depth in tree()] == ["X1"]
    assert unit.kind is OrgUnitKind.commune
