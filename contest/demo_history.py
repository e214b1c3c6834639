"""History for `flask demo`: the contests of 2022–2024 (the provincial contest
every year, a district contest of a district dissolved in 2025, the Youth
Union's startup-idea contest), what became of some of their projects, and
the hand-entered adviser figures, so the reports have a year-by-year trend.

Contest side only: rounds, awards and publications are added by
`judging/demo_history.py`. Idempotent: a competition is built once, in one
commit, and skipped when its slug exists; figures are only added when missing."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from contest.demo_competitions import _demo_pdf, _grant, _make_entry, _person, _user
from contest.domain.competitions import create_competition, find_by_slug
from contest.domain.entries import snapshot
from contest.domain.followup import OutcomeInput, ensure_default_targets, record_outcome, set_figure
from contest.extensions import db
from contest.models import (
    Attachment,
    AttachmentKind,
    CompetitionRoleKind,
    CompetitionState,
    EntryStage,
    EntryStatus,
    EntryValidity,
    Member,
    OrgUnit,
    OrgUnitKind,
    OutcomeKind,
    PlanFigure,
    PlanIndicator,
    Team,
    TimelineItem,
)
from contest.storage import get_storage


@dataclass(frozen=True)
class HistorySpec:
    slug: str
    year: int
    preset: str  # provincial, district_commune, youth_idea, womens
    unit_code: str  # the organising unit
    unit_name: str  # to find it by name when the code differs
    name: str
    code_prefix: str
    teams: int
    state: CompetitionState
    seed: int
    enterprises: int = 0  # follow-up: enterprises registered afterwards
    capital: int = 0  # projects that raised capital
    certified: int = 0  # OCOP certifications
    incubated: int = 0
    finalists_per_board: int = 5

    @property
    def leader_prefix(self) -> str:
        return f"doi{self.slug.rsplit('-', 1)[-1]}-{self.code_prefix.split('-')[0].lower()}-"

    @property
    def deadline(self) -> datetime:
        month, day = {
            "provincial": (8, 31),
            "district_commune": (5, 15),
            "youth_idea": (2, 28),
            "womens": (9, 15),
            "student": (4, 30),
        }[self.preset]
        return datetime(self.year, month, day, 10, 0, tzinfo=UTC)  # 17:00 in Quảng Ngãi

    @property
    def opens(self) -> datetime:
        month, day = {
            "provincial": (5, 15),
            "district_commune": (3, 1),
            "youth_idea": (1, 5),
            "womens": (7, 1),
            "student": (2, 15),
        }[self.preset]
        return datetime(self.year, month, day, 1, 0, tzinfo=UTC)

    @property
    def first_round_on(self) -> date:
        return self.deadline.date() + timedelta(days=20)

    @property
    def final_on(self) -> date:
        """The final and the award ceremony, when the results were announced."""
        # The youth contest ends on the Youth Union's day (26/3), the women's on Vietnamese Women's Day (20/10).
        month, day = {
            "provincial": (10, 28),
            "district_commune": (6, 25),
            "youth_idea": (3, 26),
            "womens": (10, 20),
            "student": (5, 30),
        }[self.preset]
        return date(self.year, month, day)


A, R = CompetitionState.archived, CompetitionState.results_published
PROVINCIAL = "Cuộc thi Khởi nghiệp đổi mới sáng tạo tỉnh Quảng Ngãi năm {}"
YOUTH = "Cuộc thi Ý tưởng khởi nghiệp thanh niên tỉnh Quảng Ngãi năm {}"
HISTORY = (
    HistorySpec(
        "khoi-nghiep-quang-ngai-2022",
        2022,
        "provincial",
        "QNG-KHCN",
        "Sở Khoa học và Công nghệ",
        PROVINCIAL.format(2022),
        "QNG-2022",
        18,
        A,
        2022,
        enterprises=3,
        capital=1,
        certified=1,
        incubated=1,
    ),
    HistorySpec(
        "y-tuong-khoi-nghiep-thanh-nien-2022",
        2022,
        "youth_idea",
        "QNG-DOAN",
        "Tỉnh Đoàn",
        YOUTH.format(2022),
        "DOAN-2022",
        10,
        A,
        22022,
        enterprises=1,
        finalists_per_board=6,
    ),
    HistorySpec(
        "khoi-nghiep-quang-ngai-2023",
        2023,
        "provincial",
        "QNG-KHCN",
        "Sở Khoa học và Công nghệ",
        PROVINCIAL.format(2023),
        "QNG-2023",
        24,
        A,
        2023,
        enterprises=4,
        capital=1,
        certified=2,
        incubated=1,
    ),
    HistorySpec(
        "khoi-nghiep-binh-son-2023",
        2023,
        "district_commune",
        "QNG-BS",
        "Huyện Bình Sơn",
        "Cuộc thi Khởi nghiệp đổi mới sáng tạo huyện Bình Sơn năm 2023",
        "BS-2023",
        8,
        A,
        12023,
        enterprises=1,
        finalists_per_board=3,
    ),
    HistorySpec(
        "y-tuong-khoi-nghiep-thanh-nien-2023",
        2023,
        "youth_idea",
        "QNG-DOAN",
        "Tỉnh Đoàn",
        YOUTH.format(2023),
        "DOAN-2023",
        12,
        A,
        22023,
        enterprises=1,
        incubated=1,
        finalists_per_board=6,
    ),
    HistorySpec(
        "khoi-nghiep-quang-ngai-2024",
        2024,
        "provincial",
        "QNG-KHCN",
        "Sở Khoa học và Công nghệ",
        PROVINCIAL.format(2024),
        "QNG-2024",
        30,
        R,
        2024,
        enterprises=4,
        capital=1,
        certified=1,
        incubated=2,
    ),
    HistorySpec(
        "khoi-nghiep-son-tinh-2024",
        2024,
        "district_commune",
        "QNG-STI",
        "Huyện Sơn Tịnh",
        "Cuộc thi Khởi nghiệp đổi mới sáng tạo huyện Sơn Tịnh năm 2024",
        "STI-2024",
        10,
        R,
        12024,
        enterprises=1,
        certified=1,
        finalists_per_board=3,
    ),
    HistorySpec(
        "y-tuong-khoi-nghiep-thanh-nien-2024",
        2024,
        "youth_idea",
        "QNG-DOAN",
        "Tỉnh Đoàn",
        YOUTH.format(2024),
        "DOAN-2024",
        14,
        R,
        22024,
        enterprises=1,
        finalists_per_board=8,
    ),
    # Ideas only, ages 16–30 (the Youth Law), ideas honoured (tuyên dương) after the prizes.
    HistorySpec(
        "y-tuong-khoi-nghiep-thanh-nien-2025",
        2025,
        "youth_idea",
        "QNG-DOAN",
        "Tỉnh Đoàn",
        YOUTH.format(2025),
        "DOAN-2025",
        16,
        R,
        22025,
        finalists_per_board=10,
    ),
    # Hội LHPN (Đề án 939): women-owned businesses asked as the two facts.
    HistorySpec(
        "phu-nu-khoi-nghiep-2025",
        2025,
        "womens",
        "QNG-PN",
        "Hội Liên hiệp Phụ nữ",
        "Cuộc thi Phụ nữ khởi nghiệp tỉnh Quảng Ngãi năm 2025",
        "PN-2025",
        12,
        R,
        32025,
        enterprises=1,
        finalists_per_board=4,
    ),
    # Đề án 1665: pupils' and students' teams, each from its school (a unit of kind school).
    HistorySpec(
        "khoi-nghiep-hoc-sinh-sinh-vien-2025",
        2025,
        "student",
        "QNG-KHCN",
        "Sở Khoa học và Công nghệ",
        "Cuộc thi Học sinh, sinh viên khởi nghiệp tỉnh Quảng Ngãi năm 2025",
        "HSSV-2025",
        12,
        R,
        42025,
        finalists_per_board=4,
    ),
    # A commune-level contest after the 2025 reform; its Giải Nhất is nominated to the
    # provincial contest of 2026 (contest/demo_nominations.py).
    HistorySpec(
        "khoi-nghiep-ly-son-2026",
        2026,
        "district_commune",
        "QNG-LSO",
        "Đặc khu Lý Sơn",
        "Cuộc thi Khởi nghiệp đổi mới sáng tạo đặc khu Lý Sơn năm 2026",
        "LSO-2026",
        8,
        R,
        12026,
        finalists_per_board=3,
    ),
)

# Certified startup advisers per year (a figure only known by hand).
ADVISERS = {2022: 6, 2023: 7, 2024: 8, 2025: 5}
SUPPORT_ORGANISATIONS = {2022: 3, 2023: 4, 2024: 3, 2025: 2}
SERVICE_AREAS = {2024: 1}

OCOP = "Chế biến thực phẩm và sản phẩm OCOP"
PROJECTS = [
    ("Tỏi đen Lý Sơn lên men tự nhiên", OCOP),
    ("Nước mắm Sa Huỳnh truyền thống đóng chai", OCOP),
    ("Bánh tráng Tịnh Hòa sấy lạnh", OCOP),
    ("Đường phổi Quảng Ngãi hộp quà tặng", OCOP),
    ("Tinh dầu quế Trà Bồng", OCOP),
    ("Kẹo gương Thu Xà", OCOP),
    ("Mạch nha Thi Phổ đóng hũ thủy tinh", OCOP),
    ("Cá bống sông Trà kho tộ đóng hộp", OCOP),
    ("Rau mầm thủy canh cho bếp ăn trường học", "Nông nghiệp công nghệ cao"),
    ("Nuôi tôm hùm lồng bằng vật liệu HDPE", "Nông nghiệp công nghệ cao"),
    ("Tưới nhỏ giọt điều khiển qua điện thoại", "Nông nghiệp công nghệ cao"),
    ("Trang trại nấm linh chi Minh Long", "Nông nghiệp công nghệ cao"),
    ("Homestay cộng đồng làng Teng Ba Tơ", "Du lịch và dịch vụ"),
    ("Tour lặn ngắm san hô Lý Sơn", "Du lịch và dịch vụ"),
    ("Trải nghiệm làng chài Mỹ Khê", "Du lịch và dịch vụ"),
    ("Xe đạp du lịch quanh núi Thiên Ấn", "Du lịch và dịch vụ"),
    ("Chợ nông sản trực tuyến Quảng Ngãi", "Công nghệ thông tin và chuyển đổi số"),
    ("Phần mềm quản lý hợp tác xã nông nghiệp", "Công nghệ thông tin và chuyển đổi số"),
    ("Truy xuất nguồn gốc nông sản bằng mã QR", "Công nghệ thông tin và chuyển đổi số"),
    ("Trợ lý ảo hướng dẫn thủ tục hành chính cấp xã", "Công nghệ thông tin và chuyển đổi số"),
    ("Lớp học STEM lưu động cho học sinh miền núi", "Giáo dục"),
    ("Học tiếng Anh qua trò chơi cho trẻ vùng biển", "Giáo dục"),
    ("Trung tâm kỹ năng sống cho thanh thiếu niên", "Giáo dục"),
    ("Đặt lịch khám tại trạm y tế xã", "Y tế và chăm sóc sức khỏe"),
    ("Chăm sóc người cao tuổi tại nhà", "Y tế và chăm sóc sức khỏe"),
    ("Xà phòng thảo dược từ lá tràm", "Y tế và chăm sóc sức khỏe"),
    ("Gạch không nung từ tro xỉ nhiệt điện", "Môi trường và năng lượng"),
    ("Ống hút cỏ bàng thay ống hút nhựa", "Môi trường và năng lượng"),
    ("Điện mặt trời áp mái cho hộ nuôi thủy sản", "Môi trường và năng lượng"),
    ("Phân bón hữu cơ từ phụ phẩm chế biến cá", "Môi trường và năng lượng"),
    ("Túi đan từ sợi lục bình", "Lĩnh vực khác"),
    ("Sửa chữa ngư cụ lưu động cho ngư dân", "Lĩnh vực khác"),
]
SCHOOLS = [
    "Trường Đại học Phạm Văn Đồng",
    "Trường Đại học Tài chính – Kế toán",
    "Trường Cao đẳng Kỹ thuật Công nghệ Quảng Ngãi",
]
BRANDS = [
    "Sa Huỳnh Xanh",
    "Nông sản Trà Khúc",
    "Thiên Ấn",
    "Lý Sơn Xanh",
    "Cà Đam",
    "Mỹ Khê",
    "Ba Tơ Xanh",
    "Sông Vệ",
    "Núi Ấn Sông Trà",
    "Thạch Bích",
    "Minh Long Farm",
    "Quế Trà Bồng",
    "Trà Khúc Tech",
    "Sông Trà Food",
    "Hương Quê Sơn Tịnh",
    "Biển Bình Sơn",
    "Đất Võ Tư Nghĩa",
    "Mộ Đức Xanh",
]
INCUBATORS = [
    "Vườn ươm khởi nghiệp Trường Đại học Phạm Văn Đồng",
    "Trung tâm Hỗ trợ khởi nghiệp đổi mới sáng tạo tỉnh Quảng Ngãi",
]
INVESTORS = [
    ("Quỹ Đầu tư khởi nghiệp miền Trung", 1_500_000_000),
    ("Mạng lưới nhà đầu tư thiên thần miền Trung", 800_000_000),
    ("Công ty Cổ phần Đầu tư Dung Quất", 2_000_000_000),
]


def load_history(password_hash: str, today: date | None = None) -> None:
    """Build the missing history competitions, then the plan's targets and figures."""
    today = today or date.today()
    organizer = _user("btc@demo.quangngai.vn", "Phạm Văn Tổ Chức", password_hash)
    secretary = _user("thuky@demo.quangngai.vn", "Lê Thị Thư Ký", password_hash)
    deck_key = None
    for position, spec in enumerate(HISTORY):
        if find_by_slug(spec.slug) is not None:
            continue
        unit = _unit(spec)
        if unit is None:
            continue
        deck_key = deck_key or _deck_key()
        _build(spec, position, unit, organizer, secretary, password_hash, deck_key, today)
    ensure_default_targets()
    for indicator, by_year, note in (
        (
            PlanIndicator.certified_advisers,
            ADVISERS,
            "Tư vấn viên khởi nghiệp được cấp chứng nhận trong năm (báo cáo của Sở KH&CN)",
        ),
        (PlanIndicator.support_organisations, SUPPORT_ORGANISATIONS, "Tổ chức hỗ trợ KNĐMST hình thành trong năm"),
        (PlanIndicator.service_areas, SERVICE_AREAS, "Khu dịch vụ tập trung hỗ trợ KNĐMST đưa vào hoạt động"),
    ):
        known = set(db.session.scalars(select(PlanFigure.year).where(PlanFigure.indicator == indicator)))
        for year, value in by_year.items():
            if year not in known and year <= today.year:
                set_figure(
                    year,
                    indicator,
                    value,
                    note,
                    organizer,
                    source_document=f"Báo cáo kết quả thực hiện năm {year} của Sở KH&CN",
                )
    db.session.commit()


