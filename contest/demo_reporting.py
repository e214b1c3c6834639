"""The plan's 2025 cycle for `flask demo`: Decision 827's tasks, unit officers,
what units did in 2025, their plans for 2026 (all submitted, one returned and
sent again), their 2025 results (one sent late) and the Department's
consolidated report. Idempotent: skipped once the 2025 province report exists."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from contest.demo_competitions import _user
from contest.domain import reporting_cycle as cycle
from contest.extensions import db
from contest.models import (
    ActivityKind,
    Entry,
    EntryValidity,
    OrgUnit,
    OrgUnitKind,
    ProvinceReport,
    ReportKind,
)

WARDS = [("QNG-21025", "Phường Cẩm Thành"), ("QNG-21028", "Phường Nghĩa Lộ")]
# Unit code → (officer e-mail, name)
OFFICERS = {
    "QNG-KHCN": ("tonghop.skhcn@demo.quangngai.vn", "Nguyễn Thị Tổng Hợp"),
    "QNG-21025": ("canbo.camthanh@demo.quangngai.vn", "Trần Văn Phường"),
    "QNG-21028": ("canbo.nghialo@demo.quangngai.vn", "Lê Thị Lộ"),
    "QNG-DOAN": ("canbo.tinhdoan@demo.quangngai.vn", "Phạm Thanh Niên"),
    "QNG-PN": ("canbo.phunu@demo.quangngai.vn", "Võ Thị Hội"),
    "QNG-21548": ("canbo.lyson@demo.quangngai.vn", "Đặng Văn Đảo"),
}
# Unit code → activities of 2025: (kind, title, day, participants, task number)
ACTIVITIES: dict[str, list[tuple[ActivityKind, str, date, int | None, str]]] = {
    "QNG-KHCN": [
        (ActivityKind.forum, "Diễn đàn kết nối hệ sinh thái khởi nghiệp tỉnh", date(2025, 5, 20), 220, "2.2"),
        (ActivityKind.techfest, "Techfest Quảng Ngãi 2025", date(2025, 11, 8), 1200, "2.2"),
        (ActivityKind.training, "Tập huấn tư duy đổi mới sáng tạo cho doanh nghiệp", date(2025, 8, 14), 65, "5.1"),
        (ActivityKind.incubation, "Ươm tạo dự án đạt giải cuộc thi tỉnh", date(2025, 10, 2), None, "5.2"),
    ],
    "QNG-21025": [
        (ActivityKind.forum, "Diễn đàn khởi nghiệp phường Cẩm Thành", date(2025, 9, 12), 85, "1.6"),
        (ActivityKind.club, "Câu lạc bộ khởi nghiệp phường Cẩm Thành", date(2025, 10, 1), None, "1.6"),
    ],
    "QNG-21028": [(ActivityKind.workshop, "Tọa đàm khởi nghiệp cho hộ kinh doanh", date(2025, 11, 5), 40, "1.6")],
    "QNG-DOAN": [
        (ActivityKind.training, "Tập huấn khởi nghiệp cho đoàn viên", date(2025, 7, 18), 150, "1.6"),
        (ActivityKind.mentoring, "Tư vấn dự án đạt giải cuộc thi tỉnh", date(2025, 10, 20), None, "5.4"),
    ],
    "QNG-PN": [(ActivityKind.forum, "Diễn đàn phụ nữ khởi nghiệp", date(2025, 10, 20), 120, "1.6")],
    "QNG-21548": [
        (ActivityKind.exhibition, "Trưng bày sản phẩm khởi nghiệp đặc khu Lý Sơn", date(2025, 8, 30), 60, "1.6")
    ],
}
LATE = "QNG-21028"
# Đề án 1665's student startup clubs, recorded by the Provincial Youth Union at the student
# contest's schools (demo_history's units of kind school): (school code, title, day).
CLUBS = [
    ("QNG-TRUONG-1", "Câu lạc bộ Khởi nghiệp sinh viên Trường Đại học Phạm Văn Đồng", date(2024, 3, 26)),
    ("QNG-TRUONG-2", "Câu lạc bộ Khởi nghiệp sáng tạo Trường Đại học Tài chính – Kế toán", date(2024, 10, 15)),
    ("QNG-TRUONG-1", "Câu lạc bộ Ý tưởng nông nghiệp xanh Trường Đại học Phạm Văn Đồng", date(2025, 4, 10)),
    ("QNG-TRUONG-3", "Câu lạc bộ Khởi nghiệp kỹ thuật Trường Cao đẳng Kỹ thuật Công nghệ", date(2025, 9, 22)),
]
CLUBS_BY = "QNG-DOAN"


def _at(day: date, hour: int = 3) -> datetime:
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def load_reporting(password_hash: str) -> list[tuple[str, str]]:
    plan = cycle.load_plan()
    tasks = {t.number: t for t in plan.tasks}
    province = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "QNG"))
    for code, name in WARDS:
        if db.session.scalar(select(OrgUnit).where(OrgUnit.code == code)) is None:
            db.session.add(
                OrgUnit(code=code, name=name, kind=OrgUnitKind.commune, parent=province, valid_from=date(2025, 7, 1))
            )
    db.session.flush()
    units = {u.code: u for u in db.session.scalars(select(OrgUnit).where(OrgUnit.code.in_(list(OFFICERS))))}
    for code, (email, name) in OFFICERS.items():
        cycle.add_officer(units[code], _user(email, name, password_hash))
    # The ward's officer is the units demo's, already listed among its log-ins.
    logins = [("Department's reporting officer", OFFICERS["QNG-KHCN"][0])]
    if db.session.scalar(select(ProvinceReport.id).where(ProvinceReport.year == 2025)) is not None:
        db.session.commit()
        return logins
    cycle.open_cycle(2025, list(units.values()))
    # The provincial contest of 2025's first project, incubated by the Department and mentored by the Youth Union:
    # reported by both, counted once.
    shared = db.session.scalar(
        select(Entry.id)
        .join(Entry.competition)
        .where(Entry.validity == EntryValidity.valid, Entry.competition.has(year=2025))
        .order_by(Entry.id)
        .limit(1)
    )
    for code, items in ACTIVITIES.items():
        officer = cycle.unit_officers(units[code].id)[0]
        for kind, title, day, participants, task in items:
            cycle.record_activity(
                units[code],
                cycle.ActivityInput(
                    kind=kind,
                    title=title,
                    occurred_on=day,
                    participants=participants,
                    task_id=tasks[task].id,
                    evidence_url="https://khcn.quangngai.gov.vn/tin-tuc",
                    entry_id=shared if kind in (ActivityKind.incubation, ActivityKind.mentoring) else None,
                ),
                officer,
                today=date(2025, 12, 31),
            )
    _record_clubs(units[CLUBS_BY], tasks.get("4.8"))
    for i, (code, unit) in enumerate(sorted(units.items())):
        officer = cycle.unit_officers(unit.id)[0]
        plan_2026 = cycle.report_for(unit, 2026, ReportKind.plan)
        lines = {
            line["task"]: {
                "what": f"Tổ chức thực hiện nhiệm vụ {line['task']} năm 2026",
                "when": "Quý II–IV/2026",
                "budget": f"{(i + 2) * 25_000_000:,}".replace(",", "."),
                "source": "Ngân sách tỉnh",
            }
            for line in plan_2026.content["lines"]
        }
        cycle.save_draft(plan_2026, lines, {})
        cycle.submit(plan_2026, officer, now=_at(date(2025, 10, 20 + i)))
        if code == "QNG-21548":
            cycle.return_report(plan_2026, "Đề nghị bổ sung dự toán kinh phí chi tiết cho nhiệm vụ 1.6.", None)
            cycle.save_draft(plan_2026, {"1.6": {"budget": "60.000.000", "source": "Ngân sách đặc khu"}}, {})
            cycle.submit(plan_2026, officer, now=_at(date(2025, 10, 29)))
        results = cycle.report_for(unit, 2025, ReportKind.results)
        cycle.submit(results, officer, now=_at(date(2025, 12, 12) if code == LATE else date(2025, 12, 1 + i)))
    cycle.consolidate_year(
        2025, cycle.unit_officers(units["QNG-KHCN"].id)[0], today=date(2025, 12, 15), now=_at(date(2025, 12, 15))
    )
    db.session.commit()
    return logins


def _record_clubs(unit: OrgUnit, task) -> None:
    """The student clubs of 2024–2025 at the demo's schools (left out if the schools are not there)."""
    schools = {
        u.code: u
        for u in db.session.scalars(select(OrgUnit).where(OrgUnit.code.in_({code for code, _t, _d in CLUBS})))
        if u.kind is OrgUnitKind.school
    }
    officer = cycle.unit_officers(unit.id)[0]
    for code, title, day in CLUBS:
        if code not in schools:
            continue
        cycle.record_activity(
            unit,
            cycle.ActivityInput(
                kind=ActivityKind.club,
                title=title,
                occurred_on=day,
                task_id=task.id if task is not None else None,
                evidence_url="https://khcn.quangngai.gov.vn/tin-tuc",
                school_id=schools[code].id,
            ),
            officer,
            today=date(2025, 12, 31),
        )
