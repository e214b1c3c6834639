"""The plan's yearly cycle against the database: prefilled reports, locked and
versioned submissions, consolidation counting a shared project once, reminders
queued once per deadline per unit."""

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from contest.domain import reporting_cycle as cycle
from contest.domain.errors import DomainError
from contest.models import (
    ActivityKind,
    AuditEvent,
    OrgUnitKind,
    OutboxMessage,
    ReportKind,
    ReportReminder,
    ReportState,
    UnitReportVersion,
)
from tests.factories import make_competition, make_unit, make_user, make_valid_entry


@pytest.fixture
def world(db):
    cycle.load_plan()
    department = make_unit("QNG-KHCN", "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi", OrgUnitKind.department)
    ward = make_unit("P-CAMTHANH", "Phường Cẩm Thành", OrgUnitKind.commune, valid_from=date(2025, 7, 1))
    union = make_unit("QNG-DOAN", "Tỉnh Đoàn Quảng Ngãi", OrgUnitKind.youth_union)
    officer = make_user("canbo@camthanh.vn", name="Lê Thị Thu")
    cycle.add_officer(ward, officer)
    cycle.open_cycle(2025, [department, ward, union])
    db.session.commit()
    return {"department": department, "ward": ward, "union": union, "officer": officer}


def _event(unit, officer, title="Diễn đàn khởi nghiệp phường", participants=80, **kw):
    task = next(t for t in cycle.current_plan().tasks if t.number == "1.6")
    return cycle.record_activity(
        unit,
        cycle.ActivityInput(
            kind=kw.pop("kind", ActivityKind.forum),
            title=title,
            occurred_on=kw.pop("on", date(2025, 9, 12)),
            participants=participants,
            evidence_url="https://camthanh.quangngai.gov.vn/tin/dien-dan",
            task_id=task.id,
            **kw,
        ),
        officer,
        today=date(2025, 12, 1),
    )


def test_the_plan_loads_once_and_a_locality_leads_task_1_6(db, world):
    cycle.load_plan()
    db.session.commit()
    assert len(cycle.current_plan().tasks) == 33
    numbers = [t.number for t in cycle.tasks_for(world["ward"], 2025)]
    assert "1.6" in numbers and "4.2" not in numbers  # 4.2 was for 2022–2023
    assert [t.number for t in cycle.tasks_for(world["union"], 2025)] == ["1.5", "1.6", "5.4"]


def test_a_dissolved_lead_unit_is_shown_with_its_successor(db, world):
    merged = make_unit("SCT-MOI", "Sở Công Thương (mới)", OrgUnitKind.department)
    make_unit("SCT", "Sở Công Thương", OrgUnitKind.department, valid_to=date(2025, 2, 28), successor=merged)
    task = next(t for t in cycle.current_plan().tasks if t.number == "7.1")
    task.leads = [{"name": "Sở Công Thương", "unit": "SCT"}]
    db.session.commit()
    assert cycle.lead_labels(task, 2025) == ["Sở Công Thương (nay là Sở Công Thương (mới))"]
    assert cycle.lead_labels(task, 2024) == ["Sở Công Thương"]
    assert cycle.leads_task(merged, task, 2025)


def test_a_unit_s_report_is_prefilled_from_its_contests_and_activities(db, world):
    competition = make_competition("khoi-nghiep-cam-thanh", unit=world["ward"], year=2025)
    entries = [make_valid_entry(competition, name=f"Đội {i}") for i in range(2)]
    _event(world["ward"], world["officer"])
    _event(
        world["ward"],
        world["officer"],
        title="Tập huấn khởi nghiệp cho phụ nữ",
        participants=40,
        kind=ActivityKind.training,
    )
    _event(
        world["ward"],
        world["officer"],
        title="Câu lạc bộ khởi nghiệp phường",
        participants=None,
        kind=ActivityKind.club,
    )
    _event(world["ward"], world["officer"], title="Diễn đàn năm trước", on=date(2024, 5, 1))
    report = cycle.report_for(world["ward"], 2025, ReportKind.results)
    db.session.commit()
    figures = report.content["figures"]
    assert figures["competitions"] == 1 and figures["projects"] == 2
    assert figures["events"] == 2 and figures["participants"] == 120 and figures["clubs"] == 1
    assert sorted(report.content["projects"]) == sorted(f"entry:{e.id}" for e in entries)
    line = next(line for line in report.content["lines"] if line["task"] == "1.6")
    assert "Diễn đàn khởi nghiệp phường (12/09/2025, 80 người)" in line["result"]
    assert "Diễn đàn năm trước" not in line["result"]


