"""The cycle's pages: a ward officer records an event and submits the ward's
results; the Department's officer sees who submitted and who is late,
consolidates and downloads the documents; nobody else gets in."""

import io
import re
from datetime import date, timedelta

import pytest
from docx import Document
from sqlalchemy import func, select

from contest.domain import reporting_cycle as cycle
from contest.models import (
    Activity,
    ActivityKind,
    AuditEvent,
    OrgUnit,
    OrgUnitKind,
    ProvinceReport,
    ReportKind,
    ReportState,
    UnitReport,
)
from tests.factories import csrf_token, login, make_unit, make_user


@pytest.fixture
def world(db):
    cycle.load_plan()
    department = make_unit("QNG-KHCN", "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi", OrgUnitKind.department)
    ward = make_unit("P-CAMTHANH", "Phường Cẩm Thành", OrgUnitKind.commune)
    union = make_unit("QNG-DOAN", "Tỉnh Đoàn Quảng Ngãi", OrgUnitKind.youth_union)
    officer, chief, outsider = make_user("canbo@camthanh.vn"), make_user("tonghop@skhcn.vn"), make_user("x@y.vn")
    cycle.add_officer(ward, officer)
    cycle.add_officer(department, chief)
    year = date.today().year
    cycle.open_cycle(year - 1, [ward, union])
    db.session.commit()
    return {"ward": ward, "union": union, "officer": officer, "chief": chief, "outsider": outsider, "year": year - 1}


def test_a_ward_officer_records_an_event_and_submits_the_results(client, db, world):
    ward, year = world["ward"], world["year"]
    login(client, world["officer"])
    page = f"/reporting/unit/{ward.id}/{year}"
    task = next(t for t in cycle.current_plan().tasks if t.number == "1.6")
    bad = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "kind": "forum",
            "title": "Diễn đàn",
            "occurred_on": (date.today() + timedelta(days=3)).isoformat(),
            "task": str(task.id),
        },
    )
    assert bad.status_code == 400 and "Chỉ ghi nhận hoạt động khi đã diễn ra." in bad.get_data(as_text=True)
    done = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "kind": "forum",
            "title": "Diễn đàn khởi nghiệp phường Cẩm Thành",
            "occurred_on": f"{year}-09-12",
            "participants": "85",
            "task": str(task.id),
            "evidence_url": "https://camthanh.gov.vn/tin/1",
        },
    )
    assert done.status_code == 302
    assert db.session.scalar(select(Activity.participants)) == 85
    results = f"{page}/results"
    html = client.get(results).get_data(as_text=True)
    assert "Diễn đàn khởi nghiệp phường Cẩm Thành (12/09" in html
    answer = client.post(
        results,
        data={
            "csrf_token": csrf_token(client, results),
            "action": "submit",
            "line-1.6-result": "Một diễn đàn, 85 người",
            "figure-events": "1",
        },
    )
    assert answer.status_code == 302
    report = db.session.scalar(select(UnitReport).where(UnitReport.kind == ReportKind.results))
    assert report.state is ReportState.submitted and report.version == 1
    locked = client.post(
        results,
        data={
            "csrf_token": csrf_token(client, results),
            "action": "correct",
            "line-1.6-result": "Hai diễn đàn",
            "reason": "",
        },
    )
    assert locked.status_code == 400
    db.session.refresh(report)
    assert (
        report.content["lines"][[line["task"] for line in report.content["lines"]].index("1.6")]["result"]
        == "Một diễn đàn, 85 người"
    )
    assert (
        db.session.scalar(select(AuditEvent.action).where(AuditEvent.object_type == "unit_report"))
        == "unit_report.submitted"
    )


