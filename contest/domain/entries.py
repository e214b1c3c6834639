"""Entries (hồ sơ dự thi): drafts, submission, withdrawal and the secretariat's
validity check. Their documents (attachments): contest.domain.attachments."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, literal_column, select, union_all, update
from sqlalchemy.engine import Row
from sqlalchemy.sql.elements import Label

from contest import cache
from contest.domain import audit
from contest.domain.accounts import external_url
from contest.domain.attachments import ATTACHMENT_LABELS
from contest.domain.competitions import is_press_work
from contest.domain.concurrency import retry_on_clash
from contest.domain.entry_fields import (
    FIELD_LABELS,
    REQUIRED_TEXT,
    TEXT_FIELDS,
    URL_FIELDS,
    WOMEN_OWNED_FACTS,
    clean_text,
)
from contest.domain.errors import Conflict, DomainError, NotAllowed
from contest.domain.outbox import queue_mail
from contest.domain.plausible_dates import company_date_problem
from contest.domain.teams import age_on, require_editable
from contest.extensions import db
from contest.models import (
    Attachment,
    AttachmentKind,
    Board,
    Competition,
    CompetitionLevel,
    Entry,
    EntryPersonSlot,
    EntryStage,
    EntryStatus,
    EntryValidity,
    EntryVersion,
    Field,
    MediaType,
    Member,
    Team,
)
from contest.models.base import utcnow
from contest.storage import get_storage

Choices = tuple[list[tuple[int, str]], list[tuple[int, str]]]  # boards, fields: (id, name) in their order


def board_and_field_choices(competition_id: int) -> Choices:
    """The competition's boards and fields as (id, name), each in its order: one
    query for both lists, which the entry form and the draft check need."""
    kind: Label[str] = literal_column("'board'").label("kind")
    rows: Sequence[Row[Any]] = db.session.execute(
        union_all(
            select(kind, Board.id, Board.name, Board.position).where(Board.competition_id == competition_id),
            select(literal_column("'field'"), Field.id, Field.name, Field.position).where(
                Field.competition_id == competition_id
            ),
        ).order_by("kind", "position", "id")
    ).all()
    boards = [(row.id, row.name) for row in rows if row.kind == "board"]
    return boards, [(row.id, row.name) for row in rows if row.kind == "field"]


# The entry form's lists, per competition, for a few seconds: in the deadline rush
# every form load would otherwise ask for the same rows. Only for showing the form;
# a chosen board or field is always checked against the database when saved.
SHOWN_CHOICES_SECONDS = 5


def shown_choices(competition_id: int) -> Choices:
    """`board_and_field_choices` for showing the form, at most a few seconds old
    (forgotten at once when a board or field changes, `forget_choices`); a
    removed one picked meanwhile saves as "not chosen", as any unknown id does."""
    return cache.get_or_set(
        _choices_key(competition_id), lambda: board_and_field_choices(competition_id), SHOWN_CHOICES_SECONDS
    )


def forget_choices(competition_id: int) -> None:
    cache.forget(_choices_key(competition_id))


def _choices_key(competition_id: int) -> str:
    return f"entry-form-choices:{competition_id}"


def get_or_create_entry(team: Team) -> Entry:
    if team.entry is not None:
        return team.entry
    entry = Entry(competition_id=team.competition_id, team=team, status=EntryStatus.draft)
    db.session.add(entry)
    db.session.flush()
    return entry


# -- drafts ---------------------------------------------------------------------


def _draft_columns(competition: Competition, values: dict, choices: Choices | None) -> dict:
    """Column values from the draft's fields, already checked by the entry form
    (contest.forms.entries, where the rules live): text stays NFC, an empty link
    is no link, and a board or field the competition does not have (in the
    database, whatever the form showed) is "not chosen"."""
    clean: dict = {}
    for key in TEXT_FIELDS:
        if key in values:
            text = clean_text(values[key])
            clean[key] = text or (None if key in URL_FIELDS else "")
    if "board" in values or "field" in values:
        boards, fields = choices if choices is not None else board_and_field_choices(competition.id)
        for key, options in (("board", boards), ("field", fields)):
            if key in values:
                clean[f"{key}_id"] = next((id_ for id_, _name in options if str(id_) == str(values[key])), None)
    if "stage" in values:
        clean["stage"] = EntryStage(values["stage"]) if values["stage"] else None
    for key in ("company_registered_on", "funding_needed"):
        if key in values:
            clean[key] = values[key] or None
    if "gallery_opt_in" in values:
        clean["gallery_opt_in"] = bool(values["gallery_opt_in"])
    for key in WOMEN_OWNED_FACTS:
        if key in values:
            clean[key] = {"yes": True, "no": False}.get(values[key] or "")
    if "media_type" in values:
        clean["media_type"] = MediaType(values["media_type"]) if values["media_type"] else None
    if "outlet" in values:
        clean["outlet"] = clean_text(values["outlet"])
    if "work_url" in values:
        clean["work_url"] = clean_text(values["work_url"]) or None
    if "published_on" in values:
        clean["published_on"] = values["published_on"] or None
    return clean


def save_draft(entry: Entry, values: dict, choices: Choices | None = None) -> None:
    """Save what the team typed: the fields in `values`, as the entry form reads
    them (EntryForm.draft_values). `choices` saves a query when the caller has
    the boards and fields already."""
    require_editable(entry.team)
    if entry.status is EntryStatus.withdrawn:
        raise Conflict(_("This entry has been withdrawn."), code="withdrawn")
    problem = company_date_problem(values.get("company_registered_on"))
    if problem:
        raise DomainError(problem, field="company_registered_on")
    for key, value in _draft_columns(entry.competition, values, choices).items():
        setattr(entry, key, value)
    entry.draft_saved_at = utcnow()
    db.session.flush()


# -- submission ---------------------------------------------------------------------


def _press_work_problems(entry: Entry) -> list[str]:
    problems = []
    if entry.board_id is None:
        problems.append(_("Choose a board."))
    if entry.field_id is None:
        problems.append(_("Choose a field."))
    for key in ("title", "summary", "outlet"):
        if not getattr(entry, key):
            label = _("Title of the work") if key == "title" else FIELD_LABELS[key]
            problems.append(_("Fill in “%(field)s”.", field=label))
    if entry.media_type is None:
        problems.append(_("Choose the medium."))
    if entry.published_on is None:
        problems.append(_("Give the date of publication or broadcast."))
    if not entry.work_url and not entry.current_attachments(AttachmentKind.description):
        problems.append(_("Give the link to the published work or upload it."))
    return problems


def completeness_problems(entry: Entry) -> list[str]:
    if is_press_work(entry):
        return _press_work_problems(entry)
    problems = []
    if entry.board_id is None:
        problems.append(_("Choose a board."))
    if entry.field_id is None:
        problems.append(_("Choose a field."))
    for key in REQUIRED_TEXT:
        if not getattr(entry, key):
            problems.append(_("Fill in “%(field)s”.", field=FIELD_LABELS[key]))
    if entry.stage is None:
        problems.append(_("Choose the stage of the project."))
    if entry.stage is EntryStage.registered_company and entry.company_registered_on is None:
        problems.append(_("Give the date of business registration."))
    registered_problem = company_date_problem(entry.company_registered_on)
    if registered_problem:
        problems.append(registered_problem)
    for kind in (AttachmentKind.pitch_deck, AttachmentKind.description):
        if not entry.current_attachments(kind):
            problems.append(_("Upload the %(document)s.", document=ATTACHMENT_LABELS[kind]))
    if asks_women_ownership(entry.competition) and entry.stage is EntryStage.registered_company:
        for key in WOMEN_OWNED_FACTS:
            if getattr(entry, key) is None:
                problems.append(_("Answer “%(question)s”.", question=FIELD_LABELS[key]))
    return problems


def asks_women_ownership(competition: Competition) -> bool:
    """Women's contests (Hội LHPN, Đề án 939) ask a registered company the two facts."""
    return competition.level is CompetitionLevel.womens