def test_a_submitted_report_cannot_change_without_a_reason_and_keeps_its_versions(db, world):
    report = cycle.report_for(world["ward"], 2025, ReportKind.results)
    cycle.save_draft(report, {"1.6": {"result": "Hai diễn đàn"}}, {"events": 2})
    cycle.submit(report, world["officer"])
    db.session.commit()
    with pytest.raises(DomainError):
        cycle.save_draft(report, {"1.6": {"result": "Ba diễn đàn"}}, {"events": 3})
    with pytest.raises(DomainError):
        cycle.correct(report, {"1.6": {"result": "Ba diễn đàn"}}, {"events": 3}, "   ", world["officer"])
    db.session.rollback()
    assert report.content["figures"]["events"] == 2
    cycle.correct(
        report, {"1.6": {"result": "Ba diễn đàn"}}, {"events": 3}, "Bổ sung diễn đàn tháng 11", world["officer"]
    )
    db.session.commit()
    versions = db.session.scalars(
        select(UnitReportVersion).where(UnitReportVersion.report_id == report.id).order_by(UnitReportVersion.version)
    ).all()
    assert [(v.version, v.content["figures"]["events"], v.reason) for v in versions] == [
        (1, 2, None),
        (2, 3, "Bổ sung diễn đàn tháng 11"),
    ]
    actions = db.session.scalars(
        select(AuditEvent.action).where(AuditEvent.object_type == "unit_report").order_by(AuditEvent.id)
    ).all()
    assert actions == ["unit_report.submitted", "unit_report.corrected"]
    corrected = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "unit_report.corrected"))
    assert corrected.before["figures"]["events"] == 2 and corrected.after["figures"]["events"] == 3
    assert corrected.actor_id == world["officer"].id


def test_a_returned_plan_can_be_edited_and_submitted_again(db, world):
    plan = cycle.report_for(world["ward"], 2026, ReportKind.plan)
    cycle.submit(plan, world["officer"])
    cycle.return_report(plan, "Bổ sung dự toán kinh phí", None)
    cycle.save_draft(plan, {"1.6": {"what": "Hai diễn đàn", "budget": "40.000.000"}}, {})
    cycle.submit(plan, world["officer"])
    db.session.commit()
    assert plan.state is ReportState.submitted and plan.version == 2
    line = next(line for line in plan.content["lines"] if line["task"] == "1.6")
    assert (line["what"], line["budget"]) == ("Hai diễn đàn", "40.000.000")
    assert [v.content == plan.content for v in plan.versions] == [False, True]


def test_a_plan_line_s_budget_and_texts_are_checked_not_cut(db, world):
    """The domain refuses what the page's form refuses: a budget that is no amount in đồng, a text
    beyond its limit (it was cut to 2,000 characters without a word)."""
    plan = cycle.report_for(world["ward"], 2026, ReportKind.plan)
    db.session.commit()
    for bad in (
        {"budget": "-5.000.000"},
        {"budget": "abc"},
        {"budget": -1},
        {"budget": "9" * 24},
        {"what": "x" * 2001},
    ):
        with pytest.raises(DomainError):
            cycle.save_draft(plan, {"1.6": bad}, {})
        db.session.rollback()
    cycle.save_draft(plan, {"1.6": {"what": "x" * 2000, "budget": "1500000", "when": "Quý II–IV/2027"}}, {})
    line = next(line for line in plan.content["lines"] if line["task"] == "1.6")
    assert (len(line["what"]), line["budget"], line["when"]) == (2000, "1.500.000", "Quý II–IV/2027")


