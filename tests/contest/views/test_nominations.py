"""Nomination pages across competitions: an organizer reaches only their own
contest's entries, proposes only them, and only into an upper contest that
takes them; the upper level decides, and a refusal names its reasons."""

from datetime import date

import pytest
from sqlalchemy import func, select

from contest.models import CompetitionRole, CompetitionRoleKind, Entry, Nomination, NominationState
from contest.models.base import utcnow
from tests.factories import (
    announce_results,
    csrf_token,
    login,
    make_competition,
    make_user,
    make_valid_entry,
    province_tree,
)


@pytest.fixture
def world(app, db):
    units = province_tree()
    mine = make_competition("xa-cua-toi", preset="district_commune", unit=units["commune"])
    theirs = make_competition("xa-ben-canh", preset="district_commune", unit=units["other_commune"])
    province = make_competition("tinh-2026", unit=units["department"])
    entries = {}
    for competition in (mine, theirs):
        entries[competition.slug] = [make_valid_entry(competition) for _ in range(3)]
        announce_results(app, competition, entries[competition.slug][:2])
    users = {name: make_user(f"{name}@example.vn") for name in ("mine", "theirs", "province", "province_tk")}
    for user, competition, role in (
        (users["mine"], mine, CompetitionRoleKind.organizer),
        (users["theirs"], theirs, CompetitionRoleKind.organizer),
        (users["province"], province, CompetitionRoleKind.organizer),
        (users["province_tk"], province, CompetitionRoleKind.secretariat),
    ):
        db.session.add(CompetitionRole(competition_id=competition.id, user_id=user.id, role=role, granted_at=utcnow()))
    db.session.commit()
    return {"mine": mine, "theirs": theirs, "province": province, "entries": entries, "users": users}


def _propose(client, slug, entry_id, target_id):
    token = csrf_token(client, f"/manage/{slug}/nominations")
    return client.post(
        f"/manage/{slug}/nominations", data={"csrf_token": token, "entry_id": entry_id, "target": target_id}
    )


def _nominations(db) -> int:
    return db.session.scalar(select(func.count(Nomination.id)))


def test_a_lower_level_organizer_cannot_read_export_or_nominate_another_contests_entries(client, db, world):
    login(client, world["users"]["mine"])
    other = world["entries"]["xa-ben-canh"][0]
    attachment = other.attachments[0]
    for path in (
        "/manage/xa-ben-canh/entries/",
        "/manage/xa-ben-canh/entries/export.csv",
        "/manage/xa-ben-canh/entries/export.xlsx",
        f"/manage/xa-ben-canh/entries/{other.id}",
        f"/teams/{other.team_id}",
        f"/teams/{other.team_id}/entry/attachments/{attachment.id}",
        "/manage/xa-ben-canh/nominations",
        "/manage/tinh-2026/proposals",
    ):
        assert client.get(path).status_code == 403, path
    # Not through its own page either: the entry is not this contest's.
    assert _propose(client, "xa-cua-toi", other.id, world["province"].id).status_code == 404
    # And the old hole is closed: no route copies an entry by its code.
    assert client.post("/manage/tinh-2026/nominate", data={"entry_code": other.code}).status_code in (400, 404)
    assert _nominations(db) == 0


def test_an_upper_level_organizer_cannot_nominate_into_or_from_a_contest_not_theirs(client, db, world):
    login(client, world["users"]["province"])
    winner = world["entries"]["xa-cua-toi"][0]
    # Not from the commune's page (they do not organise it) ...
    token = csrf_token(client, "/manage/tinh-2026/proposals")
    response = client.post(
        "/manage/xa-cua-toi/nominations",
        data={"csrf_token": token, "entry_id": winner.id, "target": world["province"].id},
    )
    assert response.status_code == 403
    # ... nor into their own contest from its page: the entry is not their contest's.
    assert _propose(client, "tinh-2026", winner.id, world["province"].id).status_code == 404
    assert _nominations(db) == 0


def test_a_lower_organizer_nominates_only_into_an_upper_contest_that_takes_it(client, db, world):
    from contest.models import OrgUnitKind
    from tests.factories import make_unit

    elsewhere = make_competition("tinh-khac", unit=make_unit("P-X", "Tỉnh khác", OrgUnitKind.province))
    login(client, world["users"]["mine"])
    winner = world["entries"]["xa-cua-toi"][0]
    page = client.get("/manage/xa-cua-toi/nominations").get_data(as_text=True)
    assert world["province"].name in page and elsewhere.name not in page
    for target in (elsewhere.id, world["theirs"].id):
        assert _propose(client, "xa-cua-toi", winner.id, target).status_code == 400
    assert _nominations(db) == 0


