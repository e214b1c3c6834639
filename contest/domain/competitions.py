"""Competition editions: presets, settings, lifecycle and per-competition roles."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from contest import signals
from contest.domain import audit, orgunits, unit_officers
from contest.domain.errors import DomainError
from contest.domain.uploads import WORK_FILE_MAX_MB, validate_upload
from contest.extensions import db
from contest.models import (
    Board,
    Competition,
    CompetitionLevel,
    CompetitionRole,
    CompetitionRoleKind,
    CompetitionState,
    Field,
    OrgUnit,
    User,
)
from contest.models.base import utcnow
from contest.storage import get_storage
from contest.transactions import after_commit

S = CompetitionState

# Which lifecycle moves make sense, each list in lifecycle order (the enum's).
# Reopening a closed competition (to extend the deadline) is allowed; going
# back from judging is not.
TRANSITIONS: dict[CompetitionState, tuple[CompetitionState, ...]] = {
    S.draft: (S.open, S.archived),
    S.open: (S.closed,),
    S.closed: (S.open, S.judging),
    S.judging: (S.results_published,),
    S.results_published: (S.archived,),
    S.archived: (),
}


STATE_LABELS = {
    S.draft: _l("Draft"),
    S.open: _l("Open for entries"),
    S.closed: _l("Closed for entries"),
    S.judging: _l("Judging"),
    S.results_published: _l("Results published"),
    S.archived: _l("Archived"),
}

LEVEL_LABELS = {
    CompetitionLevel.provincial: _l("Provincial competition"),
    CompetitionLevel.district_commune: _l("District or commune competition"),
    CompetitionLevel.youth_idea: _l("Youth startup-idea competition"),
    CompetitionLevel.womens: _l("Women's startup competition"),
    CompetitionLevel.student: _l("Student startup competition"),
    CompetitionLevel.media_award: _l("Media award"),
    CompetitionLevel.other: _l("Other"),
}

# What cannot be undone by moving to each state (said before the move is made).
IRREVERSIBLE_EFFECTS = {
    S.open: _l("The competition becomes public and can never go back to draft."),
    S.judging: _l("Entries can no longer be reopened: the competition can never go back to taking entries."),
    S.results_published: _l("The competition can never go back to judging."),
    S.archived: _l("An archived competition can never be reopened or moved to another status."),
}

COMMON_FIELDS = [
    "Nông nghiệp công nghệ cao",
    "Du lịch và dịch vụ",
    "Công nghệ thông tin và chuyển đổi số",
    "Giáo dục",
    "Y tế và chăm sóc sức khỏe",
    "Chế biến thực phẩm và sản phẩm OCOP",
    "Môi trường và năng lượng",
    "Lĩnh vực khác",
]


@dataclass(frozen=True)
class Preset:
    """Defaults from the domain brief; organizers change them per edition."""

    level: CompetitionLevel
    team_min: int = 1
    team_max: int = 5
    age_min: int | None = None
    age_max: int | None = None
    max_company_age_years: int | None = 5
    max_entries_per_person: int | None = 3
    max_entries_per_org: int | None = None
    restrict_to_unit: bool = False
    ideas_only: bool = False
    boards: tuple[tuple[str, str], ...] = (("Y", "Bảng Ý tưởng"), ("D", "Bảng Dự án"))
    fields: tuple[str, ...] = field(default_factory=lambda: tuple(COMMON_FIELDS))


YOUTH_LAW_AGES = (16, 30)

PRESETS = {
    "provincial": Preset(CompetitionLevel.provincial),
    "district_commune": Preset(CompetitionLevel.district_commune, restrict_to_unit=True, max_entries_per_org=None),
    "youth_idea": Preset(
        CompetitionLevel.youth_idea,
        team_max=3,
        # The Youth Law's bounds (Luật Thanh niên 2020: 16 to 30); the organizer may change them.
        age_min=YOUTH_LAW_AGES[0],
        age_max=YOUTH_LAW_AGES[1],
        max_company_age_years=None,
        ideas_only=True,
        boards=(("Y", "Bảng Ý tưởng"),),
    ),
    # Hội LHPN (Đề án 939): a registered company is asked the two facts of a
    # women-owned business (contest.domain.entries.asks_women_ownership).
    "womens": Preset(CompetitionLevel.womens),
    # Đề án 1665: pupils' and students' teams, each registered from its school (a unit of kind
    # school, contest.domain.teams.requires_school), counted by school in the reports.
    "student": Preset(CompetitionLevel.student, team_max=5, max_company_age_years=3),
    # Giải báo chí, truyền thông về KNĐMST: press works by their authors (the team), by medium.
    "media_award": Preset(
        CompetitionLevel.media_award,
        team_max=5,
        max_company_age_years=None,
        boards=(("BC", "Báo in, báo điện tử"), ("PTTH", "Phát thanh, truyền hình"), ("MXH", "Mạng xã hội")),
        fields=("Khởi nghiệp đổi mới sáng tạo", "Hệ sinh thái khởi nghiệp của tỉnh"),
    ),
}

PRESET_LABELS = {
    "provincial": _l("Provincial contest"),
    "district_commune": _l("District / commune contest"),
    "youth_idea": _l("Youth startup-idea contest"),
    "womens": _l("Women's startup contest (Women's Union)"),
    "student": _l("Student startup contest (schools)"),
    "media_award": _l("Media award (press works on innovative startups)"),
}

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 80


def slugify(text: str) -> str:
    """A web address from a name: Vietnamese marks dropped ("Khởi nghiệp" →
    "khoi-nghiep", đ → d), anything else between words becomes one dash."""
    text = text.replace("đ", "d").replace("Đ", "D")
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = re.findall(r"[a-z0-9]+", bare.lower())
    slug = "-".join(words)[:SLUG_MAX].strip("-")
    return slug


def propose_slug(name: str) -> str:
    """The address a new competition called `name` gets when none is typed:
    its slugified name, with -2, -3 … if another competition has it."""
    base = slugify(name)[: SLUG_MAX - 4].strip("-") or "cuoc-thi"
    taken = set(db.session.scalars(select(Competition.slug).where(Competition.slug.startswith(base))))
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def find_by_slug(slug: str) -> Competition | None:
    return db.session.scalar(select(Competition).where(Competition.slug == slug))


def _free_code_prefix(wanted: str) -> str:
    """Submission codes are unique across editions, so two editions of one unit
    in one year (a contest and its youth-idea sibling) get -2, -3 ..."""
    base = wanted.strip().upper()[:20]
    taken = set(db.session.scalars(select(Competition.code_prefix).where(Competition.code_prefix.startswith(base))))
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def running_dates(competition: Competition) -> tuple[date, date]:
    """The days the competition runs for its organising unit: from registration
    opening (else the first of its year) to the submission deadline (else the
    last of its year), in local time."""
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    first = (
        competition.registration_opens_at.astimezone(tz).date()
        if competition.registration_opens_at
        else date(competition.year, 1, 1)
    )
    last = (
        competition.submission_deadline.astimezone(tz).date()
        if competition.submission_deadline
        else date(competition.year, 12, 31)
    )
    return min(first, last), last


def check_unit_for_year(unit: OrgUnit, year: int, *, field: str) -> None:
    """Refuse a unit not in force on any day of `year`, naming its dates."""
    if not unit.overlaps(date(year, 1, 1), date(year, 12, 31)):
        raise DomainError(
            _(
                "%(unit)s is %(dates)s, so it cannot organise a competition in %(year)d. Choose the "
                "unit in force that year (after a reform, its successor).",
                unit=unit.name,
                dates=orgunits.validity_text(unit),
                year=year,
            ),
            field=field,
        )


def create_competition(
    *, name: str, year: int, slug: str, org_unit: OrgUnit, preset_name: str, code_prefix: str | None = None
) -> Competition:
    preset = PRESETS[preset_name]
    check_unit_for_year(org_unit, year, field="org_unit")
    slug = slug.strip().lower() or propose_slug(name)
    if not SLUG_RE.match(slug):
        raise DomainError(_("Use lower-case letters, digits and dashes, such as khoi-nghiep-2026."), field="slug")
    if find_by_slug(slug) is not None:
        raise DomainError(_("Another competition already uses this address."), field="slug")
    competition = Competition(
        name=name.strip(),
        year=year,
        slug=slug,
        level=preset.level,
        org_unit=org_unit,
        code_prefix=_free_code_prefix(code_prefix or f"{org_unit.code.split('-')[0]}-{year}"),
        team_min=preset.team_min,
        team_max=preset.team_max,
        age_min=preset.age_min,
        age_max=preset.age_max,
        max_company_age_years=preset.max_company_age_years,
        max_entries_per_person=preset.max_entries_per_person,
        max_entries_per_org=preset.max_entries_per_org,
        restrict_to_unit=preset.restrict_to_unit,
        ideas_only=preset.ideas_only,
        state=S.draft,
    )
    competition.boards = [
        Board(code=code, name=board_name, position=i) for i, (code, board_name) in enumerate(preset.boards)
    ]
    competition.fields = [Field(name=field_name, position=i) for i, field_name in enumerate(preset.fields)]
    db.session.add(competition)
    db.session.flush()
    audit.record(
        "competition.created",
        "competition",
        competition.id,
        competition_id=competition.id,
        after={"name": competition.name, "preset": preset_name},
    )
    db.session.flush()
    return competition


SETTINGS_FIELDS = (
    "name",
    "year",
    "description",
    "registration_opens_at",
    "submission_deadline",
    "team_min",
    "team_max",
    "age_min",
    "age_max",
    "max_company_age_years",
    "max_entries_per_person",
    "max_entries_per_org",
    "restrict_to_unit",
    "gallery_enabled",
    "takes_youth_nominations",
    "ideas_only",
    "work_file_max_mb",
)


def _jsonable(value):
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def update_settings(
    competition: Competition, *, boards: list[tuple[str, str]] | None = None, fields: list[str] | None = None, **values
) -> None:
    unknown = set(values) - set(SETTINGS_FIELDS)
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)}")
    before = {k: _jsonable(getattr(competition, k)) for k in values}
    new_min = values.get("team_min", competition.team_min)
    new_max = values.get("team_max", competition.team_max)
    if new_min < 1 or new_max < new_min:
        raise DomainError(
            _("The team size must be at least 1, and the maximum not below the minimum."), field="team_max"
        )
    age_min, age_max = values.get("age_min", competition.age_min), values.get("age_max", competition.age_max)
    if age_min is not None and age_max is not None and age_max < age_min:
        raise DomainError(_("The maximum age cannot be below the minimum age."), field="age_max")
    opens, deadline = (
        values.get("registration_opens_at", competition.registration_opens_at),
        values.get("submission_deadline", competition.submission_deadline),
    )
    if opens and deadline and deadline <= opens:
        raise DomainError(_("The submission deadline must come after registration opens."), field="submission_deadline")
    work_mb = values.get("work_file_max_mb", competition.work_file_max_mb)
    if not 1 <= work_mb <= WORK_FILE_MAX_MB:
        raise DomainError(
            _("The largest file of a work must be between 1 and %(max)d MB.", max=WORK_FILE_MAX_MB),
            field="work_file_max_mb",
        )
    year = values.get("year", competition.year)
    if year != competition.year:
        check_unit_for_year(competition.org_unit, year, field="year")
    for key, value in values.items():
        setattr(competition, key, value)
    if competition.state is S.open:
        # An open competition's new dates must stay within its unit's.
        orgunits.check_valid_between(competition.org_unit, *running_dates(competition), field="submission_deadline")
    if boards is not None:
        _sync_boards(competition, boards)
    if fields is not None:
        _sync_fields(competition, fields)
    if boards is not None or fields is not None:
        from contest.domain.entries import forget_choices  # entries builds on this module

        forget_choices(competition.id)
    audit.record(
        "competition.settings",
        "competition",
        competition.id,
        competition_id=competition.id,
        before=before,
        after={k: _jsonable(v) for k, v in values.items()},
    )
    db.session.flush()


def _sync_boards(competition: Competition, boards: list[tuple[str, str]]) -> None:
    """Keep boards that still exist (entries point at them), add new ones, and
    refuse to drop a board that has entries."""
    from contest.models import Entry

    if not boards:
        raise DomainError(_("A competition needs at least one board."), field="boards")
    wanted = {code.upper(): name for code, name in boards}
    existing = {b.code: b for b in competition.boards}
    for code, board in existing.items():
        if code not in wanted:
            used = db.session.scalar(select(Entry.id).where(Entry.board_id == board.id).limit(1))
            if used:
                raise DomainError(
                    _("The board %(name)s has entries and cannot be removed.", name=board.name), field="boards"
                )
            competition.boards.remove(board)
    for position, (code, name) in enumerate(wanted.items()):
        board = existing.get(code) or Board(code=code)
        board.name, board.position = name, position
        if board not in competition.boards:
            competition.boards.append(board)


def _sync_fields(competition: Competition, names: list[str]) -> None:
    from contest.models import Entry

    if not names:
        raise DomainError(_("A competition needs at least one field."), field="fields")
    existing = {f.name: f for f in competition.fields}
    for name, item in existing.items():
        if name not in names:
            used = db.session.scalar(select(Entry.id).where(Entry.field_id == item.id).limit(1))
            if used:
                raise DomainError(_("The field %(name)s has entries and cannot be removed.", name=name), field="fields")
            competition.fields.remove(item)
    for position, name in enumerate(dict.fromkeys(names)):
        item = existing.get(name) or Field(name=name)
        item.position = position
        if item not in competition.fields:
            competition.fields.append(item)


def state_choices(state: CompetitionState) -> list[CompetitionState]:
    """The current state and those it can move to, in lifecycle order."""
    return [s for s in CompetitionState if s is state or s in TRANSITIONS[state]]


def reachable(start: CompetitionState) -> set[CompetitionState]:
    """Every state some sequence of moves leads to from `start`."""
    seen: set[CompetitionState] = set()
    todo = list(TRANSITIONS[start])
    while todo:
        state = todo.pop()
        if state not in seen:
            seen.add(state)
            todo.extend(TRANSITIONS[state])
    return seen


def is_irreversible(old: CompetitionState, new: CompetitionState) -> bool:
    """No sequence of moves leads from `new` back to `old`."""
    return old not in reachable(new)


def irreversible_effect(old: CompetitionState, new: CompetitionState) -> str | None:
    """What moving from `old` to `new` cannot undo, or None when it can be undone."""
    return str(IRREVERSIBLE_EFFECTS[new]) if is_irreversible(old, new) else None


def change_state(
    competition: Competition, new_state: CompetitionState, *, confirmed: bool = False, now: datetime | None = None
) -> None:
    """Move the competition along its lifecycle. A move that cannot be undone is
    refused unless the person `confirmed` it, having been told what it ends."""
    now = now or utcnow()
    if new_state not in TRANSITIONS[competition.state]:
        raise DomainError(
            _(
                "A competition cannot go from “%(old)s” to “%(new)s”.",
                old=STATE_LABELS[competition.state],
                new=STATE_LABELS[new_state],
            )
        )
    effect = irreversible_effect(competition.state, new_state)
    if effect is not None and not confirmed:
        raise DomainError(
            _("Confirm the change to “%(new)s”: %(effect)s", new=STATE_LABELS[new_state], effect=effect),
            field="confirm",
        )
    if new_state is S.open:
        if not competition.boards or not competition.fields:
            raise DomainError(_("Add at least one board and one field before opening."))
        if competition.submission_deadline is None or competition.submission_deadline <= now:
            raise DomainError(_("Set a submission deadline in the future before opening."))
        orgunits.check_valid_between(competition.org_unit, *running_dates(competition))
    before = competition.state.value
    competition.state = new_state
    audit.record(
        "competition.state",
        "competition",
        competition.id,
        competition_id=competition.id,
        before={"state": before},
        after={"state": new_state.value},
    )
    db.session.flush()


@dataclass(frozen=True)
class Progress:
    """How far a competition has gone, as the packages that judge it know."""

    judging_started: bool = False
    results_url: str | None = None  # its results page, once they are public


def progress_of(competition_ids: list[int]) -> dict[int, Progress]:
    """Competition id → its Progress, for those that have any (contest.signals.competition_progress)."""
    found: dict[int, Progress] = {}
    if competition_ids:
        for answer in signals.collect(signals.competition_progress, competition_ids=list(competition_ids)):
            for competition_id, progress in answer.items():
                earlier = found.get(competition_id, Progress())
                found[competition_id] = Progress(
                    earlier.judging_started or progress.judging_started, earlier.results_url or progress.results_url
                )
    return found


def results_urls(competition_ids: list[int]) -> dict[int, str]:
    """Competition id → URL of its results, for those whose results are public now."""
    return {i: p.results_url for i, p in progress_of(competition_ids).items() if p.results_url}


def public_state(
    competition: Competition, *, results_public: bool, judging_started: bool = False, now: datetime | None = None
) -> CompetitionState:
    """The status people are shown: the stored one, brought up to date by facts
    no organizer should have to type. Results public → results published;
    stored as published while none are public (announced for later, or
    withdrawn) → judging; past the submission deadline → closed for entries,
    or judging once a round has opened for scoring."""
    state = competition.state
    if state in (S.draft, S.archived):
        return state
    if results_public:
        return S.results_published
    if state is S.results_published:
        return S.judging
    deadline = competition.submission_deadline
    if state is S.open and deadline is not None and (now or utcnow()) > deadline:
        state = S.closed
    if state is S.closed and judging_started:
        return S.judging
    return state


@dataclass(frozen=True)
class OpenVote:
    """An audience vote the public may take part in now (contest.signals.open_votes)."""

    name: str
    url: str  # its public page
    closes_at: datetime


def open_votes_of(competition_ids: list[int]) -> dict[int, list[OpenVote]]:
    """Competition id → the audience votes open now, for those that have any."""
    found: dict[int, list[OpenVote]] = {}
    if competition_ids:
        for answer in signals.collect(signals.open_votes, competition_ids=list(competition_ids)):
            for competition_id, votes in answer.items():
                found.setdefault(competition_id, []).extend(votes)
    return found


@dataclass(frozen=True)
class PublicStatus:
    """What a public page says of a competition: its status, where its results are, and
    the audience votes open now."""

    state: CompetitionState
    results_url: str | None
    open_votes: tuple[OpenVote, ...] = ()


def public_statuses(competitions: list[Competition], now: datetime | None = None) -> dict[int, PublicStatus]:
    ids = [c.id for c in competitions]
    progress = progress_of(ids)
    votes = open_votes_of(ids)
    statuses = {}
    for c in competitions:
        p = progress.get(c.id, Progress())
        state = public_state(c, results_public=p.results_url is not None, judging_started=p.judging_started, now=now)
        statuses[c.id] = PublicStatus(state, p.results_url, tuple(votes.get(c.id, ())))
    return statuses


def submissions_open(competition: Competition, now: datetime | None = None) -> bool:
    now = now or utcnow()
    if competition.state is not S.open:
        return False
    if competition.registration_opens_at and now < competition.registration_opens_at:
        return False
    return competition.submission_deadline is None or now <= competition.submission_deadline


# -- roles -------------------------------------------------------------------


def has_role(user, competition: Competition, *roles: CompetitionRoleKind) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return (
        db.session.scalar(
            select(CompetitionRole.id).where(
                CompetitionRole.competition_id == competition.id,
                CompetitionRole.user_id == user.id,
                CompetitionRole.role.in_(roles),
            )
        )
        is not None
    )


def can_organize(user, competition: Competition) -> bool:
    """Administrators, the competition's organizers, and the current officers of
    its organising unit (not of a unit above or below: see unit_officers)."""
    return bool(
        user
        and user.is_authenticated
        and (
            user.is_admin
            or unit_officers.manages(user, competition.org_unit)
            or has_role(user, competition, CompetitionRoleKind.organizer)
        )
    )


def can_check_entries(user, competition: Competition) -> bool:
    """The secretariat's work; organizers may do it too."""
    return bool(
        user
        and user.is_authenticated
        and (
            user.is_admin
            or unit_officers.manages(user, competition.org_unit)
            or has_role(user, competition, CompetitionRoleKind.organizer, CompetitionRoleKind.secretariat)
        )
    )


