"""The score save changes and flushes in the caller's transaction; the caller
(the request, or a command) commits."""

from sqlalchemy import func, select

from contest.models.base import utcnow
from judging.domain.scoring import Change, apply_change
from judging.models import AppliedChange, Assignment, Score
from tests.factories import make_competition, make_judge, make_round, make_valid_entry


def test_a_save_sees_work_the_session_has_not_committed(app, db):
    # The demo and imports assign and score in one transaction.
    competition = make_competition()
    entry = make_valid_entry(competition)
    judge = make_judge(competition)
    round_ = make_round(competition, [entry], [judge], assign_all=False)
    db.session.add(Assignment(round_id=round_.id, judge_id=judge.id, entry_id=entry.id, created_at=utcnow()))
    db.session.flush()  # not committed
    criterion = round_.rubric.criteria[0]
    with app.test_request_context():
        result = apply_change(round_.id, entry.id, judge.user_id, Change("k-1", criterion.id, 5, None, "t"))
    assert result.outcome == "applied"
    assert [(s.criterion_id, float(s.value)) for s in db.session.query(Score)] == [(criterion.id, 5.0)]


def test_two_saves_in_one_transaction_commit_nothing_until_the_caller_does(app, db):
    competition = make_competition()
    entry = make_valid_entry(competition)
    judge = make_judge(competition)
    round_ = make_round(competition, [entry], [judge])
    first, second = round_.rubric.criteria[:2]
    ids = round_.id, entry.id, judge.user_id
    db.session.commit()
    with app.test_request_context():
        apply_change(*ids, Change("k-1", first.id, 5, None, "t"))
        apply_change(*ids, Change("k-2", second.id, 6, None, "t"))
    db.session.rollback()  # the caller gives up: nothing of either save is left
    assert db.session.scalar(select(func.count()).select_from(Score)) == 0
    assert db.session.scalar(select(func.count()).select_from(AppliedChange)) == 0