def test_the_department_sees_submitted_and_overdue_units_consolidates_and_downloads(client, db, world):
    cycle.submit(cycle.report_for(world["ward"], world["year"], ReportKind.results), world["officer"])
    db.session.commit()
    login(client, world["chief"])
    page = f"/reporting/department/{world['year']}"
    html = client.get(page).get_data(as_text=True)
    ward_row = html.split('data-unit="P-CAMTHANH"')[1].split("</tr>")[0]
    union_row = html.split('data-unit="QNG-DOAN"')[1].split("</tr>")[0]
    assert "Đã gửi" in ward_row
    assert "Quá hạn" in union_row
    assert client.post(f"{page}/consolidate", data={"csrf_token": csrf_token(client, page)}).status_code == 302
    docx = client.get(f"{page}/province.docx")
    assert docx.status_code == 200
    opened = Document(io.BytesIO(docx.data))
    text = "\n".join(
        [p.text for p in opened.paragraphs]
        + [c.text for table in opened.tables for row in table.rows for c in row.cells]
    )
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Kính gửi" in text
    assert client.get(f"{page}/province.pdf").data.startswith(b"%PDF")
    # A unit that sends (or corrects) after the consolidation: the page says the figures leave it out...
    assert 'id="stale-province"' not in client.get(page).get_data(as_text=True)
    cycle.submit(cycle.report_for(world["union"], world["year"], ReportKind.results), None)
    db.session.commit()
    html = client.get(page).get_data(as_text=True)
    assert 'id="stale-province"' in html and "Tỉnh Đoàn Quảng Ngãi" in html.split('id="stale-province"')[1]
    # ...until it is consolidated again.
    assert client.post(f"{page}/consolidate", data={"csrf_token": csrf_token(client, page)}).status_code == 302
    assert 'id="stale-province"' not in client.get(page).get_data(as_text=True)


def test_the_province_s_figures_are_written_as_numbers_are_and_the_consolidation_s_moment_reads_well(client, db, world):
    from datetime import UTC, datetime

    ward, year = world["ward"], world["year"]
    for participants in (1200, 740):
        cycle.record_activity(
            ward,
            cycle.ActivityInput(
                kind=ActivityKind.forum, title="Diễn đàn", occurred_on=date(year, 5, 1), participants=participants
            ),
            world["officer"],
        )
    cycle.submit(cycle.report_for(ward, year, ReportKind.results), world["officer"])
    cycle.consolidate_year(year, world["chief"], date(year, 12, 15), now=datetime(year, 12, 15, 3, 0, tzinfo=UTC))
    db.session.commit()
    login(client, world["chief"])
    html = client.get(f"/reporting/department/{year}").get_data(as_text=True)
    assert re.search(r"Lượt người tham gia sự kiện</th><td>1\.940</td>", html)
    assert f"Tổng hợp lúc 10:00 ngày 15/12/{year} từ báo cáo của 1 đơn vị." in html
    # What the province's figures count, beside the dashboard's different count of projects.
    hint = html.split('id="province-hint">')[1].split("</p>")[0]
    assert "tại thời điểm tổng hợp" in hint and "Bảng chỉ tiêu kế hoạch" in hint


def test_only_the_unit_s_officers_and_the_department_get_in(client, db, world):
    ward, union, year = world["ward"], world["union"], world["year"]
    login(client, world["officer"])
    assert client.get(f"/reporting/unit/{union.id}/{year}").status_code == 403
    assert client.get(f"/reporting/department/{year}").status_code == 403
    assert client.get("/reporting/").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/reporting/")})
    login(client, world["outsider"])
    assert client.get("/reporting/").status_code == 403
    assert client.get(f"/reporting/unit/{ward.id}/{year}/results").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world["chief"])
    assert client.get(f"/reporting/unit/{ward.id}/{year}/results").status_code == 200
    page = f"/reporting/unit/{ward.id}/{year}"
    assert (
        client.post(
            page,
            data={
                "csrf_token": csrf_token(client, page),
                "kind": "forum",
                "title": "x",
                "occurred_on": f"{year}-01-02",
            },
        ).status_code
        == 403
    )


def test_the_plan_page_lists_every_task_with_its_leads_and_the_unit_page_counts_toward_minimums(client, db, world):
    ward, year = world["ward"], world["year"]
    login(client, world["officer"])
    html = client.get("/reporting/plan").get_data(as_text=True)
    assert html.count("<tr data-task=") == 33
    assert "UBND các huyện, thị xã, thành phố (từ 01/7/2025: UBND các xã, phường, đặc khu)" in html or year < 2025
    task = next(t for t in cycle.current_plan().tasks if t.number == "1.6")
    cycle.record_activity(
        ward,
        cycle.ActivityInput(kind=ActivityKind.forum, title="Diễn đàn", occurred_on=date(year, 3, 1), task_id=task.id),
        world["officer"],
    )
    db.session.commit()
    page = client.get(f"/reporting/unit/{ward.id}/{year}").get_data(as_text=True)
    cell = page.split('data-task="1.6">')[1].split("</td>")[0]
    assert "1 trên tối thiểu 1" in cell and "chưa đạt" not in cell