def test_the_consolidated_report_counts_a_project_two_units_report_once(db, world):
    competition = make_competition("khoi-nghiep-chung", unit=world["ward"], year=2025)
    shared = make_valid_entry(competition, name="Đội chung")
    _event(
        world["union"], None, title="Ươm tạo dự án", participants=None, kind=ActivityKind.incubation, entry_id=shared.id
    )
    _event(world["union"], None, title="Hội thảo thanh niên", participants=50)
    _event(world["ward"], world["officer"], participants=30)
    for unit in (world["ward"], world["union"]):
        cycle.submit(cycle.report_for(unit, 2025, ReportKind.results), None)
    db.session.commit()
    report = cycle.consolidate_year(2025, None, today=date(2025, 12, 12))
    db.session.commit()
    totals = report.content["totals"]
    assert totals["projects"] == 1 and report.content["shared_projects"] == 1
    assert totals["events"] == 2 and totals["participants"] == 80 and totals["incubations"] == 1
    assert report.content["missing"] == ["Sở Khoa học và Công nghệ tỉnh Quảng Ngãi"]
    by_unit = dict(report.content["by_unit"])
    assert by_unit["Phường Cẩm Thành"]["projects"] == 1 and by_unit["Tỉnh Đoàn Quảng Ngãi"]["projects"] == 1


def test_a_project_in_a_ward_s_contest_and_then_the_province_s_counts_once(db, world):
    """A project counts once in the province's report (as in the plan's indicator), whichever of its
    entries each unit reports: the ward's contest, then the Department's (its nomination accepted),
    and the incubation the union recorded for the second entry."""
    local = make_competition("phuong-2025", unit=world["ward"], year=2025, preset="district_commune")
    provincial = make_competition("tinh-2025", unit=world["department"], year=2025)
    first = make_valid_entry(local, name="Đội đi tiếp")
    second = make_valid_entry(provincial, name="Đội đi tiếp (cấp tỉnh)")
    second.project_id = first.project_id  # the same project, in the second contest
    make_valid_entry(provincial, name="Đội khác")
    _event(world["union"], None, title="Ươm tạo", participants=None, kind=ActivityKind.incubation, entry_id=second.id)
    db.session.commit()
    department = cycle.unit_figures(world["department"], 2025)
    assert len(department.projects) == 2
    for unit in (world["ward"], world["department"], world["union"]):
        cycle.submit(cycle.report_for(unit, 2025, ReportKind.results), None)
    db.session.commit()
    report = cycle.consolidate_year(2025, None, today=date(2025, 12, 12))
    assert report.content["totals"]["projects"] == 2 and report.content["shared_projects"] == 1


def test_overdue_units_are_those_without_a_submitted_report_after_the_deadline(db, world):
    cycle.submit(cycle.report_for(world["ward"], 2025, ReportKind.results), world["officer"])
    db.session.commit()
    before = {s.unit.code: s.overdue for s in cycle.statuses(2025, ReportKind.results, date(2025, 12, 10))}
    after = {s.unit.code: s.overdue for s in cycle.statuses(2025, ReportKind.results, date(2025, 12, 11))}
    assert not any(before.values())
    assert after == {"QNG-KHCN": True, "P-CAMTHANH": False, "QNG-DOAN": True}


def test_reminders_are_queued_once_per_deadline_per_unit_not_on_every_run(db, world):
    union_officer = make_user("canbo@tinhdoan.vn")
    cycle.add_officer(world["union"], union_officer)
    db.session.commit()
    assert cycle.queue_reminders(date(2025, 11, 20)) == 0  # 20 days before 10/12
    assert cycle.queue_reminders(date(2025, 11, 26)) == 2  # 14 days before
    db.session.commit()
    assert cycle.queue_reminders(date(2025, 11, 26)) == 0
    assert cycle.queue_reminders(date(2025, 11, 28)) == 0  # still the 14-day reminder
    db.session.commit()
    cycle.submit(cycle.report_for(world["ward"], 2025, ReportKind.results), world["officer"])
    db.session.commit()
    assert cycle.queue_reminders(date(2025, 12, 3)) == 1  # 7 days: only the union has not
    db.session.commit()
    assert cycle.queue_reminders(date(2025, 12, 3)) == 0
    recipients = db.session.scalars(select(OutboxMessage.recipient).order_by(OutboxMessage.id)).all()
    assert sorted(recipients) == ["canbo@camthanh.vn", "canbo@tinhdoan.vn", "canbo@tinhdoan.vn"]
    assert db.session.scalar(select(func.count()).select_from(ReportReminder)) == 3
    subject = db.session.scalar(select(OutboxMessage.subject).order_by(OutboxMessage.id.desc()).limit(1))
    assert "10/12/2025" in subject


