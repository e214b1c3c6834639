"""The audience vote's pages: a visitor confirms an address by the code in the
outbox and votes once; the live count is served from the cache; limits per
address; the organizers open a vote, void votes with a reason and freeze."""

from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta

import pytest
from sqlalchemy import select

from contest import cache
from contest.models import CompetitionRoleKind
from contest.models.base import utcnow
from judging.models import Vote, VoteCampaign, VoteCode, VoteSnapshot
from tests.conftest import make_app
from tests.factories import (
    csrf_token,
    login,
    make_competition,
    make_user,
    make_valid_entry,
    make_vote,
    vote_code_from_outbox,
)


@pytest.fixture
def vote(db):
    competition = make_competition()
    entries = [make_valid_entry(competition, name=f"Đội bình chọn {i}") for i in range(2)]
    return make_vote(competition, entries), entries


def _url(campaign, tail: str = "") -> str:
    return f"/c/{campaign.competition.slug}/vote/{campaign.id}{tail}"


def _confirm(client, campaign, email: str):
    token = csrf_token(client, _url(campaign))
    response = client.post(_url(campaign, "/code"), data={"csrf_token": token, "email": email})
    assert response.status_code == 302, response.get_data(as_text=True)
    code = vote_code_from_outbox(email)
    return client.post(_url(campaign, "/confirm"), data={"csrf_token": token, "code": code}), token


def test_a_visitor_confirms_an_address_votes_once_and_is_refused_politely_the_second_time(client, db, vote):
    campaign, entries = vote
    token = csrf_token(client, _url(campaign))
    client.post(_url(campaign, "/code"), data={"csrf_token": token, "email": "khach@example.vn"})
    wrong = client.post(_url(campaign, "/confirm"), data={"csrf_token": token, "code": "000000x"})
    if vote_code_from_outbox("khach@example.vn") != "000000":
        assert wrong.status_code == 400 and "Mã không đúng" in wrong.get_data(as_text=True)
    response, token = _confirm(client, campaign, "khach@example.vn")
    assert response.status_code == 302
    page = client.get(_url(campaign)).get_data(as_text=True)
    assert "khach@example.vn" in page and "Bình chọn cho" in page
    cast = client.post(_url(campaign, "/cast"), data={"csrf_token": token, "entry": entries[0].id})
    assert cast.status_code == 302
    assert "đã bình chọn cho Tỏi đen Lý Sơn" in client.get(_url(campaign)).get_data(as_text=True)
    again = client.post(_url(campaign, "/cast"), data={"csrf_token": token, "entry": entries[1].id})
    assert again.status_code == 409
    assert "Địa chỉ e-mail này đã bình chọn ở hạng mục này. Xin cảm ơn!" in again.get_data(as_text=True)
    assert db.session.scalars(select(Vote.candidate_id)).all() == [campaign.candidates[0].id]


def test_at_a_shared_device_the_next_person_starts_again_with_their_own_address(client, db, vote):
    campaign, entries = vote
    response, token = _confirm(client, campaign, "nguoi-truoc@example.vn")
    client.post(_url(campaign, "/cast"), data={"csrf_token": token, "entry": entries[0].id})
    page = client.get(_url(campaign)).get_data(as_text=True)
    assert "nguoi-truoc@example.vn" in page and "Không phải bạn? Bình chọn bằng địa chỉ khác" in page
    forgotten = client.post(_url(campaign, "/forget"), data={"csrf_token": token}, follow_redirects=True)
    page = forgotten.get_data(as_text=True)
    assert forgotten.status_code == 200 and "nguoi-truoc@example.vn" not in page
    assert "Thiết bị này không còn bình chọn bằng địa chỉ đó." in page and 'name="email"' in page
    assert client.post(_url(campaign, "/forget"), data={}).status_code == 400  # no CSRF token
    _response, token = _confirm(client, campaign, "nguoi-sau@example.vn")
    assert client.post(_url(campaign, "/cast"), data={"csrf_token": token, "entry": entries[1].id}).status_code == 302
    assert len(db.session.scalars(select(Vote.id)).all()) == 2  # the first person's vote stays


