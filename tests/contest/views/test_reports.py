"""The dashboard, the yearly report's downloads, plan targets and follow-up pages."""

import re
from datetime import date
from io import BytesIO

import openpyxl
import pytest
from sqlalchemy import select

from contest.domain.competitions import grant_role
from contest.models import (
    CompetitionRoleKind,
    Entry,
    OutboxMessage,
    OutcomeKind,
    PlanFigure,
    PlanTarget,
    ProjectOutcome,
)
from tests.contest.domain.test_reports import known_contest
from tests.factories import csrf_token, login, make_competition, make_unit, make_user, make_valid_entry


def _figure(page: str, name: str) -> int:
    return int(re.search(rf'data-figure="{name}">([\d.]+)<', page).group(1).replace(".", ""))


def _organizer_of(competition, db):
    organizer = make_user("btc-bc@example.vn")
    grant_role(competition, organizer.email, CompetitionRoleKind.organizer, make_user("root@example.vn", admin=True))
    db.session.commit()
    return organizer


def test_dashboard_filtered_by_unit_and_year(client, db):
    competition, known = known_contest(db)
    make_valid_entry(make_competition("khac-2026"))  # not this organizer's
    login(client, _organizer_of(competition, db))
    page = client.get("/reports/").get_data(as_text=True)
    assert _figure(page, "teams") == 3 and _figure(page, "women_led_teams") == 2
    assert "<svg" in page and 'id="t-unit"' in page
    by_successor = client.get(f"/reports/?year=2024&unit={known['commune'].id}").get_data(as_text=True)
    assert _figure(by_successor, "teams") == 1
    assert _figure(client.get("/reports/?year=2023").get_data(as_text=True), "teams") == 0
    # A stale or hand-made link does not break the page.
    assert client.get("/reports/?year=abc&unit=999999&level=nope").status_code == 200
    # A year no calendar holds (0) or no machine integer holds is ignored, as an unknown value is.
    for year in ("0", "99999999999999999999"):
        answer = client.get(f"/reports/?year={year}")
        assert answer.status_code == 200 and _figure(answer.get_data(as_text=True), "teams") == 3, year
    # Digits str.isdigit() takes but int() does not, and a unit no column holds: ignored too.
    for query in ("year=²", "unit=①", "unit=99999999999999999999"):
        answer = client.get(f"/reports/?{query}")
        assert answer.status_code == 200 and _figure(answer.get_data(as_text=True), "teams") == 3, query


def test_yearly_report_download(client, db):
    competition, _ = known_contest(db)
    login(client, _organizer_of(competition, db))
    response = client.get("/reports/yearly/2024.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "private, no-store"
    book = openpyxl.load_workbook(BytesIO(response.data))
    assert {"Theo đơn vị", "Theo cấp tổ chức", "Theo lĩnh vực", "Theo bảng"} <= set(book.sheetnames)
    assert client.get("/reports/yearly/2024.pdf").data.startswith(b"%PDF")


def test_yearly_report_counts_only_the_clubs_the_viewer_sees(client, db):
    from contest.domain import reporting_cycle as cycle
    from contest.models import ActivityKind, OrgUnitKind

    competition, _ = known_contest(db)
    school = make_unit("QNG-TRUONG-1", "Trường Đại học Phạm Văn Đồng", OrgUnitKind.school)
    cycle.record_activity(
        school,
        cycle.ActivityInput(kind=ActivityKind.club, title="CLB", occurred_on=date(2024, 5, 1), school_id=school.id),
        None,
        today=date(2024, 12, 31),
    )
    organizer = _organizer_of(competition, db)
    admin = make_user("admin-truong@example.vn", admin=True)
    db.session.commit()
    login(client, admin)
    book = openpyxl.load_workbook(BytesIO(client.get("/reports/yearly/2024.xlsx").data))
    assert [[c.value for c in row] for row in book["Theo trường"].iter_rows()][-1] == ["Tổng cộng", 0, 0, 1]
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, organizer)  # an organizer of one competition sees no unit's clubs
    book = openpyxl.load_workbook(BytesIO(client.get("/reports/yearly/2024.xlsx").data))
    assert "Theo trường" not in book.sheetnames and "Theo đơn vị" in book.sheetnames