def _unit(spec: HistorySpec) -> OrgUnit | None:
    return db.session.scalar(select(OrgUnit).where(OrgUnit.code == spec.unit_code)) or db.session.scalar(
        select(OrgUnit).where(OrgUnit.name.contains(spec.unit_name)).order_by(OrgUnit.code).limit(1)
    )


def _deck_key() -> str:
    """The pitch deck the other demo entries share, else a new one."""
    storage = get_storage()
    key = db.session.scalar(
        select(Attachment.storage_key)
        .where(Attachment.kind == AttachmentKind.pitch_deck)
        .order_by(Attachment.id)
        .limit(1)
    )
    if key and storage.exists(key):
        return key
    return storage.save(_demo_pdf("Bai thuyet trinh du an"), suffix=".pdf")


def _build(spec, position, unit, organizer, secretary, password_hash, deck_key, today) -> None:
    rnd = random.Random(spec.seed)
    competition = create_competition(
        name=spec.name,
        year=spec.year,
        slug=spec.slug,
        org_unit=unit,
        preset_name=spec.preset,
        code_prefix=spec.code_prefix,
    )
    competition.description = _description(spec, unit)
    if spec.preset == "provincial":
        competition.co_organisers = list(
            db.session.scalars(select(OrgUnit).where(OrgUnit.code.in_(["QNG-DOAN", "QNG-PN"])))
        )
    competition.registration_opens_at, competition.submission_deadline = spec.opens, spec.deadline
    competition.timeline = [
        TimelineItem(on=spec.first_round_on, label="Vòng sơ khảo"),
        TimelineItem(on=spec.final_on, label="Vòng chung kết và lễ trao giải"),
    ]
    if spec.preset == "youth_idea" and spec.year < 2025:
        competition.age_min, competition.age_max = 18, 35  # the bounds those editions had
    competition.state = spec.state
    _grant(competition, organizer, CompetitionRoleKind.organizer)
    _grant(competition, secretary, CompetitionRoleKind.secretariat)
    entries = _teams_and_entries(competition, spec, rnd, unit, password_hash, deck_key)
    _outcomes(spec, position, rnd, entries, organizer, today)
    db.session.commit()


