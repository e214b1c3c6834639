"""The cycle's reports as administrative documents (Decree 30/2020/NĐ-CP):
the Department's consolidated report to the Ministry and the Province, and a
unit's own report. Documents of the Vietnamese administration are written in
Vietnamese whatever the reader's interface language, so their fixed words are
here in Vietnamese."""

from __future__ import annotations

from datetime import date

from flask import current_app
from sqlalchemy import select

from contest.domain import reports
from contest.domain.reporting_cycle import ShownReport, current_plan, lead_labels
from contest.extensions import db
from contest.models import OrgUnit, ProvinceReport, ReportKind, ReportState, UnitReport
from contest.numbers import vn_number
from contest.reports.admin_document import AdminDocument, TableData, place_date
from contest.reports.consolidate import FIGURE_KEYS

FIGURE_LABELS = {
    "projects": "Dự án khởi nghiệp được hỗ trợ (mỗi dự án tính một lần)",
    "competitions": "Cuộc thi khởi nghiệp đổi mới sáng tạo tổ chức",
    "events": "Sự kiện (diễn đàn, tập huấn, hội thảo, triển lãm, Techfest)",
    "participants": "Lượt người tham gia sự kiện",
    "clubs": "Câu lạc bộ khởi nghiệp đổi mới sáng tạo thành lập",
    "coworking": "Không gian làm việc chung",
    "support_organisations": "Tổ chức hỗ trợ khởi nghiệp hình thành",
    "service_areas": "Khu tập trung dịch vụ hỗ trợ khởi nghiệp",
    "incubations": "Lượt ươm tạo dự án",
    "mentoring": "Lượt tư vấn, cố vấn dự án",
    "funds": "Quyết định thành lập, tài trợ của quỹ",
}
INDICATOR_COLUMNS = ("STT", "Chỉ tiêu", "Kết quả")


def _indicator_table(year: int, totals: dict[str, int]) -> TableData:
    rows = tuple(
        (str(i), FIGURE_LABELS[key], vn_number(totals.get(key, 0))) for i, key in enumerate(FIGURE_KEYS, start=1)
    )
    return TableData(f"Bảng chỉ tiêu kết quả năm {year}", INDICATOR_COLUMNS, rows)


def _targets_table(year: int, today: date) -> TableData | None:
    """The plan's targets for the period the year falls in, with what is achieved."""
    # Counted to the year's end (or today, during the year): the same figures whenever it is produced.
    as_of = min(today, date(year, 12, 31))
    rows = tuple(
        (label, period, f"{vn_number(p.target.low)} – {vn_number(p.target.high)}", vn_number(p.achieved))
        for p, label, period in reports.plan_progress(None, as_of)
        if p.target is not None and p.target.start_year <= year <= p.target.end_year
    )
    if not rows:
        return None
    return TableData("Chỉ tiêu của Kế hoạch theo giai đoạn", ("Chỉ tiêu", "Giai đoạn", "Mục tiêu", "Đạt được"), rows)


def _department() -> OrgUnit | None:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == current_app.config["REPORTING_DEPARTMENT_CODE"]))


def province_document(report: ProvinceReport, today: date) -> AdminDocument:
    plan, content, year = current_plan(), report.content, report.year
    tasks = []
    for task in plan.tasks if plan else []:
        done = content["lines"].get(task.number, [])
        if done:
            tasks.append((task.number, task.text, ", ".join(lead_labels(task, year)), "\n".join(done)))
    tables = [_indicator_table(year, content["totals"])]
    if tasks:
        tables.append(
            TableData("Kết quả thực hiện các nhiệm vụ", ("Mục", "Nhiệm vụ", "Đơn vị chủ trì", "Kết quả"), tuple(tasks))
        )
    targets = _targets_table(year, today)
    if targets:
        tables.append(targets)
    tables.append(
        TableData(
            "Đơn vị đã báo cáo",
            ("Đơn vị", "Dự án", "Sự kiện", "Người tham gia"),
            tuple(
                (name, vn_number(f["projects"]), vn_number(f["events"]), vn_number(f["participants"]))
                for name, f in content["by_unit"]
            ),
        )
    )
    plan_name = f"Kế hoạch số {plan.number}" if plan else "Kế hoạch"
    paragraphs = [
        f"Thực hiện {plan_name} ngày {plan.issued_on:%d/%m/%Y} của {plan.issuer} về xây dựng Hệ sinh thái khởi nghiệp "
        f"đổi mới sáng tạo, Sở Khoa học và Công nghệ tổng hợp kết quả thực hiện năm {year} từ báo cáo của "
        f"{len(content['submitted'])} đơn vị như sau:"
        if plan
        else f"Sở Khoa học và Công nghệ tổng hợp kết quả thực hiện năm {year} như sau:",
    ]
    if content["shared_projects"]:
        paragraphs.append(
            f"{content['shared_projects']} dự án được nhiều đơn vị cùng báo cáo, mỗi dự án chỉ tính một lần."
        )
    closing = []
    if content["late"]:
        closing.append("Đơn vị báo cáo sau hạn 10/12: " + ", ".join(content["late"]) + ".")
    if content["missing"]:
        closing.append("Đơn vị chưa gửi báo cáo: " + ", ".join(content["missing"]) + ".")
    return AdminDocument(
        superior="UBND TỈNH QUẢNG NGÃI",
        issuer="SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        number="Số:      /BC-SKHCN",
        place_date=place_date("Quảng Ngãi", today),
        kind="BÁO CÁO",
        subject=f"Kết quả thực hiện Kế hoạch xây dựng Hệ sinh thái khởi nghiệp đổi mới sáng tạo năm {year}",
        addressees=["Bộ Khoa học và Công nghệ", "Ủy ban nhân dân tỉnh Quảng Ngãi"],
        paragraphs=paragraphs,
        tables=tables,
        closing=closing,
        recipients=["Như trên", "Lưu: VT, QLKH"],
        signer_title="GIÁM ĐỐC",
        signer_name="",
    )


