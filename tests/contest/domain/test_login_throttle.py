"""The per-account log-in throttle (contest/domain/login_throttle.py)."""

import threading

import pytest
from limits.storage import MemoryStorage
from limits.strategies import FixedWindowRateLimiter

from contest.domain import accounts, login_throttle
from contest.extensions import limiter
from tests.conftest import make_app
from tests.factories import PASSWORD, make_user

WRONG = "khong-phai-mat-khau"


@pytest.fixture
def limited(database_url, db):
    """An app with rate limits on (the test config turns them off), counting in memory."""
    app = make_app(database_url, RATELIMIT_ENABLED=True)
    try:
        yield app
    finally:
        limiter.reset()


def attempt(app, email, password, address="198.51.100.7"):
    """One log-in attempt in its own request: the user, None, or the AccountLocked raised."""
    with app.test_request_context("/login", method="POST", environ_base={"REMOTE_ADDR": address}):
        try:
            return login_throttle.authenticate(email, password)
        except login_throttle.AccountLocked as locked:
            return locked


def test_failures_from_many_addresses_lock_the_account_even_for_its_right_password(limited):
    user = make_user("bi-tan-cong@example.vn")
    answers = [attempt(limited, user.email, WRONG, f"203.0.113.{i}") for i in range(10)]
    assert answers == [None] * 10
    locked = attempt(limited, user.email, PASSWORD, "192.0.2.99")
    assert isinstance(locked, login_throttle.AccountLocked)
    assert locked.code == "locked" and 14 * 60 < locked.retry_after <= 15 * 60
    assert "15 minutes" in locked.message or "15 phút" in locked.message
    assert "quá nhiều lần đăng nhập sai" in locked.message
    # Another account is not affected.
    other = make_user("khong-lien-quan@example.vn")
    assert attempt(limited, other.email, PASSWORD, "203.0.113.1").id == other.id


def test_an_unknown_address_is_throttled_and_answered_exactly_like_a_known_one(limited):
    make_user("co-that@example.vn")
    known = [attempt(limited, "co-that@example.vn", WRONG, f"203.0.113.{i}") for i in range(12)]
    unknown = [attempt(limited, "khong-co@example.vn", WRONG, f"203.0.113.{i}") for i in range(12)]

    def shape(answer):
        if isinstance(answer, login_throttle.AccountLocked):
            return ("locked", answer.message, answer.code)
        return answer

    assert [shape(a) for a in known] == [shape(a) for a in unknown]
    assert known[:10] == [None] * 10 and shape(known[10])[0] == "locked"


def test_the_email_is_normalised_and_a_success_clears_the_failures(limited):
    user = make_user("hoa@example.vn")
    for typed in ("hoa@example.vn", " HOA@example.vn", "Hoa@Example.VN "):
        for _ in range(3):
            assert attempt(limited, typed, WRONG) is None
    assert attempt(limited, "HOA@EXAMPLE.VN", PASSWORD).id == user.id  # the 10th attempt, right
    for _ in range(10):  # counted from zero again
        assert attempt(limited, user.email, WRONG) is None
    assert isinstance(attempt(limited, user.email, PASSWORD), login_throttle.AccountLocked)


def test_a_password_reset_clears_the_lock(limited):
    user = make_user("quen-mat-khau@example.vn")
    for _ in range(11):
        attempt(limited, user.email, WRONG)
    assert isinstance(attempt(limited, user.email, PASSWORD), login_throttle.AccountLocked)
    with limited.test_request_context("/"):
        login_throttle.clear(" Quen-Mat-Khau@example.vn")
    assert attempt(limited, user.email, PASSWORD).id == user.id


def test_simultaneous_guesses_cannot_pass_the_limit(limited, monkeypatch):
    make_user("song-song@example.vn")
    checked = []
    real = accounts.authenticate

    def counting(email, password):
        checked.append(email)
        return real(email, password)

    monkeypatch.setattr(accounts, "authenticate", counting)
    start = threading.Barrier(30)
    answers = []

    def guess(i):
        start.wait()
        with limited.app_context():
            answers.append(attempt(limited, "song-song@example.vn", f"doan-sai-{i:04d}"))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) <= 10, f"{len(checked)} passwords were checked"
    assert sum(isinstance(a, login_throttle.AccountLocked) for a in answers) == 30 - len(checked)


def test_failures_count_against_the_network_address_and_successes_do_not(limited):
    user = make_user("dem@example.vn")
    with limited.test_request_context("/login", method="POST"):
        login_throttle.authenticate(user.email, PASSWORD)
        assert login_throttle.attempt_failed(None) is False
    with limited.test_request_context("/login", method="POST"):
        login_throttle.authenticate(user.email, WRONG)
        assert login_throttle.attempt_failed(None) is True
    for _ in range(10):
        attempt(limited, user.email, WRONG)
    with limited.test_request_context("/login", method="POST"):  # a locked answer checks no password
        with pytest.raises(login_throttle.AccountLocked):
            login_throttle.authenticate(user.email, WRONG)
        assert login_throttle.attempt_failed(None) is False


def test_the_shared_storage_failing_does_not_take_log_in_down(limited, monkeypatch):
    class Unreachable(MemoryStorage):
        def incr(self, *args, **kwargs):
            raise ConnectionError("redis is down")

        def get(self, *args, **kwargs):
            raise ConnectionError("redis is down")

        def clear(self, *args, **kwargs):
            raise ConnectionError("redis is down")

    class Broken:
        enabled = True
        limiter = FixedWindowRateLimiter(Unreachable())

    monkeypatch.setattr(login_throttle, "limiter", Broken())
    monkeypatch.setattr(login_throttle, "_memory", None)
    user = make_user("redis-hong@example.vn")
    assert attempt(limited, user.email, PASSWORD).id == user.id
    answers = [attempt(limited, user.email, WRONG) for _ in range(11)]
    assert answers[:10] == [None] * 10  # still counted, in this process's memory
    assert isinstance(answers[10], login_throttle.AccountLocked)


def test_nothing_is_counted_when_rate_limits_are_off(app, db):
    user = make_user("khong-gioi-han@example.vn")
    for _ in range(15):
        assert attempt(app, user.email, WRONG) is None
    assert attempt(app, user.email, PASSWORD).id == user.id