def test_the_contests_a_unit_held_count_toward_its_tasks_about_holding_contests(client, db, world):
    """Task 1.3 (the province's contest, "01 năm/lần") and 1.4 (the localities' contests) are done by
    holding contests, which are not activities: the unit page counts the contests the unit held in
    the year, as its report does ("Cuộc thi đã tổ chức"); a draft contest or another year's is not held."""
    from contest.models import CompetitionState
    from tests.factories import make_competition

    ward, year = world["ward"], world["year"]
    department = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "QNG-KHCN"))
    make_competition("tinh-a", unit=department, year=year)
    make_competition("tinh-b", unit=department, year=year, open_=False)  # a draft: not held
    make_competition("tinh-truoc", unit=department, year=year - 1)
    make_competition("phuong", unit=ward, year=year, preset="district_commune")
    finished = make_competition("tinh-c", unit=department, year=year)
    finished.state = CompetitionState.closed
    db.session.commit()

    login(client, world["chief"])
    page = client.get(f"/reporting/unit/{department.id}/{year}").get_data(as_text=True)
    cell = page.split('data-task="1.3">')[1].split("</td>")[0]
    assert "2 trên tối thiểu 1" in cell and "chưa đạt" not in cell
    assert page.split('data-task="1.2">')[1].split("</td>")[0] == "0"  # not a task about contests
    report = client.get(f"/reporting/unit/{department.id}/{year}/results").get_data(as_text=True)
    assert re.search(r"Cuộc thi đã tổ chức</th><td>\s*2\s*</td>", report)
    ward_page = client.get(f"/reporting/unit/{ward.id}/{year}").get_data(as_text=True)
    assert ward_page.split('data-task="1.4">')[1].split("</td>")[0] == "1"


def test_the_department_downloads_the_province_s_plan_from_the_units_submitted_plans(client, db, world):
    plan = cycle.report_for(world["ward"], world["year"] + 1, ReportKind.plan)
    cycle.save_draft(
        plan,
        {
            "1.6": {
                "what": "Hai diễn đàn khởi nghiệp",
                "when": "Quý III",
                "budget": "40.000.000",
                "source": "Ngân sách phường",
            }
        },
        {},
    )
    cycle.submit(plan, world["officer"])
    cycle.report_for(world["union"], world["year"] + 1, ReportKind.plan)  # a draft: not in the plan
    db.session.commit()
    login(client, world["chief"])
    answer = client.get(f"/reporting/department/{world['year'] + 1}/plans.docx")
    rows = [[c.text for c in row.cells] for table in Document(io.BytesIO(answer.data)).tables for row in table.rows]
    line = next(row for row in rows if row[0] == "1.6")
    assert line[2:] == ["Phường Cẩm Thành", "Hai diễn đàn khởi nghiệp", "Quý III", "40.000.000", "Ngân sách phường"]
    assert not any("Tỉnh Đoàn" in cell for row in rows for cell in row)


def _club_form(client, page, **data):
    return {"csrf_token": csrf_token(client, page), "kind": "club", "title": "Câu lạc bộ khởi nghiệp sinh viên"} | data


def test_a_club_is_recorded_with_its_school_and_listed_with_it(client, db, world):
    school = make_unit("QNG-TRUONG-PVD", "Trường Đại học Phạm Văn Đồng", OrgUnitKind.school)
    make_unit("QNG-TRUONG-CU", "Trường đã giải thể", OrgUnitKind.school, valid_to=date(2020, 1, 1))
    union, year = world["union"], world["year"]
    officer = make_user("canbo@tinhdoan.vn")
    cycle.add_officer(union, officer)
    db.session.commit()
    login(client, officer)
    page = f"/reporting/unit/{union.id}/{year}"
    form = client.get(page).get_data(as_text=True)
    assert 'name="school_id"' in form and "Trường có câu lạc bộ" in form
    assert "Trường Đại học Phạm Văn Đồng" in form and "Trường đã giải thể" not in form  # schools in existence
    done = client.post(page, data=_club_form(client, page, occurred_on=f"{year}-10-01", school_id=str(school.id)))
    assert done.status_code == 302
    assert db.session.scalar(select(Activity.school_id)) == school.id
    listed = client.get(page).get_data(as_text=True).split('id="activities"')[1].split("</table>")[0]
    assert "<td data-school>Trường Đại học Phạm Văn Đồng</td>" in listed