def test_targets_and_hand_entered_figures(client, db):
    admin = make_user("admin-bc@example.vn", admin=True)
    login(client, admin)
    page = client.get("/reports/targets").get_data(as_text=True)
    assert "100–120" in page and "150–160" in page  # the plan's default set
    token = csrf_token(client, "/reports/targets")
    bad = client.post(
        "/reports/targets", data={"csrf_token": token, "action": "figure", "figure-year": "2025", "figure-value": "-3"}
    )
    assert bad.status_code == 200 and db.session.scalars(select(PlanFigure)).all() == []
    unsourced = client.post(
        "/reports/targets",
        data={
            "csrf_token": token,
            "action": "figure",
            "figure-indicator": "support_organisations",
            "figure-year": "2025",
            "figure-value": "3",
            "figure-note": "gọi điện",
        },
    )
    assert unsourced.status_code == 200 and db.session.scalars(select(PlanFigure)).all() == []
    ok = client.post(
        "/reports/targets",
        data={
            "csrf_token": token,
            "action": "figure",
            "figure-indicator": "support_organisations",
            "figure-year": "2025",
            "figure-value": "8",
            "figure-source_document": "QĐ 15/QĐ-SKHCN",
        },
    )
    assert ok.status_code == 302
    assert [(f.indicator.value, f.value, f.source_document) for f in db.session.scalars(select(PlanFigure))] == [
        ("support_organisations", 8, "QĐ 15/QĐ-SKHCN")
    ]


def test_follow_up_recorded_by_the_organizer_then_by_the_invited_team(client, db, app):
    competition, known = known_contest(db)
    entry = db.session.scalar(select(Entry).where(Entry.team_id == known["hoa"].id))
    login(client, _organizer_of(competition, db))
    url = f"/manage/{competition.slug}/followup/{entry.id}"
    token = csrf_token(client, url)
    missing = client.post(
        url,
        data={
            "csrf_token": token,
            "action": "add",
            "kind": "enterprise_registered",
            "occurred_on": "2025-03-01",
            "source": "Cổng ĐKDN",
        },
    )
    assert missing.status_code == 200 and 'aria-invalid="true"' in missing.get_data(as_text=True)
    assert "Cổng ĐKDN" in missing.get_data(as_text=True)  # what was typed is kept
    saved = client.post(
        url,
        data={
            "csrf_token": token,
            "action": "add",
            "kind": "enterprise_registered",
            "occurred_on": "2025-03-01",
            "source": "Cổng ĐKDN",
            "registration_number": "4300123456",
            "detail": "Công ty TNHH Hoa Sen",
        },
    )
    assert saved.status_code == 302
    assert client.post(url, data={"csrf_token": token, "action": "invite"}).status_code == 302
    assert db.session.scalar(select(OutboxMessage.recipient)) == "hoa@example.vn"
    assert f"/manage/{competition.slug}/followup" in client.get(f"/manage/{competition.slug}/followup").request.path

    team_client = app.test_client()
    login(team_client, known["hoa"].leader)
    team_url = f"/teams/{known['hoa'].id}/followup"
    team_token = csrf_token(team_client, team_url)
    assert (
        team_client.post(
            team_url,
            data={
                "csrf_token": team_token,
                "action": "add",
                "kind": "jobs_created",
                "occurred_on": "2025-06-01",
                "jobs": "4",
                "source": "Báo cáo của đội",
            },
        ).status_code
        == 302
    )
    assert sorted(o.kind.value for o in db.session.scalars(select(ProjectOutcome))) == [
        "enterprise_registered",
        "jobs_created",
    ]


def test_numbers_too_large_to_store_are_refused_with_the_form_not_a_500(client, db, app):
    """A slip of the finger (3.000.000.000 jobs, an amount of 21 digits, a target of
    3 billion) is refused by the form; the database's integer columns cannot hold it."""
    competition, known = known_contest(db)
    entry = db.session.scalar(select(Entry).where(Entry.team_id == known["hoa"].id))
    login(client, _organizer_of(competition, db))
    url = f"/manage/{competition.slug}/followup/{entry.id}"
    token = csrf_token(client, url)
    for kind, extra in (
        ("jobs_created", {"jobs": "3000000000"}),
        ("capital_raised", {"amount": "100000000000000000000", "detail": "Quỹ đầu tư"}),
    ):
        answer = client.post(
            url,
            data={"csrf_token": token, "action": "add", "kind": kind, "occurred_on": "2025-03-01", "source": "x"}
            | extra,
        )
        assert answer.status_code == 200 and 'aria-invalid="true"' in answer.get_data(as_text=True), kind
    assert db.session.scalars(select(ProjectOutcome)).all() == []

    client = app.test_client()
    login(client, make_user("admin-so-lon@example.vn", admin=True))
    token = csrf_token(client, "/reports/targets")
    for data in (
        {
            "action": "figure",
            "figure-indicator": "support_organisations",
            "figure-year": "2025",
            "figure-value": "3000000000",
            "figure-source_document": "QĐ 15/QĐ-SKHCN",
        },
        {
            "action": "target",
            "target-indicator": "projects_supported",
            "target-start_year": "2025",
            "target-end_year": "2026",
            "target-low": "1",
            "target-high": "3000000000",
        },
    ):
        assert client.post("/reports/targets", data={"csrf_token": token} | data).status_code == 200, data
    assert db.session.scalars(select(PlanFigure)).all() == []
    assert db.session.scalar(select(PlanTarget).where(PlanTarget.high > 1000)) is None