def _description(spec: HistorySpec, unit: OrgUnit) -> str:
    if spec.preset == "provincial":
        return (
            f"Cuộc thi năm {spec.year} do Sở Khoa học và Công nghệ phối hợp với Tỉnh Đoàn và Hội Liên hiệp "
            "Phụ nữ tỉnh tổ chức; kết quả đã công bố."
        )
    if spec.preset == "youth_idea":
        ages = "16 đến 30 tuổi (Luật Thanh niên)" if spec.year >= 2025 else "18 đến 35 tuổi"
        return (
            f"Cuộc thi ý tưởng dành cho thanh niên từ {ages}, do Tỉnh Đoàn tổ chức năm {spec.year} "
            "nhân kỷ niệm ngày thành lập Đoàn 26/3."
        )
    if spec.preset == "student":
        return (
            f"Cuộc thi năm {spec.year} (Đề án 1665) dành cho học sinh, sinh viên; mỗi đội đăng ký theo trường, "
            "kết quả được thống kê theo trường."
        )
    if spec.preset == "womens":
        return (
            f"Cuộc thi do Hội Liên hiệp Phụ nữ tỉnh tổ chức năm {spec.year} (Đề án 939), dành cho phụ nữ có ý "
            "tưởng, dự án khởi nghiệp và doanh nghiệp do phụ nữ làm chủ."
        )
    level = "cấp xã" if unit.kind is OrgUnitKind.commune else "cấp huyện"
    return (
        f"Cuộc thi {level} do UBND {unit.name[:1].lower()}{unit.name[1:]} tổ chức năm {spec.year}; "
        "dự án đạt giải cao được giới thiệu tham dự cuộc thi cấp tỉnh."
    )