def test_voting_needs_a_confirmed_address_and_bad_input_is_a_4xx(client, db, vote):
    campaign, entries = vote
    token = csrf_token(client, _url(campaign))
    unconfirmed = client.post(_url(campaign, "/cast"), data={"csrf_token": token, "entry": entries[0].id})
    assert unconfirmed.status_code == 302 and not db.session.scalars(select(Vote)).all()
    assert client.post(_url(campaign, "/confirm"), data={"csrf_token": token, "code": "1"}).status_code == 302
    bad = client.post(_url(campaign, "/code"), data={"csrf_token": token, "email": "x@mailinator.com"})
    assert bad.status_code == 400 and "dùng một lần" in bad.get_data(as_text=True)
    _confirm(client, campaign, "hop-le@example.vn")
    for entry in ("99999999999999999999", "abc", ""):
        response = client.post(_url(campaign, "/cast"), data={"csrf_token": token, "entry": entry})
        assert response.status_code == 400
    assert client.get(f"/c/{campaign.competition.slug}/vote/999999").status_code == 404
    # A step's address opened by hand goes back to the vote's page.
    assert client.get(_url(campaign, "/cast")).location.endswith(_url(campaign))


def test_a_signed_in_voter_with_a_confirmed_account_needs_no_code(client, db, vote):
    campaign, entries = vote
    user = make_user("tai-khoan@example.vn")
    login(client, user)
    token = csrf_token(client, _url(campaign))
    assert client.post(_url(campaign, "/cast"), data={"csrf_token": token, "entry": entries[1].id}).status_code == 302
    assert db.session.scalar(select(Vote.voter_email)) == "tai-khoan@example.vn"


def test_the_live_count_is_served_from_the_cache_like_the_results_page(client, db, vote):
    from judging.domain import votes

    campaign, entries = vote
    votes.cast_vote(campaign, entries[0].id, "mot@example.vn")
    db.session.commit()
    first = client.get(_url(campaign, "/count"))
    assert first.status_code == 200 and "public" in first.headers["Cache-Control"]
    assert re.search(rf'data-votes="{entries[0].id}">1<', first.get_data(as_text=True))
    votes.cast_vote(campaign, entries[0].id, "hai@example.vn")
    db.session.commit()
    assert client.get(_url(campaign, "/count")).get_data() == first.get_data()  # kept for COUNT_SECONDS
    cache.clear()
    assert re.search(rf'data-votes="{entries[0].id}">2<', client.get(_url(campaign, "/count")).get_data(as_text=True))


def test_a_hidden_count_shows_no_numbers(client, db):
    from judging.domain import votes

    competition = make_competition()
    entry = make_valid_entry(competition)
    campaign = make_vote(competition, [entry], count_public=False)
    votes.cast_vote(campaign, entry.id, "an@example.vn")
    db.session.commit()
    count = client.get(_url(campaign, "/count")).get_data(as_text=True)
    assert "công bố khi kết thúc" in count and "data-votes" not in count
    assert "data-votes" not in client.get(_url(campaign)).get_data(as_text=True)


@contextmanager
def _vote_with_limits(database_url, tmp_path, **limits):
    """An app with the rate limits on (as set), an open category, a visitor's client
    and its CSRF token; the tables and the limiter's counts emptied after."""
    from contest.extensions import db
    from tests.conftest import empty_tables

    app = make_app(database_url, UPLOAD_FOLDER=str(tmp_path), RATELIMIT_ENABLED=True, **limits)
    with app.app_context():
        try:
            competition = make_competition()
            campaign = make_vote(competition, [make_valid_entry(competition)])
            client = app.test_client()
            yield app, campaign, client, csrf_token(client, _url(campaign))
        finally:
            db.session.remove()
            empty_tables(db.engine)
            db.engine.dispose()
            cache.clear()


def test_codes_are_limited_per_address_and_per_network(database_url, tmp_path):
    from contest.extensions import db

    limits = {"RATELIMIT_VOTE_ADDRESS": "2 per minute", "RATELIMIT_VOTE_NETWORK": "6 per minute"}
    with _vote_with_limits(database_url, tmp_path, **limits) as (_app, campaign, client, token):

        def ask(email):
            return client.post(_url(campaign, "/code"), data={"csrf_token": token, "email": email}).status_code

        assert [ask("mot@example.vn") for _ in range(3)] == [302, 302, 429]
        # Other addresses from the same network go on until the network's six requests are spent.
        answers = [ask(f"khac{i}@example.vn") for i in range(5)]
        assert answers[:2] == [302, 302] and answers[-1] == 429
        assert len(db.session.scalars(select(VoteCode.id)).all()) <= 6


