"""Reports from the database: a small known contest, counted by hand."""

from datetime import UTC, date, datetime

import pytest

from contest.domain import followup, reports, yearly_report
from contest.domain.entries import submit
from contest.domain.errors import DomainError
from contest.domain.teams import MemberDetails, add_member
from contest.models import (
    CompetitionRoleKind,
    EntryValidity,
    Gender,
    OrgUnitKind,
    OutcomeKind,
    PlanIndicator,
)
from contest.models.base import utcnow
from contest.reports import figures as F
from tests.factories import fill_entry, make_competition, make_team, make_unit, make_user


def _submitted(team, valid=True):
    entry = fill_entry(team)
    submit(entry, team.leader)
    entry.validity = EntryValidity.valid if valid else EntryValidity.invalid
    return entry


def known_contest(db):
    """2024, deadline 30/09/2024: three teams, eight participants.

    - "Đội Chị Hoa": a woman (turns 35 on the deadline) leading two men, one 36 the day before;
    - "Đội Sinh viên": two students, registered from huyện Sơn Tịnh, dissolved on 30/06/2025;
    - "Đội Nháp": registered, never submitted; three members, no gender given for one.
    """
    commune = make_unit("X-TINHPHONG", "Xã Tịnh Phong", OrgUnitKind.commune, valid_from=date(2025, 7, 1))
    district = make_unit(
        "H-SONTINH", "Huyện Sơn Tịnh", OrgUnitKind.district, valid_to=date(2025, 6, 30), successors=[commune]
    )
    competition = make_competition("khoi-nghiep-2024-bc")
    hoa = make_team(
        competition, make_user("hoa@example.vn", name="Trần Thị Hoa"), name="Đội Chị Hoa", leader_gender=Gender.female
    )
    hoa.members[0].date_of_birth = date(1989, 9, 30)
    add_member(hoa, MemberDetails(full_name="Lê Văn Nam", gender=Gender.male, date_of_birth=date(1988, 9, 29)))
    add_member(hoa, MemberDetails(full_name="Phạm Minh", gender=Gender.male, date_of_birth=date(2000, 1, 1)))
    students = make_team(
        competition, name="Đội Sinh viên", leader_gender=Gender.male, student=True, members=1, org_unit=district
    )
    students.members[1].gender = Gender.female
    draft = make_team(competition, name="Đội Nháp", leader_gender=Gender.female, members=2)
    _submitted(hoa)
    _submitted(students)
    competition.year = 2024
    competition.submission_deadline = datetime(2024, 9, 30, 3, 0, tzinfo=UTC)
    db.session.commit()
    return competition, {"hoa": hoa, "students": students, "draft": draft, "district": district, "commune": commune}


def test_known_contest_counted_by_hand(app, db):
    known_contest(db)
    with app.test_request_context():
        records = reports.load_records(None)
        figures = F.compute(records.competitions, records.teams, F.Filters(year=2024))
    assert (figures.competitions, figures.teams, figures.entries_submitted, figures.entries_valid) == (1, 3, 2, 2)
    assert figures.participants == 8
    # Women: Hoa, the student member, the draft's leader. Men: Nam, Minh, the student leader.
    assert (figures.women, figures.men, figures.gender_unknown) == (3, 3, 2)
    assert figures.women_led_teams == 2  # Hoa's team of men, and the draft's leader
    assert figures.student_teams == 1
    # Everyone but Nam (36 on the deadline) is 35 or less: the factories' people are born 1998–2000.
    assert figures.youth == 7 and figures.age_unknown == 0


def test_a_dissolved_units_team_keeps_its_unit_and_is_found_from_the_successor(app, db):
    _, known = known_contest(db)
    with app.test_request_context():
        records = reports.load_records(None)
        scope = reports.unit_scope(known["commune"].id)
        by_unit = reports.breakdowns(records, F.Filters())["unit"]
    assert known["district"].id in scope
    assert F.compute(records.competitions, records.teams, F.Filters(unit_ids=scope)).teams == 1
    assert ("Huyện Sơn Tịnh (đến 30/06/2025)", 1) in [(k, f.teams) for k, f in by_unit.rows]


