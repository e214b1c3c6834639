"""Small factory functions that build test data through the real models."""

from __future__ import annotations

import io
import itertools
from contextlib import contextmanager

from sqlalchemy import event

from contest.domain.passwords import hash_password
from contest.extensions import db
from contest.models import OrgUnit, OrgUnitKind, PlatformRole, User
from contest.models.base import utcnow

PASSWORD = "mat-khau-dung-1"
_seq = itertools.count(1)


def make_user(
    email: str | None = None,
    *,
    name: str = "Nguyễn Văn An",
    admin: bool = False,
    verified: bool = True,
    password: str = PASSWORD,
    locale: str = "vi",
) -> User:
    user = User(
        email=(email or f"user{next(_seq)}@example.vn").lower(),
        full_name=name,
        password_hash=hash_password(password),
        platform_role=PlatformRole.admin if admin else PlatformRole.user,
        email_verified_at=utcnow() if verified else None,
        locale=locale,
    )
    db.session.add(user)
    db.session.commit()
    return user


def make_unit(
    code: str,
    name: str = "Đơn vị",
    kind: OrgUnitKind = OrgUnitKind.district,
    parent=None,
    successors=(),
    successor=None,
    **kw,
) -> OrgUnit:
    """A unit; `successors` (or one `successor`): the units that took it over
    (dated the day each began)."""
    successors = [*successors, *([successor] if successor is not None else [])]
    from contest.models import OrgUnitSuccession

    unit = OrgUnit(code=code, name=name, kind=kind, parent=parent, **kw)
    db.session.add(unit)
    with db.session.no_autoflush:
        unit.successor_links = [OrgUnitSuccession(successor=s, on=s.valid_from) for s in successors]
    db.session.commit()
    return unit


def login(client, user: User, password: str = PASSWORD, remember: bool = False):
    """Log in through the real form (CSRF is on in tests, so read the token first)."""
    token = csrf_token(client, "/login")
    data = {"email": user.email, "password": password, "csrf_token": token}
    if remember:
        data["remember"] = "y"
    return client.post("/login", data=data)


def csrf_token(client, path: str) -> str:
    import re

    html = client.get(path).get_data(as_text=True)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def make_competition(
    slug: str = "khoi-nghiep-2026",
    *,
    preset: str = "provincial",
    open_: bool = True,
    deadline_in_days: int = 30,
    unit=None,
    year: int = 2026,
    **settings,
):
    from datetime import timedelta

    from contest.domain.competitions import create_competition
    from contest.models import CompetitionState

    unit = unit or make_unit(f"U-{slug}"[:32], "Sở Khoa học và Công nghệ", OrgUnitKind.department)
    competition = create_competition(name=f"Cuộc thi {slug}", year=year, slug=slug, org_unit=unit, preset_name=preset)
    competition.submission_deadline = utcnow() + timedelta(days=deadline_in_days)
    for key, value in settings.items():
        setattr(competition, key, value)
    if open_:
        competition.state = CompetitionState.open
    db.session.commit()
    return competition


def make_team(
    competition,
    leader=None,
    *,
    name: str | None = None,
    members: int = 0,
    leader_gender=None,
    student: bool = False,
    org_unit=None,
):
    from datetime import date

    from contest.domain.teams import MemberDetails, add_member, create_team

    leader = leader or make_user()
    if org_unit is None and competition.restrict_to_unit:
        org_unit = competition.org_unit
    team = create_team(
        competition,
        leader,
        name=name or f"Đội {next(_seq)}",
        organisation=None,
        org_unit=org_unit,
        leader_details=MemberDetails(
            full_name=leader.full_name, gender=leader_gender, date_of_birth=date(1998, 5, 17), is_student=student
        ),
    )
    for i in range(members):
        add_member(
            team, MemberDetails(full_name=f"Thành viên {i + 1}", date_of_birth=date(2000, 1, 1 + i), is_student=student)
        )
    return team


