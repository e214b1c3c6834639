"""Shared fixtures: an app on SQLite (or PostgreSQL with TEST_DATABASE_URL), a
real SMTP server, and helpers. Browser fixtures live in tests/browser/conftest.py.

Tables are created once per session and emptied after each test, so tests
that need real commits from several threads or processes work on both
databases."""

from __future__ import annotations

import os
import re
import socket
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy

import pytest
from flask import has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config import TestConfig
from contest import cache
from contest.factory import create_app
from contest.models.base import Base


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    engine = create_engine(url)
    import contest.models  # noqa: F401 - register contest's tables
    import judging.models  # noqa: F401 - and judging's

    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    engine.dispose()
    return url


def empty_tables(engine) -> None:
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        return
    # Self-referencing rows (unit -> parent) cannot be deleted in one pass with
    # foreign keys on; the pragma only works outside a transaction.
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA foreign_keys=OFF")
        for table in tables:
            cursor.execute(f'DELETE FROM "{table}"')
        raw.commit()
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        raw.close()


class IsolatedClient(FlaskClient):
    """Each request gets its own app context, as in production. Without this a
    request reuses the test's context, so `g` (and Flask-Login's cached user)
    would leak from one request, or one client, into the next."""

    def open(self, *args, **kwargs):
        # What the test did before the request (through domain functions,
        # which flush and leave committing to their caller) is committed, as
        # if an earlier request had done it; the test's objects keep what they
        # have loaded, as they did when the test committed nothing.
        if has_app_context():
            from contest.extensions import db

            session = db.session()
            session.expire_on_commit = False
            try:
                session.commit()
            finally:
                session.expire_on_commit = True
        with self.application.app_context():
            return super().open(*args, **kwargs)


def make_app(database_url: str, **overrides):
    settings = {"SQLALCHEMY_DATABASE_URI": database_url}
    settings.update(overrides)
    app = create_app(TestConfig, **settings)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def empty_database_url(tmp_path):
    """A second, empty database (nothing created in it), dropped afterwards."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"empty_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def app(database_url, tmp_path):
    app = make_app(database_url, UPLOAD_FOLDER=str(tmp_path / "uploads"))
    with app.app_context():
        yield app
        from contest.extensions import db

        db.session.remove()
        empty_tables(db.engine)
        db.engine.dispose()
        cache.clear()


@pytest.fixture
def db(app):
    from contest.extensions import db as _db

    return _db


@pytest.fixture
def client(app):
    return app.test_client()


# -- SMTP -------------------------------------------------------------------


@dataclass
class SmtpServer:
    host: str
    port: int
    messages: list = field(default_factory=list)
    controller: object = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        server = self

        class Handler:
            async def handle_DATA(self, _server, _session, envelope):
                server.messages.append(message_from_bytes(envelope.content, policy=policy.default))
                return "250 OK"

        self.controller = Controller(Handler(), hostname=self.host, port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def wait_for(self, count: int, timeout: float = 10.0) -> list:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages

    def to(self, address: str) -> list:
        return [m for m in self.messages if address.lower() in str(m["To"]).lower()]


def mail_text(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content()


def first_link(message, path_fragment: str) -> str:
    match = re.search(r"https?://\S*" + re.escape(path_fragment) + r"\S*", mail_text(message))
    assert match, f"no link containing {path_fragment!r} in mail"
    return match.group(0)


@pytest.fixture
def smtp_server():
    server = SmtpServer("127.0.0.1", free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_app(app, smtp_server):
    """The app, sending through the test SMTP server."""
    app.config.update(MAIL_SERVER=smtp_server.host, MAIL_PORT=smtp_server.port)
    from contest.extensions import mail

    mail.init_app(app)
    return app


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()


def at_the_same_moment(app, work, count: int = 2) -> list:
    """Run work(i, ready) in `count` threads, each with its own app context and
    session; each calls ready() once it has loaded what it needs, so that the
    writes race, and commits after, as the request would. What each returned, or
    the code (else the type's name) of what it raised, in no particular order."""
    from contest.extensions import db

    barrier, results = threading.Barrier(count), []

    def run(i: int) -> None:
        with app.app_context():
            try:
                value = work(i, barrier.wait)
                db.session.commit()
                results.append(value)
            except Exception as error:  # noqa: BLE001 - the test reads it
                results.append(getattr(error, "code", None) or type(error).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


__all__ = ["at_the_same_moment", "free_port", "first_link", "mail_text", "make_app", "wait_until", "threading"]