def test_an_organizer_sees_only_their_competitions(app, db):
    from contest.domain.competitions import grant_role

    competition, _ = known_contest(db)
    other = make_competition("khac-2026")
    organizer = make_user("btc@example.vn")
    admin = make_user("admin@example.vn", admin=True)
    grant_role(other, organizer.email, CompetitionRoleKind.organizer, admin)
    db.session.commit()
    assert reports.visible_competition_ids(organizer) == [other.id]
    assert reports.visible_competition_ids(admin) is None
    assert not reports.may_see_reports(make_user("doi@example.vn"))
    with app.test_request_context():
        assert F.compute(*_records(reports.load_records([other.id]))).teams == 0
        assert competition.id not in [c.id for c in reports.load_records([other.id]).competitions]


def _records(records):
    return records.competitions, records.teams


def test_follow_up_feeds_the_plan_and_is_audited(app, db):
    from sqlalchemy import select

    from contest.models import AuditEvent, Entry

    _, known = known_contest(db)
    entry = db.session.scalar(select(Entry).where(Entry.team_id == known["hoa"].id))
    user = make_user("theodoi@example.vn")
    with app.test_request_context():
        with pytest.raises(DomainError) as missing:
            followup.record_outcome(
                entry,
                followup.OutcomeInput(OutcomeKind.enterprise_registered, date(2025, 3, 1), "Cổng thông tin ĐKDN"),
                user,
            )
        assert missing.value.field == "registration_number"
        with pytest.raises(DomainError):
            followup.record_outcome(
                entry,
                followup.OutcomeInput(OutcomeKind.capital_raised, date(2099, 1, 1), "Báo Quảng Ngãi", amount=1),
                user,
            )
        followup.record_outcome(
            entry,
            followup.OutcomeInput(
                OutcomeKind.enterprise_registered,
                date(2025, 3, 1),
                "Cổng thông tin ĐKDN",
                detail="Công ty TNHH Hoa Sen",
                registration_number="4300123456",
            ),
            user,
        )
        followup.ensure_default_targets()
        followup.set_figure(2024, PlanIndicator.certified_advisers, 7, "", user, "QĐ 12/QĐ-SKHCN")
        with pytest.raises(DomainError):  # no source: refused, certified advisers come from the registry
            followup.set_figure(2023, PlanIndicator.certified_advisers, 5, "gọi điện", user)
        db.session.commit()
        progress = {
            p.target.indicator: p
            for p, _, _ in reports.plan_progress(None, date(2025, 12, 1))
            if p.target.start_year == 2022
        }
    assert progress["enterprises_formed"].achieved == 1
    assert progress["projects_supported"].achieved == 2
    assert progress["certified_advisers"].achieved == 0  # counted from certifications
    assert [(f.year, f.value) for f in progress["certified_advisers"].hand_figures] == [(2024, 7)]
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"followup.recorded", "plan.figure_set"} <= actions


def test_targets_are_checked(app, db):
    with app.test_request_context():
        with pytest.raises(DomainError):
            followup.set_target(2026, 2025, PlanIndicator.projects_supported, 1, 2)
        with pytest.raises(DomainError):
            followup.set_target(2026, 2030, PlanIndicator.projects_supported, 9, 2)
        followup.set_target(2026, 2030, PlanIndicator.projects_supported, 150, 160)
        followup.set_target(2026, 2030, PlanIndicator.projects_supported, 150, 170)
        db.session.commit()
    from sqlalchemy import select

    from contest.models import PlanTarget

    assert [
        (t.plan.number, t.low, t.high)
        for t in db.session.scalars(
            select(PlanTarget).where(
                PlanTarget.start_year == 2026, PlanTarget.indicator == PlanIndicator.projects_supported
            )
        )
    ] == [("827/QĐ-UBND", 150, 170)]


