"""Entries: drafts, submission with completeness and eligibility, versions,
limits per person, withdrawal, the secretariat's check and nomination."""

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from contest.domain.entries import (
    AlreadySubmitted,
    SubmissionRefused,
    save_draft,
    set_validity,
    submit,
    withdraw,
)
from contest.domain.errors import Conflict, DomainError
from contest.domain.teams import MemberDetails, add_member
from contest.extensions import db as _db
from contest.models import AuditEvent, Entry, EntryStatus, EntryValidity, OutboxMessage
from contest.models.base import utcnow
from tests.factories import fill_entry, make_competition, make_team, make_user


def test_submit_assigns_a_code_keeps_versions_and_queues_a_receipt(db):
    competition = make_competition(code_prefix="QNG-2026")
    team = make_team(competition)
    entry = fill_entry(team)
    submit(entry, team.leader)
    assert entry.code == f"QNG-2026-{competition.boards[0].code}-001"
    assert entry.status is EntryStatus.submitted and len(entry.versions) == 1
    save_draft(entry, {"title": "Tỏi đen Lý Sơn – bản 2"})
    submit(entry, team.leader)
    assert entry.code.endswith("-001") and [v.number for v in entry.versions] == [1, 2]
    assert entry.versions[0].data["title"] == "Tỏi đen Lý Sơn"
    assert entry.versions[1].data["title"] == "Tỏi đen Lý Sơn – bản 2"
    receipts = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == team.leader.email)).all()
    assert len(receipts) == 2 and entry.code in receipts[0].subject
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "entry.submitted")).all()


def test_incomplete_entries_list_every_gap(db):
    competition = make_competition()
    team = make_team(competition)
    from contest.domain.entries import get_or_create_entry

    entry = get_or_create_entry(team)
    save_draft(entry, {"title": "Chỉ có tên"})
    with pytest.raises(SubmissionRefused) as info:
        submit(entry, team.leader)
    problems = " ".join(info.value.problems)
    for expected in ("bảng", "lĩnh vực", "Tóm tắt", "Bài thuyết trình", "thuyết minh"):
        assert expected.lower() in problems.lower(), expected
    assert entry.code is None and entry.status is EntryStatus.draft


def test_a_draft_saves_the_fields_given_and_leaves_the_others(db):
    competition = make_competition()
    team = make_team(competition)
    from contest.domain.entries import get_or_create_entry

    entry = get_or_create_entry(team)
    save_draft(entry, {"title": "Tên", "summary": "Tóm tắt", "video_url": "https://v.example/1"})
    save_draft(entry, {"title": "Ngo\u0302\u0300i sao", "video_url": "", "board": 999_999, "problem": "a\x00b"})
    assert entry.title == "Ngồi sao" and entry.summary == "Tóm tắt"  # NFC; summary untouched
    assert entry.video_url is None and entry.board_id is None and entry.problem == "ab"


def test_eligibility_age_team_size_and_company_age(db):
    competition = make_competition(preset="youth_idea")
    team = make_team(competition)
    add_member(team, MemberDetails(full_name="Ông Già", date_of_birth=date(1950, 1, 1)))
    add_member(team, MemberDetails(full_name="Không Ngày Sinh"))
    entry = fill_entry(team)
    with pytest.raises(SubmissionRefused) as info:
        submit(entry, team.leader)
    text = " ".join(info.value.problems)
    assert "Ông Già" in text and "Không Ngày Sinh" in text


def test_the_per_person_entry_limit_holds_across_teams(db):
    competition = make_competition(max_entries_per_person=2)
    person = make_user("nhieu-doi@example.vn")
    teams = [make_team(competition, person, name=f"Đội {i}") for i in range(3)]
    for team in teams[:2]:
        submit(fill_entry(team), person)
    with pytest.raises(SubmissionRefused) as info:
        submit(fill_entry(teams[2]), person)
    assert "2" in info.value.problems[0]
    # Withdrawing one frees a slot.
    withdraw(teams[0].entry, person)
    submit(teams[2].entry, person)
    assert teams[2].entry.status is EntryStatus.submitted


def test_simultaneous_submissions_cannot_beat_the_per_person_limit(app, db):
    competition = make_competition(max_entries_per_person=1)
    person = make_user()
    entry_ids = [fill_entry(make_team(competition, person, name=f"Đội đồng thời {i}")).id for i in range(2)]
    person_id = person.id
    barrier = threading.Barrier(2)
    results = []

    def run(entry_id):
        with app.app_context():
            from contest.models import User

            barrier.wait()
            try:
                submit(_db.session.get(Entry, entry_id), _db.session.get(User, person_id))
                _db.session.commit()  # as the request would
                results.append("ok")
            except SubmissionRefused:
                results.append("refused")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in entry_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == ["ok", "refused"]
    db.session.expire_all()
    assert (
        db.session.scalar(select(_db.func.count()).select_from(Entry).where(Entry.status == EntryStatus.submitted)) == 1
    )