def test_a_club_s_school_that_is_no_school_is_refused_and_nothing_is_saved(client, db, world):
    ward, year = world["ward"], world["year"]
    school = make_unit("QNG-TRUONG-PVD", "Trường Đại học Phạm Văn Đồng", OrgUnitKind.school)
    login(client, world["officer"])
    page = f"/reporting/unit/{ward.id}/{year}"
    for school_id in (str(world["union"].id), "999999", "abc", "1" * 30):
        bad = client.post(page, data=_club_form(client, page, occurred_on=f"{year}-10-01", school_id=school_id))
        html = bad.get_data(as_text=True)
        assert bad.status_code == 400, school_id
        assert "Hãy chọn trường của câu lạc bộ trong danh sách các trường." in html, school_id
        assert 'id="school_id-err"' in html
    forum = client.post(
        page, data=_club_form(client, page, kind="forum", occurred_on=f"{year}-10-01", school_id=str(school.id))
    )
    assert forum.status_code == 400
    assert "Chỉ câu lạc bộ khởi nghiệp mới gắn với một trường" in forum.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Activity.id))) == 0


def test_a_draft_opened_early_in_the_year_follows_the_records_until_it_is_submitted(client, db, world):
    """An officer (or the Department) opens the results page in March; the contest's entries and the
    forum come later. The figures submitted in December, and the province's totals, count them: the
    projects and competitions cannot be typed in, so a draft frozen in March would lose them."""
    from tests.factories import make_competition, make_valid_entry

    ward, year = world["ward"], world["year"]
    login(client, world["officer"])
    results = f"/reporting/unit/{ward.id}/{year}/results"
    assert client.get(results).status_code == 200  # nothing is stored yet
    competition = make_competition("khoi-nghiep-cam-thanh", unit=ward, year=year)
    make_valid_entry(competition, name="Đội Sa Huỳnh")
    cycle.record_activity(
        ward,
        cycle.ActivityInput(kind=ActivityKind.forum, title="Diễn đàn", occurred_on=date(year, 9, 12), participants=60),
        world["officer"],
    )
    db.session.commit()
    html = client.get(results).get_data(as_text=True)
    assert 'name="figure-events" value="1"' in html and 'name="figure-participants" value="60"' in html
    answer = client.post(
        results,
        data={
            "csrf_token": csrf_token(client, results),
            "action": "submit",
            "figure-events": "1",
            "figure-participants": "60",
        },
    )
    assert answer.status_code == 302
    report = cycle.consolidate_year(year, None, today=date(year, 12, 12))
    totals = report.content["totals"]
    assert (totals["projects"], totals["competitions"], totals["events"], totals["participants"]) == (1, 1, 1, 60)


def test_the_officer_s_own_figure_is_kept_when_the_records_change(client, db, world):
    ward, year = world["ward"], world["year"]
    login(client, world["officer"])
    results = f"/reporting/unit/{ward.id}/{year}/results"
    client.get(results)
    saved = client.post(
        results, data={"csrf_token": csrf_token(client, results), "action": "save", "figure-events": "7"}
    )
    assert saved.status_code == 302
    cycle.record_activity(
        ward,
        cycle.ActivityInput(kind=ActivityKind.forum, title="Diễn đàn", occurred_on=date(year, 9, 12)),
        world["officer"],
    )
    db.session.commit()
    assert 'name="figure-events" value="7"' in client.get(results).get_data(as_text=True)


def test_a_figure_in_superscript_or_other_odd_digits_is_refused_with_a_message(client, db, world):
    """A "²" passes str.isdigit() but not int(): it was an error page; now it is the form's message."""
    ward, year = world["ward"], world["year"]
    login(client, world["officer"])
    results = f"/reporting/unit/{ward.id}/{year}/results"
    client.get(results)
    for odd in ("²", "1²", "①"):
        answer = client.post(
            results, data={"csrf_token": csrf_token(client, results), "action": "save", "figure-events": odd}
        )
        assert answer.status_code == 400, odd
        assert "Nhập số nguyên" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(UnitReport)) == 0  # not even an empty draft


def test_a_club_s_school_given_in_odd_digits_is_refused_with_a_message(client, db, world):
    ward, year = world["ward"], world["year"]
    login(client, world["officer"])
    page = f"/reporting/unit/{ward.id}/{year}"
    answer = client.post(page, data=_club_form(client, page, occurred_on=f"{year}-10-01", school_id="²"))
    assert answer.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Activity)) == 0


