"""Demo competitions for `flask demo`: a provincial contest open for entries
with ~30 teams in every state, and a district contest whose winner was sent up."""

from __future__ import annotations

import io
import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from contest.domain.competitions import create_competition, find_by_slug
from contest.domain.entries import snapshot
from contest.extensions import db
from contest.models import (
    Attachment,
    AttachmentKind,
    Competition,
    CompetitionRole,
    CompetitionRoleKind,
    CompetitionState,
    Entry,
    EntryPersonSlot,
    EntryStage,
    EntryStatus,
    EntryValidity,
    EntryVersion,
    Gender,
    Member,
    OrgUnit,
    Team,
    TimelineItem,
    User,
)
from contest.models.base import utcnow
from contest.storage import get_storage

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Đặng", "Bùi", "Đỗ"]
FEMALE = [("Thị", "Hồng Nhung"), ("Thị", "Mai"), ("Ngọc", "Ánh"), ("Thị", "Thu Hà"), ("Minh", "Thư"), ("Thị", "Lan")]
MALE = [("Văn", "An"), ("Minh", "Khang"), ("Quốc", "Bảo"), ("Văn", "Tài"), ("Đức", "Huy"), ("Hoàng", "Nam")]
PROJECTS = [
    ("Tỏi Lý Sơn đen lên men", "Chế biến thực phẩm và sản phẩm OCOP"),
    ("Du lịch cộng đồng Ba Tơ", "Du lịch và dịch vụ"),
    ("Nhà màng trồng dưa lưới thông minh", "Nông nghiệp công nghệ cao"),
    ("Ứng dụng đặt lịch khám cho trạm y tế xã", "Y tế và chăm sóc sức khỏe"),
    ("Gạch không nung từ xỉ than", "Môi trường và năng lượng"),
    ("Lớp học lập trình cho học sinh miền núi", "Giáo dục"),
    ("Sàn thương mại nông sản Quảng Ngãi", "Công nghệ thông tin và chuyển đổi số"),
    ("Mạch nha Thi Phổ đóng gói", "Chế biến thực phẩm và sản phẩm OCOP"),
    ("Quế Trà Bồng tinh dầu", "Chế biến thực phẩm và sản phẩm OCOP"),
    ("Cá bống sông Trà một nắng", "Chế biến thực phẩm và sản phẩm OCOP"),
]


def _person(rnd: random.Random, female: bool) -> tuple[str, Gender]:
    middle, given = rnd.choice(FEMALE if female else MALE)
    return f"{rnd.choice(FAMILY)} {middle} {given}", Gender.female if female else Gender.male


def _demo_pdf(title: str) -> bytes:
    from reportlab.pdfgen import canvas

    from contest.pdf.fonts import FONT_BOLD, ensure_fonts

    ensure_fonts()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.setFont(FONT_BOLD, 20)
    pdf.drawString(72, 720, title)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _user(email: str, name: str, password_hash: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, full_name=name, password_hash=password_hash, email_verified_at=utcnow(), locale="vi")
        db.session.add(user)
        db.session.flush()
    return user


def _grant(competition, user, role):
    if not db.session.scalar(
        select(CompetitionRole.id).where(
            CompetitionRole.competition_id == competition.id,
            CompetitionRole.user_id == user.id,
            CompetitionRole.role == role,
        )
    ):
        db.session.add(CompetitionRole(competition_id=competition.id, user_id=user.id, role=role, granted_at=utcnow()))


