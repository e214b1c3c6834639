"""The media award in `flask demo`: the 2025 giải báo chí, truyền thông về
KNĐMST, with a few press works of each medium, each by its authors (the
team's members). Idempotent."""

from __future__ import annotations

import io
import random
from datetime import UTC, date, datetime

from sqlalchemy import select

from contest.demo_competitions import _grant, _person, _user
from contest.demo_media_files import colour_bars_mp4, silent_mp3
from contest.domain.competitions import create_competition, find_by_slug
from contest.domain.entries import snapshot
from contest.domain.uploads import validate_upload
from contest.extensions import db
from contest.models import (
    Attachment,
    AttachmentKind,
    Competition,
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


# The largest file of a work the demo's organizer allows (a television report is large).
WORK_FILE_MAX_MB = 50
# Media whose demo works carry their file: the article as printed (PDF), or the recording.
WITH_FILE = (MediaType.print, MediaType.online, MediaType.radio, MediaType.television)


def _article_pdf(entry: Entry) -> bytes:
    """The article as the outlet published it: its title, outlet, date and lead, on one A4 page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfgen import canvas

    from contest.pdf.fonts import FONT_BOLD, FONT_ITALIC, FONT_REGULAR, ensure_fonts, nfc_line

    ensure_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(nfc_line(entry.title))
    width, height = A4
    y = height - 72
    pdf.setFont(FONT_ITALIC, 11)
    pdf.drawString(72, y, nfc_line(f"{entry.outlet} · {entry.published_on:%d/%m/%Y}"))
    y -= 36
    for line in simpleSplit(nfc_line(entry.title), FONT_BOLD, 20, width - 144):
        pdf.setFont(FONT_BOLD, 20)
        pdf.drawString(72, y, line)
        y -= 26
    y -= 10
    lead = (
        f"{entry.summary} Bài viết kể lại hành trình của những người khởi nghiệp trong tỉnh, "
        "những khó khăn họ gặp và sự hỗ trợ của chính quyền, các tổ chức hỗ trợ khởi nghiệp. "
        "(Bản dữ liệu mẫu của hệ thống.)"
    )
    pdf.setFont(FONT_REGULAR, 12)
    for line in simpleSplit(nfc_line(lead), FONT_REGULAR, 12, width - 144):
        pdf.drawString(72, y, line)
        y -= 17
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _attach_files(competition: Competition) -> int:
    """Give each printed or broadcast work its file: the article as a PDF, the radio
    work a recording (MP3), the television work one (MP4), through the upload checks
    a team's file goes through. A work that has its file is left alone. How many were given one."""
    from contest.storage import get_storage

    storage = get_storage()
    recordings: dict[MediaType, tuple[str, bytes]] = {}
    attached = 0
    entries = db.session.scalars(
        select(Entry).where(Entry.competition_id == competition.id, Entry.media_type.in_(WITH_FILE)).order_by(Entry.id)
    )
    for entry in entries:
        if entry.current_attachments(AttachmentKind.description):
            continue
        if entry.media_type is MediaType.radio:
            suffix, data = recordings.setdefault(MediaType.radio, (".mp3", silent_mp3()))
        elif entry.media_type is MediaType.television:
            suffix, data = recordings.setdefault(MediaType.television, (".mp4", colour_bars_mp4()))
        else:
            suffix, data = ".pdf", _article_pdf(entry)
        check = validate_upload(f"{entry.code or 'tac-pham'}{suffix}", data, "work")
        if not check.ok:
            raise RuntimeError(f"the demo's file for {entry.title!r} fails the upload check: {check.error_code}")
        entry.attachments.append(
            Attachment(
                kind=AttachmentKind.description,
                filename=check.safe_name,
                storage_key=storage.save(data, suffix=suffix),
                content_type=check.content_type,
                size=check.size,
                sha256=check.sha256,
                uploaded_by_id=entry.team.leader_id,
                uploaded_at=entry.submitted_at or datetime.now(UTC),
            )
        )
        db.session.flush()
        # As submitted: the file was part of the work the authors sent.
        for version in entry.versions[-1:]:
            version.data = snapshot(entry)
        attached += 1
    return attached


def load_media_award(password_hash: str) -> None:
    existing = find_by_slug(SLUG)
    if existing is not None:
        if _attach_files(existing):  # a demo loaded before the works had their files
            existing.work_file_max_mb = WORK_FILE_MAX_MB
        db.session.commit()
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
    competition.work_file_max_mb = WORK_FILE_MAX_MB  # a television report is large
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
    db.session.flush()
    _attach_files(competition)
    db.session.commit()