def _ticked(html: str) -> set[int]:
    return {
        int(v) for v in re.findall(r'<input checked id="units-\d+" name="units" type="checkbox" value="(\d+)"', html)
    }


def test_the_department_chooses_the_units_expected_to_report(client, db, world):
    """A new year has nobody expected: the page ticks the units the plan names, the Department
    saves its choice, and the consolidation page lists them. Bad input is told, nothing saved."""
    ward, union, year = world["ward"], world["union"], world["year"] + 2
    department = cycle.department()
    login(client, world["chief"])
    page = f"/reporting/department/{year}/units"
    html = client.get(page).get_data(as_text=True)
    assert 'id="suggested"' in html and _ticked(html) == {department.id, ward.id, union.id}
    token = csrf_token(client, page)
    for bad in (["abc"], ["999999"]):
        refused = client.post(page, data={"csrf_token": token, "units": bad})
        assert refused.status_code == 400, bad
    assert cycle.expected_units(year) == []
    saved = client.post(page, data={"csrf_token": token, "units": [str(department.id), str(ward.id)]})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(f"/reporting/department/{year}")
    overview = client.get(f"/reporting/department/{year}").get_data(as_text=True)
    assert 'data-unit="P-CAMTHANH"' in overview and 'data-unit="QNG-DOAN"' not in overview
    # The saved choice is what the page shows next time, with the plan's proposal one click away.
    html = client.get(page).get_data(as_text=True)
    assert 'id="suggested"' not in html and _ticked(html) == {department.id, ward.id}
    assert _ticked(client.get(f"{page}?suggest=1").get_data(as_text=True)) == {department.id, ward.id, union.id}
    # A unit that has sent its report stays expected: the Department is told why.
    cycle.submit(cycle.report_for(ward, year, ReportKind.results), world["officer"])
    db.session.commit()
    kept = client.post(page, data={"csrf_token": token, "units": [str(department.id)]})
    assert kept.status_code == 400 and "Phường Cẩm Thành" in kept.get_data(as_text=True)
    assert {u.id for u in cycle.expected_units(year)} == {department.id, ward.id}


def test_a_unit_that_ended_before_the_year_leaves_the_department_s_lists_for_it(client, db, world):
    """Chosen for 2026 before the reform was recorded, Huyện Ba Tơ ended on 30/6/2025: the Department's
    pages for 2026 neither list it, count it nor offer it; its 2025 results are still asked for."""
    district = make_unit("QNG-BT", "Huyện Ba Tơ", OrgUnitKind.district)
    cycle.open_cycle(2025, [district])
    cycle.open_cycle(2026, [district, world["ward"]])
    db.session.commit()
    district.valid_to = date(2025, 6, 30)
    db.session.commit()
    login(client, world["chief"])
    overview = client.get("/reporting/department/2026").get_data(as_text=True)
    assert 'data-unit="QNG-BT"' not in overview and 'data-unit="P-CAMTHANH"' in overview
    expected = cycle.expected_units(2026)  # Cẩm Thành, and the Youth Union when `world` opened 2026 (run in 2027)
    assert district not in expected and world["ward"] in expected
    assert f"({len(expected)})" in overview.split('id="choose-units"')[1].split("</p>")[0]
    page = client.get("/reporting/department/2026/units").get_data(as_text=True)
    assert "Huyện Ba Tơ" not in page
    assert 'data-unit="QNG-BT"' in client.get("/reporting/department/2025").get_data(as_text=True)


