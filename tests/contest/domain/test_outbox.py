"""The outbox: nothing is lost while SMTP is down, nothing is sent twice."""

from datetime import timedelta

from sqlalchemy import select

from contest.domain.outbox import backoff, queue_mail, send_due
from contest.models import OutboxMessage, OutboxStatus
from contest.models.base import utcnow
from tests.factories import make_user


def _queue(db, n, user):
    for i in range(n):
        queue_mail(f"nguoinhan{i}@example.vn", "password_changed", user=user)
    db.session.commit()


def test_mail_is_only_queued_when_the_transaction_commits(mail_app, db, smtp_server):
    user = make_user()
    queue_mail("a@example.vn", "password_changed", user=user)
    db.session.rollback()
    assert db.session.scalars(select(OutboxMessage)).all() == []
    assert send_due().sent == 0


def test_smtp_down_loses_nothing_and_each_message_arrives_once(mail_app, db, smtp_server):
    user = make_user()
    smtp_server.stop()
    _queue(db, 5, user)
    report = send_due()
    assert (report.sent, report.failed) == (0, 5)
    rows = db.session.scalars(select(OutboxMessage)).all()
    assert all(r.status is OutboxStatus.pending and r.attempts == 1 and r.last_error for r in rows)

    # Not due yet: the back-off holds retries back.
    assert send_due().sent == 0

    smtp_server.start()
    later = utcnow() + timedelta(hours=2)
    assert send_due(now=later).sent == 5
    assert send_due(now=later + timedelta(hours=2)).sent == 0
    received = smtp_server.wait_for(5)
    assert sorted(str(m["To"]) for m in received) == sorted(f"nguoinhan{i}@example.vn" for i in range(5))
    assert len({m["Message-ID"] for m in received}) == 5
    db.session.expire_all()
    assert all(r.status is OutboxStatus.sent for r in db.session.scalars(select(OutboxMessage)))


def test_two_senders_never_send_a_message_twice(mail_app, db, smtp_server):
    user = make_user()
    _queue(db, 20, user)
    first = send_due(batch_size=10, sender_id="worker-a")
    second = send_due(batch_size=50, sender_id="worker-b")
    assert first.sent + second.sent == 20
    assert send_due(sender_id="worker-c").sent == 0
    assert len(smtp_server.wait_for(20)) == 20


def test_a_claimed_message_is_skipped_by_other_senders(mail_app, db, smtp_server):
    from contest.domain.outbox import _claim

    user = make_user()
    _queue(db, 3, user)
    claimed = _claim(10, "worker-a", utcnow())
    assert len(claimed) == 3
    assert send_due(sender_id="worker-b").sent == 0  # leased to worker-a


def test_gives_up_after_the_maximum_attempts(mail_app, db, smtp_server):
    mail_app.config["OUTBOX_MAX_ATTEMPTS"] = 2
    user = make_user()
    smtp_server.stop()
    _queue(db, 1, user)
    now = utcnow()
    send_due(now=now)
    report = send_due(now=now + timedelta(days=1))
    assert report.gave_up == 1
    row = db.session.scalars(select(OutboxMessage)).one()
    assert row.status is OutboxStatus.failed and row.attempts == 2


def test_backoff_grows_and_is_capped():
    assert backoff(1) < backoff(2) < backoff(3)
    assert backoff(50) == timedelta(hours=1)


def test_mail_is_in_the_recipients_language(mail_app, db, smtp_server):
    vi_user = make_user(name="Trần Thị Bình", locale="vi")
    en_user = make_user(name="Le Van C", locale="en")
    queue_mail(vi_user.email, "password_changed", locale="vi", user=vi_user)
    queue_mail(en_user.email, "password_changed", locale="en", user=en_user)
    db.session.commit()
    send_due()
    smtp_server.wait_for(2)
    vi_mail = smtp_server.to(vi_user.email)[0]
    en_mail = smtp_server.to(en_user.email)[0]
    assert vi_mail["Subject"] == "Mật khẩu của bạn đã được thay đổi"
    assert "Trần Thị Bình" in vi_mail.get_body().get_content()
    assert en_mail["Subject"] == "Your password has been changed"


def test_receipts_of_a_deadline_rush_survive_an_smtp_outage(mail_app, db, smtp_server):
    """SMTP down through the whole rush: every team's receipt is kept, then
    delivered exactly once when the server is back, however often senders run."""
    from contest.domain.entries import submit
    from tests.factories import fill_entry, make_competition, make_team

    smtp_server.stop()
    competition = make_competition("han-chot-2026")
    teams = [make_team(competition, make_user(f"doi{i}@example.vn")) for i in range(12)]
    with mail_app.test_request_context():
        for team in teams:
            submit(fill_entry(team), team.leader)
            db.session.commit()
    now = utcnow()
    for minutes in range(0, 60, 10):  # senders keep trying while it is down
        report = send_due(now=now + timedelta(minutes=minutes))
        assert report.sent == 0
    smtp_server.start()
    later = now + timedelta(hours=3)
    assert send_due(now=later).sent == 12
    assert send_due(now=later + timedelta(hours=1)).sent == 0
    received = smtp_server.wait_for(12)
    assert sorted(str(m["To"]) for m in received) == sorted(f"doi{i}@example.vn" for i in range(12))
    assert len({m["Message-ID"] for m in received}) == 12
    assert all(len(m.get_all("Message-ID")) == 1 for m in received)
