"""Session cookies verified once are served from memory, with the same rules."""

import time

import pytest
from flask import session

from contest.sessions import VerifiedCookieSessionInterface


@pytest.fixture
def sessions(app):
    interface = app.session_interface
    assert isinstance(interface, VerifiedCookieSessionInterface)
    interface._verified.clear()

    @app.get("/_test/session/set")
    def _set():
        session["name"] = "Giám khảo An"
        return "ok"

    @app.get("/_test/session/flash")
    def _flash():
        session["notes"] = ["một"]
        return "ok"

    @app.get("/_test/session/read")
    def _read():
        return {"name": session.get("name"), "notes": session.get("notes")}

    @app.get("/_test/session/append")
    def _append():
        session["notes"].append("hai")      # changed in place, as flashed messages are
        return "ok"

    return interface


def _cookie(client):
    return client.get_cookie("session").value


def test_a_cookie_verified_once_is_read_from_memory(app, sessions):
    client = app.test_client()
    client.get("/_test/session/set")
    assert client.get("/_test/session/read").json["name"] == "Giám khảo An"
    assert _cookie(client) in sessions._verified
    assert client.get("/_test/session/read").json["name"] == "Giám khảo An"


def test_a_tampered_cookie_gives_an_empty_session(app, sessions):
    client = app.test_client()
    client.get("/_test/session/set")
    client.get("/_test/session/read")
    good = _cookie(client)
    forged = good[:-2] + ("AA" if not good.endswith("AA") else "BB")
    client.set_cookie("session", forged)
    assert client.get("/_test/session/read").json["name"] is None


def test_an_expired_cookie_is_refused_though_remembered(app, sessions, monkeypatch):
    client = app.test_client()
    client.get("/_test/session/set")
    client.get("/_test/session/read")
    lifetime = app.permanent_session_lifetime.total_seconds()
    later = time.time() + lifetime + 60
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get("/_test/session/read").json["name"] is None


def test_a_session_holding_a_list_is_not_remembered(app, sessions):
    client = app.test_client()
    client.get("/_test/session/flash")
    cookie = _cookie(client)
    client.get("/_test/session/append")     # same cookie sent; the answer sets a new one
    client.set_cookie("session", cookie)     # the old cookie again
    assert client.get("/_test/session/read").json["notes"] == ["một"]
    assert cookie not in sessions._verified