def test_a_team_not_invited_has_no_follow_up_page(client, db):
    _, known = known_contest(db)
    login(client, known["students"].leader)
    assert client.get(f"/teams/{known['students'].id}/followup").status_code == 404


def test_an_invited_team_removes_only_what_the_team_recorded(client, db, app):
    from contest.models import AuditEvent

    competition, known = known_contest(db)
    entry = db.session.scalar(select(Entry).where(Entry.team_id == known["hoa"].id))
    organizer = _organizer_of(competition, db)
    login(client, organizer)
    url = f"/manage/{competition.slug}/followup/{entry.id}"
    token = csrf_token(client, url)
    assert (
        client.post(
            url,
            data={
                "csrf_token": token,
                "action": "add",
                "kind": "enterprise_registered",
                "occurred_on": "2025-03-01",
                "source": "Cổng ĐKDN",
                "registration_number": "4300123456",
            },
        ).status_code
        == 302
    )
    assert client.post(url, data={"csrf_token": token, "action": "invite"}).status_code == 302
    theirs = db.session.scalar(select(ProjectOutcome))
    assert theirs.by_team is False
    theirs_id = theirs.id

    team_client = app.test_client()
    member = known["hoa"].leader
    login(team_client, member)
    team_url = f"/teams/{known['hoa'].id}/followup"
    team_token = csrf_token(team_client, team_url)
    assert (
        team_client.post(
            team_url,
            data={
                "csrf_token": team_token,
                "action": "add",
                "kind": "jobs_created",
                "occurred_on": "2025-06-01",
                "jobs": "4",
                "source": "Báo cáo của đội",
            },
        ).status_code
        == 302
    )
    ours = db.session.scalar(select(ProjectOutcome).where(ProjectOutcome.kind == OutcomeKind.jobs_created))
    assert ours.by_team is True
    ours_id = ours.id
    page = team_client.get(team_url).get_data(as_text=True)
    assert f'name="outcome_id" value="{ours_id}"' in page  # the team's own record can be removed
    assert f'name="outcome_id" value="{theirs_id}"' not in page  # the organizers' cannot

    refused = team_client.post(
        team_url, data={"csrf_token": team_token, "action": "delete", "outcome_id": str(theirs_id), "reason": "sai"}
    )
    assert refused.status_code == 403
    db.session.expire_all()
    assert db.session.get(ProjectOutcome, theirs_id) is not None

    removed = team_client.post(
        team_url, data={"csrf_token": team_token, "action": "delete", "outcome_id": str(ours_id), "reason": "nhầm số"}
    )
    assert removed.status_code == 302
    db.session.expire_all()
    assert db.session.get(ProjectOutcome, ours_id) is None
    deletions = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "followup.deleted")).all()
    assert [(e.object_id, e.actor_id, e.reason, e.after) for e in deletions] == [
        (str(ours_id), member.id, "nhầm số", {"removed_by": "team"})
    ]

    # Organizers still remove any record, the team's included, and it is audited.
    again = client.post(
        url,
        data={
            "csrf_token": token,
            "action": "add",
            "kind": "jobs_created",
            "occurred_on": "2025-06-01",
            "jobs": "2",
            "source": "Gọi điện",
        },
    )
    assert again.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert f'name="outcome_id" value="{theirs_id}"' in page
    assert (
        client.post(
            url, data={"csrf_token": token, "action": "delete", "outcome_id": str(theirs_id), "reason": "trùng"}
        ).status_code
        == 302
    )
    db.session.expire_all()
    assert db.session.get(ProjectOutcome, theirs_id) is None
    assert (
        db.session.scalar(
            select(AuditEvent.actor_id).where(
                AuditEvent.action == "followup.deleted", AuditEvent.object_id == str(theirs_id)
            )
        )
        == organizer.id
    )