def test_opening_a_report_stores_nothing_and_the_first_save_makes_it(client, db, world):
    """Opening the results page, or downloading its file, writes nothing: the page shows the blank
    report, not started, prefilled from the records, and the unit's page still says "Not started".
    The first save makes the draft. A draft opened later shows the records' new figures without
    storing them; the next save stores them."""
    ward, year = world["ward"], world["year"]
    login(client, world["officer"])
    unit_page, results = f"/reporting/unit/{ward.id}/{year}", f"/reporting/unit/{ward.id}/{year}/results"
    plan = f"/reporting/unit/{ward.id}/{year + 1}/plan"
    html = client.get(results).get_data(as_text=True)
    assert "Chưa bắt đầu: chưa có nội dung nào được lưu." in html and 'name="line-1.6-result"' in html
    assert client.get(plan).status_code == 200
    assert client.get(f"{results}.docx").status_code == 200 and client.get(f"{plan}.pdf").status_code == 200
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world["chief"])
    assert client.get(results).status_code == 200
    assert db.session.scalar(select(func.count()).select_from(UnitReport)) == 0
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world["officer"])
    assert ">Chưa bắt đầu</span>" in client.get(unit_page).get_data(as_text=True).split('id="results-state"')[1]

    saved = client.post(results, data={"csrf_token": csrf_token(client, results), "action": "save"})
    assert saved.status_code == 302
    report = db.session.scalar(select(UnitReport))
    assert (report.kind, report.state, report.year) == (ReportKind.results, ReportState.draft, year)
    assert ">Bản nháp</span>" in client.get(unit_page).get_data(as_text=True).split('id="results-state"')[1]

    cycle.record_activity(
        ward,
        cycle.ActivityInput(kind=ActivityKind.forum, title="Diễn đàn", occurred_on=date(year, 9, 12)),
        world["officer"],
    )
    db.session.commit()
    assert 'name="figure-events" value="1"' in client.get(results).get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(UnitReport, report.id).content["figures"]["events"] == 0  # shown, not stored
    client.post(results, data={"csrf_token": csrf_token(client, results), "action": "save", "figure-events": "1"})
    db.session.expire_all()
    assert db.session.get(UnitReport, report.id).content["figures"]["events"] == 1
    assert db.session.scalar(select(func.count()).select_from(UnitReport)) == 1


def test_the_officer_of_a_unit_that_ended_acts_for_its_last_year_and_no_later_one(client, db, world):
    """Huyện Ba Tơ ended on 30/6/2025; its officer's role was never ended. They still send its 2025
    results (its last report) and read its earlier reports, but neither open, save, submit nor
    download a report of 2026 or later, nor its plan for 2026; the Department still reads them."""
    district = make_unit("QNG-BT", "Huyện Ba Tơ", OrgUnitKind.district, valid_to=date(2025, 6, 30))
    officer = make_user("canbo@bato.vn")
    cycle.add_officer(district, officer)
    db.session.commit()
    login(client, officer)
    last = f"/reporting/unit/{district.id}/2025"
    assert f'href="{last}"' in client.get("/reporting/").get_data(as_text=True)
    assert f"/reporting/unit/{district.id}/2026" not in client.get("/reporting/").get_data(as_text=True)
    assert "/plan" not in client.get(last).get_data(as_text=True).split('id="results-state"')[1].split("</ul>")[0]
    html = client.get(f"{last}/results").get_data(as_text=True)
    assert 'name="line-1.6-result"' in html and "disabled" not in html.split('name="line-1.6-result"')[1][:40]
    saved = client.post(
        f"{last}/results", data={"csrf_token": csrf_token(client, f"{last}/results"), "action": "submit"}
    )
    assert saved.status_code == 302
    assert client.get(f"{last}/results.docx").status_code == 200

    token = csrf_token(client, last)
    for later in (2026, 2027):
        page = f"/reporting/unit/{district.id}/{later}"
        assert client.get(page).status_code == 403
        assert client.get(f"{page}/results").status_code == 403
        assert client.post(f"{page}/results", data={"csrf_token": token, "action": "save"}).status_code == 403
        assert client.get(f"{page}/results.pdf").status_code == 403
        assert client.get(f"{page}/plan").status_code == 403
        activity = {"csrf_token": token, "kind": "forum", "title": "Diễn đàn", "occurred_on": f"{later}-01-05"}
        assert client.post(page, data=activity).status_code == 403
    assert client.post(f"/reporting/unit/{district.id}/2026/plan", data={"csrf_token": token}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(UnitReport)) == 1  # the 2025 results only

    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world["chief"])
    assert client.get(f"/reporting/unit/{district.id}/2026/results").status_code == 200
    assert client.get(f"{last}/results").status_code == 200