def test_the_same_version_is_not_submitted_twice(db):
    """A second submission with nothing changed (a double tap) makes no version 2 and no second receipt."""
    team = make_team(make_competition())
    entry = fill_entry(team)
    submit(entry, team.leader)
    with pytest.raises(AlreadySubmitted) as info:
        submit(entry, team.leader)
    assert info.value.number == 1 and "1" in info.value.message
    assert [v.number for v in entry.versions] == [1]
    receipts = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == team.leader.email)).all()
    assert len(receipts) == 1 and entry.code in receipts[0].subject
    save_draft(entry, {"title": "Tỏi đen Lý Sơn – bản 2"})
    submit(entry, team.leader)  # a change: a new version
    assert [v.number for v in entry.versions] == [1, 2]


def test_two_submissions_of_one_entry_at_the_same_moment_make_one_version(app, db):
    team = make_team(make_competition())
    entry_id, leader_id, leader_email = fill_entry(team).id, team.leader.id, team.leader.email
    barrier = threading.Barrier(2)
    results = []

    def run():
        with app.app_context():
            from contest.models import User

            barrier.wait()
            try:
                submit(_db.session.get(Entry, entry_id), _db.session.get(User, leader_id))
                _db.session.commit()  # as the request would
                results.append("ok")
            except AlreadySubmitted:
                results.append("already")
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == ["already", "ok"]
    db.session.expire_all()
    entry = db.session.get(Entry, entry_id)
    assert [v.number for v in entry.versions] == [1] and entry.code.endswith("-001")
    receipts = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == leader_email)).all()
    assert len(receipts) == 1 and entry.code in receipts[0].subject


def test_one_entry_per_team_is_held_by_the_database(db):
    from sqlalchemy.exc import IntegrityError

    competition = make_competition()
    team = make_team(competition)
    fill_entry(team)
    db.session.add(Entry(competition_id=competition.id, team_id=team.id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_after_the_deadline_the_entry_is_read_only(db):
    competition = make_competition()
    team = make_team(competition)
    entry = fill_entry(team)
    submit(entry, team.leader)
    competition.submission_deadline = utcnow() - timedelta(seconds=1)
    db.session.commit()
    for action in (
        lambda: save_draft(entry, {"title": "muộn"}),
        lambda: submit(entry, team.leader),
        lambda: withdraw(entry, team.leader),
    ):
        with pytest.raises(Conflict):
            action()
    assert entry.title == "Tỏi đen Lý Sơn"


def test_validity_check_needs_a_reason_and_tells_the_team(db):
    competition = make_competition()
    team = make_team(competition)
    entry = fill_entry(team)
    submit(entry, team.leader)
    with pytest.raises(DomainError):
        set_validity(entry, EntryValidity.invalid, "  ")
    set_validity(entry, EntryValidity.invalid, "Thiếu chữ ký")
    mails = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert "không hợp lệ" in mails[-1].subject and "Thiếu chữ ký" in mails[-1].body_text
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "entry.validity")).one()
    assert event.before["validity"] == "unchecked" and event.after["validity"] == "invalid"


def test_many_entries_are_checked_at_once_each_audited_and_told(db):
    from contest.domain.entries import set_validity_many
    from contest.domain.errors import NotAllowed

    competition = make_competition()
    submitted = []
    for name in ("Đội Một", "Đội Hai", "Đội Ba"):
        team = make_team(competition, name=name)
        entry = fill_entry(team)
        submit(entry, team.leader)
        submitted.append(entry)
    draft = fill_entry(make_team(competition, name="Đội Nháp"))
    submitted[2].validity = EntryValidity.valid
    mails_before = db.session.scalar(select(func.count()).select_from(OutboxMessage))

    with pytest.raises(DomainError):
        set_validity_many(competition, [], EntryValidity.valid, None)
    with pytest.raises(DomainError):  # "not valid" needs the reason each team will read
        set_validity_many(competition, [submitted[0].id], EntryValidity.invalid, " ")
    other = fill_entry(make_team(make_competition("cuoc-thi-khac"), name="Đội khác"))
    with pytest.raises(NotAllowed):
        set_validity_many(competition, [submitted[0].id, other.id], EntryValidity.valid, None)
    assert submitted[0].validity is EntryValidity.unchecked

    done = set_validity_many(competition, [e.id for e in submitted] + [draft.id], EntryValidity.valid, None)
    assert (done.changed, done.unchanged, done.not_submitted) == (2, 1, 1)
    assert [e.validity for e in submitted] == [EntryValidity.valid] * 3
    assert draft.validity is EntryValidity.unchecked
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "entry.validity")).all()
    assert sorted(int(e.object_id) for e in events) == sorted([submitted[0].id, submitted[1].id])
    # One mail per changed entry; the one already valid is not told twice.
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == mails_before + 2
