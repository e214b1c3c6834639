"""Two app instances share state: two gunicorn processes on different ports,
one PostgreSQL and one Redis.

- The log-in limits count across both processes: failed log-ins for one
  account sent alternately to A and B lock it from the 11th on (10 per
  15 minutes per account), and failed log-ins for many accounts from one
  address are refused from the 21st on (20 a minute per address), whichever
  process gets them. With memory storage (no REDIS_URL) the first sequence is
  not limited, because each process counts only its own half.
- Results published through A are served by B at once, with the same bytes
  and content hash as A; once B keeps them (in the app's cache, in Redis:
  contest/cache.py), a withdrawal through A is what B answers next.

Needs PostgreSQL and Redis on 127.0.0.1 (CI starts both): skipped otherwise.
The test makes its own database `two_instances_<random>` and uses Redis db 5,
and removes both when it ends.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bench.http_load import Client, Gunicorn
from contest.models.base import Base
from tests.conftest import make_app

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379/5"
SECRET_KEY = "two-instances-secret-key-of-enough-length-0123456789"
REQUEST_TIMEOUT = 15  # seconds, for any single HTTP request


def _admin_url() -> str:
    base = os.environ.get("TEST_DATABASE_URL", "")
    if base.startswith("postgresql"):
        return make_url(base).set(database="postgres").render_as_string(hide_password=False)
    return PG_ADMIN_URL


@pytest.fixture
def redis_db():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    client.flushdb()
    try:
        yield client
    finally:
        client.flushdb()
        client.close()


@pytest.fixture
def pg_database():
    """A fresh PostgreSQL database of our own, dropped at the end."""
    admin = create_engine(_admin_url(), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"two_instances_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        pytest.skip(f"PostgreSQL is not reachable at {make_url(_admin_url())!r}: {error.orig}")
    try:
        yield make_url(_admin_url()).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _seed(url: str, tmp_path) -> dict:
    """A competition with a frozen round and awards, not yet published, and its organizer."""
    import contest.models  # noqa: F401 - register contest's tables
    import judging.models  # noqa: F401 - and judging's
    from contest.domain.competitions import grant_role
    from contest.extensions import db
    from contest.models import CompetitionRoleKind
    from judging.domain import awards, results
    from judging.domain.scoring import Change, apply_change, submit_sheet
    from judging.models import RoundState
    from tests.factories import (
        make_competition,
        make_judge,
        make_round,
        make_user,
        make_valid_entry,
    )

    app = make_app(url, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    with app.app_context():
        Base.metadata.create_all(db.engine)
        competition = make_competition("hai-may-chu-2026")
        entries = [make_valid_entry(competition, name=f"Đội hai máy {i}") for i in range(2)]
        judge = make_judge(competition)
        round_ = make_round(competition, entries, [judge])
        organizer = make_user("bantochuc@example.vn", name="Ban tổ chức")
        grant_role(competition, organizer.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
        with app.test_request_context():
            for n, entry in enumerate(entries):
                for c in round_.rubric.criteria:
                    apply_change(
                        round_.id,
                        entry.id,
                        judge.user_id,
                        Change(f"{entry.id}-{c.id}", c.id, c.max_points - n, None, None),
                    )
                submit_sheet(round_.id, entry.id, judge.user_id)
            round_.state = RoundState.locked
            snapshot = results.freeze(round_, None)
            awards.ensure_default_tiers(competition)
            awards.propose(competition, snapshot)
        db.session.commit()
        seeded = {"slug": competition.slug, "organizer": organizer.email}
        db.session.remove()
        db.engine.dispose()
    return seeded


def _server_env(url: str, tmp_path, redis_url: str) -> dict[str, str]:
    # Production settings, except TRUSTED_PROXY_COUNT=0 (no nginx in front here).
    # Its session cookie is marked Secure; bench's Client sends cookies back anyway.
    return {
        "APP_CONFIG": "production",
        "DATABASE_URL": url,
        "REDIS_URL": redis_url,
        "SECRET_KEY": SECRET_KEY,
        "PUBLIC_BASE_URL": "http://127.0.0.1",
        "TRUSTED_PROXY_COUNT": "0",
        "OUTBOX_IN_PROCESS": "0",
        "LOG_REQUESTS": "0",
        "INSTANCE_PATH": str(tmp_path / "instance"),
    }


@contextmanager
def _servers(*envs):
    """One gunicorn process (1 worker) per env, each on its own port; all stopped at the end."""
    servers = [Gunicorn("wsgi:app", env, workers=1, threads=4) for env in envs]
    clients = []
    try:
        for server in servers:
            server.__enter__()
        for server in servers:
            client = Client(server.port)
            client.conn.timeout = REQUEST_TIMEOUT
            clients.append(client)
        deadline = time.monotonic() + 30
        for client in clients:  # the port opens before the worker has loaded the app
            while True:
                try:
                    if client.request("GET", "/healthz")[0] == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, f"the server on port {client.port} did not become healthy"
                time.sleep(0.1)
        yield clients
    finally:
        for client in clients:
            client.conn.close()
        # Gunicorn.__exit__ stops one server at a time (~2 s each): stop them all at once.
        running = [server.process for server in servers if server.process is not None]
        for process in running:
            process.terminate()
        deadline = time.monotonic() + 10
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


def _csrf(client: Client, path: str) -> str:
    status, body = client.request("GET", path)
    assert status == 200, (path, status)
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body.decode())
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def _json(client: Client, path: str) -> tuple[dict, bytes]:
    status, body = client.request("GET", path)
    assert status == 200, (client.port, path, status)
    return json.loads(body), body


def _failed_logins(servers: list[Client], email: str | list[str], count: int) -> list[tuple[int, bytes]]:
    """POST /login with a wrong password `count` times (for one e-mail, or the
    next of a list each time), alternating between the servers, each with a
    fresh visitor (its own cookie jar)."""
    clients = [Client(server.port) for server in servers]
    for client in clients:
        client.conn.timeout = REQUEST_TIMEOUT
    tokens = {id(c): _csrf(c, "/login") for c in clients}
    statuses = []
    for i in range(count):
        client = clients[i % len(clients)]
        typed = email if isinstance(email, str) else email[i]
        statuses.append(
            client.post_form(
                "/login", {"email": typed, "password": "not-the-password-1", "csrf_token": tokens[id(client)]}
            )
        )
    for client in clients:
        client.conn.close()
    return statuses


def test_two_instances_share_rate_limit_and_publication(pg_database, redis_db, tmp_path):
    started = time.monotonic()
    seeded = _seed(pg_database, tmp_path)
    slug, organizer = seeded["slug"], seeded["organizer"]
    shared = _server_env(pg_database, tmp_path, REDIS_URL)
    alone = _server_env(pg_database, tmp_path, "")  # no Redis: limits counted in each process's memory
    with _servers(shared, shared, alone, alone) as (a, b, c, d):
        assert a.port != b.port
        json_path, page_path = f"/c/{slug}/results.json", f"/c/{slug}/results"
        publish_path = f"/manage/{slug}/judging/publish"

        # -- publication through A, served by B ------------------------------------
        status, _ = a.post_form(
            "/login", {"email": organizer, "password": "mat-khau-dung-1", "csrf_token": _csrf(a, "/login")}
        )
        assert status == 302, "the organizer could not log in on A"
        token = _csrf(a, publish_path)
        when = (datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")

        # B's first look, just before publishing ("nothing published" is never kept).
        assert _json(b, json_path)[0] == {"published": False}
        primed = time.monotonic()
        status, _ = a.post_form(publish_path, {"csrf_token": token, "action": "publish", "publish_at": when})
        published = time.monotonic()
        assert status == 302, f"publishing on A answered {status}"

        stale = 0
        deadline = published + 5
        while True:
            b_content, b_body = _json(b, json_path)
            if b_content["published"]:
                delay = time.monotonic() - published
                break
            stale += 1
            assert time.monotonic() < deadline, "B never served the results published through A"
            time.sleep(0.01)
        print(
            f"\nB served the results {delay * 1000:.0f} ms after A's publish returned "
            f"({stale} stale answers; B had looked {(published - primed) * 1000:.0f} ms before that returned)"
        )
        assert delay <= 0.5, f"B served the publication only after {delay:.2f} s"

        a_content, a_body = _json(a, json_path)
        assert a_content["published"] and a_content["version"] == 1
        assert b_content["content_hash"] == a_content["content_hash"]
        assert b_body == a_body
        status, page = b.request("GET", page_path)
        assert status == 200 and "Đội hai máy 0" in page.decode() and "Giải Nhất" in page.decode()

        # -- withdrawn through A: B's very next answer says so ------------------------
        status, _ = a.post_form(
            publish_path, {"csrf_token": _csrf(a, publish_path), "action": "withdraw", "reason": "Nhầm điểm"}
        )
        assert status == 302, f"withdrawing on A answered {status}"
        assert _json(b, json_path)[0] == {"published": False}, "B served results withdrawn through A"
        status, page = b.request("GET", page_path)
        assert status == 200 and "Đội hai máy 0" not in page.decode()

        # -- the log-in limits count across A and B ---------------------------------
        redis_db.flushdb()  # forget the organizer's log-in above: count from zero
        answers = _failed_logins([a, b], organizer, 12)
        statuses = [status for status, _ in answers]
        print(f"failed log-ins for one account alternating A, B with Redis: {statuses}")
        assert statuses[:10] == [200] * 10, statuses
        assert statuses[10:] == [429, 429], "the 11th and 12th attempts (A, then B) must be refused"
        assert "quá nhiều lần đăng nhập sai" in answers[11][1].decode(), "B must answer that the account is locked"
        keys = redis_db.keys()
        assert [key for key in keys if b"login-account" in key], f"no per-account counter in Redis: {keys}"
        assert not [key for key in keys if organizer.encode() in key], f"an e-mail address in a Redis key: {keys}"

        redis_db.flushdb()
        others = [f"nguoi-{i}@example.vn" for i in range(22)]
        statuses = [status for status, _ in _failed_logins([a, b], others, 22)]
        print(f"failed log-ins for 22 accounts from one address alternating A, B with Redis: {statuses}")
        assert statuses == [200] * 20 + [429, 429], "the address's 21st and 22nd failures must be refused"
        counters = [key for key in redis_db.keys() if b"auth.login" in key]
        assert counters, f"the limiter did not count in Redis: {redis_db.keys()}"

        # -- without Redis each process counts alone: 6 and 5, both under 10 per account --
        statuses = [status for status, _ in _failed_logins([c, d], organizer, 11)]
        print(f"failed log-ins alternating C, D in memory: {statuses}")
        assert statuses == [200] * 11, statuses
    print(f"test took {time.monotonic() - started:.1f} s")


def _copy_cookies(source: Client, target_server: Client) -> Client:
    """A browser on another process holding a copy of `source`'s cookies (a stolen cookie)."""
    thief = Client(target_server.port)
    thief.conn.timeout = REQUEST_TIMEOUT
    thief.cookies = dict(source.cookies)
    return thief


