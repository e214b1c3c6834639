"""The media award in `flask demo`: the 2025 giải báo chí, truyền thông về
KNĐMST, with a few press works of each medium, each by its authors (the
team's members). Idempotent."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

from sqlalchemy import select

from contest.demo_competitions import _grant, _person, _user
from contest.domain.competitions import create_competition, find_by_slug
from contest.domain.entries import snapshot
from contest.extensions import db
from contest.models import (
    CompetitionRoleKind,
    CompetitionState,
    Entry,
    EntryStatus,
    EntryValidity,
    EntryVersion,
    MediaType,
    Member,
    OrgUnit,
    Team,
)

SLUG = "giai-bao-chi-khoi-nghiep-2025"
# (medium, board code, outlet, title)
WORKS = [
    (MediaType.print, "BC", "Báo Quảng Ngãi", "Khởi nghiệp từ hạt tỏi Lý Sơn"),
    (
        MediaType.print,
        "BC",
        "Tạp chí Khoa học và Công nghệ Quảng Ngãi",
        "Hệ sinh thái khởi nghiệp: từ ý tưởng đến doanh nghiệp",
    ),
    (
        MediaType.online,
        "BC",
        "Báo điện tử Quảng Ngãi",
        "Những người trẻ mang nước mắm Sa Huỳnh lên sàn thương mại điện tử",
    ),
    (MediaType.online, "BC", "Cổng thông tin điện tử tỉnh", "Cuộc thi khởi nghiệp tỉnh: 5 năm nhìn lại"),
    (
        MediaType.radio,
        "PTTH",
        "Đài Phát thanh – Truyền hình Quảng Ngãi (kênh phát thanh)",
        "Tạp chí khởi nghiệp: Phụ nữ làm kinh tế",
    ),
    (
        MediaType.radio,
        "PTTH",
        "Đài Phát thanh – Truyền hình Quảng Ngãi (kênh phát thanh)",
        "Chuyện những ý tưởng của Đoàn viên",
    ),
    (
        MediaType.television,
        "PTTH",
        "Đài Phát thanh – Truyền hình Quảng Ngãi (QNgTV)",
        "Phóng sự: Mạch nha Thi Phổ vươn xa",
    ),
    (
        MediaType.television,
        "PTTH",
        "Đài Phát thanh – Truyền hình Quảng Ngãi (QNgTV)",
        "Chuyên đề: Sinh viên khởi nghiệp",
    ),
    (MediaType.social, "MXH", "Trang Khởi nghiệp Quảng Ngãi (Facebook)", "Chuỗi video: Một ngày của nhà sáng lập"),
    (MediaType.social, "MXH", "Kênh Tuổi trẻ Quảng Ngãi (YouTube)", "Podcast: Thất bại đầu tiên"),
]


def load_media_award(password_hash: str) -> None:
    if find_by_slug(SLUG) is not None:
        return
    department = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "QNG-KHCN"))
    if department is None:
        return
    competition = create_competition(
        name="Giải báo chí, truyền thông về khởi nghiệp đổi mới sáng tạo tỉnh Quảng Ngãi năm 2025",
        year=2025,
        slug=SLUG,
        org_unit=department,
        preset_name="media_award",
        code_prefix="BC-2025",
    )
    competition.description = (
        "Giải dành cho các tác phẩm báo chí, truyền thông về khởi nghiệp đổi mới sáng tạo đăng, phát trong năm "
        "(báo in, báo điện tử, phát thanh, truyền hình, mạng xã hội)."
    )
    competition.registration_opens_at = datetime(2025, 3, 1, 1, 0, tzinfo=UTC)
    competition.submission_deadline = datetime(2025, 11, 15, 10, 0, tzinfo=UTC)
    competition.state = CompetitionState.closed
    _grant(
        competition, _user("btc@demo.quangngai.vn", "Phạm Văn Tổ Chức", password_hash), CompetitionRoleKind.organizer
    )
    boards = {b.code: b for b in competition.boards}
    rnd = random.Random(72025)
    for index, (medium, board, outlet, title) in enumerate(WORKS):
        name, gender = _person(rnd, index % 2 == 0)
        author = _user(f"tacgia{index + 1:02d}@demo.quangngai.vn", name, password_hash)
        team = Team(
            competition_id=competition.id,
            name=f"Nhóm tác giả {index + 1:02d} – {name.split()[-1]}",
            leader_id=author.id,
            organisation=outlet[:200],
        )
        team.members.append(
            Member(seat=1, user_id=author.id, full_name=name, gender=gender, email=author.email, role_in_team="Tác giả")
        )
        if index % 3 == 0:  # some works have a co-author (a camera operator, an editor)
            co_name, co_gender = _person(rnd, index % 2 == 1)
            team.members.append(Member(seat=2, full_name=co_name, gender=co_gender, role_in_team="Đồng tác giả"))
        db.session.add(team)
        db.session.flush()
        published = date(2025, 3 + index % 8, 5 + index)
        submitted_at = datetime(2025, 11, 1 + index, 2, 0, tzinfo=UTC)
        entry = Entry(
            competition_id=competition.id,
            team=team,
            board_id=boards[board].id,
            field_id=competition.fields[index % len(competition.fields)].id,
            title=title,
            summary=f"Tác phẩm “{title}” đăng, phát trên {outlet} ngày {published:%d/%m/%Y}.",
            media_type=medium,
            outlet=outlet,
            published_on=published,
            work_url=f"https://baochi.demo.quangngai.vn/tac-pham-{index + 1:02d}",
            status=EntryStatus.submitted,
            validity=EntryValidity.valid,
            submitted_at=submitted_at,
        )
        db.session.add(entry)
        db.session.flush()
        competition.entry_seq += 1
        entry.code = f"{competition.code_prefix}-{board}-{competition.entry_seq:03d}"
        entry.versions = [EntryVersion(number=1, data=snapshot(entry), submitted_at=submitted_at)]
    db.session.commit()