def form_fields(competition: Competition) -> tuple[str, ...]:
    """The fields the entry form of `competition` asks (templates/entries/edit.html), named as
    in DRAFT_FIELDS: a press work's own fields in the media award, else the business plan's,
    with the two facts of a women-owned business in women's contests."""
    if is_press_work(competition):
        return (
            "board",
            "field",
            "media_type",
            "title",
            "summary",
            "outlet",
            "published_on",
            "work_url",
            "gallery_opt_in",
        )
    return (
        "board",
        "field",
        "stage",
        "title",
        "summary",
        "problem",
        "solution",
        "customers_market",
        "business_model",
        "company_registered_on",
        "funding_needed",
        *(WOMEN_OWNED_FACTS if asks_women_ownership(competition) else ()),
        "team_strengths",
        "video_url",
        "website_url",
        "gallery_opt_in",
    )


def is_women_owned(entry: Entry) -> bool:
    """A women-owned business in the SME support law's sense: a registered company in
    which women own at least 51 % of the charter capital AND at least one of them
    manages it. Both facts must hold; a team led by a woman is another thing
    (contest.domain.teams.is_women_led)."""
    return (
        entry.stage is EntryStage.registered_company
        and entry.women_own_majority is True
        and entry.woman_manages is True
    )


def eligibility_problems(entry: Entry, today: date | None = None) -> list[str]:
    competition, team = entry.competition, entry.team
    day = (competition.submission_deadline.date() if competition.submission_deadline else None) or today or date.today()
    problems = []
    size = len(team.members)
    if size < competition.team_min or size > competition.team_max:
        problems.append(
            _(
                "The team must have %(min)d to %(max)d members; it has %(n)d.",
                min=competition.team_min,
                max=competition.team_max,
                n=size,
            )
        )
    if competition.age_min is not None or competition.age_max is not None:
        for member in team.members:
            if member.date_of_birth is None:
                problems.append(
                    _("Give the date of birth of %(name)s: this competition has an age limit.", name=member.full_name)
                )
                continue
            age = age_on(member.date_of_birth, day)
            if (competition.age_min is not None and age < competition.age_min) or (
                competition.age_max is not None and age > competition.age_max
            ):
                problems.append(
                    _(
                        "%(name)s is %(age)d; this competition is for ages %(min)s to %(max)s.",
                        name=member.full_name,
                        age=age,
                        min=competition.age_min or "–",
                        max=competition.age_max or "–",
                    )
                )
    if (
        competition.max_company_age_years is not None
        and entry.stage is EntryStage.registered_company
        and entry.company_registered_on is not None
        and age_on(entry.company_registered_on, day) >= competition.max_company_age_years
    ):
        problems.append(
            _("The company was registered more than %(years)d years ago.", years=competition.max_company_age_years)
        )
    if competition.restrict_to_unit and not _unit_within(team.org_unit, competition.org_unit):
        problems.append(_("The team must belong to %(unit)s or a unit under it.", unit=competition.org_unit.name))
    if competition.ideas_only:
        problems += idea_stage_problems(entry)
    return problems