def _states(spec: HistorySpec, rnd: random.Random) -> list[tuple[EntryStatus, EntryValidity]]:
    """Most entries valid; one or two invalid, a team that never submitted, one withdrawn."""
    others = [(EntryStatus.submitted, EntryValidity.invalid)] * (1 + spec.teams // 15)
    others.append((EntryStatus.draft, EntryValidity.unchecked))
    if spec.teams >= 20:
        others.append((EntryStatus.withdrawn, EntryValidity.unchecked))
    states = [(EntryStatus.submitted, EntryValidity.valid)] * (spec.teams - len(others)) + others
    rnd.shuffle(states)
    return states


def _school_units() -> dict[str, OrgUnit]:
    """The demo's schools as units of kind school (under the province), made once."""
    province = db.session.scalar(select(OrgUnit).where(OrgUnit.code == "QNG"))
    found = {}
    for i, name in enumerate(SCHOOLS):
        school = db.session.scalar(select(OrgUnit).where(OrgUnit.name == name, OrgUnit.kind == OrgUnitKind.school))
        if school is None:
            school = OrgUnit(code=f"QNG-TRUONG-{i + 1}", name=name, kind=OrgUnitKind.school, parent=province)
            db.session.add(school)
            db.session.flush()
        found[name] = school
    return found


def _born(rnd: random.Random, day: date, age: int, days_before_birthday: int | None = None) -> date:
    """A date of birth giving exactly `age` on `day` (0 days: the birthday is that day)."""
    anniversary = day.replace(year=day.year - age)
    offset = rnd.randint(0, 364) if days_before_birthday is None else days_before_birthday
    return anniversary - timedelta(days=offset)


def _teams_and_entries(competition, spec, rnd, unit, password_hash, deck_key) -> list:
    day = spec.deadline.date()
    youth = spec.preset == "youth_idea"
    districts = [
        u
        for u in db.session.scalars(
            select(OrgUnit)
            .where(OrgUnit.kind.in_([OrgUnitKind.district, OrgUnitKind.city, OrgUnitKind.town]))
            .order_by(OrgUnit.code)
        )
        if u.is_valid_on(day)
    ] or [unit]
    fields = {f.name: f for f in competition.fields}
    projects = rnd.sample(PROJECTS, min(spec.teams, len(PROJECTS)))
    taken: set[tuple[str, date]] = set()
    entries = []
    womens = spec.preset == "womens"
    schools = _school_units() if spec.preset == "student" else {}
    for index, (status, validity) in enumerate(_states(spec, rnd)):
        women_led = index % 5 != 4 if womens else index % 5 in (0, 3)
        students = bool(schools) or (index % 3 == 1 if youth else index % 4 == 2)
        women_lead_men = women_led and index % 2 == 0
        # Leaders exactly 35 or 36 on the deadline: the edge of "youth".
        if index % 9 == 4:
            leader_age, offset = 35, 0
        elif index % 9 == 7:
            leader_age, offset = (35, 364) if youth else (36, 0)
        else:
            leader_age, offset = (rnd.randint(19, 23) if students else rnd.randint(22, 33 if youth else 45)), None
        if youth and spec.year >= 2025:
            leader_age, offset = rnd.randint(17, 30), None  # the Youth Law's 16–30
        leader_name, leader_gender = _person(rnd, women_led)
        leader = _user(f"{spec.leader_prefix}{index + 1:02d}@demo.quangngai.vn", leader_name, password_hash)
        school = rnd.choice(SCHOOLS) if students else None
        team = Team(
            competition_id=competition.id,
            name=f"Đội {index + 1:02d} – {leader_name.split()[-1]}",
            leader_id=leader.id,
            organisation=school,
            org_unit_id=unit.id if spec.preset == "district_commune" else rnd.choice(districts).id,
        )
        if schools and school:  # a student contest: the team registers from its school
            team.org_unit_id = schools[school].id
        team.members.append(
            Member(
                seat=1,
                user_id=leader.id,
                full_name=leader_name,
                gender=leader_gender,
                email=leader.email,
                is_student=students,
                organisation=school,
                date_of_birth=_born(rnd, day, leader_age, offset),
            )
        )
        size = min(competition.team_max, rnd.choice((1, 2, 3, 3, 4, 5)))
        for seat in range(2, size + 1):
            name, gender = _person(rnd, not women_lead_men and rnd.random() < 0.4)
            age = (
                rnd.randint(19, 23) if students else rnd.randint(20, (30 if spec.year >= 2025 else 35) if youth else 45)
            )
            born = _born(rnd, day, age)
            while (name.lower(), born) in taken:  # the entries-per-person slots key on name and birth date
                born = _born(rnd, day, age)
            taken.add((name.lower(), born))
            team.members.append(
                Member(
                    seat=seat,
                    full_name=name,
                    gender=gender,
                    is_student=students,
                    organisation=school,
                    date_of_birth=born,
                )
            )
        db.session.add(team)
        db.session.flush()
        submitted_at = None if status is EntryStatus.draft else spec.deadline - timedelta(days=rnd.randint(1, 45))
        entry = _make_entry(competition, team, rnd, index, status, validity, deck_key, submitted_at)
        title, field_name = projects[index % len(projects)]
        if womens and entry.stage is EntryStage.registered_company:
            # Women own ≥ 51 % of most companies; in some no woman manages, so they are not women-owned.
            entry.women_own_majority = index % 4 != 3
            entry.woman_manages = index % 3 != 2
        _retitle(entry, spec, rnd, title, field_name, fields)
        entries.append(entry)
    return entries


def _retitle(entry, spec, rnd, title, field_name, fields) -> None:
    """This year's own project on the entry, and the submitted version to match."""
    entry.title, entry.field = title, fields[field_name]
    entry.summary = f"Dự án {title[0].lower()}{title[1:]} của đội {entry.team.name}."
    if entry.stage is EntryStage.registered_company:
        entry.company_registered_on = date(spec.year - rnd.randint(1, 3), rnd.randint(1, 12), 1)
    if not (entry.board and entry.board.code == "D"):
        entry.stage = rnd.choice((EntryStage.idea, EntryStage.idea, EntryStage.prototype))
    for version in entry.versions:
        version.data = snapshot(entry)


def _outcomes(spec, position, rnd, entries, user, today) -> None:
    """What became of some projects: enterprises, capital, OCOP stars, incubation, jobs."""
    valid = [e for e in entries if e.status is EntryStatus.submitted and e.validity is EntryValidity.valid]
    young = [e for e in valid if e.stage is not EntryStage.registered_company]
    firms = [e for e in valid if e.stage is EntryStage.registered_company] or valid
    ocop = [e for e in valid if e.field.name == OCOP] or valid
    facts: list[tuple] = []
    # Names and investors run on from the earlier competitions', so none repeats.
    brands = sum(s.enterprises for s in HISTORY[:position])
    investors = sum(s.capital for s in HISTORY[:position])
    for n, entry in enumerate(rnd.sample(young, min(spec.enterprises, len(young)))):
        brand = BRANDS[(brands + n) % len(BRANDS)]
        on = spec.final_on + timedelta(days=rnd.randint(45, 540))
        facts.append(
            (
                entry,
                OutcomeInput(
                    OutcomeKind.enterprise_registered,
                    on,
                    "Cổng thông tin quốc gia về đăng ký doanh nghiệp",
                    detail=f"{'Hợp tác xã' if n % 3 == 2 else 'Công ty TNHH'} {brand}",
                    registration_number=f"43{rnd.randint(0, 10**8 - 1):08d}",
                ),
            )
        )
        if n % 2 == 0:
            facts.append(
                (
                    entry,
                    OutcomeInput(
                        OutcomeKind.jobs_created,
                        on + timedelta(days=rnd.randint(120, 300)),
                        "Báo cáo của doanh nghiệp",
                        jobs=rnd.randint(3, 18),
                    ),
                )
            )
    for n, entry in enumerate(rnd.sample(firms, min(spec.capital, len(firms)))):
        investor, amount = INVESTORS[(investors + n) % len(INVESTORS)]
        facts.append(
            (
                entry,
                OutcomeInput(
                    OutcomeKind.capital_raised,  # two years on: one a year from 2024
                    date(spec.year + 2, rnd.randint(3, 9), rnd.randint(1, 28)),
                    "Hợp đồng góp vốn (bản sao do đội gửi)",
                    detail=investor,
                    amount=amount,
                ),
            )
        )
    for entry in rnd.sample(ocop, min(spec.certified, len(ocop))):
        stars = rnd.choice((3, 3, 4))
        facts.append(
            (
                entry,
                OutcomeInput(
                    OutcomeKind.product_certified,
                    spec.final_on + timedelta(days=rnd.randint(150, 500)),
                    "Quyết định công nhận sản phẩm OCOP của UBND tỉnh Quảng Ngãi",
                    detail=f"Sản phẩm OCOP {stars} sao cấp tỉnh",
                ),
            )
        )
    for n, entry in enumerate(rnd.sample(valid, min(spec.incubated, len(valid)))):
        facts.append(
            (
                entry,
                OutcomeInput(
                    OutcomeKind.incubated,
                    spec.final_on + timedelta(days=rnd.randint(20, 90)),
                    "Danh sách dự án ươm tạo do đơn vị ươm tạo gửi",
                    detail=INCUBATORS[(position + n) % len(INCUBATORS)],
                ),
            )
        )
    for entry, data in facts:
        if data.occurred_on <= today:  # a fact cannot be dated in the future
            record_outcome(entry, data, user, today=today)