def test_a_plan_line_with_a_wrong_budget_or_too_long_text_is_refused_beside_its_row(client, db, world):
    """A budget below zero, not a number or beyond any plan's, and a text longer than its limit, were
    saved (the text silently cut to 2,000 characters) and reached the province's plan."""
    ward, year = world["ward"], world["year"] + 1
    login(client, world["officer"])
    page = f"/reporting/unit/{ward.id}/{year}/plan"
    client.get(page)
    long_text = "Tổ chức diễn đàn. " * 400  # 7,200 characters
    cases = [
        ({"line-1.6-budget": "-5.000.000"}, "line-1.6-budget", "nhập số tiền bằng đồng"),
        ({"line-1.6-budget": "abc"}, "line-1.6-budget", "nhập số tiền bằng đồng"),
        ({"line-1.6-budget": "999999999999999999999999"}, "line-1.6-budget", "nhập số tiền bằng đồng"),
        ({"line-1.6-budget": "5.000.000.000.000"}, "line-1.6-budget", "Kinh phí tối đa 1.000.000.000.000 đồng."),
        ({"line-1.6-what": long_text}, "line-1.6-what", "Tối đa 2000 ký tự."),
        ({"line-1.6-source": "x" * 201}, "line-1.6-source", "Tối đa 200 ký tự."),
    ]
    for action in ("save", "submit"):
        for data, name, message in cases:
            answer = client.post(page, data={"csrf_token": csrf_token(client, page), "action": action} | data)
            html = answer.get_data(as_text=True)
            assert answer.status_code == 400, (action, data)
            beside = html.split(f'id="{name}-err"')[1].split("</ul>")[0]
            assert message in beside, (action, data)
            assert f'aria-describedby="{name}-err"' in html
            typed = next(iter(data.values()))
            assert (f'value="{typed}"' in html) or (f">{typed}</textarea>" in html), "what was typed is kept"
    # Refused: nothing saved, not even the plan's row (opening the page made none either).
    assert db.session.scalar(select(UnitReport).where(UnitReport.kind == ReportKind.plan)) is None
    saved = client.post(
        page,
        data={
            "csrf_token": csrf_token(client, page),
            "action": "save",
            "line-1.6-what": "Hai diễn đàn",
            "line-1.6-budget": "40000000",
            "line-1.6-when": "Quý III",
        },
    )
    assert saved.status_code == 302
    report = db.session.scalar(select(UnitReport).where(UnitReport.kind == ReportKind.plan))
    assert report.state is ReportState.draft
    line = next(line for line in report.content["lines"] if line["task"] == "1.6")
    assert (line["what"], line["when"], line["budget"]) == ("Hai diễn đàn", "Quý III", "40.000.000")


def test_what_a_unit_not_expected_sends_is_listed_returned_and_consolidated_and_lateness_is_shown(client, db, world):
    """A year the Department has not chosen its units for: the Youth Union's plan and results were
    in the province's documents but not on the Department's page ("no unit is expected"), so the
    plan could not be returned. A report sent after its deadline says so on both pages."""
    from datetime import UTC, datetime

    union, year = world["union"], world["year"] + 1
    officer = make_user("canbo@tinhdoan.vn")
    cycle.add_officer(union, officer)
    plan = cycle.report_for(union, year + 1, ReportKind.plan)
    cycle.save_draft(plan, {"1.6": {"what": "Diễn đàn thanh niên khởi nghiệp"}}, {})
    cycle.submit(plan, officer, now=datetime(year, 11, 2, 3, tzinfo=UTC))  # due 30/10
    cycle.submit(cycle.report_for(union, year, ReportKind.results), officer, now=datetime(year, 12, 1, tzinfo=UTC))
    db.session.commit()
    assert cycle.expected_units(year) == []
    login(client, world["chief"])
    page = f"/reporting/department/{year}"
    html = client.get(page).get_data(as_text=True)
    plans = html.split('id="plan-status"')[1].split("</table>")[0]
    results = html.split('id="results-status"')[1].split("</table>")[0]
    for table in (plans, results):
        row = table.split('data-unit="QNG-DOAN"')[1].split("</tr>")[0]
        assert "ngoài danh sách đơn vị phải báo cáo" in row
    assert "Đã gửi, trễ hạn" in plans.split('data-unit="QNG-DOAN"')[1].split("</tr>")[0]
    assert "trễ hạn" not in results
    assert f"/reporting/department/{year + 1}/plans/{union.id}/return" in plans
    # The consolidation counts what the page lists.
    assert client.post(f"{page}/consolidate", data={"csrf_token": csrf_token(client, page)}).status_code == 302
    province = db.session.scalar(select(ProvinceReport).where(ProvinceReport.year == year))
    assert province.content["submitted"] == ["Tỉnh Đoàn Quảng Ngãi"] and province.content["missing"] == []
    returned = client.post(
        f"/reporting/department/{year + 1}/plans/{union.id}/return",
        data={"csrf_token": csrf_token(client, page), "comment": "Bổ sung kinh phí"},
    )
    assert returned.status_code == 302
    db.session.refresh(plan)
    assert plan.state is ReportState.returned
    # The unit's own page says its plan went late (once sent again, still late: first sent after the deadline).
    cycle.submit(plan, officer)
    db.session.commit()
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, officer)
    mine = client.get(f"/reporting/unit/{union.id}/{year}").get_data(as_text=True)
    assert "Đã gửi, trễ hạn" in mine.split('id="plan-state"')[1].split("</span>")[0]
    assert "trễ hạn" not in mine.split('id="results-state"')[1].split("</span>")[0]