def _make_entry(competition, team, rnd, index, status, validity, deck_key, submitted_at):
    title, field_name = PROJECTS[index % len(PROJECTS)]
    board = competition.boards[index % len(competition.boards)]
    entry = Entry(
        competition_id=competition.id,
        team=team,
        board_id=board.id,
        field_id=next(f.id for f in competition.fields if f.name == field_name),
        title=title if index < len(PROJECTS) else f"{title} ({index + 1})",
        summary=f"Dự án {title.lower()} của đội {team.name}.",
        problem="Nông dân và hộ kinh doanh nhỏ khó tiếp cận thị trường.",
        solution="Sản phẩm và kênh bán hàng mới, tận dụng nguyên liệu địa phương.",
        customers_market="Khách du lịch, siêu thị trong tỉnh, sàn thương mại điện tử.",
        business_model="Bán trực tiếp và qua đại lý; biên lợi nhuận 30%.",
        stage=EntryStage.registered_company if board.code == "D" else EntryStage.idea,
        company_registered_on=date(2024, 3, 1) if board.code == "D" else None,
        funding_needed=rnd.choice([200, 500, 800, 1500]) * 1_000_000,
        team_strengths="Đội có kinh nghiệm sản xuất và bán hàng.",
        gallery_opt_in=index % 3 == 0,
        status=status,
        validity=validity,
        validity_reason="Thiếu bản thuyết minh có chữ ký." if validity is EntryValidity.invalid else None,
        submitted_at=submitted_at,
    )
    entry.attachments = [
        Attachment(
            kind=AttachmentKind.pitch_deck,
            filename="bai-thuyet-trinh.pdf",
            storage_key=deck_key,
            content_type="application/pdf",
            size=1000,
            sha256="0" * 64,
        ),
        Attachment(
            kind=AttachmentKind.description,
            filename="thuyet-minh.pdf",
            storage_key=deck_key,
            content_type="application/pdf",
            size=1000,
            sha256="0" * 64,
        ),
    ]
    db.session.add(entry)
    db.session.flush()
    if status is not EntryStatus.draft:
        competition.entry_seq += 1
        entry.code = f"{competition.code_prefix}-{board.code}-{competition.entry_seq:03d}"
        entry.versions = [EntryVersion(number=1, data=snapshot(entry), submitted_at=submitted_at)]
    if status is EntryStatus.submitted:
        for member in team.members:
            key = (
                f"u:{member.user_id}"
                if member.user_id
                else f"n:{member.full_name.lower()}|{member.date_of_birth or ''}"
            )
            db.session.add(EntryPersonSlot(competition_id=competition.id, entry_id=entry.id, person_key=key, slot=1))
    return entry


def load_competitions(password_hash: str) -> list[tuple[str, str]]:
    """Create the demo competitions once; returns extra demo log-ins."""
    organizer = _user("btc@demo.quangngai.vn", "Phạm Văn Tổ Chức", password_hash)
    secretary = _user("thuky@demo.quangngai.vn", "Lê Thị Thư Ký", password_hash)
    logins = [
        ("organizer", organizer.email),
        ("secretariat", secretary.email),
        ("team leader", "doi01@demo.quangngai.vn"),
    ]
    if find_by_slug("khoi-nghiep-quang-ngai-2026") is not None:
        return logins
    rnd = random.Random(2026)
    department = db.session.scalars(select(OrgUnit).where(OrgUnit.code == "QNG-KHCN")).one()
    competition = create_competition(
        name="Cuộc thi Khởi nghiệp đổi mới sáng tạo tỉnh Quảng Ngãi năm 2026",
        year=2026,
        slug="khoi-nghiep-quang-ngai-2026",
        org_unit=department,
        preset_name="provincial",
        code_prefix="QNG-2026",
    )
    competition.description = (
        "Cuộc thi do Sở Khoa học và Công nghệ phối hợp với Tỉnh Đoàn và Hội Liên hiệp Phụ nữ tỉnh tổ chức, "
        "nhằm tìm kiếm và hỗ trợ các dự án khởi nghiệp đổi mới sáng tạo."
    )
    competition.co_organisers = list(
        db.session.scalars(select(OrgUnit).where(OrgUnit.code.in_(["QNG-DOAN", "QNG-PN"])))
    )
    competition.registration_opens_at = datetime(2026, 9, 1, 1, 0, tzinfo=UTC)
    competition.submission_deadline = datetime(2026, 12, 20, 10, 0, tzinfo=UTC)
    competition.timeline = [
        TimelineItem(on=date(2027, 1, 10), label="Vòng sơ khảo"),
        TimelineItem(on=date(2027, 2, 20), label="Vòng bán kết"),
        TimelineItem(on=date(2027, 3, 26), label="Vòng chung kết và lễ trao giải"),
    ]
    competition.state = CompetitionState.open
    _grant(competition, organizer, CompetitionRoleKind.organizer)
    _grant(competition, secretary, CompetitionRoleKind.secretariat)
    deck_key = get_storage().save(_demo_pdf("Bai thuyet trinh du an"), suffix=".pdf")
    states = (
        [(EntryStatus.submitted, EntryValidity.valid)] * 14
        + [(EntryStatus.submitted, EntryValidity.unchecked)] * 8
        + [(EntryStatus.submitted, EntryValidity.invalid)] * 2
        + [(EntryStatus.draft, EntryValidity.unchecked)] * 4
        + [(EntryStatus.withdrawn, EntryValidity.unchecked)] * 2
    )
    _populate(competition, rnd, states, "doi", password_hash, deck_key)
    db.session.commit()
    return logins