def test_the_reminder_s_row_is_refused_twice_by_the_database(db, world):
    assert cycle._claim_reminder(world["ward"].id, 2025, ReportKind.results, 7)
    assert not cycle._claim_reminder(world["ward"].id, 2025, ReportKind.results, 7)


def test_an_activity_needs_a_title_a_past_day_and_a_link_as_evidence(db, world):
    for kw in ({"title": " "}, {"on": date(2026, 1, 1)}, {"evidence_url": "javascript:alert(1)"}):
        title = kw.pop("title", "Diễn đàn")
        with pytest.raises(DomainError):
            task = cycle.current_plan().tasks[0]
            cycle.record_activity(
                world["ward"],
                cycle.ActivityInput(
                    kind=ActivityKind.forum,
                    title=title,
                    occurred_on=kw.get("on", date(2025, 3, 1)),
                    evidence_url=kw.get("evidence_url"),
                    task_id=task.id,
                ),
                world["officer"],
                today=date(2025, 12, 1),
            )


def test_recording_an_activity_is_audited_with_who_and_what(db, world):
    activity = cycle.record_activity(
        world["ward"],
        cycle.ActivityInput(kind=ActivityKind.forum, title="Diễn đàn khởi nghiệp", occurred_on=date(2025, 3, 1)),
        world["officer"],
        today=date(2025, 12, 1),
    )
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "activity.recorded")).one()
    assert event.object_id == str(activity.id) and event.actor_id == world["officer"].id
    assert event.after["kind"] == "forum" and event.after["title"] == "Diễn đàn khởi nghiệp"
    assert event.after["unit"] == world["ward"].id and event.after["occurred_on"] == "2025-03-01"


def test_the_commands_load_the_plan_and_queue_reminders_once(app, db, world, monkeypatch):
    runner = app.test_cli_runner()
    loaded = runner.invoke(args=["plan", "load"])
    assert loaded.exit_code == 0 and "827/QĐ-UBND (2022–2030), 33 tasks" in loaded.output
    monkeypatch.setattr(cycle, "clock_today", lambda: date(2025, 12, 9))
    first = runner.invoke(args=["reporting", "remind"])
    again = runner.invoke(args=["reporting", "remind"])
    assert "1 reminders queued" in first.output and "0 reminders queued" in again.output


# -- student startup clubs linked to schools (Đề án 1665) --------------------------------------


def _club(unit, officer, school_id=None, kind=ActivityKind.club, on=date(2025, 10, 1)):
    return cycle.record_activity(
        unit,
        cycle.ActivityInput(kind=kind, title="Câu lạc bộ khởi nghiệp sinh viên", occurred_on=on, school_id=school_id),
        officer,
        today=date(2025, 12, 1),
    )


def test_a_club_is_linked_to_the_school_chosen(db, world):
    school = make_unit("QNG-TRUONG-PVD", "Trường Đại học Phạm Văn Đồng", OrgUnitKind.school)
    club = _club(world["union"], world["officer"], school.id)
    db.session.commit()
    assert club.school_id == school.id and club.school is school
    assert _club(world["union"], world["officer"]).school_id is None  # a union's club without a school


def test_a_school_s_own_club_belongs_to_it_when_no_school_is_chosen(db, world):
    school = make_unit("QNG-TRUONG-TCKT", "Trường Đại học Tài chính – Kế toán", OrgUnitKind.school)
    other = make_unit("QNG-TRUONG-CD", "Trường Cao đẳng Kỹ thuật", OrgUnitKind.school)
    assert _club(school, None).school_id == school.id
    assert _club(school, None, other.id).school_id == other.id  # a school may name another school


