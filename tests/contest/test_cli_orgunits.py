"""`flask orgunits import` and `flask orgunits load-reference`."""

from pathlib import Path

from sqlalchemy import func, select

from contest.models import OrgUnit, OrgUnitKind, OrgUnitSuccession

DATA = Path(__file__).resolve().parents[2] / "contest" / "data"


def test_import_reads_the_2020_file_then_the_2025_file(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["orgunits", "import", str(DATA / "org_units_quang_ngai_2020.csv")])
    assert first.exit_code == 0, first.output
    assert "created 17" in first.output
    second = runner.invoke(args=["orgunits", "import", str(DATA / "org_units_quang_ngai_2025.csv")])
    assert second.exit_code == 0, second.output
    assert "created 98" in second.output and "successions added 3" in second.output
    db.session.remove()
    assert (
        db.session.scalar(
            select(func.count())
            .select_from(OrgUnit)
            .where(OrgUnit.kind.in_([OrgUnitKind.ward, OrgUnitKind.commune, OrgUnitKind.special_zone]))
        )
        == 96
    )
    assert db.session.scalar(select(func.count()).select_from(OrgUnitSuccession)) == 3


def test_import_refuses_a_file_with_bad_rows_and_writes_nothing(app, db, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "code,name,kind,parent_code,valid_from,valid_to,successor_of\n"
        "P,Tỉnh P,province,,,,\n"
        "X,Xã X,hamlet,P,2025-07-01,,\n"
        "Y,Xã Y,commune,P,2025-07-01,,MISSING\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["orgunits", "import", str(bad)])
    assert result.exit_code != 0
    assert "hamlet" in result.output and "MISSING" in result.output and "nothing imported" in result.output
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(OrgUnit)) == 0


def test_import_accepts_many_to_many_succession(app, db, tmp_path):
    units = tmp_path / "units.csv"
    units.write_text(
        "code,name,kind,parent_code,valid_from,valid_to,successor_of\n"
        "A,Huyện A,district,,2020-02-01,2025-06-30,\n"
        "B,Huyện B,district,,2020-02-01,2025-06-30,\n"
        "X,Xã X,commune,,2025-07-01,,A;B\n"
        "Y,Phường Y,ward,,2025-07-01,,A\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["orgunits", "import", str(units)])
    assert result.exit_code == 0, result.output
    db.session.remove()
    pairs = {(link.predecessor.code, link.successor.code) for link in db.session.scalars(select(OrgUnitSuccession))}
    assert pairs == {("A", "X"), ("B", "X"), ("A", "Y")}


def test_load_reference_loads_both_shipped_files(app, db):
    result = app.test_cli_runner().invoke(args=["orgunits", "load-reference"])
    assert result.exit_code == 0, result.output
    db.session.remove()
    assert db.session.scalar(select(OrgUnit.name).where(OrgUnit.code == "QNG-21548")) == "Đặc khu Lý Sơn"
    again = app.test_cli_runner().invoke(args=["orgunits", "load-reference"])
    assert "created 0, updated 0, unchanged 98, successions added 0" in again.output