def test_an_entry_that_neither_won_nor_advanced_is_refused_with_the_reason(client, db, world):
    login(client, world["users"]["mine"])
    unplaced = world["entries"]["xa-cua-toi"][2]
    response = _propose(client, "xa-cua-toi", unplaced.id, world["province"].id)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert unplaced.code in page and "không đạt giải và không vào vòng chung kết" in page
    assert _nominations(db) == 0


def test_eligibility_failures_are_named_when_the_upper_level_accepts(client, db, world, app):
    from contest.domain import nominations

    province = world["province"]
    province.team_max = 1
    winner = world["entries"]["xa-cua-toi"][0]
    winner.team.members[0].date_of_birth = date(1970, 3, 3)
    province.age_max = 35
    db.session.commit()
    from contest.domain.teams import MemberDetails, add_member

    add_member(winner.team, MemberDetails(full_name="Võ Thị Hai", date_of_birth=date(2001, 1, 1)))
    with app.test_request_context():
        nomination = nominations.propose(winner, province, world["users"]["mine"])
        db.session.commit()
    login(client, world["users"]["province_tk"])
    token = csrf_token(client, "/manage/tinh-2026/proposals")
    response = client.post(
        f"/manage/tinh-2026/proposals/{nomination.id}", data={"csrf_token": token, "decision": "accept", "reason": ""}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "từ 1 đến 1 thành viên; hiện có 2" in page
    assert winner.team.members[0].full_name in page and "từ – đến 35 tuổi" in page
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).state is NominationState.proposed
    assert db.session.scalar(select(func.count(Entry.id)).where(Entry.competition_id == province.id)) == 0
    # Declining needs a reason, then goes through.
    refused = client.post(
        f"/manage/tinh-2026/proposals/{nomination.id}", data={"csrf_token": token, "decision": "decline", "reason": ""}
    )
    assert refused.status_code == 400
    done = client.post(
        f"/manage/tinh-2026/proposals/{nomination.id}",
        data={"csrf_token": token, "decision": "decline", "reason": "Quá tuổi"},
    )
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).state is NominationState.declined


def test_the_drill_down_lists_what_the_reader_may_count(client, db, world, app):
    from contest.domain import indicators, nominations

    winner = world["entries"]["xa-cua-toi"][0]
    with app.test_request_context():
        indicators.ensure_plan()
        nomination = nominations.propose(winner, world["province"], world["users"]["mine"])
        nominations.accept(nomination, world["users"]["province_tk"])
        db.session.commit()
    login(client, world["users"]["province_tk"])
    page = client.get("/reports/indicators/projects_supported?start=2026&end=2030").get_data(as_text=True)
    assert 'data-records="1"' in page and winner.title in page
    client = app.test_client()
    login(client, world["users"]["theirs"])  # the other commune: its own three projects, not ours
    page = client.get("/reports/indicators/projects_supported?start=2026&end=2030").get_data(as_text=True)
    assert 'data-records="3"' in page
    assert client.get("/reports/indicators/projects_supported?as_of=31-12-2024").status_code == 400
    assert client.get("/reports/indicators/nothing").status_code == 404


def test_a_decision_refused_by_the_form_says_why_and_keeps_the_reason_typed(client, db, world, app):
    """A declining reason longer than the form takes came back as the same page, with
    a 400, no word of what was wrong, and the reason typed gone."""
    from contest.domain import nominations

    with app.test_request_context():
        nomination = nominations.propose(world["entries"]["xa-cua-toi"][0], world["province"], world["users"]["mine"])
        db.session.commit()
    login(client, world["users"]["province_tk"])
    url = "/manage/tinh-2026/proposals"
    token = csrf_token(client, url)
    reason = "Hồ sơ chưa đủ điều kiện vì " + "lý do chi tiết " * 80
    assert len(reason) > 1000
    response = client.post(
        f"{url}/{nomination.id}", data={"csrf_token": token, "decision": "decline", "reason": reason}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "1000" in page  # the form's limit, named
    assert reason.strip() in page  # what was typed is still there
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).state is NominationState.proposed