def idea_stage_problems(entry: Entry) -> list[str]:
    """Why an entry is past the idea stage, for a competition of ideas only (the
    youth startup-idea contest): its project already has an enterprise (recorded
    in the system, or declared by the team), or it already sells (revenue)."""
    problems = []
    enterprises = list(entry.project.enterprises) if entry.project is not None else []
    for enterprise in enterprises:
        problems.append(
            _(
                "This contest is for ideas only: the project already has an enterprise, %(name)s "
                "(registration number %(number)s, founded on %(day)s).",
                name=enterprise.name or "–",
                number=enterprise.registration_number,
                day=enterprise.founded_on.strftime("%d/%m/%Y"),
            )
        )
    if not enterprises and (entry.stage is EntryStage.registered_company or entry.company_registered_on is not None):
        problems.append(_("This contest is for ideas only: the project is already a registered company."))
    if entry.stage is EntryStage.on_market:
        problems.append(_("This contest is for ideas only: the project already sells on the market (has revenue)."))
    return problems


def _unit_within(unit, ancestor) -> bool:
    while unit is not None:
        if unit.id == ancestor.id:
            return True
        unit = unit.parent
    return False


def person_key(member: Member) -> str:
    if member.user_id:
        return f"u:{member.user_id}"
    if member.email:
        return f"e:{member.email.lower()}"
    name = " ".join(unicodedata.normalize("NFC", member.full_name).lower().split())
    return f"n:{name}|{member.date_of_birth or ''}"