def test_the_domain_refuses_the_team_removing_an_organizers_record(app, db):
    from contest.domain import followup
    from contest.domain.errors import NotAllowed

    competition, known = known_contest(db)
    entry = db.session.scalar(select(Entry).where(Entry.team_id == known["hoa"].id))
    organizer = _organizer_of(competition, db)
    with app.test_request_context():
        outcome = followup.record_outcome(
            entry, followup.OutcomeInput(OutcomeKind.jobs_created, date(2025, 6, 1), "Gọi điện", jobs=3), organizer
        )
        with pytest.raises(NotAllowed):
            followup.delete_outcome(outcome, "sai", by_team=True)
        db.session.commit()
    assert db.session.get(ProjectOutcome, outcome.id) is not None


def test_the_dashboard_counts_student_startup_clubs_by_school(client, db):
    from contest.domain import reporting_cycle as cycle
    from contest.models import ActivityKind, OrgUnitKind
    from tests.factories import make_unit

    competition, _ = known_contest(db)
    union = make_unit("QNG-DOAN", "Tỉnh Đoàn Quảng Ngãi", OrgUnitKind.youth_union)
    pvd = make_unit("QNG-TRUONG-1", "Trường Đại học Phạm Văn Đồng", OrgUnitKind.school)
    tckt = make_unit("QNG-TRUONG-2", "Trường Đại học Tài chính – Kế toán", OrgUnitKind.school)
    for school, day in ((pvd, date(2024, 3, 26)), (tckt, date(2024, 10, 15)), (pvd, date(2024, 11, 2))):
        cycle.record_activity(
            union,
            cycle.ActivityInput(kind=ActivityKind.club, title="Câu lạc bộ", occurred_on=day, school_id=school.id),
            None,
            today=date(2025, 1, 1),
        )
    db.session.commit()
    login(client, make_user("admin-clb@example.vn", admin=True))
    page = client.get("/reports/?year=2024").get_data(as_text=True)
    table = page.split('id="t-school-clubs"')[1].split("</table>")[0]
    assert "Câu lạc bộ khởi nghiệp theo trường" in table
    rows = re.findall(r'<th scope="row">([^<]+)</th><td>(\d+)</td>', table)
    assert rows == [
        ("Trường Đại học Phạm Văn Đồng", "2"),
        ("Trường Đại học Tài chính – Kế toán", "1"),
        ("Tổng cộng", "3"),
    ]
    assert 'id="t-school-clubs"' not in client.get("/reports/?year=2025").get_data(as_text=True)
    # 2024 has clubs and no competition: it is still a year one can choose, here and for the yearly report.
    assert '<option value="2024"' in page
    assert "/reports/yearly/2024.xlsx" in client.get("/reports/yearly").get_data(as_text=True)
    # An organizer who holds no unit sees the contests they organise, not the units' clubs.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, _organizer_of(competition, db))
    assert 'id="t-school-clubs"' not in client.get("/reports/?year=2024").get_data(as_text=True)


def _achieved(page: str, indicator: str) -> list[int]:
    """The plan table's achieved numbers for an indicator, one per period shown."""
    rows = page.split(f'data-indicator="{indicator}"')[1:]
    return [int(re.search(r'class="achieved"><a [^>]*>([\d.]+)</a>', row).group(1).replace(".", "")) for row in rows]


def test_the_department_s_officer_sees_the_province_and_a_unit_officer_sees_the_unit(client, db):
    """The Department (REPORTING_DEPARTMENT_CODE) consolidates the province's report: its officer
    sees every unit's contests, as an administrator does; another unit's officer sees the unit's.
    Each page says which."""
    from contest.domain import followup
    from contest.domain import reporting_cycle as cycle
    from contest.models import OrgUnitKind

    followup.ensure_default_targets()
    department = make_unit("QNG-KHCN", "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi", OrgUnitKind.department)
    ward = make_unit("P-CAMTHANH", "Phường Cẩm Thành", OrgUnitKind.ward)
    provincial = make_competition("tinh-2025", unit=department, year=2025)
    local = make_competition("phuong-2025", unit=ward, preset="district_commune", year=2025)
    make_valid_entry(provincial)
    for _ in range(2):
        make_valid_entry(local)
    chief, ward_officer = make_user("tonghop@skhcn.vn"), make_user("canbo@camthanh.vn")
    cycle.add_officer(department, chief)
    cycle.add_officer(ward, ward_officer)
    db.session.commit()

    login(client, chief)
    page = client.get("/reports/").get_data(as_text=True)
    assert "Số liệu của: toàn tỉnh" in page
    assert _figure(page, "competitions") == 2 and _figure(page, "teams") == 3
    hint = page.split('id="plan-hint">')[1].split("</p>")[0]  # why the consolidated report can differ
    assert "Báo cáo tổng hợp của tỉnh" in hint and "chỉ tính hồ sơ hợp lệ" in hint
    assert 3 in _achieved(page, "projects_supported")
    assert "Số liệu của: toàn tỉnh" in client.get("/reports/yearly").get_data(as_text=True)
    book = openpyxl.load_workbook(BytesIO(client.get("/reports/yearly/2025.xlsx").data))
    summary = [[c.value for c in row] for row in book["Tổng hợp"].iter_rows()]
    assert "Số liệu của: toàn tỉnh" in summary[1][0] and ["Số đội", 3] in summary
    drill = client.get("/reports/indicators/projects_supported").get_data(as_text=True)
    assert "Số liệu của: toàn tỉnh" in drill and 'data-records="3"' in drill

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, ward_officer)
    page = client.get("/reports/").get_data(as_text=True)
    assert "Số liệu của đơn vị: Phường Cẩm Thành" in page and "toàn tỉnh" not in page
    assert _figure(page, "competitions") == 1 and _figure(page, "teams") == 2
    assert 2 in _achieved(page, "projects_supported") and 3 not in _achieved(page, "projects_supported")