def test_a_club_s_school_must_be_a_school_that_existed_then(db, world):
    closed = make_unit("QNG-TRUONG-CU", "Trường cũ", OrgUnitKind.school, valid_to=date(2025, 6, 30))
    for school_id in (world["ward"].id, 999_999, closed.id):
        with pytest.raises(DomainError) as refused:
            _club(world["union"], world["officer"], school_id)
        assert refused.value.field == "school_id"
    assert _club(world["union"], world["officer"], closed.id, on=date(2025, 3, 1)).school_id == closed.id
    assert cycle.club_schools(date(2025, 12, 1)) == []
    assert cycle.club_schools(date(2025, 3, 1)) == [closed]


def test_only_a_club_has_a_school(db, world):
    school = make_unit("QNG-TRUONG-PVD", "Trường Đại học Phạm Văn Đồng", OrgUnitKind.school)
    with pytest.raises(DomainError) as refused:
        _club(world["union"], world["officer"], school.id, kind=ActivityKind.forum)
    assert refused.value.field == "school_id" and "câu lạc bộ" in refused.value.message
    # a school's forum is not linked to it either
    assert _club(school, None, kind=ActivityKind.forum).school_id is None


@pytest.mark.parametrize("kind", [OrgUnitKind.ward, OrgUnitKind.special_zone])
def test_a_ward_or_the_special_zone_leads_the_localities_tasks_after_the_reform(db, world, kind):
    """From 1/7/2025 the plan's "UBND các huyện, thị xã, thành phố" are the communes, wards and the
    special zone (the plan page says so): a phường or Đặc khu Lý Sơn has the same tasks as a xã."""
    unit = make_unit("QNG-X", "Phường Nghĩa Lộ", kind, valid_from=date(2025, 7, 1))
    db.session.commit()
    assert [t.number for t in cycle.tasks_for(unit, 2026)] == [t.number for t in cycle.tasks_for(world["ward"], 2026)]
    assert "1.6" in [t.number for t in cycle.tasks_for(unit, 2026)]
    lines = cycle.report_for(unit, 2026, ReportKind.plan).content["lines"]
    assert "1.6" in [line["task"] for line in lines]


def test_a_report_sent_after_midnight_of_the_deadline_in_the_province_is_late(db, world):
    """The deadline is the province's day (10/12): a report sent at 06:30 on 11/12 in Quảng Ngãi
    (23:30 on 10/12 in UTC) is late; one sent at 23:30 on 10/12 there (16:30 UTC) is not."""
    ward, union = world["ward"], world["union"]
    for unit, sent in (
        (ward, datetime(2025, 12, 10, 23, 30, tzinfo=UTC)),
        (union, datetime(2025, 12, 10, 16, 30, tzinfo=UTC)),
    ):
        cycle.submit(cycle.report_for(unit, 2025, ReportKind.results), None, now=sent)
    db.session.commit()
    late = {s.unit.code: s.late for s in cycle.statuses(2025, ReportKind.results, date(2025, 12, 12))}
    assert late == {"QNG-KHCN": False, "P-CAMTHANH": True, "QNG-DOAN": False}