def claim_person_slots(entry: Entry) -> list[str]:
    """Give each member (and the team's unit, where limited) a numbered slot for
    this entry. The unique constraint on (competition, person, slot) makes the
    per-person limit hold even when two teams submit at the same moment."""
    competition = entry.competition
    db.session.execute(delete(EntryPersonSlot).where(EntryPersonSlot.entry_id == entry.id))
    claims: list[tuple[str, int, str]] = []
    if competition.max_entries_per_person:
        claims += [(person_key(m), competition.max_entries_per_person, m.full_name) for m in entry.team.members]
    if competition.max_entries_per_org and entry.team.org_unit_id:
        claims.append((f"org:{entry.team.org_unit_id}", competition.max_entries_per_org, entry.team.org_unit.name))
    problems = []
    for key, limit, who in claims:
        used = set(
            db.session.scalars(
                select(EntryPersonSlot.slot).where(
                    EntryPersonSlot.competition_id == competition.id, EntryPersonSlot.person_key == key
                )
            )
        )
        free = next((s for s in range(1, limit + 1) if s not in used), None)
        if free is None:
            problems.append(
                _(
                    "%(who)s already takes part in %(limit)d entries, the most this competition allows.",
                    who=who,
                    limit=limit,
                )
            )
            continue
        db.session.add(EntryPersonSlot(competition_id=competition.id, entry_id=entry.id, person_key=key, slot=free))
    db.session.flush()
    return problems


def snapshot(entry: Entry) -> dict:
    return {
        "board": entry.board.name if entry.board else None,
        "field": entry.field.name if entry.field else None,
        **{key: getattr(entry, key) for key in TEXT_FIELDS},
        "stage": entry.stage.value if entry.stage else None,
        "company_registered_on": entry.company_registered_on.isoformat() if entry.company_registered_on else None,
        "funding_needed": entry.funding_needed,
        **({key: getattr(entry, key) for key in WOMEN_OWNED_FACTS} if asks_women_ownership(entry.competition) else {}),
        **(
            {
                "media_type": entry.media_type.value if entry.media_type else None,
                "outlet": entry.outlet,
                "published_on": entry.published_on.isoformat() if entry.published_on else None,
                "work_url": entry.work_url,
            }
            if is_press_work(entry)
            else {}
        ),
        "members": [{"name": m.full_name, "seat": m.seat} for m in entry.team.members],
        "attachments": [
            {"id": a.id, "kind": a.kind.value, "filename": a.filename, "sha256": a.sha256}
            for a in entry.current_attachments()
        ],
    }


def has_unsubmitted_changes(entry: Entry) -> bool:
    if entry.status is not EntryStatus.submitted or not entry.versions:
        return False
    return entry.versions[-1].data != snapshot(entry)


def _next_code(competition_id: int, board_code: str) -> str:
    # The UPDATE takes the competition row's lock: codes are handed out one at a time.
    db.session.execute(
        update(Competition).where(Competition.id == competition_id).values(entry_seq=Competition.entry_seq + 1)
    )
    prefix, seq = db.session.execute(
        select(Competition.code_prefix, Competition.entry_seq).where(Competition.id == competition_id)
    ).one()
    return f"{prefix}-{board_code}-{seq:03d}"


def submit(entry: Entry, user) -> Entry:
    """Validate completeness and eligibility, then freeze a new version."""
    require_editable(entry.team)
    if entry.status is EntryStatus.withdrawn:
        raise Conflict(_("This entry has been withdrawn."), code="withdrawn")
    problems = completeness_problems(entry) + eligibility_problems(entry)
    if problems:
        raise SubmissionRefused(problems)
    entry_id = entry.id

    def work() -> Entry:
        # The entry's lock, taken by writing its row (PostgreSQL: the row; SQLite: the
        # database), first thing: a second submission at the same moment (a double
        # tap) waits here until the first is committed, then reads its version.
        db.session.execute(
            update(Entry)
            .where(Entry.id == entry_id)
            .values(updated_at=Entry.updated_at)
            .execution_options(synchronize_session=False)
        )
        current = db.session.get_one(Entry, entry_id)
        db.session.refresh(current, ["status", "code", "versions"])
        if current.status is EntryStatus.submitted and current.versions:
            last = current.versions[-1]
            if last.data == snapshot(current):  # what would be frozen is the version already submitted
                raise AlreadySubmitted(last.number)
        slot_problems = claim_person_slots(current)
        if slot_problems:  # raised inside retry_on_clash's savepoint: the slots taken are undone
            raise SubmissionRefused(slot_problems)
        first_time = current.code is None
        if first_time:
            current.code = _next_code(current.competition_id, current.board.code)
        current.status = EntryStatus.submitted
        project = current.project if current is not None else None
        if project is not None and not project.name:
            project.name = (
                current.title if current is not None else ""
            )  # a project created with its draft is named at submission
        current.submitted_at = utcnow()
        number = len(current.versions) + 1
        current.versions.append(EntryVersion(number=number, submitted_by_id=user.id, data=snapshot(current)))
        team = current.team
        queue_mail(
            team.leader.email,
            "entry_receipt",
            locale=team.leader.locale,
            entry=current,
            team=team,
            competition=current.competition,
            version=number,
            receipt_url=external_url("entries.receipt", team_id=team.id),
        )
        audit.record(
            "entry.submitted",
            "entry",
            current.id,
            competition_id=current.competition_id,
            after={"code": current.code, "version": number},
        )
        db.session.flush()
        return current

    return retry_on_clash(work)