def organized_ids(user, competitions: list[Competition]) -> set[int]:
    """Of `competitions`, the ids of those `user` may organize (`can_organize`), in at most
    one query for them all: a list of competitions that says, for each, where its
    management starts."""
    if not (user and user.is_authenticated):
        return set()
    if user.is_admin:
        return {c.id for c in competitions}
    own = unit_officers.own_unit_ids(user)
    ids = {c.id for c in competitions if c.org_unit_id in own}
    rest = [c.id for c in competitions if c.id not in ids]
    if rest:
        ids.update(
            db.session.scalars(
                select(CompetitionRole.competition_id).where(
                    CompetitionRole.user_id == user.id,
                    CompetitionRole.role == CompetitionRoleKind.organizer,
                    CompetitionRole.competition_id.in_(rest),
                )
            )
        )
    return ids


def grant_role(competition: Competition, email: str, role: CompetitionRoleKind, granted_by: User) -> CompetitionRole:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise DomainError(_("No account uses this e-mail. Ask the person to sign up first."), field="email")
    if has_role(user, competition, role):
        raise DomainError(_("This person already has that role."), field="email")
    grant = CompetitionRole(
        competition_id=competition.id, user_id=user.id, role=role, granted_by_id=granted_by.id, granted_at=utcnow()
    )
    db.session.add(grant)
    db.session.flush()
    audit.record(
        "competition.role_granted",
        "competition_role",
        grant.id,
        competition_id=competition.id,
        after={"user": user.email, "role": role.value},
    )
    db.session.flush()
    return grant