def pdf_bytes(text: str = "Pitch deck") -> bytes:
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, text)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def fill_entry(team, user=None):
    """A complete entry with both required documents, ready to submit."""
    from contest.domain.attachments import add_attachment
    from contest.domain.entries import get_or_create_entry, save_draft
    from contest.models import AttachmentKind

    entry = get_or_create_entry(team)
    competition = team.competition
    save_draft(
        entry,
        {
            "board": competition.boards[0].id,
            "field": competition.fields[0].id,
            "title": "Tỏi đen Lý Sơn",
            "summary": "Tóm tắt",
            "problem": "Vấn đề",
            "solution": "Giải pháp",
            "customers_market": "Khách hàng",
            "business_model": "Mô hình",
            "stage": "idea",
        },
    )
    user = user or team.leader
    add_attachment(entry, AttachmentKind.pitch_deck, "deck.pdf", pdf_bytes(), user)
    add_attachment(entry, AttachmentKind.description, "thuyet-minh.pdf", pdf_bytes("Thuyết minh"), user)
    db.session.commit()
    return entry


# -- judging ------------------------------------------------------------------


def make_judge(competition, user=None, *, organisation=None, field_ids=(), accepted=True):
    from judging.models import Judge

    user = user or make_user(name="Giám khảo Trần Minh")
    judge = Judge(
        competition_id=competition.id,
        user_id=user.id,
        organisation=organisation,
        field_ids=list(field_ids),
        invited_at=utcnow(),
        accepted_at=utcnow() if accepted else None,
    )
    db.session.add(judge)
    db.session.commit()
    return judge


def make_valid_entry(competition, **team_kw):
    from contest.domain.entries import submit
    from contest.models import EntryValidity

    team = make_team(competition, **team_kw)
    entry = fill_entry(team)
    submit(entry, team.leader)
    entry.validity = EntryValidity.valid
    db.session.commit()
    return entry


def make_press_work(team, *, title="Khởi nghiệp từ làng nghề", valid=True):
    """A media award's entry, submitted: a television report with its link and its file."""
    from datetime import date

    from contest.domain.attachments import add_attachment
    from contest.domain.entries import get_or_create_entry, save_draft, submit
    from contest.models import AttachmentKind, EntryValidity

    competition = team.competition
    entry = get_or_create_entry(team)
    save_draft(
        entry,
        {
            "board": competition.boards[0].id,
            "field": competition.fields[0].id,
            "title": title,
            "summary": "Phóng sự về thanh niên khởi nghiệp",
            "media_type": "television",
            "outlet": "Đài PT-TH Quảng Ngãi",
            "published_on": date(2026, 9, 2),
            "work_url": "https://ptqngai.vn/phong-su-khoi-nghiep",
        },
    )
    add_attachment(entry, AttachmentKind.description, "phong-su.pdf", pdf_bytes("Phong su"), team.leader)
    submit(entry, team.leader)
    if valid:
        entry.validity = EntryValidity.valid
    db.session.commit()
    return entry


def make_vote(competition, entries, *, open_for_days: float = 1, **settings):
    """A voting category on `entries`, open from a minute ago (negative days: already closed)."""
    from datetime import timedelta

    from judging.domain.votes import create_campaign

    now = utcnow()
    opens, closes = now - timedelta(minutes=1), now + timedelta(days=open_for_days)
    if open_for_days <= 0:
        opens, closes = now - timedelta(days=2), now + timedelta(days=open_for_days)
    campaign = create_campaign(
        competition,
        name=settings.pop("name", "Giải do khán giả bình chọn"),
        opens_at=opens,
        closes_at=closes,
        entry_ids=[e.id for e in entries],
        count_public=settings.pop("count_public", True),
        **settings,
    )
    db.session.commit()
    return campaign


def vote_code_from_outbox(email: str) -> str:
    """The one-time code in the last mail queued to `email`, read from the outbox table."""
    import re

    from sqlalchemy import select

    from contest.models import OutboxMessage

    body = db.session.scalar(
        select(OutboxMessage.body_text)
        .where(OutboxMessage.recipient == email)
        .order_by(OutboxMessage.id.desc())
        .limit(1)
    )
    match = re.search(r"^\s+(\d{6})\s*$", body or "", re.M)
    assert match, f"no code in the mail to {email}: {body!r}"
    return match.group(1)


