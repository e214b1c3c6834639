"""Account answers take the same time whether an address has an account or not,
because both ways do the same work: the same password hashing, one mail queued,
one commit. (The times themselves, at the production cost, are printed by
bench/bench_account_timing.py: wall-clock tests flake on a loaded machine.)"""

from contextlib import contextmanager

import pytest
from argon2 import PasswordHasher, extract_parameters
from sqlalchemy import event, func, select

from contest.domain import accounts, passwords
from contest.models import OutboxMessage
from tests.factories import PASSWORD, make_user


class CountingHasher(PasswordHasher):
    """The test cost's hasher, recording each hash made and the parameters of each hash checked."""

    def __init__(self):
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.hashed = 0
        self.checked = []

    def hash(self, password, *, salt=None):
        self.hashed += 1
        return super().hash(password, salt=salt)

    def verify(self, hash, password):  # noqa: A002 - argon2's own parameter name
        self.checked.append(extract_parameters(hash))
        return super().verify(hash, password)


@pytest.fixture
def hasher(app, monkeypatch):
    passwords.burn_time()  # the stand-in hash for unknown e-mails is made once, beforehand
    counting = CountingHasher()
    monkeypatch.setitem(passwords._HASHERS, app.config["PASSWORD_HASH_COST"], counting)
    return counting


@contextmanager
def work(db, hasher):
    """What one call did: hashes made, hashes checked, mails queued, commits (of
    the whole transaction: a savepoint released is not one). Domain functions
    commit nothing: the request does, once, whichever way the call went."""
    done = {"commits": 0}

    def committed(session):
        if not session.in_nested_transaction():
            done["commits"] += 1

    mails_before = db.session.scalar(select(func.count(OutboxMessage.id)))
    hashed_before, checked_before = hasher.hashed, len(hasher.checked)
    event.listen(db.session, "after_commit", committed)
    try:
        yield done
    finally:
        event.remove(db.session, "after_commit", committed)
    done["hashed"] = hasher.hashed - hashed_before
    done["checked"] = [(p.time_cost, p.memory_cost, p.parallelism, p.hash_len) for p in hasher.checked[checked_before:]]
    done["mails"] = db.session.scalar(select(func.count(OutboxMessage.id))) - mails_before


def test_sign_up_hashes_the_password_once_whether_or_not_the_address_is_taken(db, hasher):
    make_user("da-co@example.vn")
    with work(db, hasher) as taken:
        assert accounts.sign_up("Da-Co@example.vn", "mot-mat-khau-dai", "Lê Thị Mai") is None
    with work(db, hasher) as new:
        assert accounts.sign_up("moi-tinh@example.vn", "mot-mat-khau-dai", "Lê Thị Mai") is not None
    assert taken == new == {"hashed": 1, "checked": [], "mails": 1, "commits": 0}


def test_log_in_checks_one_hash_of_the_same_cost_whether_or_not_the_account_exists(db, hasher):
    user = make_user("co-that@example.vn")
    with work(db, hasher) as wrong_password:
        assert accounts.authenticate(user.email, "khong-phai-mat-khau") is None
    with work(db, hasher) as no_account:
        assert accounts.authenticate("khong-co@example.vn", "khong-phai-mat-khau") is None
    with work(db, hasher) as right:
        assert accounts.authenticate(user.email, PASSWORD) == user
    assert wrong_password == no_account == right
    assert wrong_password["hashed"] == 0 and len(wrong_password["checked"]) == 1


def test_the_stand_in_hash_has_the_parameters_of_the_hasher_in_use(app):
    made = extract_parameters(passwords._dummy_hash())
    real = extract_parameters(passwords.hash_password("mot-mat-khau-dai"))
    assert made == real
    assert extract_parameters(passwords._dummy_hash_at("default")) == extract_parameters(
        passwords._HASHERS["default"].hash("x")
    )


def test_a_reset_request_queues_one_mail_whether_or_not_the_account_exists(db, hasher):
    make_user("quen@example.vn")
    with work(db, hasher) as known:
        accounts.request_password_reset("quen@example.vn")
    with work(db, hasher) as unknown:
        accounts.request_password_reset("khong-co@example.vn", locale="en")
    assert known == unknown == {"hashed": 0, "checked": [], "mails": 1, "commits": 0}
    mail = db.session.scalars(select(OutboxMessage).where(OutboxMessage.recipient == "khong-co@example.vn")).one()
    assert mail.subject == "No account uses this address" and "/signup" in mail.body_text
    assert "/password/reset/" not in mail.body_text


def test_a_verification_resend_queues_one_mail_whatever_the_address(db, hasher):
    make_user("chua-xac-nhan@example.vn", verified=False)
    make_user("da-xac-nhan@example.vn")
    done = []
    for email in ("chua-xac-nhan@example.vn", "da-xac-nhan@example.vn", "khong-co@example.vn"):
        with work(db, hasher) as one:
            accounts.resend_verification(email)
        done.append(one)
    assert done == [{"hashed": 0, "checked": [], "mails": 1, "commits": 0}] * 3
    subjects = dict(db.session.execute(select(OutboxMessage.recipient, OutboxMessage.subject)).all())
    assert subjects == {
        "chua-xac-nhan@example.vn": "Xác nhận địa chỉ e-mail của bạn",
        "da-xac-nhan@example.vn": "Địa chỉ e-mail của bạn đã được xác nhận",
        "khong-co@example.vn": "Không có tài khoản nào dùng địa chỉ này",
    }