def _forum(client, page, on):
    data = {"csrf_token": csrf_token(client, page), "kind": "forum", "title": "Diễn đàn", "occurred_on": on}
    return client.post(page, data=data)


def test_an_activity_s_date_falls_in_the_page_s_year_and_a_submitted_year_takes_none(client, db, world):
    """1900-01-01 was 'recorded' and then shown nowhere; a date of the year before, recorded from this
    year's page, went into that year, already submitted and consolidated."""
    ward, year = world["ward"], world["year"]
    login(client, world["officer"])
    page = f"/reporting/unit/{ward.id}/{year}"
    for on in ("1900-01-01", f"{year - 1}-06-01", f"{year + 1}-01-01"):
        answer = _forum(client, page, on)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 400, on
        assert f"ngày diễn ra phải thuộc năm {year}" in html.split('id="occurred_on-err"')[1], on
    cycle.submit(cycle.report_for(ward, year, ReportKind.results), world["officer"])
    db.session.commit()
    html = client.get(page).get_data(as_text=True)
    assert 'id="activity-form"' not in html
    assert "đề nghị Sở Khoa học và Công nghệ trả lại báo cáo" in html.split('id="activities-closed"')[1]
    answer = _forum(client, page, f"{year}-06-01")
    assert answer.status_code == 400 and "đã khóa" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Activity.id))) == 0


def test_an_activity_recorded_by_mistake_is_removed_until_the_year_s_results_are_submitted(client, db, world):
    ward, year = world["ward"], world["year"]
    login(client, world["officer"])
    page = f"/reporting/unit/{ward.id}/{year}"
    assert _forum(client, page, f"{year}-06-01").status_code == 302
    assert _forum(client, page, f"{year}-07-01").status_code == 302
    first, second = db.session.scalars(select(Activity).order_by(Activity.occurred_on)).all()
    html = client.get(page).get_data(as_text=True)
    remove = f"{page}/activities/{first.id}/remove"
    assert f'action="{remove}"' in html and "data-confirm=" in html.split(f'action="{remove}"')[1].split(">")[0]
    assert (
        client.post(
            f"/reporting/unit/{ward.id}/{year + 1}/activities/{first.id}/remove",
            data={"csrf_token": csrf_token(client, page)},
        ).status_code
        == 404
    )  # not that year's
    answer = client.post(remove, data={"csrf_token": csrf_token(client, page)}, follow_redirects=True)
    assert "Đã xóa hoạt động." in answer.get_data(as_text=True)
    assert db.session.scalars(select(Activity.id)).all() == [second.id]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "activity.removed"))
    assert event.object_id == str(first.id) and event.before["occurred_on"] == f"{year}-06-01"
    assert event.actor_id == world["officer"].id
    # Once the year's results are submitted, the activity stays...
    report = cycle.report_for(ward, year, ReportKind.results)
    cycle.submit(report, world["officer"])
    db.session.commit()
    remove = f"{page}/activities/{second.id}/remove"
    assert f'action="{remove}"' not in client.get(page).get_data(as_text=True)
    answer = client.post(remove, data={"csrf_token": csrf_token(client, page)}, follow_redirects=True)
    assert "đã khóa" in answer.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Activity.id))) == 1
    # ...until the Department returns the report.
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world["chief"])
    department = f"/reporting/department/{year}"
    assert f"/reporting/department/{year}/results/{ward.id}/return" in client.get(department).get_data(as_text=True)
    returned = client.post(
        f"/reporting/department/{year}/results/{ward.id}/return",
        data={"csrf_token": csrf_token(client, department), "comment": "Xóa hoạt động nhập nhầm"},
    )
    assert returned.status_code == 302 and returned.headers["Location"].endswith(department)
    db.session.refresh(report)
    assert report.state is ReportState.returned
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, world["officer"])
    assert client.post(remove, data={"csrf_token": csrf_token(client, page)}).status_code == 302
    assert db.session.scalar(select(func.count(Activity.id))) == 0
