"""Demo of units running their own part (`flask demo`): a ward officer who runs
the ward's 2026 contest (no administrator involved), a Tỉnh Đoàn officer who
runs the youth contests, and the former districts of the history contests
linked to the communes that took them over, so the reports count a 2023
district contest in the new communes' area."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from contest.domain import competitions, unit_officers
from contest.domain.competitions import find_by_slug
from contest.extensions import db
from contest.models import (
    CompetitionState,
    OrgUnit,
    OrgUnitSuccession,
    TimelineItem,
    UnitOfficer,
    UnitOfficerRole,
)
from contest.models.base import utcnow

# ILLUSTRATIVE links for the demo only. The reference data records no
# successor for a former district (each was split among new communes that
# also took in neighbours' land; see contest/data/README.md). These communes
# lie in the former districts' area and stand in for the real, partial links
# an administrator would enter.
DEMO_SUCCESSIONS = {
    "QNG-BS": ("QNG-21040", "QNG-21061", "QNG-21085", "QNG-21100", "QNG-21109"),  # Bình Sơn
    "QNG-STI": ("QNG-21181", "QNG-21196", "QNG-21205", "QNG-21220"),  # Sơn Tịnh
}

WARD_CODE = "QNG-21025"  # Phường Cẩm Thành
WARD_SLUG = "khoi-nghiep-phuong-cam-thanh-2026"
WARD_OFFICER = ("canbo.camthanh@demo.quangngai.vn", "Trương Thị Đầu Mối")
YOUTH_OFFICER = ("canbo.tinhdoan@demo.quangngai.vn", "Nguyễn Văn Thanh Niên")
WARD_TEAM_LEADER = ("doi-camthanh@demo.quangngai.vn", "Võ Thị Cẩm")


def _by_code(code: str) -> OrgUnit | None:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))


def _link_demo_successions() -> None:
    for old_code, new_codes in DEMO_SUCCESSIONS.items():
        old = _by_code(old_code)
        if old is None:
            continue
        have = {u.code for u in old.successors}
        for code in new_codes:
            new = _by_code(code)
            if new is not None and code not in have:
                db.session.add(OrgUnitSuccession(predecessor=old, successor=new, on=new.valid_from))
    db.session.flush()


def _officer(unit: OrgUnit, user, admin) -> None:
    exists = db.session.scalar(
        select(UnitOfficer.id).where(UnitOfficer.org_unit_id == unit.id, UnitOfficer.user_id == user.id)
    )
    if exists is None:
        unit_officers.appoint(
            unit,
            user.email,
            UnitOfficerRole.focal_point,
            by=admin,
            valid_from=max(unit.valid_from or date(2025, 7, 1), date(2025, 7, 1)),
        )


def load_units(password_hash: str, admin, today: date | None = None) -> list[tuple[str, str]]:
    """Create the unit officers and the ward's contest once; returns extra demo log-ins."""
    from contest.demo_competitions import _user

    today = today or unit_officers.today()
    _link_demo_successions()
    ward, youth_union = _by_code(WARD_CODE), _by_code("QNG-DOAN")
    logins = []
    if youth_union is not None:
        youth_officer = _user(*YOUTH_OFFICER, password_hash)
        _officer(youth_union, youth_officer, admin)
        logins.append(("Tỉnh Đoàn officer", youth_officer.email))
    if ward is None:
        db.session.commit()
        return logins
    officer = _user(*WARD_OFFICER, password_hash)
    _officer(ward, officer, admin)
    logins.append(("ward officer", officer.email))
    if find_by_slug(WARD_SLUG) is None:
        # The officer, not an administrator, creates and opens the ward's contest.
        unit_officers.forget_cache()
        competition = unit_officers.create_competition(
            officer,
            ward,
            name="Cuộc thi Khởi nghiệp đổi mới sáng tạo phường Cẩm Thành năm 2026",
            year=max(today.year, 2026),
            slug=WARD_SLUG,
            preset_name="district_commune",
        )
        competition.description = (
            "Cuộc thi do UBND phường Cẩm Thành tổ chức cho các đội trên địa bàn phường; "
            "dự án xuất sắc được giới thiệu lên cuộc thi cấp tỉnh."
        )
        opens = utcnow() - timedelta(days=7)
        competition.registration_opens_at = opens
        competition.submission_deadline = datetime.combine(
            today + timedelta(days=45), datetime.min.time(), tzinfo=UTC
        ) + timedelta(hours=10)
        competition.timeline = [TimelineItem(on=today + timedelta(days=60), label="Vòng chung kết cấp phường")]
        competitions.change_state(competition, CompetitionState.open, confirmed=True)
    leader = _user(*WARD_TEAM_LEADER, password_hash)
    logins.append(("team leader (ward contest)", leader.email))
    db.session.commit()
    return logins
