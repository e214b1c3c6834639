"""The secret key: never one written in this repository. Development makes its
own once and keeps it in the instance folder, readable by its owner only;
production needs SECRET_KEY. The cache's backend follows REDIS_URL."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask

from config import ConfigError, DefaultConfig, ProductionConfig, TestConfig
from contest.factory import create_app
from tests.conftest import IsolatedClient


@pytest.fixture
def instance(tmp_path, monkeypatch):
    path = tmp_path / "instance"
    monkeypatch.setenv("INSTANCE_PATH", str(path))
    return path


def _default_app(database_url, **overrides):
    app = create_app(
        DefaultConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        RATELIMIT_ENABLED=False,
        OUTBOX_IN_PROCESS=False,
        **overrides,
    )
    app.test_client_class = IsolatedClient
    return app


def test_development_makes_its_own_key_once_owner_only(database_url, instance):
    old_umask = os.umask(0)  # the file is created private, whatever the umask
    try:
        first = _default_app(database_url)
    finally:
        os.umask(old_umask)
    key_file = instance / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.config["SECRET_KEY"]) >= 32
    assert first.config["SECRET_KEY"] == key_file.read_text().strip()
    # Restarted: the same key, so sessions survive; no stray drafts left beside it.
    assert _default_app(database_url).config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert sorted(p.name for p in instance.iterdir() if "secret" in p.name) == ["secret_key"]


def test_another_machine_gets_another_key(database_url, tmp_path, monkeypatch):
    keys = set()
    for name in ("a", "b"):
        monkeypatch.setenv("INSTANCE_PATH", str(tmp_path / name))
        keys.add(_default_app(database_url).config["SECRET_KEY"])
    assert len(keys) == 2


def test_a_key_file_others_can_read_is_refused(database_url, instance):
    _default_app(database_url)
    (instance / "secret_key").chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        _default_app(database_url)


@pytest.mark.parametrize("key", ["dev-only-not-secret", "PASTE-48-RANDOM-CHARACTERS", "test-secret"])
def test_a_key_written_in_the_repository_is_refused_outside_tests(database_url, instance, key):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        _default_app(database_url, SECRET_KEY=key)
    assert not (instance / "secret_key").exists()


def test_tests_keep_their_own_key(database_url):
    from tests.conftest import make_app

    assert make_app(database_url).config["SECRET_KEY"] == TestConfig.SECRET_KEY
    with pytest.raises(ConfigError):
        create_app(TestConfig, SQLALCHEMY_DATABASE_URI=database_url, SECRET_KEY="dev-only-not-secret")


def test_production_refuses_the_old_default_key(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "dev-only-not-secret")
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@h/db")
    monkeypatch.setenv("PUBLIC_BASE_URL", "https://cuocthi.example.vn")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app(ProductionConfig, SECRET_KEY="dev-only-not-secret")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        ProductionConfig.missing_secret_key("/nonexistent")


def test_an_admin_cookie_forged_with_the_old_default_key_is_not_accepted(database_url, instance):
    from contest.extensions import db
    from tests.conftest import empty_tables
    from tests.factories import make_user

    app = _default_app(database_url)
    with app.app_context():
        try:
            admin = make_user("quan-tri-gia@example.vn", admin=True)
            db.session.commit()
            forger = Flask("forger")
            forger.secret_key = "dev-only-not-secret"  # noqa: S105 - the key an attacker reads in the source
            cookie = app.session_interface.get_signing_serializer(forger).dumps(
                {"_user_id": str(admin.id), "_fresh": True, "_id": "x"}
            )
            client = app.test_client()
            client.set_cookie(app.config.get("SESSION_COOKIE_NAME", "session"), cookie)
            response = client.get("/admin/")
            assert response.status_code == 302 and "/login" in response.location
        finally:
            db.session.remove()
            empty_tables(db.engine)
            db.engine.dispose()


@pytest.mark.parametrize(("redis_url", "backend"), [("redis://127.0.0.1:6379/0", "RedisCache"), ("", "SimpleCache")])
def test_the_cache_is_in_redis_exactly_when_redis_url_is_set(redis_url, backend):
    """Several processes agree on what was forgotten only through Redis; alone, a bounded memory cache."""
    script = (
        "import json, config; c = config.ProductionConfig; "
        "print(json.dumps([c.CACHE_TYPE, c.CACHE_REDIS_URL, c.CACHE_THRESHOLD, config.TestConfig.CACHE_TYPE]))"
    )
    env = {**os.environ, "REDIS_URL": redis_url}
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        cwd=str(Path(__file__).resolve().parents[1]),
    )
    kind, url, threshold, in_tests = json.loads(done.stdout)
    assert kind == backend and (url or "") == redis_url and threshold > 0
    assert in_tests == "SimpleCache"
