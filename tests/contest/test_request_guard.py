"""What a request may carry (contest/request_guard.py): each route's body limit
enforced before the body is read, the log-in asked for before an anonymous form
is read, NUL, half characters and deep JSON refused with a message where they
are parsed, ids beyond the database's integer range never reaching it.
Judging's side is tests/judging/test_hostile_requests.py. Run on SQLite and on
PostgreSQL (TEST_DATABASE_URL)."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from contest.models import Entry, User
from contest.request_guard import DB_INT_MAX, DatabaseIntConverter
from tests.factories import (
    CountingBody,
    csrf_token,
    login,
    make_competition,
    make_team,
    make_user,
    pdf_bytes,
    send_body,
)

MB = 1024 * 1024
# The Vietnamese messages (the default locale): each refusal says why, translated.
TOO_LARGE_FORM = "Biểu mẫu lớn hơn mức cho phép (tối đa 1 MB)"
NO_BODY = "Địa chỉ này không nhận dữ liệu gửi kèm trong yêu cầu"
HALF_CHARACTER = "một nửa ký tự"
NUL = "(NUL)"
SURROGATE_UTF8 = "%ED%A0%BD"  # U+D83D, the first half of 😀, as a client keeping lone surrogates encodes it


def _text(response) -> str:
    return response.get_data(as_text=True)


# -- bodies: each route's limit, before reading ----------------------------------------------


def test_a_10_mb_body_to_healthz_is_refused_unread(client):
    body = CountingBody(10 * MB)
    response = send_body(client, "GET", "/healthz", body, "application/json")
    assert response.status_code == 413
    assert response.json["error"] == "too_large" and NO_BODY in response.json["message"]
    assert body.read_bytes == 0


@pytest.mark.parametrize("chunked", [False, True])
def test_a_10_mb_json_body_to_a_json_route_is_not_read_when_anonymous(client, db, chunked):
    team = make_team(make_competition())
    body = CountingBody(10 * MB)
    response = send_body(client, "POST", f"/teams/{team.id}/entry/autosave", body, "application/json", chunked=chunked)
    assert response.status_code in (400, 413)  # CSRF or size: both before reading
    assert body.read_bytes == 0


def test_an_anonymous_form_to_a_signed_in_route_gets_the_log_in_page_unread(client, db):
    body = CountingBody(900 * 1024, fill=b"a")  # within the form limit: refused for the log-in, not the size
    response = send_body(client, "POST", "/account/", body, "application/x-www-form-urlencoded")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert body.read_bytes == 0


def test_a_form_over_the_form_limit_is_refused_unread(client, db):
    user = make_user(name="Trần Thị Bình")
    login(client, user)
    token = csrf_token(client, "/account/")
    body = CountingBody(MB + 1, fill=b"a")
    response = send_body(client, "POST", "/account/", body, "application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert TOO_LARGE_FORM in _text(response)
    assert body.read_bytes == 0
    # One whose length is not announced is cut off at the limit.
    body = CountingBody(10 * MB, fill=b"a")
    response = send_body(client, "POST", "/account/", body, "application/x-www-form-urlencoded", chunked=True)
    assert response.status_code == 413 and TOO_LARGE_FORM in _text(response)
    assert body.read_bytes <= MB + 64 * 1024
    multipart = client.post(
        "/account/",
        content_type="multipart/form-data",
        data={"csrf_token": token, "full_name": "Bình", "locale": "vi", "file": (io.BytesIO(b"x" * (2 * MB)), "a.pdf")},
    )
    assert multipart.status_code == 413
    db.session.expire_all()
    assert db.session.get(User, user.id).full_name == "Trần Thị Bình"


def test_a_public_form_has_the_same_limit(client, db):
    body = CountingBody(2 * MB, fill=b"a")
    response = send_body(client, "POST", "/login", body, "application/x-www-form-urlencoded")
    assert response.status_code == 413 and TOO_LARGE_FORM in _text(response)
    assert body.read_bytes == 0


def test_an_upload_larger_than_a_form_still_works(client, db):
    """The upload route has its own limit (the largest file and its form), above the forms' 1 MB."""
    team = make_team(make_competition())
    login(client, team.leader)
    token = csrf_token(client, f"/teams/{team.id}/entry")
    pdf = pdf_bytes()
    deck = pdf + b"%" + b"a" * (3 * MB) + b"\n" + pdf[pdf.rindex(b"startxref") :]  # a comment, then the trailer again
    response = client.post(
        f"/teams/{team.id}/entry/upload",
        content_type="multipart/form-data",
        data={"csrf_token": token, "kind": "pitch_deck", "file": (io.BytesIO(deck), "deck.pdf")},
    )
    assert response.status_code == 302
    assert [a.size for a in db.session.scalars(select(Entry)).one().attachments] == [len(deck)]
    # Above the route's limit: 413 with the limit named, before reading.
    body = CountingBody(30 * MB, fill=b"a")
    response = send_body(client, "POST", f"/teams/{team.id}/entry/upload", body, "multipart/form-data; boundary=x")
    assert response.status_code == 413 and "21 MB" in _text(response)
    assert body.read_bytes == 0


