"""`flask demo` holds the plan's 2025 cycle: plans for 2026 submitted, results
for 2025 submitted by every unit, one of them late, the province's report
consolidated, a project two units reported counted once, and student clubs
of 2024–2025 linked to the schools."""

from datetime import date

from sqlalchemy import select

from contest.demo import load_demo
from contest.domain import reporting_cycle as cycle
from contest.domain.reports import clubs_by_school
from contest.models import ProvinceReport, ReportKind, ReportState


def test_the_demo_holds_a_2025_cycle(app, db):
    load_demo()
    with app.test_request_context():
        results = cycle.statuses(2025, ReportKind.results, date(2025, 12, 15))
        plans = cycle.statuses(2026, ReportKind.plan, date(2025, 12, 15))
    assert len(results) == 6 and all(s.submitted for s in results)
    assert [s.unit.code for s in results if s.late] == ["QNG-21028"]
    assert all(s.submitted and not s.late for s in plans)
    returned = next(s.report for s in plans if s.unit.code == "QNG-21548")
    assert returned.state is ReportState.submitted and returned.version == 2 and returned.comment
    province = db.session.scalar(select(ProvinceReport).where(ProvinceReport.year == 2025))
    content = province.content
    assert content["late"] == ["Phường Nghĩa Lộ"] and not content["missing"]
    assert content["shared_projects"] >= 1
    assert content["totals"]["projects"] < sum(f["projects"] for _name, f in content["by_unit"])
    assert content["totals"]["events"] >= 8 and content["totals"]["competitions"] >= 1
    # Đề án 1665's student clubs, recorded by the Youth Union at the student contest's schools.
    with app.test_request_context():
        by_year = {year: {school.code: n for school, n in clubs_by_school(year)} for year in (2024, 2025)}
    assert by_year[2024] == {"QNG-TRUONG-1": 1, "QNG-TRUONG-2": 1}
    assert by_year[2025] == {"QNG-TRUONG-1": 1, "QNG-TRUONG-3": 1}