class AlreadySubmitted(DomainError):
    """Nothing changed since the last submitted version: no new version, no
    second receipt (a double tap, or the same form sent again)."""

    def __init__(self, number: int):
        super().__init__(
            _("Version %(number)d of the entry has already been submitted; nothing has changed since.", number=number),
            code="already_submitted",
        )
        self.number = number


class SubmissionRefused(DomainError):
    def __init__(self, problems: list[str]):
        super().__init__(_("The entry cannot be submitted yet."), code="incomplete")
        self.problems = problems


def withdraw(entry: Entry, user) -> None:
    require_editable(entry.team)
    if entry.status is EntryStatus.withdrawn:
        return
    before = entry.status.value
    entry.status = EntryStatus.withdrawn
    db.session.execute(delete(EntryPersonSlot).where(EntryPersonSlot.entry_id == entry.id))
    audit.record(
        "entry.withdrawn",
        "entry",
        entry.id,
        competition_id=entry.competition_id,
        before={"status": before},
        after={"status": "withdrawn"},
    )
    db.session.flush()


# -- secretariat ------------------------------------------------------------------


def set_validity(entry: Entry, validity: EntryValidity, reason: str | None) -> None:
    if entry.status is not EntryStatus.submitted:
        raise Conflict(_("Only submitted entries can be checked."))
    reason = clean_text(reason) or None
    if validity is EntryValidity.invalid and not reason:
        raise DomainError(_("Give the reason the entry is not valid; the team will read it."), field="reason")
    before = {"validity": entry.validity.value, "reason": entry.validity_reason}
    entry.validity, entry.validity_reason = validity, reason
    team = entry.team
    queue_mail(
        team.leader.email,
        "entry_validity",
        locale=team.leader.locale,
        entry=entry,
        team=team,
        competition=entry.competition,
        valid=validity is EntryValidity.valid,
        reason=reason,
        team_url=external_url("teams.show", team_id=team.id),
    )
    audit.record(
        "entry.validity",
        "entry",
        entry.id,
        competition_id=entry.competition_id,
        before=before,
        after={"validity": validity.value, "reason": reason},
    )
    db.session.flush()


@dataclass(frozen=True)
class ValidityChanges:
    changed: int  # checked now (each audited, each team told)
    unchanged: int  # already had this result
    not_submitted: int  # drafts and withdrawn entries cannot be checked


def set_validity_many(
    competition: Competition, entry_ids: Sequence[int], validity: EntryValidity, reason: str | None
) -> ValidityChanges:
    """The secretariat's check for many entries at once: each entry is checked
    (and audited, and its team told) as by `set_validity`; entries that already
    have this result are left alone, so no team gets the same mail twice."""
    ids = sorted({int(i) for i in entry_ids})
    if not ids:
        raise DomainError(_("Tick at least one entry."), field="entry")
    reason = clean_text(reason) or None
    if validity is EntryValidity.invalid and not reason:
        raise DomainError(_("Give the reason the entries are not valid; each team will read it."), field="reason")
    chosen = list(
        db.session.scalars(
            select(Entry).where(Entry.competition_id == competition.id, Entry.id.in_(ids)).order_by(Entry.id)
        )
    )
    if len(chosen) != len(ids):
        raise NotAllowed(_("Some of the ticked entries are not in this competition."))
    changed = unchanged = not_submitted = 0
    for entry in chosen:
        if entry.status is not EntryStatus.submitted:
            not_submitted += 1
        elif entry.validity is validity and entry.validity_reason == reason:
            unchanged += 1
        else:
            set_validity(entry, validity, reason)
            changed += 1
    return ValidityChanges(changed=changed, unchanged=unchanged, not_submitted=not_submitted)


def attachment_bytes(attachment: Attachment) -> bytes:
    return get_storage().read(attachment.storage_key)


def check_owner(entry: Entry, team: Team) -> None:
    if entry.team_id != team.id:
        raise NotAllowed(_("This entry belongs to another team."))
