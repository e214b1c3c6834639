"""Reminders to judges behind: an organizer who presses twice (a double click, a slow
connection in the hall) sends each judge one mail; after a while, another."""

from datetime import timedelta

from sqlalchemy import select

from contest.models import AuditEvent, OutboxMessage
from contest.models.base import utcnow
from judging.domain import board as board_domain
from judging.domain.scoring import Change, apply_change, submit_sheet
from judging.models import Assignment
from tests.factories import make_competition, make_judge, make_round, make_user, make_valid_entry


def _mails_to(db, judges) -> list[str]:
    addresses = {judge.user.email for judge in judges}
    return sorted(a for a in db.session.scalars(select(OutboxMessage.recipient)) if a in addresses)


def _submit_everything(db, round_, judge, entry):
    for criterion in round_.rubric.criteria:
        change = Change(f"{judge.id}-{entry.id}-{criterion.id}", criterion.id, criterion.max_points, None, "test")
        apply_change(round_.id, entry.id, judge.user_id, change)
    submit_sheet(round_.id, entry.id, judge.user_id)
    db.session.commit()


def _move_reminders_back(db, round_, by: timedelta) -> None:
    """As if the reminders recorded so far had been sent `by` earlier."""
    for event in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "round.reminded", AuditEvent.object_id == str(round_.id))
    ):
        event.at -= by
    db.session.commit()


def test_pressing_twice_reminds_each_judge_behind_once(app, db):
    competition = make_competition()
    entry = make_valid_entry(competition)
    panel = [make_judge(competition, make_user(name=f"Giám khảo {n}")) for n in range(3)]
    round_ = make_round(competition, [entry], panel)
    with app.test_request_context():
        _submit_everything(db, round_, panel[2], entry)  # done: never reminded
        first = board_domain.remind_late_judges(round_)
        second = board_domain.remind_late_judges(round_)
    db.session.commit()
    assert (first.sent, first.recent) == (2, 0)
    assert (second.sent, second.recent) == (0, 2)
    assert _mails_to(db, panel) == sorted(j.user.email for j in panel[:2])
    first_event, second_event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "round.reminded").order_by(AuditEvent.id)
    )
    assert sorted(first_event.after["judge_ids"]) == sorted(j.id for j in panel[:2])
    assert second_event.after == {"judges": 0, "judge_ids": []}


def test_a_judge_is_reminded_again_once_the_interval_has_passed(app, db):
    competition = make_competition()
    entry = make_valid_entry(competition)
    panel = [make_judge(competition, make_user(name=f"Giám khảo {n}")) for n in range(2)]
    round_ = make_round(competition, [entry], panel[:1])
    with app.test_request_context():
        assert board_domain.remind_late_judges(round_).sent == 1
    db.session.commit()

    # A judge assigned since is reminded at once; the one just reminded is not.
    db.session.add(Assignment(round_id=round_.id, judge_id=panel[1].id, entry_id=entry.id, created_at=utcnow()))
    db.session.commit()
    _move_reminders_back(db, round_, board_domain.REMINDER_INTERVAL - timedelta(minutes=1))
    with app.test_request_context():
        again = board_domain.remind_late_judges(round_)
    db.session.commit()
    assert (again.sent, again.recent) == (1, 1)
    assert _mails_to(db, panel) == sorted(j.user.email for j in panel)

    # Once the interval has passed since their last reminder, both are reminded again.
    _move_reminders_back(db, round_, board_domain.REMINDER_INTERVAL + timedelta(seconds=1))
    with app.test_request_context():
        later = board_domain.remind_late_judges(round_)
    db.session.commit()
    assert (later.sent, later.recent) == (2, 0)
    assert _mails_to(db, panel) == sorted(j.user.email for j in panel + panel)