def test_a_report_sent_twice_at_once_is_submitted_once_and_the_second_is_told(app, db, world):
    """A double click on "Submit": both requests read a draft. The second waits for the first and
    is told the report is submitted, instead of an error page from version 1 stored twice."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("transactions at once need PostgreSQL; SQLite is for `make run` only")
    from contest.models import UnitReport
    from tests.conftest import at_the_same_moment

    report_id = cycle.report_for(world["ward"], 2025, ReportKind.results).id
    db.session.commit()

    def send(_i, ready):
        report = db.session.get(UnitReport, report_id)
        assert report.state is ReportState.draft
        ready()
        cycle.save_draft(report, {"1.6": {"result": "Hai diễn đàn"}}, {"events": 2})
        cycle.submit(report, None)
        return report.version

    results = at_the_same_moment(app, send)
    assert sorted(results, key=str) == [1, "Conflict"], results
    assert db.session.scalar(select(func.count()).select_from(UnitReportVersion)) == 1


def test_a_district_abolished_on_1_7_2025_is_not_asked_for_a_2026_plan(db, world):
    """The districts ended on 30/6/2025: a district of the 2025 cycle has no 2026 to plan for, so it is
    neither overdue for the plan due 30/10/2025 nor reminded of it; it still reports its 2025 results."""
    district = make_unit("QNG-BT", "Huyện Ba Tơ", OrgUnitKind.district, valid_to=date(2025, 6, 30))
    cycle.add_officer(district, make_user("canbo@bato.vn"))
    cycle.open_cycle(2025, [district])
    db.session.commit()
    plans = {s.unit.code: s.overdue for s in cycle.statuses(2026, ReportKind.plan, date(2025, 11, 1))}
    assert plans == {"QNG-KHCN": True, "P-CAMTHANH": True, "QNG-DOAN": True}
    assert "QNG-BT" in {s.unit.code for s in cycle.statuses(2025, ReportKind.results, date(2025, 12, 11))}
    cycle.queue_reminders(date(2025, 10, 29))
    db.session.commit()
    assert db.session.scalar(select(func.count()).where(OutboxMessage.recipient == "canbo@bato.vn")) == 0


def test_a_mentoring_session_both_a_district_and_its_successor_report_counts_once(db, world):
    """2025 is the reform's year: Huyện Lý Sơn reports January to June and Đặc khu Lý Sơn, which took it
    over, counts what its predecessor held too. A session both report is one session for the province,
    as a project two units report is one project."""
    from contest.domain import experts

    zone = make_unit("QNG-21548", "Đặc khu Lý Sơn", OrgUnitKind.special_zone, valid_from=date(2025, 7, 1))
    district = make_unit("QNG-LS", "Huyện Lý Sơn", OrgUnitKind.district, valid_to=date(2025, 6, 30), successor=zone)
    entry = make_valid_entry(make_competition("ly-son-2025", unit=district, year=2025))
    expert = experts.create_expert(experts.ExpertInput(full_name="Ngô Bảo Châu"), by=None)
    mentorship = experts.assign_mentor(
        expert, entry.project, starts_on=date(2025, 2, 1), org_unit_id=district.id, by=None
    )
    experts.log_session(mentorship, held_on=date(2025, 3, 10), topic="Mô hình kinh doanh", hours="2", by=None)
    cycle.open_cycle(2025, [district, zone])
    db.session.commit()
    for unit in (district, zone):
        assert cycle.report_for(unit, 2025, ReportKind.results).content["figures"]["mentoring"] == 1
        cycle.submit(cycle.report_for(unit, 2025, ReportKind.results), None)
    report = cycle.consolidate_year(2025, None, today=date(2025, 12, 12))
    assert report.content["totals"]["mentoring"] == 1
    assert report.content["totals"]["projects"] == 1 and report.content["totals"]["competitions"] == 1


def test_a_report_opened_twice_at_once_for_the_first_time_is_one_report(app, db, world):
    """The unit's officer and the Department open a report nobody has opened yet at the same moment:
    both get the one report, instead of the second an error page from the unit's report made twice."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("transactions at once need PostgreSQL; SQLite is for `make run` only")
    from contest.models import OrgUnit
    from tests.conftest import at_the_same_moment

    ward_id = world["ward"].id

    def open_page(_i, ready):
        ward = db.session.get(OrgUnit, ward_id)
        cycle.tasks_for(ward, 2025)
        ready()
        return cycle.report_for(ward, 2025, ReportKind.results).id

    results = at_the_same_moment(app, open_page)
    assert len(results) == 2 and results[0] == results[1] and isinstance(results[0], int), results