def revoke_role(grant: CompetitionRole) -> None:
    competition_id = grant.competition_id
    audit.record(
        "competition.role_revoked",
        "competition_role",
        grant.id,
        competition_id=competition_id,
        before={"user": grant.user.email, "role": grant.role.value},
    )
    db.session.delete(grant)
    db.session.flush()


def roles_of(competition: Competition) -> list[CompetitionRole]:
    return list(
        db.session.scalars(
            select(CompetitionRole)
            .where(CompetitionRole.competition_id == competition.id)
            .order_by(CompetitionRole.role, CompetitionRole.id)
        )
    )


def visible_to(user, competition: Competition) -> bool:
    """A competition in draft is not public: only its organizers (and
    administrators) see it, on every page under /c/<slug>/ and in lists."""
    return (
        competition.state is not S.draft
        or can_organize(user, competition)
        or unit_officers.sees(user, competition.org_unit)
    )


def visible_competitions(user) -> list[Competition]:
    """Public list: everything but drafts; organizers also see their drafts."""
    rows = db.session.scalars(select(Competition).order_by(Competition.year.desc(), Competition.name)).all()
    return [c for c in rows if visible_to(user, c)]


RULES_DOCUMENT_BYTES = 20 * 2**20


def replace_rules_document(competition: Competition, filename: str, data: bytes) -> None:
    """Check the rules document (a PDF, by its content), store it and point the
    competition at it. The file it replaces is deleted once this is committed:
    kept until then, so a refusal later in the request leaves the old one served."""
    from contest.domain.attachments import explain_upload  # entries -> teams -> this module

    check = validate_upload(filename or "rules.pdf", data, "pitch_deck", max_bytes=RULES_DOCUMENT_BYTES)
    if not check.ok:
        raise DomainError(explain_upload(check), field="rules_document")
    storage = get_storage()
    replaced = competition.rules_document_key
    competition.rules_document_key = storage.save(data, suffix=".pdf")
    db.session.flush()
    if replaced:
        after_commit(lambda: storage.delete(replaced))


def is_press_work(entry_or_competition) -> bool:
    """The media award's entries are press works, not projects."""
    competition = getattr(entry_or_competition, "competition", entry_or_competition)
    return competition.level is CompetitionLevel.media_award