def _populate(competition, rnd, states, leader_prefix, password_hash, deck_key) -> None:
    """Teams (some women-led, some student teams) and their entries in the given states."""
    districts = list(db.session.scalars(select(OrgUnit).where(OrgUnit.kind.in_(["district", "city", "town"]))))
    for index, (status, validity) in enumerate(states):
        women_led = index % 3 == 0
        students = index % 4 == 1
        leader_name, leader_gender = _person(rnd, women_led)
        leader = _user(f"{leader_prefix}{index + 1:02d}@demo.quangngai.vn", leader_name, password_hash)
        team = Team(
            competition_id=competition.id,
            name=f"Đội {index + 1:02d} – {leader_name.split()[-1]}",
            leader_id=leader.id,
            org_unit_id=rnd.choice(districts).id if districts else None,
            organisation="Trường Đại học Phạm Văn Đồng" if students else None,
        )
        team.members.append(
            Member(
                seat=1,
                user_id=leader.id,
                full_name=leader_name,
                gender=leader_gender,
                email=leader.email,
                is_student=students,
                date_of_birth=date(1990 + index % 12, 1 + index % 12, 1 + index % 27),
            )
        )
        for seat in range(2, 2 + index % 4):
            name, gender = _person(rnd, rnd.random() < 0.4)
            team.members.append(
                Member(
                    seat=seat,
                    full_name=name,
                    gender=gender,
                    is_student=students,
                    date_of_birth=date(1992 + seat, 1 + index % 12, 1 + index % 28),
                )
            )
        db.session.add(team)
        db.session.flush()
        submitted_at = datetime(competition.year, 10, 1, tzinfo=UTC) + timedelta(days=index)
        _make_entry(competition, team, rnd, index, status, validity, deck_key, submitted_at)


def load_finished_competition(password_hash: str) -> Competition | None:
    """Last year's contest: every entry valid, ready for rounds, awards and published results.
    Returns None when it already exists."""
    if find_by_slug("khoi-nghiep-quang-ngai-2025") is not None:
        return None
    rnd = random.Random(2025)
    department = db.session.scalars(select(OrgUnit).where(OrgUnit.code == "QNG-KHCN")).one()
    competition = create_competition(
        name="Cuộc thi Khởi nghiệp đổi mới sáng tạo tỉnh Quảng Ngãi năm 2025",
        year=2025,
        slug="khoi-nghiep-quang-ngai-2025",
        org_unit=department,
        preset_name="provincial",
        code_prefix="QNG-2025",
    )
    competition.description = "Cuộc thi năm 2025 đã kết thúc; kết quả đã công bố."
    competition.submission_deadline = datetime(2025, 11, 20, 10, 0, tzinfo=UTC)
    competition.state = CompetitionState.results_published
    organizer = _user("btc@demo.quangngai.vn", "Phạm Văn Tổ Chức", password_hash)
    _grant(competition, organizer, CompetitionRoleKind.organizer)
    deck_key = get_storage().save(_demo_pdf("Bai thuyet trinh du an"), suffix=".pdf")
    _populate(
        competition, rnd, [(EntryStatus.submitted, EntryValidity.valid)] * 12, "doi2025-", password_hash, deck_key
    )
    db.session.commit()
    return competition