def test_a_proposal_not_yet_decided_is_withdrawn_by_the_nominating_contest_with_the_team_told(app, client, db, world):
    from contest.models import AuditEvent, OutboxMessage

    entry, other = world["entries"]["xa-cua-toi"][0], world["entries"]["xa-ben-canh"][0]
    login(client, world["users"]["theirs"])
    assert _propose(client, "xa-ben-canh", other.id, world["province"].id).status_code == 302
    theirs = db.session.scalar(select(Nomination).where(Nomination.source_entry_id == other.id))
    client = app.test_client()
    login(client, world["users"]["mine"])
    assert _propose(client, "xa-cua-toi", entry.id, world["province"].id).status_code == 302
    nomination = db.session.scalar(select(Nomination).where(Nomination.source_entry_id == entry.id))
    page = client.get("/manage/xa-cua-toi/nominations").get_data(as_text=True)
    assert f'id="withdraw-{nomination.id}"' in page
    token = csrf_token(client, "/manage/xa-cua-toi/nominations")
    # Another contest's proposal is not reached from here; a reason too long is told, nothing changes.
    assert (
        client.post(f"/manage/xa-cua-toi/nominations/{theirs.id}/withdraw", data={"csrf_token": token}).status_code
        == 404
    )
    too_long = client.post(
        f"/manage/xa-cua-toi/nominations/{nomination.id}/withdraw", data={"csrf_token": token, "reason": "x" * 1001}
    )
    assert too_long.status_code == 400 and "1000" in too_long.get_data(as_text=True)
    done = client.post(
        f"/manage/xa-cua-toi/nominations/{nomination.id}/withdraw",
        data={"csrf_token": token, "reason": "Đề cử nhầm hồ sơ"},
    )
    assert done.status_code == 302
    db.session.refresh(nomination)
    assert nomination.state is NominationState.withdrawn and nomination.reason == "Đề cử nhầm hồ sơ"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "nomination.withdrawn"))
    assert event.actor_id == world["users"]["mine"].id and event.before == {"state": "proposed"}
    told = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.recipient == entry.team.leader.email)
        .order_by(OutboxMessage.id.desc())
    )
    assert "rút lại" in told.subject and "Đề cử nhầm hồ sơ" in told.body_text
    # Withdrawn once: a second click is told so (409), and the row offers no button any more.
    again = client.post(f"/manage/xa-cua-toi/nominations/{nomination.id}/withdraw", data={"csrf_token": token})
    assert again.status_code == 409
    assert f'id="withdraw-{nomination.id}"' not in client.get("/manage/xa-cua-toi/nominations").get_data(as_text=True)


def test_a_contest_closed_for_entries_offers_no_acceptance_and_refuses_one_with_the_reason(client, db, world, app):
    """Accepting into a contest that no longer takes entries made a draft its team could never
    submit; the page offered "Accept" all the same. Now it offers declining only and says why,
    and an acceptance sent anyway is refused (409) with nothing made."""
    from contest.domain import nominations
    from contest.models import CompetitionState, Team

    province = world["province"]
    with app.test_request_context():
        nomination = nominations.propose(world["entries"]["xa-cua-toi"][0], province, world["users"]["mine"])
        db.session.commit()
    login(client, world["users"]["province_tk"])
    url = "/manage/tinh-2026/proposals"
    page = client.get(url).get_data(as_text=True)
    assert '<option value="accept">' in page and 'id="entries-closed"' not in page  # open: accepted as before
    province.state = CompetitionState.closed
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert '<option value="accept">' not in page and '<option value="decline"' in page
    assert 'id="entries-closed"' in page and "hiện không nhận hồ sơ" in page
    token = csrf_token(client, url)
    response = client.post(f"{url}/{nomination.id}", data={"csrf_token": token, "decision": "accept", "reason": ""})
    assert response.status_code == 409
    assert "không thể nộp hồ sơ dự thi" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).state is NominationState.proposed
    assert db.session.scalar(select(func.count(Entry.id)).where(Entry.competition_id == province.id)) == 0
    assert db.session.scalar(select(func.count(Team.id)).where(Team.competition_id == province.id)) == 0
    # Judging has begun: no way back to entries, the page says so.
    province.state = CompetitionState.judging
    db.session.commit()
    assert "không còn nhận hồ sơ" in client.get(url).get_data(as_text=True)
    # Open for entries again: accepted as before.
    province.state = CompetitionState.open
    db.session.commit()
    done = client.post(f"{url}/{nomination.id}", data={"csrf_token": token, "decision": "accept", "reason": ""})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(Nomination, nomination.id).state is NominationState.accepted
    assert db.session.scalar(select(func.count(Entry.id)).where(Entry.competition_id == province.id)) == 1