def test_yearly_report_files(app, db, tmp_path):
    from io import BytesIO

    import openpyxl
    from pypdf import PdfReader

    known_contest(db)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["report", "yearly", "--year", "2024", "--format", "xlsx", "--out", str(tmp_path / "r.xlsx")]
    )
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(tmp_path / "r.xlsx")
    sheet = book["Theo đơn vị"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    total_row = next(i for i, row in enumerate(values) if row[0] == "Tổng cộng")
    header_row = next(i for i, row in enumerate(values) if row[0] == "Đơn vị")
    teams_column = values[header_row].index("Số đội")
    assert sum(row[teams_column] for row in values[header_row + 1 : total_row]) == values[total_row][teams_column] == 3

    result = runner.invoke(
        args=["report", "yearly", "--year", "2024", "--format", "pdf", "--out", str(tmp_path / "r.pdf")]
    )
    assert result.exit_code == 0, result.output
    import unicodedata

    text = unicodedata.normalize(
        "NFC", "".join(p.extract_text() for p in PdfReader(BytesIO((tmp_path / "r.pdf").read_bytes())).pages)
    )
    assert "Theo đơn vị" in text and "Huyện Sơn Tịnh" in text
    with app.test_request_context():
        report = yearly_report.build(2024, None, "Sở KH&CN", today=utcnow().date())
    assert report.totals.teams == 3 and [c.teams for c in report.competitions] == [3]


def test_student_startup_clubs_are_counted_by_school_and_year(app, db):
    from contest.domain import reporting_cycle as cycle
    from contest.models import ActivityKind

    province = make_unit("QNG", "Tỉnh Quảng Ngãi", OrgUnitKind.province)
    union = make_unit("QNG-DOAN", "Tỉnh Đoàn Quảng Ngãi", OrgUnitKind.youth_union, parent=province)
    ward = make_unit("P-CAMTHANH", "Phường Cẩm Thành", OrgUnitKind.commune, parent=province)
    pvd = make_unit("QNG-TRUONG-1", "Trường Đại học Phạm Văn Đồng", OrgUnitKind.school, parent=ward)
    tckt = make_unit("QNG-TRUONG-2", "Trường Đại học Tài chính – Kế toán", OrgUnitKind.school, parent=province)

    def record(unit, day, kind=ActivityKind.club, school=None):
        cycle.record_activity(
            unit,
            cycle.ActivityInput(
                kind=kind, title="Câu lạc bộ", occurred_on=day, school_id=school.id if school else None
            ),
            None,
            today=date(2025, 12, 31),
        )

    record(union, date(2024, 3, 26), school=pvd)
    record(union, date(2024, 10, 15), school=tckt)
    record(union, date(2025, 4, 10), school=pvd)
    record(pvd, date(2025, 9, 22))  # the school's own club: its own
    record(union, date(2025, 5, 1))  # a club at no school is not counted by school
    record(ward, date(2025, 5, 2))
    record(pvd, date(2025, 6, 1), kind=ActivityKind.forum)  # not a club
    db.session.commit()

    def named(rows):
        return [(school.name, n) for school, n in rows]

    assert named(reports.clubs_by_school(2024)) == [
        ("Trường Đại học Phạm Văn Đồng", 1),
        ("Trường Đại học Tài chính – Kế toán", 1),
    ]
    assert named(reports.clubs_by_school(2025)) == [("Trường Đại học Phạm Văn Đồng", 2)]
    assert named(reports.clubs_by_school(None)) == [
        ("Trường Đại học Phạm Văn Đồng", 3),
        ("Trường Đại học Tài chính – Kế toán", 1),
    ]
    assert reports.clubs_by_school(2023) == []
    # The unit filter keeps a club whose school or recording unit is in the unit's scope.
    assert named(reports.clubs_by_school(None, unit_ids=reports.unit_scope(ward.id))) == [
        ("Trường Đại học Phạm Văn Đồng", 3)
    ]
    assert named(reports.clubs_by_school(2024, unit_ids=frozenset({union.id}))) == [
        ("Trường Đại học Phạm Văn Đồng", 1),
        ("Trường Đại học Tài chính – Kế toán", 1),
    ]
    # A ward's officer sees the clubs of the schools under the ward; an administrator every club.
    officer, admin = make_user("canbo@camthanh.vn"), make_user("admin@example.vn", admin=True)
    cycle.add_officer(ward, officer)
    db.session.commit()
    with app.test_request_context():
        assert reports.visible_unit_ids(admin) is None
        seen = reports.visible_unit_ids(officer)
        assert named(reports.clubs_by_school(2025, seen_ids=seen)) == [("Trường Đại học Phạm Văn Đồng", 2)]
        assert reports.clubs_by_school(2024, seen_ids=seen, unit_ids=frozenset({tckt.id})) == []


def test_yearly_report_counts_students_startups_by_school(app, db):
    """Đề án 1665 in the yearly report: per school the teams registered from it, their valid
    entries and the clubs formed there in the year; the total sums the schools only."""
    import unicodedata
    from io import BytesIO

    import openpyxl
    from pypdf import PdfReader

    from contest.domain import reporting_cycle as cycle
    from contest.models import ActivityKind
    from contest.reports.pdf import write_pdf
    from contest.reports.xlsx import write_xlsx
    from contest.reports.yearly import SchoolRow

    province = make_unit("QNG", "Tỉnh Quảng Ngãi", OrgUnitKind.province)
    union = make_unit("QNG-DOAN", "Tỉnh Đoàn Quảng Ngãi", OrgUnitKind.youth_union, parent=province)
    ward = make_unit("P-CAMTHANH", "Phường Cẩm Thành", OrgUnitKind.commune, parent=province)
    pvd = make_unit("QNG-TRUONG-1", "Trường Đại học Phạm Văn Đồng", OrgUnitKind.school, parent=ward)
    cdkt = make_unit("QNG-TRUONG-2", "Trường Cao đẳng Kỹ thuật Công nghệ", OrgUnitKind.school, parent=province)
    thpt = make_unit("QNG-TRUONG-3", "Trường THPT Lê Khiết", OrgUnitKind.school, parent=province)

    students = make_competition("sinh-vien-2025", preset="student", year=2025)
    _submitted(make_team(students, org_unit=pvd, student=True, members=1))
    _submitted(make_team(students, org_unit=pvd, student=True), valid=False)
    make_team(students, org_unit=cdkt, student=True)  # registered, never submitted
    _submitted(make_team(make_competition("tinh-2025", year=2025)))  # from no school: not a school's row
    _submitted(make_team(make_competition("tinh-2024", year=2024)))  # 2024: teams, no school, no club

    def club(unit, day, school):
        cycle.record_activity(
            unit,
            cycle.ActivityInput(kind=ActivityKind.club, title="Câu lạc bộ", occurred_on=day, school_id=school.id),
            None,
            today=date(2025, 12, 31),
        )

    club(pvd, date(2025, 9, 22), pvd)
    club(union, date(2025, 4, 10), thpt)  # a school with a club but no team
    club(union, date(2023, 10, 15), cdkt)  # another year
    officer = make_user("canbo@camthanh.vn")
    cycle.add_officer(ward, officer)
    db.session.commit()

    with app.test_request_context():
        report = yearly_report.build(2025, None, "Sở KH&CN", today=date(2026, 1, 5))
        assert report.schools == [  # by name, as the breakdown tables
            SchoolRow("Trường Cao đẳng Kỹ thuật Công nghệ", 1, 0, 0),
            SchoolRow("Trường THPT Lê Khiết", 0, 0, 1),
            SchoolRow("Trường Đại học Phạm Văn Đồng", 2, 1, 1),
        ]
        assert report.totals.teams == 4  # the year's teams, the one from no school included
        assert report.schools_total() == SchoolRow("Tổng cộng", 3, 1, 2)
        sheet = openpyxl.load_workbook(BytesIO(write_xlsx(report)))["Theo trường"]
        values = [[c.value for c in row] for row in sheet.iter_rows()]
        assert values[2] == ["Trường học", "Số đội", "Hồ sơ hợp lệ", "Số câu lạc bộ khởi nghiệp thành lập"]
        assert values[-1] == ["Tổng cộng", 3, 1, 2]
        assert "Đề án 1665" in values[1][0]

        # Restricted as the viewer is: a ward's officer counts the clubs of the units they see
        # (the school under the ward), and no team of a competition they do not see.
        seen = reports.visible_unit_ids(officer)
        mine = yearly_report.build(2025, reports.visible_competition_ids(officer), "Phường Cẩm Thành", seen_units=seen)
        assert mine.schools == [SchoolRow("Trường Đại học Phạm Văn Đồng", 0, 0, 1)]
        # Restricted to some competitions without saying whose clubs: no club, rather than every one.
        assert yearly_report.build(2025, [students.id], "Sở KH&CN").schools == [
            SchoolRow("Trường Cao đẳng Kỹ thuật Công nghệ", 1, 0, 0),
            SchoolRow("Trường Đại học Phạm Văn Đồng", 2, 1, 0),
        ]

        # A year without schools: no section, neither sheet nor PDF part.
        bare = yearly_report.build(2024, None, "Sở KH&CN")
        assert bare.totals.teams == 1 and bare.schools == []
        assert "Theo trường" not in openpyxl.load_workbook(BytesIO(write_xlsx(bare))).sheetnames
        text = "".join(page.extract_text() for page in PdfReader(BytesIO(write_pdf(bare))).pages)
        assert "Theo trường" not in unicodedata.normalize("NFC", text)