def test_the_department_chooses_the_units_expected_to_report_from_what_the_plan_names(db, world):
    """The plan names who leads each task: the Department, the unions, the schools and the localities.
    Those still in existence when the year's results are due are proposed; the Department decides,
    audited, and cannot drop a unit that has already sent a report of the cycle."""
    from contest.domain.errors import Conflict

    make_unit("QNG-PN", "Hội Liên hiệp Phụ nữ tỉnh", OrgUnitKind.womens_union)
    make_unit("QNG-DHPVD", "Trường Đại học Phạm Văn Đồng", OrgUnitKind.school)
    district = make_unit("QNG-BT", "Huyện Ba Tơ", OrgUnitKind.district, valid_to=date(2025, 6, 30))
    make_unit("QNG-SYT", "Sở Y tế", OrgUnitKind.department)  # leads no task of the plan
    chief = make_user("tonghop@skhcn.vn")
    db.session.commit()
    named = {"QNG-KHCN", "P-CAMTHANH", "QNG-DOAN", "QNG-PN", "QNG-DHPVD"}
    assert {u.code for u in cycle.suggested_units(2026)} == named
    # Ba Tơ led its locality's tasks until 30/6/2025: its 2025 results are its last report.
    assert "QNG-BT" in {u.code for u in cycle.units_of_year(2025)}
    assert {u.code for u in cycle.suggested_units(2025)} == named | {"QNG-BT"}
    assert "QNG-BT" not in {u.code for u in cycle.units_of_year(2026)}

    cycle.set_expected_units(2026, {u.id for u in cycle.suggested_units(2026)}, chief)
    assert {u.code for u in cycle.expected_units(2026)} == named
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "reporting.expected_units"))
    assert event.before == {"units": []} and event.after == {"units": sorted(named)}
    assert event.actor_id == chief.id and event.object_id == "2026"
    with pytest.raises(DomainError):  # a unit that no longer exists in 2026
        cycle.set_expected_units(2026, {district.id}, chief)

    ward = world["ward"]
    cycle.submit(cycle.report_for(ward, 2025, ReportKind.results), world["officer"])
    with pytest.raises(Conflict) as refused:
        cycle.set_expected_units(2025, {world["department"].id}, chief)
    assert "Phường Cẩm Thành" in refused.value.message
    assert ward in cycle.expected_units(2025)
    cycle.set_expected_units(2025, {world["department"].id, ward.id}, chief)  # the union is dropped
    assert {u.code for u in cycle.expected_units(2025)} == {"QNG-KHCN", "P-CAMTHANH"}


def test_a_reminder_says_how_long_is_left_in_words_and_on_the_last_day_that_it_is_today(app, db, world):
    app.config["REPORTING_REMINDER_DAYS"] = [7, 0]
    cycle.queue_reminders(date(2025, 12, 3))  # 7 days before 10/12
    assert "Còn 7 ngày." in db.session.scalar(select(OutboxMessage.body_text).order_by(OutboxMessage.id.desc()))
    cycle.queue_reminders(date(2025, 12, 10))  # the day itself
    body = db.session.scalar(select(OutboxMessage.body_text).order_by(OutboxMessage.id.desc()))
    assert "Hôm nay là hạn cuối." in body and "0 ngày" not in body


def test_a_unit_that_ended_before_the_year_is_not_expected_even_if_chosen_before_its_end_was_known(db, world):
    """The Department chose 2026's units while Huyện Ba Tơ still had no end date; then the reform is
    recorded (it ended on 30/6/2025). For 2026 it is no longer listed, counted as missing or reminded,
    and choosing it again is refused with its dates; its successor reports."""
    district = make_unit("QNG-BT", "Huyện Ba Tơ", OrgUnitKind.district)
    cycle.add_officer(district, make_user("canbo@bato.vn"))
    chief = make_user("tonghop@skhcn.vn")
    cycle.set_expected_units(2026, {district.id, world["ward"].id}, chief)
    db.session.commit()
    assert {u.code for u in cycle.expected_units(2026)} == {"QNG-BT", "P-CAMTHANH"}
    district.valid_to = date(2025, 6, 30)
    db.session.commit()

    assert {u.code for u in cycle.expected_units(2026)} == {"P-CAMTHANH"}
    assert {s.unit.code for s in cycle.statuses(2026, ReportKind.results, date(2026, 12, 11))} == {"P-CAMTHANH"}
    assert "QNG-BT" not in {u.code for u in cycle.suggested_units(2026)}
    cycle.queue_reminders(date(2026, 12, 3))
    db.session.commit()
    assert db.session.scalar(select(func.count()).where(OutboxMessage.recipient == "canbo@bato.vn")) == 0
    with pytest.raises(DomainError) as refused:
        cycle.set_expected_units(2026, {district.id, world["ward"].id}, chief)
    assert refused.value.field == "units"
    assert "Huyện Ba Tơ (có hiệu lực đến 30/06/2025) đã chấm dứt hoạt động trước năm 2026" in refused.value.message
    cycle.set_expected_units(2026, {world["ward"].id}, chief)  # the stale choice is dropped, audited
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "reporting.expected_units").order_by(AuditEvent.id.desc())
    ).first()
    assert event.before == {"units": ["P-CAMTHANH", "QNG-BT"]} and event.after == {"units": ["P-CAMTHANH"]}