def unit_document(report: ShownReport, today: date) -> AdminDocument:
    """A unit's plan or results as its document: what its page shows (not started yet: the
    records' prefill, version 0)."""
    unit, year = report.unit, report.year
    is_plan = report.kind is ReportKind.plan
    lines = report.content.get("lines", [])
    if is_plan:
        table = TableData(
            f"Kế hoạch thực hiện nhiệm vụ năm {year}",
            ("Mục", "Nhiệm vụ", "Nội dung thực hiện", "Thời gian", "Kinh phí dự kiến", "Nguồn"),
            tuple(
                (line["task"], line["text"], line["what"], line["when"], line["budget"], line["source"])
                for line in lines
            ),
        )
        tables = [table]
    else:
        tables = [
            TableData(
                f"Kết quả thực hiện nhiệm vụ năm {year}",
                ("Mục", "Nhiệm vụ", "Kết quả"),
                tuple((line["task"], line["text"], line["result"]) for line in lines),
            ),
            _indicator_table(year, report.content.get("figures", {})),
        ]
    subject = (
        f"Kế hoạch chi tiết triển khai xây dựng Hệ sinh thái khởi nghiệp đổi mới sáng tạo năm {year}"
        if is_plan
        else f"Kết quả thực hiện Kế hoạch xây dựng Hệ sinh thái khởi nghiệp đổi mới sáng tạo năm {year}"
    )
    parent = unit.parent.name.upper() if unit.parent else "UBND TỈNH QUẢNG NGÃI"
    return AdminDocument(
        superior=parent,
        issuer=unit.name.upper(),
        number="Số:      /BC" if not is_plan else "Số:      /KH",
        place_date=place_date("Quảng Ngãi", today),
        kind="KẾ HOẠCH" if is_plan else "BÁO CÁO",
        subject=subject,
        addressees=["Sở Khoa học và Công nghệ tỉnh Quảng Ngãi"],
        paragraphs=[
            f"{unit.name} báo cáo {'kế hoạch' if is_plan else 'kết quả thực hiện'} năm {year} "
            f"(phiên bản {report.version}) như sau:"
        ],
        tables=tables,
        recipients=["Như trên", "Lưu: VT"],
        signer_title="THỦ TRƯỞNG ĐƠN VỊ",
        signer_name="",
    )


def province_plan_document(year: int, today: date) -> AdminDocument:
    """The units' submitted plans for the year, task by task: the province's
    plan the Department puts to the Provincial People's Committee (V.1.b)."""
    plan = current_plan()
    submitted = list(
        db.session.scalars(
            select(UnitReport).where(
                UnitReport.year == year, UnitReport.kind == ReportKind.plan, UnitReport.state == ReportState.submitted
            )
        )
    )
    by_task: dict[str, list[tuple[str, dict]]] = {}
    for report in sorted(submitted, key=lambda r: r.unit.name):
        for line in report.content.get("lines", []):
            by_task.setdefault(line["task"], []).append((report.unit.name, line))
    rows = []
    for task in plan.tasks if plan else []:
        for unit_name, line in by_task.get(task.number, []):
            rows.append(
                (
                    task.number,
                    task.text,
                    unit_name,
                    line.get("what", ""),
                    line.get("when", ""),
                    line.get("budget", ""),
                    line.get("source", ""),
                )
            )
    table = TableData(
        f"Nhiệm vụ năm {year} theo đơn vị chủ trì",
        ("Mục", "Nhiệm vụ", "Đơn vị chủ trì", "Nội dung", "Thời gian", "Kinh phí dự kiến", "Nguồn"),
        tuple(rows),
    )
    return AdminDocument(
        superior="UBND TỈNH QUẢNG NGÃI",
        issuer="SỞ KHOA HỌC VÀ CÔNG NGHỆ",
        number="Số:      /TTr-SKHCN",
        place_date=place_date("Quảng Ngãi", today),
        kind="KẾ HOẠCH",
        subject=f"Xây dựng Hệ sinh thái khởi nghiệp đổi mới sáng tạo tỉnh Quảng Ngãi năm {year}",
        addressees=["Ủy ban nhân dân tỉnh Quảng Ngãi"],
        paragraphs=[
            f"Sở Khoa học và Công nghệ tổng hợp kế hoạch năm {year} của {len(submitted)} đơn vị chủ trì "
            "các nhiệm vụ như sau:"
        ],
        tables=[table],
        recipients=["Như trên", "Lưu: VT, QLKH"],
        signer_title="GIÁM ĐỐC",
    )