def test_the_halls_trusted_network_has_the_halls_limit(database_url, tmp_path):
    from contest.extensions import db
    from judging.domain import votes

    limits = {"RATELIMIT_VOTE_NETWORK": "3 per minute", "RATELIMIT_VOTE_HALL_NETWORK": "8 per minute"}
    with _vote_with_limits(database_url, tmp_path, **limits) as (app, campaign, client, token):

        def ask(i):
            return client.post(
                _url(campaign, "/code"), data={"csrf_token": token, "email": f"hoi-truong{i}@example.vn"}
            )

        assert [ask(i).status_code for i in range(4)] == [302, 302, 302, 429]
        with app.test_request_context():
            votes.trust_network(campaign, "127.0.0.1", by=make_user(admin=True))
            db.session.commit()
        # The test client's network (127.0.0.0/24) is now the hall: its own limit (counted apart) holds.
        assert [ask(i).status_code for i in range(4, 13)] == [302] * 8 + [429]


def test_organizers_open_a_vote_void_with_a_reason_and_freeze(client, db):
    from contest.domain.competitions import grant_role
    from judging.domain import votes

    competition = make_competition()
    entries = [make_valid_entry(competition, name=f"Đội {i}") for i in range(2)]
    organizer = make_user("btc@example.vn")
    grant_role(competition, organizer.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    db.session.commit()
    login(client, organizer)
    base = f"/manage/{competition.slug}/votes/"
    token = csrf_token(client, base)
    form = {
        "csrf_token": token,
        "name": "Dự án được yêu thích nhất",
        "opens_at": "2026-01-01T08:00",
        "closes_at": "2099-01-01T08:00",
        "count_public": "y",
        "refuse_disposable": "y",
        "burst_threshold": "20",
    }
    refused = client.post(base, data=form)  # no entry chosen
    assert refused.status_code == 400 and "Chọn ít nhất một hồ sơ đã nộp" in refused.get_data(as_text=True)
    created = client.post(base, data={**form, "entries": [str(e.id) for e in entries]})
    assert created.status_code == 302
    campaign = db.session.scalar(select(VoteCampaign))
    assert [c.entry_id for c in campaign.candidates] == [e.id for e in entries]
    votes.cast_vote(campaign, entries[0].id, "a@example.vn")
    votes.cast_vote(campaign, entries[0].id, "b@example.vn")
    db.session.commit()
    page = f"{base}{campaign.id}"
    ids = [str(v) for v in db.session.scalars(select(Vote.id).where(Vote.voter_email == "a@example.vn"))]
    no_reason = client.post(f"{page}/void", data={"csrf_token": token, "votes": ids, "reason": ""})
    assert no_reason.status_code == 400
    voided = client.post(f"{page}/void", data={"csrf_token": token, "votes": ids, "reason": "Trùng người"})
    assert voided.status_code == 302
    early = client.post(f"{page}/freeze", data={"csrf_token": token, "award_tier": "0"})
    assert early.status_code == 409
    campaign.closes_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert client.post(f"{page}/freeze", data={"csrf_token": token, "award_tier": "0"}).status_code == 302
    snapshot = db.session.scalar(select(VoteSnapshot))
    assert snapshot.counts[0]["votes"] == 1 and snapshot.voided[0]["reason"] == "Trùng người"
    shown = client.get(page).get_data(as_text=True)
    assert "Trùng người" in shown and snapshot.inputs_hash in shown
    assert 'id="stale-count"' not in shown
    # A vote found dishonest after the freeze: the page says the frozen count no longer holds...
    late = [str(v) for v in db.session.scalars(select(Vote.id).where(Vote.voter_email == "b@example.vn"))]
    assert (
        client.post(f"{page}/void", data={"csrf_token": token, "votes": late, "reason": "Phát hiện muộn"}).status_code
        == 302
    )
    shown = client.get(page).get_data(as_text=True)
    assert 'id="stale-count"' in shown and "Hãy chốt lại kết quả" in shown
    # ...until it is frozen again.
    assert client.post(f"{page}/freeze", data={"csrf_token": token, "award_tier": "0"}).status_code == 302
    assert 'id="stale-count"' not in client.get(page).get_data(as_text=True)


def test_organizers_accept_the_halls_burst_and_keep_its_network_trusted(client, db):
    from contest.domain.competitions import grant_role
    from contest.models import AuditEvent
    from judging.domain import votes

    competition = make_competition()
    entries = [make_valid_entry(competition, name=f"Đội {i}") for i in range(2)]
    organizer = make_user("btc@example.vn")
    grant_role(competition, organizer.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    campaign = make_vote(competition, entries, burst_threshold=3)
    for i in range(3):
        votes.cast_vote(campaign, entries[0].id, f"hoi-truong{i}@example.vn", network="203.113.5.0/24")
    db.session.commit()
    login(client, organizer)
    page = f"/manage/{competition.slug}/votes/{campaign.id}"
    token = csrf_token(client, page)
    shown = client.get(page).get_data(as_text=True)
    assert "Đây là mạng của hội trường" in shown and "Chấp nhận các lượt bình chọn này" in shown
    assert "Chưa có mạng nào được tin cậy" in shown

    # Bad input: a 400 with the reason in Vietnamese, nothing changed.
    no_reason = client.post(f"{page}/accept", data={"csrf_token": token, "network": "203.113.5.0/24", "reason": ""})
    assert no_reason.status_code == 400 and "Lý do" in no_reason.get_data(as_text=True)
    other = client.post(f"{page}/accept", data={"csrf_token": token, "network": "192.0.2.0/24", "reason": "Wi-Fi"})
    assert other.status_code == 400 and "Không có lượt bình chọn bị đánh dấu" in other.get_data(as_text=True)
    bad = client.post(f"{page}/networks", data={"csrf_token": token, "network": "203.113.5.0/99"})
    assert bad.status_code == 400 and "Nhập một mạng như 203.113.5.0/24" in bad.get_data(as_text=True)
    broad = client.post(f"{page}/networks", data={"csrf_token": token, "network": "10.0.0.0/8"})
    assert broad.status_code == 400 and "quá rộng" in broad.get_data(as_text=True)
    assert client.post(f"{page}/networks", data={"csrf_token": token, "network": ""}).status_code == 400
    gone = client.post(f"{page}/networks/remove", data={"csrf_token": token, "network": "192.0.2.0/24"})
    assert gone.status_code == 400 and "không nằm trong danh sách" in gone.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(VoteCampaign, campaign.id).trusted_networks == []

    # One click from the burst's row: the hall's Wi-Fi.
    accepted = client.post(
        f"{page}/accept", data={"csrf_token": token, "network": "203.113.5.0/24", "reason": "Wi-Fi của hội trường"}
    )
    assert accepted.status_code == 302
    db.session.expire_all()
    assert db.session.get(VoteCampaign, campaign.id).trusted_networks == ["203.113.5.0/24"]
    assert not any(db.session.scalars(select(Vote.flagged)))
    shown = client.get(page).get_data(as_text=True)
    assert "Không có đợt bình chọn dồn dập nào bị đánh dấu" in shown and "Thôi tin cậy 203.113.5.0/24" in shown
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "vote.burst_accepted"))
    assert event.reason == "Wi-Fi của hội trường"

    # Trust another network by hand, then stop trusting the hall's.
    assert client.post(f"{page}/networks", data={"csrf_token": token, "network": "198.51.100.7"}).status_code == 302
    removed = client.post(f"{page}/networks/remove", data={"csrf_token": token, "network": "203.113.5.0/24"})
    assert removed.status_code == 302
    db.session.expire_all()
    assert db.session.get(VoteCampaign, campaign.id).trusted_networks == ["198.51.100.0/24"]
    actions = list(db.session.scalars(select(AuditEvent.action).where(AuditEvent.action.like("vote.%"))))
    assert {"vote.burst_accepted", "vote.network_trusted", "vote.network_untrusted"} <= set(actions)


@pytest.mark.parametrize(
    ("opens", "closes"), [("0001-01-01T00:00", "2099-01-01T08:00"), ("2026-01-01T08:00", "9999-12-31T23:59")]
)
def test_a_vote_period_at_the_ends_of_the_calendar_is_refused_with_a_message(client, db, opens, closes):
    from contest.domain.competitions import grant_role

    competition = make_competition()
    entry = make_valid_entry(competition)
    organizer = make_user("btc@example.vn")
    grant_role(competition, organizer.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    db.session.commit()
    login(client, organizer)
    base = f"/manage/{competition.slug}/votes/"
    form = {"csrf_token": csrf_token(client, base), "name": "Bình chọn", "opens_at": opens, "closes_at": closes}
    response = client.post(base, data={**form, "burst_threshold": "20", "entries": str(entry.id)})
    assert response.status_code == 400 and "Hãy nhập năm, ví dụ 2026." in response.get_data(as_text=True)
    assert not db.session.scalars(select(VoteCampaign)).all()
