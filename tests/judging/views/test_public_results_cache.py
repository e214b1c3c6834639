"""The public results page is kept in the app's cache (contest/cache.py) and
still changes the moment an organizer publishes or withdraws: in one process,
and in two app instances that share the cache through Redis."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import make_app
from tests.factories import (
    csrf_token,
    login,
    make_competition,
    make_judge,
    make_round,
    make_user,
    make_valid_entry,
)

REDIS_URL = "redis://127.0.0.1:6379/6"


def _frozen(app, db):
    """A competition whose final round is frozen with awards proposed, nothing published, and its organizer."""
    from contest.domain.competitions import grant_role
    from contest.models import CompetitionRoleKind
    from judging.domain import awards, results
    from judging.domain.scoring import Change, apply_change, submit_sheet
    from judging.models import RoundState

    competition = make_competition()
    entries = [make_valid_entry(competition, name=f"Đội bộ nhớ {i}") for i in range(2)]
    judge = make_judge(competition)
    round_ = make_round(competition, entries, [judge])
    organizer = make_user("bantochuc@example.vn", name="Ban tổ chức")
    grant_role(competition, organizer.email, CompetitionRoleKind.organizer, granted_by=make_user(admin=True))
    with app.test_request_context():
        for n, entry in enumerate(entries):
            for c in round_.rubric.criteria:
                apply_change(
                    round_.id, entry.id, judge.user_id, Change(f"{entry.id}-{c.id}", c.id, c.max_points - n, None, None)
                )
            submit_sheet(round_.id, entry.id, judge.user_id)
        round_.state = RoundState.locked
        snapshot = results.freeze(round_, None)
        awards.ensure_default_tiers(competition)
        awards.propose(competition, snapshot)
    db.session.commit()
    return competition.slug, organizer


def _publish(organizer_client, slug, reason=""):
    path = f"/manage/{slug}/judging/publish"
    when = (datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")
    answer = organizer_client.post(
        path,
        data={
            "csrf_token": csrf_token(organizer_client, path),
            "action": "publish",
            "publish_at": when,
            "reason": reason,
        },
    )
    assert answer.status_code == 302


def _withdraw(organizer_client, slug):
    path = f"/manage/{slug}/judging/publish"
    answer = organizer_client.post(
        path,
        data={
            "csrf_token": csrf_token(organizer_client, path),
            "action": "withdraw",
            "reason": "Nhầm điểm một giám khảo",
        },
    )
    assert answer.status_code == 302


def _shown(visitor, slug) -> bool:
    """Whether an anonymous visitor sees the results, on the page and in the JSON (which must agree)."""
    page = visitor.get(f"/c/{slug}/results").get_data(as_text=True)
    in_json = visitor.get(f"/c/{slug}/results.json").json["published"]
    in_page = "Đội bộ nhớ 0" in page
    assert in_page == in_json and in_page != ('data-results="none"' in page)
    return in_page


def test_publishing_and_withdrawing_show_on_the_public_page_at_once(app, db):
    slug, organizer = _frozen(app, db)
    organizer_client, visitor = app.test_client(), app.test_client()
    login(organizer_client, organizer)
    assert not _shown(visitor, slug)
    _publish(organizer_client, slug)
    assert _shown(visitor, slug) and _shown(visitor, slug)  # the second answer comes from the cache
    _withdraw(organizer_client, slug)
    assert not _shown(visitor, slug), "the withdrawn results were still served"
    _publish(organizer_client, slug)
    assert _shown(visitor, slug)


@pytest.fixture
def shared_redis():
    """Settings for an app whose cache is Redis db 6 under a key prefix of this run's own;
    its keys are removed afterwards. Skipped without Redis (CI starts one)."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    prefix = f"test-{uuid.uuid4().hex[:12]}:"
    try:
        yield {
            "CACHE_TYPE": "RedisCache",
            "CACHE_REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": prefix,
            "CACHE_OPTIONS": {"socket_timeout": 2, "socket_connect_timeout": 2},
        }
        assert client.keys(f"{prefix}*"), "nothing was kept in Redis: the test did not exercise it"
    finally:
        for key in client.scan_iter(f"{prefix}*"):
            client.delete(key)
        client.close()


def _instances(database_url, tmp_path, count, **settings):
    apps = [make_app(database_url, UPLOAD_FOLDER=str(tmp_path / "uploads"), **settings) for _ in range(count)]
    return apps, [a.test_client() for a in apps]


def _close(apps):
    from contest.extensions import db

    for each in apps:
        with each.app_context():
            db.engine.dispose()


def test_two_instances_sharing_redis_see_one_withdrawal(app, db, database_url, tmp_path, shared_redis):
    slug, organizer = _frozen(app, db)
    (a, b), (on_a, on_b) = _instances(database_url, tmp_path, 2, **shared_redis)
    try:
        login(on_a, organizer)
        _publish(on_a, slug)
        assert _shown(on_b, slug)  # B keeps the publication it found, in Redis
        _withdraw(on_a, slug)
        assert not _shown(on_b, slug), "B served results withdrawn through A"
        _publish(on_a, slug, reason="Đã sửa điểm")
        assert _shown(on_b, slug)
    finally:
        _close([a, b])


def test_two_instances_with_memory_caches_do_not_agree(app, db, database_url, tmp_path):
    """Why several processes need REDIS_URL: without it each keeps its own copy
    (until `publication.LOOKUP_SECONDS` pass)."""
    slug, organizer = _frozen(app, db)
    (c, d), (on_c, on_d) = _instances(database_url, tmp_path, 2)
    try:
        login(on_c, organizer)
        _publish(on_c, slug)
        assert _shown(on_d, slug)
        _withdraw(on_c, slug)
        assert not _shown(on_c, slug)
        assert _shown(on_d, slug), "D, with a memory cache of its own, learnt of C's withdrawal"
    finally:
        _close([c, d])