def test_the_secretariat_reads_nothing_of_the_source_until_the_team_copies_its_dossier_over(client, db, world, app):
    from contest.domain import nominations
    from contest.domain.entries import attachment_bytes
    from contest.models import AttachmentKind

    winner = world["entries"]["xa-cua-toi"][0]
    # A file the provincial contest's rules would refuse (as a press work's recording is).
    description = winner.current_attachments(AttachmentKind.description)[0]
    description.content_type, description.filename = "audio/mpeg", "ban-tin.mp3"
    deck = winner.current_attachments(AttachmentKind.pitch_deck)[0]
    winner.summary, winner.business_model = "Tỏi đen Lý Sơn lên men 60 ngày", "Bán qua hợp tác xã và sàn TMĐT"
    with app.test_request_context():
        nomination = nominations.propose(winner, world["province"], world["users"]["mine"])
    db.session.commit()
    login(client, world["users"]["province_tk"])
    url = "/manage/tinh-2026/proposals"
    token = csrf_token(client, url)
    assert "trang hồ sơ của mình" in client.get(url).get_data(as_text=True)
    done = client.post(f"{url}/{nomination.id}", data={"csrf_token": token, "decision": "accept", "reason": ""})
    assert done.status_code == 302
    db.session.expire_all()
    entry = db.session.get(Nomination, nomination.id).accepted_entry
    # The upper contest's secretariat reads drafts: acceptance gave it nothing of the source dossier.
    page = client.get(f"/manage/tinh-2026/entries/{entry.id}").get_data(as_text=True)
    assert winner.summary not in page and winner.business_model not in page and deck.filename not in page
    assert entry.attachments == [] and entry.summary == ""
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})

    # Someone outside the team may not copy it.
    login(client, world["users"]["theirs"])
    token = csrf_token(client, "/")
    assert client.post(f"/teams/{entry.team_id}/entry/carry-over", data={"csrf_token": token}).status_code == 403
    client.post("/logout", data={"csrf_token": token})

    login(client, winner.team.leader)
    edit = f"/teams/{entry.team_id}/entry"
    page = client.get(edit).get_data(as_text=True)
    assert f"Hồ sơ này được đề cử từ {winner.competition.name} ({winner.code})" in page
    assert "Chép hồ sơ từ cuộc thi cấp dưới" in page and "Chưa có tài liệu nào." in page
    assert client.get(f"{edit}/carry-over").status_code == 405  # POST only
    # What the team typed there is kept.
    token = csrf_token(client, edit)
    client.post(f"{edit}/autosave", json={"problem": "Vấn đề viết lại cho cấp tỉnh"}, headers={"X-CSRFToken": token})
    done = client.post(f"{edit}/carry-over", data={"csrf_token": token}, follow_redirects=True)
    page = done.get_data(as_text=True)
    assert done.status_code == 200 and "Đã chép từ hồ sơ được đề cử" in page
    assert "Không chép: ban-tin.mp3" in page and "MP3" in page
    assert winner.summary in page and winner.business_model in page and deck.filename in page
    assert "Vấn đề viết lại cho cấp tỉnh" in page and "Chép hồ sơ từ cuộc thi cấp dưới" not in page
    db.session.expire_all()
    entry = db.session.get(Entry, entry.id)
    assert entry.problem == "Vấn đề viết lại cho cấp tỉnh" and entry.summary == winner.summary
    copied = entry.current_attachments(AttachmentKind.pitch_deck)[0]
    assert attachment_bytes(copied) == attachment_bytes(deck)
    assert entry.current_attachments(AttachmentKind.description) == []
    # A second press copies nothing more, and says so.
    again = client.post(f"{edit}/carry-over", data={"csrf_token": token}, follow_redirects=True)
    assert "Không còn gì để chép" in again.get_data(as_text=True)
    assert len(db.session.get(Entry, entry.id).current_attachments()) == 1