def test_the_entry_autosave_takes_every_field_at_its_longest(client, db):
    team = make_team(make_competition())
    login(client, team.leader)
    token = csrf_token(client, f"/teams/{team.id}/entry")
    values = {
        "title": "ễ" * 250,
        "summary": "ễ" * 2000,
        **{k: "ễ" * 5000 for k in ("problem", "solution", "customers_market", "business_model")},
        "team_strengths": "ễ" * 3000,
    }
    raw = json.dumps(values, ensure_ascii=True)  # 6 bytes a character, the worst a client may send
    assert len(raw) > 150_000
    response = client.post(
        f"/teams/{team.id}/entry/autosave", data=raw, content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 200, response.json


# -- text: NUL, half characters, deep JSON -----------------------------------------------------


def test_a_half_character_in_a_form_field_is_refused(client, db):
    user = make_user(name="Trần Thị Bình")
    login(client, user)
    token = csrf_token(client, "/account/")
    for name in (f"Bình{SURROGATE_UTF8}", "Bình%FF"):
        response = client.post(
            "/account/",
            data=f"csrf_token={token}&locale=vi&full_name={name}",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 400 and HALF_CHARACTER in _text(response)
    # Raw bytes that are not UTF-8 too (Werkzeug would drop the whole form silently).
    response = client.post(
        "/account/",
        data=f"csrf_token={token}&locale=vi&full_name=B".encode() + b"\xed\xa0\xbd",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400 and HALF_CHARACTER in _text(response)
    response = client.post(
        "/account/",
        data={"csrf_token": token, "locale": "vi", "full_name": "a\x00b"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and NUL in _text(response)
    db.session.expire_all()
    assert db.session.get(User, user.id).full_name == "Trần Thị Bình"
    # A whole emoji is text like any other.
    response = client.post("/account/", data={"csrf_token": token, "locale": "vi", "full_name": "Bình 😀"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).full_name == "Bình 😀"


@pytest.mark.parametrize("query", [f"q={SURROGATE_UTF8}", "q=%FF", "q=a%00b"])
def test_a_bad_query_argument_is_refused_on_any_route(client, db, query):
    for path in ("/", "/healthz", "/login"):
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert (NUL if "%00" in query else HALF_CHARACTER) in _text(response)


def test_raw_bytes_that_are_not_utf8_in_the_query_are_refused(client, db):
    response = client.get("/login", environ_overrides={"QUERY_STRING": "next=\xed\xa0\xbd"})
    assert response.status_code == 400 and HALF_CHARACTER in _text(response)


def test_a_half_character_in_the_entry_autosave_is_refused(client, db):
    team = make_team(make_competition())
    login(client, team.leader)
    token = csrf_token(client, f"/teams/{team.id}/entry")
    url = f"/teams/{team.id}/entry/autosave"
    assert client.post(url, json={"title": "Tỏi đen"}, headers={"X-CSRFToken": token}).status_code == 200
    response = client.post(
        url, data='{"title": "Tỏi \\ud83d"}', content_type="application/json", headers={"X-CSRFToken": token}
    )
    assert response.status_code == 400 and HALF_CHARACTER in response.json["message"]
    response = client.post(url, json={"summary": "a\x00b"}, headers={"X-CSRFToken": token})
    assert response.status_code == 400 and NUL in response.json["message"]
    db.session.expire_all()
    assert db.session.scalars(select(Entry)).one().title == "Tỏi đen"


def test_deep_json_to_any_route_is_no_500_when_anonymous(client, db):
    team = make_team(make_competition())
    deep = "[" * 5000 + "]" * 5000
    for url in ("/healthz", "/login", "/", f"/teams/{team.id}/entry/autosave", f"/teams/{team.id}/entry"):
        for method in ("GET", "POST"):
            response = client.open(url, method=method, data=deep, content_type="application/json")
            assert response.status_code < 500, (method, url)


def test_deep_json_to_the_autosave_is_refused(client, db):
    team = make_team(make_competition())
    login(client, team.leader)
    token = csrf_token(client, f"/teams/{team.id}/entry")
    response = client.post(
        f"/teams/{team.id}/entry/autosave",
        data='{"title": ' + "[" * 5000 + "]" * 5000 + "}",
        content_type="application/json",
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 400 and response.json["error"] == "too_deep"


# -- ids beyond the database's integer ----------------------------------------------------------


def test_every_int_in_a_url_is_bounded_to_the_database(app):
    converters = [
        c for rule in app.url_map.iter_rules() for c in rule._converters.values() if isinstance(c, IntegerConverter)
    ]
    assert len(converters) > 50
    assert all(isinstance(c, DatabaseIntConverter) and c.max == DB_INT_MAX for c in converters)


def test_ids_beyond_the_database_in_urls_are_not_found(client, db):
    team = make_team(make_competition())
    login(client, team.leader)
    assert client.get(f"/teams/{team.id}/entry").status_code == 200
    for team_id in (DB_INT_MAX + 1, 99999999999, "9" * 5000):
        assert client.get(f"/teams/{team_id}/entry").status_code == 404
