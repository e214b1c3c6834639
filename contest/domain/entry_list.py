"""The secretariat's list of entries: filters, search and export rows."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from contest.domain.entries import is_women_owned
from contest.domain.teams import is_student_team, is_women_led
from contest.extensions import db
from contest.models import Competition, Entry, EntryStatus, EntryValidity, Team


@dataclass
class EntryFilter:
    board_id: int | None = None
    field_id: int | None = None
    status: EntryStatus | None = None
    validity: EntryValidity | None = None
    org_unit_id: int | None = None
    women_led: bool = False  # the team's leader is a woman
    women_owned: bool = False  # a women-owned business: both facts hold (entries.is_women_owned)
    student_team: bool = False
    query: str = ""


def list_entries(competition: Competition, flt: EntryFilter) -> list[Entry]:
    stmt = (
        select(Entry)
        .join(Team)
        .where(Entry.competition_id == competition.id)
        .options(
            selectinload(Entry.team).selectinload(Team.members),
            selectinload(Entry.board),
            selectinload(Entry.field),
            selectinload(Entry.attachments),
        )
        .order_by(Entry.code.is_(None), Entry.code, Entry.id)
    )
    if flt.board_id:
        stmt = stmt.where(Entry.board_id == flt.board_id)
    if flt.field_id:
        stmt = stmt.where(Entry.field_id == flt.field_id)
    if flt.status:
        stmt = stmt.where(Entry.status == flt.status)
    if flt.validity:
        stmt = stmt.where(Entry.validity == flt.validity)
    if flt.org_unit_id:
        stmt = stmt.where(Team.org_unit_id == flt.org_unit_id)
    if flt.query:
        like = f"%{flt.query.strip().lower()}%"
        stmt = stmt.where(
            or_(
                func.lower(Entry.title).like(like),
                func.lower(Team.name).like(like),
                func.lower(func.coalesce(Entry.code, "")).like(like),
            )
        )
    entries = list(db.session.scalars(stmt).unique())
    # Derived from members, so filtered here rather than in SQL.
    if flt.women_led:
        entries = [e for e in entries if is_women_led(e.team)]
    if flt.women_owned:
        entries = [e for e in entries if is_women_owned(e)]
    if flt.student_team:
        entries = [e for e in entries if is_student_team(e.team)]
    return entries


EXPORT_HEADERS = [
    "Mã hồ sơ",
    "Tên dự án",
    "Tên đội",
    "Trưởng nhóm",
    "E-mail trưởng nhóm",
    "Số thành viên",
    "Bảng",
    "Lĩnh vực",
    "Đơn vị",
    "Trạng thái",
    "Hợp lệ",
    "Lý do",
    "Trưởng nhóm là nữ",
    "Doanh nghiệp do phụ nữ làm chủ",
    "Đội học sinh, sinh viên",
    "Giai đoạn",
    "Kinh phí cần (đồng)",
    "Nộp lúc",
]


def export_rows(entries: list[Entry]) -> list[list]:
    rows = []
    for entry in entries:
        team = entry.team
        leader = next((m for m in team.members if m.user_id == team.leader_id), None)
        rows.append(
            [
                entry.code or "",
                entry.title,
                team.name,
                leader.full_name if leader else "",
                leader.email if leader else "",
                len(team.members),
                entry.board.name if entry.board else "",
                entry.field.name if entry.field else "",
                team.org_unit.name if team.org_unit else "",
                entry.status.value,
                entry.validity.value,
                entry.validity_reason or "",
                "x" if is_women_led(team) else "",
                "x" if is_women_owned(entry) else "",
                "x" if is_student_team(team) else "",
                entry.stage.value if entry.stage else "",
                entry.funding_needed,
                entry.submitted_at.replace(tzinfo=None) if entry.submitted_at else None,
            ]
        )
    return rows