def _signed_in(client: Client) -> bool:
    return client.request("GET", "/account/")[0] == 200


def test_sessions_end_on_every_instance(pg_database, redis_db, tmp_path):
    """A cookie copied before log-out, a password change or a reset through A is
    refused by B at once: the check is on the server, not in the cookie."""
    seeded = _seed(pg_database, tmp_path)
    organizer, password, new_password = seeded["organizer"], "mat-khau-dung-1", "mat-khau-moi-2026-a"
    shared = _server_env(pg_database, tmp_path, REDIS_URL)
    with _servers(shared, shared) as (a, b):

        def log_in(pw: str, remember: bool = False) -> None:
            a.cookies.clear()
            fields = {"email": organizer, "password": pw, "csrf_token": _csrf(a, "/login")}
            if remember:
                fields["remember"] = "y"
            assert a.post_form("/login", fields)[0] == 302

        # -- log-out -----------------------------------------------------------------
        log_in(password, remember=True)
        thief = _copy_cookies(a, b)
        assert _signed_in(thief)
        assert a.post_form("/logout", {"csrf_token": _csrf(a, "/account/")})[0] == 302
        assert not _signed_in(thief), "B still accepts a cookie copied before the log-out on A"

        # -- password change ---------------------------------------------------------
        log_in(password)
        thief = _copy_cookies(a, b)
        status, _ = a.post_form(
            "/account/password",
            {
                "current_password": password,
                "password": new_password,
                "confirm": new_password,
                "csrf_token": _csrf(a, "/account/password"),
            },
        )
        assert status == 302
        assert _signed_in(a)
        assert not _signed_in(thief), "B still accepts a cookie from before the password change on A"

        # -- reset ------------------------------------------------------------------
        thief = _copy_cookies(a, b)
        app = make_app(pg_database, SECRET_KEY=SECRET_KEY)
        with app.app_context():
            from contest.domain import accounts
            from contest.extensions import db

            token = accounts.make_reset_token(accounts.find_user_by_email(organizer))
            db.session.remove()
            db.engine.dispose()
        stranger = Client(a.port)
        reset_path = f"/password/reset/{token}"
        status, _ = stranger.post_form(
            reset_path, {"password": password, "confirm": password, "csrf_token": _csrf(stranger, reset_path)}
        )
        assert status == 302
        assert not _signed_in(a) and not _signed_in(thief), "sessions survived a password reset"
