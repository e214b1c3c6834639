"""The demo's expert network: 35 mentors, advisers, trainers and investors
(judging adds the five judges of the demo contests, which makes about 40),
25 of them with a startup-adviser certificate issued between 2022 and 2025
(the plan's indicator counts them), most listed in the public directory, and
two projects mentored with their sessions logged. Idempotent."""

from __future__ import annotations

import random
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select

from contest.domain import experts
from contest.domain.competitions import COMMON_FIELDS
from contest.extensions import db
from contest.models import Expert, ExpertRole, Mentorship, OrgUnit, Project

MARK = "@chuyengia.quangngai.vn"
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Phan", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý")
MIDDLE = ("Văn", "Thị", "Minh", "Quốc", "Thanh", "Ngọc", "Hữu", "Thu")
GIVEN = (
    "An",
    "Bình",
    "Châu",
    "Dũng",
    "Giang",
    "Hà",
    "Hải",
    "Hạnh",
    "Hiếu",
    "Hoàng",
    "Khánh",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Nhung",
    "Phong",
    "Phúc",
    "Quân",
    "Quỳnh",
    "Sơn",
    "Tâm",
    "Thảo",
    "Trung",
    "Tuấn",
    "Uyên",
    "Việt",
    "Xuân",
    "Yến",
    "Đức",
    "Hòa",
    "Lộc",
    "Nhân",
    "Thắng",
    "Vân",
)
ORGANISATIONS = (
    "Trường Đại học Phạm Văn Đồng",
    "Sở Khoa học và Công nghệ",
    "Trung tâm Hỗ trợ khởi nghiệp tỉnh",
    "Hội Doanh nhân trẻ tỉnh",
    "Ngân hàng Nông nghiệp chi nhánh Quảng Ngãi",
    "Công ty CP Đầu tư Dung Quất",
    "Trường Cao đẳng Kỹ thuật Công nghiệp Quảng Ngãi",
    "Vườn ươm doanh nghiệp miền Trung",
)
PROGRAMMES = (
    ("Đào tạo nhà tư vấn khởi nghiệp đổi mới sáng tạo", "Cục Phát triển thị trường và doanh nghiệp KH&CN"),
    ("Huấn luyện viên khởi nghiệp (Đề án 844)", "Bộ Khoa học và Công nghệ"),
    ("Cố vấn khởi nghiệp cho doanh nghiệp nhỏ", "Trung tâm Hỗ trợ khởi nghiệp sáng tạo quốc gia"),
)
# Certificates issued per year: 25 people by the end of 2025 (the plan's target is 25–30).
ISSUED = {2022: 6, 2023: 7, 2024: 7, 2025: 5}
COUNT = 35
ROLE_CYCLE = (
    (ExpertRole.mentor, ExpertRole.adviser),
    (ExpertRole.adviser,),
    (ExpertRole.trainer, ExpertRole.mentor),
    (ExpertRole.investor,),
    (ExpertRole.judge, ExpertRole.adviser),
)


def _units() -> list[OrgUnit]:
    department = db.session.scalar(
        select(OrgUnit).where(OrgUnit.code == current_app.config["REPORTING_DEPARTMENT_CODE"])
    )
    return [department] if department is not None else []


def load_experts(today: date) -> None:
    if db.session.scalar(select(Expert.id).where(Expert.email.like(f"%{MARK}"))):
        return
    rnd = random.Random(827)
    units = _units()
    issue_years = [year for year, n in ISSUED.items() for _ in range(n) if year <= today.year]
    made = []
    for i in range(COUNT):
        name = f"{FAMILY[i % len(FAMILY)]} {MIDDLE[(i * 3) % len(MIDDLE)]} {GIVEN[i % len(GIVEN)]}"
        fields = tuple(rnd.sample(COMMON_FIELDS[:-1], 2))
        expert = experts.create_expert(
            experts.ExpertInput(
                full_name=name,
                organisation=ORGANISATIONS[i % len(ORGANISATIONS)],
                email=f"chuyengia{i + 1:02d}{MARK}",
                phone=f"0905 {100 + i:03d} {200 + i * 7:03d}",
                bio=f"Kinh nghiệm {5 + i % 15} năm về {fields[0].lower()}.",
                org_unit_id=units[0].id if units and i % 3 == 0 else None,
                fields=fields,
                roles=ROLE_CYCLE[i % len(ROLE_CYCLE)],
                available=i % 7 != 6,
            ),
            by=None,
        )
        if i % 5 != 4:  # most agree to be listed
            experts.set_consent(expert, True, ["organisation", "fields", "bio"])
        if i < len(issue_years):
            year = issue_years[i]
            issued = date(year, 1 + (i * 5) % 12, 1 + (i * 3) % 27)
            programme, issuer = PROGRAMMES[i % len(PROGRAMMES)]
            experts.add_certification(
                expert,
                experts.CertificationInput(
                    programme,
                    issuer,
                    f"{i + 1:03d}/{year}/CN-KNĐMST",
                    min(issued, today),
                    # Some certificates are good for three years; most do not expire.
                    date(year + 3, 12, 31) if i % 4 == 1 else None,
                ),
                by=None,
            )
        made.append(expert)
    db.session.flush()
    _mentoring(made, today)
    db.session.commit()


def _mentoring(made: list[Expert], today: date) -> None:
    if db.session.scalar(select(Mentorship.id)):
        return
    projects = list(db.session.scalars(select(Project).where(Project.name != "").order_by(Project.id).limit(2)))
    mentors = [e for e in made if ExpertRole.mentor.value in e.role_values][:2]
    topics = (
        ("Hoàn thiện mô hình kinh doanh", "2"),
        ("Định giá sản phẩm và kênh phân phối", "1.5"),
        ("Chuẩn bị hồ sơ gọi vốn", "3"),
        ("Sở hữu trí tuệ và nhãn hiệu", "1"),
    )
    for n, (mentor, project) in enumerate(zip(mentors, projects, strict=False)):
        starts = date(today.year - 1, 3 + n * 2, 1)
        mentorship = experts.assign_mentor(mentor, project, starts_on=starts, org_unit_id=mentor.org_unit_id, by=None)
        for k, (topic, hours) in enumerate(topics[: 3 + n]):
            held = starts + timedelta(days=20 + 30 * k)
            if held <= today:
                experts.log_session(mentorship, held_on=held, topic=topic, hours=hours, by=None)