def test_a_unit_that_ended_during_the_year_is_proposed_and_expected_for_that_year_its_last_report(db, world):
    """A department the plan names, merged into a new one in February 2025: for 2025 both are proposed
    (the old one reports January and February, with its tasks), for 2026 only the new one."""
    merged = make_unit("SCT-MOI", "Sở Công Thương (mới)", OrgUnitKind.department, valid_from=date(2025, 3, 1))
    old = make_unit("SCT", "Sở Công Thương", OrgUnitKind.department, valid_to=date(2025, 2, 28), successor=merged)
    task = next(t for t in cycle.current_plan().tasks if t.number == "7.1")
    task.leads = [{"name": "Sở Công Thương", "unit": "SCT"}]
    db.session.commit()
    assert {"SCT", "SCT-MOI"} <= {u.code for u in cycle.suggested_units(2025)}
    suggested_2026 = {u.code for u in cycle.suggested_units(2026)}
    assert "SCT-MOI" in suggested_2026 and "SCT" not in suggested_2026
    assert "7.1" in [t.number for t in cycle.tasks_for(old, 2025)]
    assert "7.1" not in [t.number for t in cycle.tasks_for(old, 2026)]
    cycle.set_expected_units(2025, {old.id, merged.id}, None)
    db.session.commit()
    assert {"SCT", "SCT-MOI"} <= {s.unit.code for s in cycle.statuses(2025, ReportKind.results, date(2025, 12, 11))}


def test_a_unit_that_ended_has_no_report_and_no_activity_after_its_end(db, world):
    """Huyện Ba Tơ ended on 30/6/2025: its officer (whose role was never ended) acts for its 2025
    reports and no later year's; no report of 2026 is made for it, and an activity dated after its
    end belongs to the unit that took it over."""
    district = make_unit("QNG-BT", "Huyện Ba Tơ", OrgUnitKind.district, valid_to=date(2025, 6, 30))
    officer = make_user("canbo@bato.vn")
    cycle.add_officer(district, officer)
    db.session.commit()
    assert cycle.is_unit_officer(officer, district.id, 2025) and cycle.is_unit_officer(officer, district.id, 2024)
    assert not cycle.is_unit_officer(officer, district.id, 2026)
    assert not cycle.is_unit_officer(world["officer"], district.id, 2025)
    assert cycle.report_for(district, 2025, ReportKind.results).state is ReportState.draft
    for year, kind in ((2026, ReportKind.results), (2026, ReportKind.plan)):
        with pytest.raises(DomainError) as refused:
            cycle.report_for(district, year, kind)
        assert "Huyện Ba Tơ (có hiệu lực đến 30/06/2025) đã chấm dứt hoạt động trước năm 2026" in refused.value.message
    cycle.record_activity(
        district,
        cycle.ActivityInput(kind=ActivityKind.forum, title="Diễn đàn", occurred_on=date(2025, 6, 30)),
        officer,
        today=date(2025, 12, 1),
    )
    with pytest.raises(DomainError) as refused:
        cycle.record_activity(
            district,
            cycle.ActivityInput(kind=ActivityKind.forum, title="Diễn đàn", occurred_on=date(2025, 7, 1)),
            officer,
            today=date(2025, 12, 1),
        )
    assert refused.value.field == "occurred_on"