def make_round(
    competition,
    entries,
    judges,
    *,
    preset="provincial_100",
    state="open",
    assign_all=True,
    name="Sơ khảo",
    mode="dossier",
    blind=False,
):
    """A round with the given entries; every judge assigned to every entry unless told otherwise."""
    from judging.domain.rounds import create_round
    from judging.domain.rubrics import create_from_preset
    from judging.models import Assignment, EntrySource, RoundEntry, RoundMode, RoundState

    rubric = create_from_preset(competition.id, preset, f"Thang điểm {next(_seq)}")
    round_ = create_round(
        competition,
        name=name,
        mode=RoundMode(mode),
        entry_source=EntrySource.all_valid,
        rubric=rubric,
        judges_per_entry=max(1, len(judges)),
        blind=blind,
    )
    for entry in entries:
        round_.entries.append(RoundEntry(entry_id=entry.id))
    db.session.flush()
    if assign_all:
        for judge in judges:
            for entry in entries:
                db.session.add(
                    Assignment(round_id=round_.id, judge_id=judge.id, entry_id=entry.id, created_at=utcnow())
                )
    round_.state = RoundState(state)
    db.session.commit()
    return round_


@contextmanager
def recorded_statements(database):
    """The SQL statements run inside the block, whitespace collapsed."""
    seen: list[str] = []

    def note(_conn, _cursor, statement, *_args):
        seen.append(" ".join(statement.split()))

    event.listen(database.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", note)


# -- request bodies -----------------------------------------------------------


class CountingBody(io.RawIOBase):
    """A request body of `size` bytes, made as they are read; counts what the app reads."""

    def __init__(self, size: int, fill: bytes = b"["):
        self.size, self.fill, self.read_bytes = size, fill, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = min(len(buffer), self.size - self.read_bytes)
        buffer[:n] = self.fill * n
        self.read_bytes += n
        return n


def send_body(client, method, url, body: CountingBody, content_type, *, chunked=False, headers=None):
    headers = dict(headers or {})
    environ = {"wsgi.input": body}
    if chunked:  # no length: the server ends the stream (gunicorn does), the app must cut it
        headers["Transfer-Encoding"] = "chunked"
        environ["wsgi.input_terminated"] = True
    else:
        environ["CONTENT_LENGTH"] = str(body.size)
    return client.open(url, method=method, content_type=content_type, headers=headers, environ_overrides=environ)


# -- between levels -------------------------------------------------------------


def announce_results(app, competition, entries, when=None, judge=None):
    """Score, freeze and publish a round of `entries` (by `judge`, a new one if none):
    entries[0] wins Giải Nhất, the others follow in order (judging's default tiers).
    Returns the round."""
    from datetime import timedelta

    from judging.domain import awards, publication, results
    from judging.domain.scoring import Change, apply_change, submit_sheet
    from judging.models import RoundState

    judge = judge or make_judge(competition)
    round_ = make_round(competition, entries, [judge])
    with app.test_request_context():
        for n, entry in enumerate(entries):
            for c in round_.rubric.criteria:
                apply_change(
                    round_.id,
                    entry.id,
                    judge.user_id,
                    Change(f"{entry.id}-{c.id}", c.id, max(c.max_points - n, 0), None, None),
                )
            submit_sheet(round_.id, entry.id, judge.user_id)
        round_.state = RoundState.locked
        snapshot = results.freeze(round_, None)
        awards.ensure_default_tiers(competition)
        awards.propose(competition, snapshot)
        publication.publish(competition, snapshot, when or utcnow() - timedelta(seconds=1), None)
    db.session.commit()
    return round_
    return round_


def province_tree():
    """A province with its Department (organiser of the provincial contest) and two communes."""
    from contest.models import OrgUnitKind

    province = make_unit("P-QNG", "Tỉnh Quảng Ngãi", OrgUnitKind.province)
    return {
        "province": province,
        "department": make_unit("P-KHCN", "Sở Khoa học và Công nghệ", OrgUnitKind.department, parent=province),
        "commune": make_unit("P-LSO", "Đặc khu Lý Sơn", OrgUnitKind.commune, parent=province),
        "other_commune": make_unit("P-TPH", "Phường Cẩm Thành", OrgUnitKind.commune, parent=province),
    }
