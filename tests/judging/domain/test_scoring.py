"""The score save's connection: its own autocommit one on PostgreSQL, except
when the session already holds work that is not committed."""

import pytest
from sqlalchemy import text

from contest.extensions import autocommit_engine
from contest.models.base import utcnow
from judging.domain.scoring import Change, apply_change
from judging.models import Assignment, Score
from tests.factories import make_competition, make_judge, make_round, make_valid_entry


def test_a_save_sees_work_the_session_has_not_committed(app, db):
    # The demo and imports assign and score in one transaction: a second
    # connection would not see the assignment (refusing the change), and on
    # PostgreSQL could wait forever on the session's locks.
    competition = make_competition()
    entry = make_valid_entry(competition)
    judge = make_judge(competition)
    round_ = make_round(competition, [entry], [judge], assign_all=False)
    db.session.add(Assignment(round_id=round_.id, judge_id=judge.id, entry_id=entry.id, created_at=utcnow()))
    db.session.flush()   # not committed
    criterion = round_.rubric.criteria[0]
    with app.test_request_context():
        result = apply_change(round_.id, entry.id, judge.user_id, Change("k-1", criterion.id, 5, None, "t"))
    assert result.outcome == "applied"
    db.session.rollback()   # the save committed the session's work with its own
    assert [(s.criterion_id, float(s.value)) for s in db.session.query(Score)] == [(criterion.id, 5.0)]
    assert db.session.query(Assignment).count() == 1


def test_a_save_on_a_connection_the_database_dropped_is_sent_again(app, db):
    # The autocommit engine lends pooled connections out without pinging them:
    # after a database restart the first use of each fails, and the save tries
    # once more on a fresh one instead of answering 500.
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the autocommit engine exists on PostgreSQL only")
    competition = make_competition()
    entry = make_valid_entry(competition)
    judge = make_judge(competition)
    round_ = make_round(competition, [entry], [judge])
    ids = round_.id, entry.id, judge.user_id, round_.rubric.criteria[0].id
    db.session.commit()     # nothing in progress: the save takes the autocommit engine
    with app.test_request_context():
        engine = autocommit_engine()
        with engine.connect() as conn:
            pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with db.engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert engine.pool.checkedin() == 1    # the dead connection waits in the pool
        result = apply_change(*ids[:3], Change("k-1", ids[3], 5, None, "t"))
        assert not db.session().in_transaction()
    assert result.outcome == "applied"
    assert [float(s.value) for s in db.session.query(Score)] == [5.0]
