"""The student startup contest (Đề án 1665): teams register from their school, a
unit of kind school, and the reports count them by school."""

import pytest

from contest.domain import reports
from contest.domain.errors import DomainError
from contest.models import OrgUnitKind
from contest.reports import figures as F
from tests.factories import login, make_competition, make_team, make_unit, make_user


def _schools():
    return (
        make_unit("QNG-DHPVD", "Trường Đại học Phạm Văn Đồng", OrgUnitKind.school),
        make_unit("QNG-CDKT", "Trường Cao đẳng Kỹ thuật Công nghệ Quảng Ngãi", OrgUnitKind.school),
    )


def test_a_student_teams_school_is_required_and_must_be_a_school(db):
    competition = make_competition("sinh-vien-2026", preset="student")
    commune = make_unit("X-NGHIA", "Xã Nghĩa Hành", OrgUnitKind.commune)
    school, _other = _schools()
    with pytest.raises(DomainError) as missing:
        make_team(competition)
    assert missing.value.field == "org_unit" and "học sinh, sinh viên" in missing.value.message
    with pytest.raises(DomainError):
        make_team(competition, org_unit=commune)
    team = make_team(competition, org_unit=school, student=True)
    assert team.org_unit.kind is OrgUnitKind.school


def test_student_teams_are_counted_by_school(app, db):
    competition = make_competition("sinh-vien-2026", preset="student")
    pvd, cdkt = _schools()
    for school in (pvd, pvd, cdkt):
        make_team(competition, org_unit=school, student=True, members=1)
    make_team(make_competition("tinh-2026"))  # not from a school: not in the table
    db.session.commit()
    with app.test_request_context():
        records = reports.load_records(None)
        table = reports.breakdowns(records, F.Filters())["school"]
    assert sorted((name, f.teams, f.student_teams) for name, f in table.rows) == [
        ("Trường Cao đẳng Kỹ thuật Công nghệ Quảng Ngãi", 1, 1),
        ("Trường Đại học Phạm Văn Đồng", 2, 2),
    ]


def test_the_new_team_form_of_a_student_contest_offers_schools_only(client, db):
    competition = make_competition("sinh-vien-2026", preset="student")
    make_unit("X-NGHIA", "Xã Nghĩa Hành", OrgUnitKind.commune)
    _schools()
    login(client, make_user())
    page = client.get(f"/c/{competition.slug}/team/new").get_data(as_text=True)
    assert "Trường Đại học Phạm Văn Đồng" in page and "Xã Nghĩa Hành" not in page