def test_the_school_table_s_total_sums_its_rows_as_the_yearly_report_s_school_sheet_does(client, db):
    """The school table leaves out the teams registered from no school: its "Tổng cộng" is the sum
    of its rows, not the year's totals, and the same as the XLSX "Theo trường" sheet's."""
    from contest.models import OrgUnitKind
    from tests.factories import make_team

    school = make_unit("QNG-TRUONG-1", "Trường Đại học Phạm Văn Đồng", OrgUnitKind.school)
    competition = make_competition("sinh-vien-2025", preset="student", year=2025)
    for _ in range(2):
        make_valid_entry(competition, org_unit=school, student=True)
    make_team(competition, org_unit=school, student=True)  # registered, nothing submitted
    other = make_unit("QNG-TRUONG-2", "Trường Cao đẳng Kỹ thuật Công nghệ Quảng Ngãi", OrgUnitKind.school)
    make_valid_entry(competition, org_unit=other, student=True)
    for _ in range(3):
        make_valid_entry(make_competition(f"tinh-2025-{_}", year=2025))  # teams from no school
    login(client, make_user("admin-truong@example.vn", admin=True))
    page = client.get("/reports/?year=2025").get_data(as_text=True)
    assert _figure(page, "teams") == 7
    table = page.split('id="t-school"')[1].split("</table>")[0]
    total = re.findall(r"<td>([\d.]+)</td>", table.split("<tfoot>")[1])
    labels = [re.sub(r"<[^>]+>", "", th) for th in re.findall(r'<th scope="col">(.*?)</th>', table)][1:]
    together = dict(zip(labels, (int(v.replace(".", "")) for v in total), strict=True))
    assert together["Số đội"] == 4 and together["Hồ sơ hợp lệ"] == 3
    book = openpyxl.load_workbook(BytesIO(client.get("/reports/yearly/2025.xlsx").data))
    last = [[c.value for c in row] for row in book["Theo trường"].iter_rows()][-1]
    assert last == ["Tổng cộng", together["Số đội"], together["Hồ sơ hợp lệ"], 0]


def test_a_day_to_count_to_that_is_no_day_keeps_the_page_with_the_field_s_message(client, db):
    """?as_of= comes from the date field; a hand-made value that is no day keeps the dashboard,
    counted to today, with the field's message in Vietnamese (a 400), never a bare error page."""
    login(client, make_user("admin-ngay@example.vn", admin=True))
    answer = client.get("/reports/?as_of=2026-13-45")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400 and "Bad Request" not in page and 'id="t-plan"' in page
    field = page.split('for="f-as-of"')[1].split("</div>")[0]
    assert 'aria-invalid="true"' in field and "“2026-13-45” không phải là một ngày hợp lệ." in field
    assert "Số liệu được tính đến ngày" in field and "NNNN" not in page
    drill = client.get("/reports/indicators/projects_supported?as_of=31-12-2024")
    page = drill.get_data(as_text=True)
    assert drill.status_code == 400 and "“31-12-2024” không phải là một ngày hợp lệ." in page and "<main" in page
    file = client.get("/reports/yearly/2025.xlsx?as_of=2025-02-30")
    page = file.get_data(as_text=True)
    assert file.status_code == 400 and "<h1>“2025-02-30” không phải là một ngày hợp lệ.</h1>" in page


def test_the_yearly_report_page_offers_downloads_not_a_command_line(client, db):
    competition, _ = known_contest(db)
    login(client, _organizer_of(competition, db))
    page = client.get("/reports/yearly").get_data(as_text=True)
    assert "/reports/yearly/2024.xlsx" in page and "/reports/yearly/2024.pdf" in page
    assert "flask" not in page and "dòng lệnh" not in page
