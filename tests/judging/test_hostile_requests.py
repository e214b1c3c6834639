"""Judging against hostile requests (contest/request_guard.py): the scoring API's
bodies over the JSON limit refused before they are read, half characters and
deep JSON refused with a message, ids beyond the database's integer range in
the URL, the JSON or an organizer's form refused before any query, nothing
saved. Run on SQLite and on PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from contest.domain.competitions import grant_role
from contest.models import CompetitionRoleKind
from contest.request_guard import DB_INT_MAX, MAX_JSON_DEPTH
from judging.domain.awards import add_tier
from judging.models import Award, AwardTier, Round, Score, ScoreSheet
from tests.factories import (
    CountingBody,
    csrf_token,
    login,
    make_competition,
    make_judge,
    make_round,
    make_user,
    make_valid_entry,
    send_body,
)

MB = 1024 * 1024
TOO_LARGE_JSON = "Dữ liệu đã gửi lớn hơn mức cho phép (tối đa 32 KB)"
HALF_CHARACTER = "một nửa ký tự"
TOO_DEEP = "lồng nhau quá nhiều tầng"


@pytest.fixture
def world(db):
    competition = make_competition()
    entry = make_valid_entry(competition)
    judge = make_judge(competition)
    round_ = make_round(competition, [entry], [judge])
    return {"round": round_, "entry": entry, "judge": judge, "criteria": round_.rubric.criteria}


def _judge_client(app, world):
    client = app.test_client()
    login(client, world["judge"].user)
    client.token = csrf_token(client, "/judge/")
    return client


def _changes_url(world, round_id=None, entry_id=None):
    return f"/api/rounds/{round_id or world['round'].id}/sheets/{entry_id or world['entry'].id}/changes"


def _post_json(client, url, raw: str | bytes):
    return client.post(url, data=raw, content_type="application/json", headers={"X-CSRFToken": client.token})


def _scores(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Score))


@pytest.mark.parametrize("chunked", [False, True])
def test_a_10_mb_json_body_to_the_api_is_not_read_when_anonymous(client, world, chunked):
    body = CountingBody(10 * MB)
    response = send_body(client, "POST", _changes_url(world), body, "application/json", chunked=chunked)
    assert response.status_code in (400, 401, 413)  # CSRF, log-in or size: all before reading
    assert body.read_bytes == 0


def test_a_10_mb_json_body_to_the_api_is_refused_by_its_length_for_a_judge(app, db, world):
    client = _judge_client(app, world)
    body = CountingBody(10 * MB)
    response = send_body(
        client, "POST", _changes_url(world), body, "application/json", headers={"X-CSRFToken": client.token}
    )
    assert response.status_code == 413
    assert TOO_LARGE_JSON in response.json["message"]
    assert body.read_bytes == 0
    assert _scores(db) == 0


def test_a_json_body_without_a_length_is_cut_off_at_the_limit(app, db, world):
    client = _judge_client(app, world)
    body = CountingBody(10 * MB)
    response = send_body(
        client,
        "POST",
        _changes_url(world),
        body,
        "application/json",
        chunked=True,
        headers={"X-CSRFToken": client.token},
    )
    assert response.status_code == 413
    assert TOO_LARGE_JSON in response.json["message"]
    assert body.read_bytes <= 32 * 1024 + 64 * 1024  # the limit and at most one buffer beyond
    assert _scores(db) == 0


def test_a_half_character_in_json_is_refused_and_nothing_saved(app, db, world):
    client = _judge_client(app, world)
    criterion = world["criteria"][0]
    for raw in (
        '{"key": "k1", "comment": "Tốt \\ud83d"}',
        '{"key": "k2\\udc00", "criterion_id": ' + str(criterion.id) + ', "value": 5}',
        '{"key": "k3", "comment": "x", "\\ud83d": 1}',
    ):
        response = _post_json(client, _changes_url(world), raw)
        assert response.status_code == 400, raw
        assert response.json["error"] == "broken_character" and HALF_CHARACTER in response.json["message"]
    assert _scores(db) == 0
    assert db.session.scalar(select(ScoreSheet.comment)) in (None, "")
    # The two halves together are the emoji.
    response = _post_json(client, _changes_url(world), '{"key": "k4", "comment": "Tốt \\ud83d\\ude00"}')
    assert response.status_code == 200
    assert db.session.scalar(select(ScoreSheet.comment)) == "Tốt 😀"


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 5000])
def test_deeply_nested_json_is_refused(app, db, world, depth):
    client = _judge_client(app, world)
    response = _post_json(client, _changes_url(world), "[" * depth + "]" * depth)
    assert response.status_code == 400
    assert response.json["error"] == "too_deep" and TOO_DEEP in response.json["message"]
    nested = '{"key": "k", "comment": "x", "device": ' + "[" * depth + "]" * depth + "}"
    assert _post_json(client, _changes_url(world), nested).status_code == 400
    assert _scores(db) == 0


def test_json_at_the_depth_limit_is_read(app, db, world):
    client = _judge_client(app, world)
    body = '{"key": "k", "comment": "Tốt", "device": ' + "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1) + "}"
    assert _post_json(client, _changes_url(world), body).status_code == 200


def test_ids_beyond_the_database_in_urls_are_not_found(app, db, world):
    client = _judge_client(app, world)
    entry_id = world["entry"].id
    # The largest id the database holds reaches the view, which says the round does not exist ...
    response = client.get(f"/api/rounds/{DB_INT_MAX}/sheets/{entry_id}")
    assert response.status_code == 404 and response.json["message"] == "Vòng thi này không tồn tại."
    # ... one more is no address at all: 404 before any query.
    for url in (
        f"/api/rounds/{DB_INT_MAX + 1}/sheets/{entry_id}",
        f"/api/rounds/{world['round'].id}/sheets/99999999999",
        f"/api/rounds/{'9' * 5000}/sheets/1",
    ):
        response = client.get(url)
        assert response.status_code == 404 and response.json["error"] == "not_found"
    response = _post_json(client, _changes_url(world, round_id=99999999999), '{"key": "k", "comment": "x"}')
    assert response.status_code == 404
    assert client.get("/teams/99999999999/entry").status_code == 404
    assert _scores(db) == 0


@pytest.mark.parametrize("criterion_id", [2**40, -(2**40), DB_INT_MAX + 1])
def test_ids_beyond_the_database_in_json_are_refused(app, db, world, criterion_id):
    client = _judge_client(app, world)
    response = _post_json(
        client, _changes_url(world), json.dumps({"key": "k", "criterion_id": criterion_id, "value": 5})
    )
    assert response.status_code == 400
    assert response.json["message"] == "Không nhận dạng được tiêu chí."
    assert _scores(db) == 0


def test_ids_beyond_the_database_in_an_organizers_form_are_not_found(app, db, world):
    competition = world["round"].competition
    organizer = make_user(name="Ban tổ chức")
    grant_role(competition, organizer.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    add_tier(competition, "Giải Nhất", 1, None)
    db.session.commit()
    client = app.test_client()
    login(client, organizer)
    base = f"/manage/{competition.slug}/judging"
    token = csrf_token(client, base + "/awards")
    for form in (
        {"action": "give", "tier": str(2**40), "code": world["entry"].code},
        {"action": "remove", "award": str(DB_INT_MAX + 1)},
    ):
        response = client.post(base + "/awards", data={"csrf_token": token, "reason": "x", **form})
        assert response.status_code == 404, form
    assert db.session.scalar(select(func.count()).select_from(Award)) == 0
    assert db.session.scalar(select(func.count()).select_from(AwardTier)) == 1
    # The pitch timer keeps its entry when told of one beyond the database.
    round_id = world["round"].id
    response = client.post(
        f"{base}/rounds/{round_id}/timer", data={"csrf_token": token, "action": "start", "entry_id": str(2**40)}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Round, round_id).timer_entry_id is None


def test_numbers_beyond_reason_in_the_results_forms_get_a_message(app, db, world):
    competition = world["round"].competition
    organizer = make_user(name="Ban tổ chức")
    grant_role(competition, organizer.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    db.session.commit()
    round_id = world["round"].id
    client = app.test_client()
    login(client, organizer)
    base = f"/manage/{competition.slug}/judging/rounds/{round_id}"
    token = csrf_token(client, base + "/results")
    for form, message in (
        ({"method": "trimmed", "trim": str(2**40), "min_scores": "3"}, "Chỉ bỏ từ 0 đến 100"),
        ({"method": "mean", "trim": "0", "min_scores": str(2**40)}, "phải từ 1 đến 100"),
    ):
        response = client.post(base + "/results/method", data={"csrf_token": token, **form}, follow_redirects=True)
        assert response.status_code == 200 and message in response.get_data(as_text=True), form
    for form, message in (
        ({"top_n": str(2**40)}, "tối đa 10000"),
        ({"min_total": str(2**40)}, "từ 0 đến 1000"),
        ({"min_total": "-1"}, "từ 0 đến 1000"),
    ):
        response = client.post(
            base + "/advancement", data={"csrf_token": token, "action": "rule", **form}, follow_redirects=True
        )
        assert response.status_code == 200 and message in response.get_data(as_text=True), form
    db.session.expire_all()
    saved = db.session.get(Round, round_id)
    assert saved.result_trim == 0 and saved.result_min_scores == 3
    assert saved.advance_top_n is None and saved.advance_min_total is None


def test_a_prize_typed_as_2e9_is_refused_not_saved_blank(app, db, world):
    """ "2e9" passed the browser's number input and was read as no prize; amounts are whole đồng."""
    competition = world["round"].competition
    organizer = make_user(name="Ban tổ chức")
    grant_role(competition, organizer.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    db.session.commit()
    client = app.test_client()
    login(client, organizer)
    page = f"/manage/{competition.slug}/judging/awards"
    token = csrf_token(client, page)
    for prize, count in (("2e9", "1"), ("5tr", "1"), ("50.000.000", "ba")):
        response = client.post(
            page, data={"csrf_token": token, "action": "tier", "name": "Giải Nhất", "count": count, "prize": prize}
        )
        text = response.get_data(as_text=True)
        assert response.status_code == 400, prize
        assert "Đã thêm hạng giải." not in text
        assert f'value="{prize}"' in text  # what was typed is kept
        assert ("Hãy nhập một số nguyên." if count == "ba" else "500.000.000") in text
    assert db.session.scalar(select(func.count()).select_from(AwardTier)) == 0
    response = client.post(
        page, data={"csrf_token": token, "action": "tier", "name": "Giải Nhất", "count": "2", "prize": "50.000.000"}
    )
    assert response.status_code == 302
    tier = db.session.scalar(select(AwardTier))
    assert (tier.count_per_board, tier.prize_amount) == (2, 50_000_000)
