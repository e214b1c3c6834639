"""Core statements run on the driver's cursor: the same values as SQLAlchemy's
own execution, and the same errors."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from contest.driver_statements import DriverStatement
from contest.models import AuditEvent
from judging.models import AppliedChange, Criterion, Round, Rubric
from tests.factories import make_competition, make_judge, make_round, make_valid_entry


def test_values_come_back_as_sqlalchemy_gives_them(db):
    competition = make_competition()
    round_ = make_round(competition, [make_valid_entry(competition)], [])
    db.session.commit()
    query = (select(Round.state, Round.name, Criterion.max_points, Criterion.step, Rubric.frozen_at.is_(None))
             .join(Rubric, Rubric.id == Round.rubric_id).join(Criterion, Criterion.rubric_id == Rubric.id)
             .where(Round.id == round_.id).order_by(Criterion.position))
    conn = db.session.connection()
    expected = [tuple(row) for row in conn.execute(query)]
    assert DriverStatement(query).execute(conn, {}) == expected
    assert isinstance(expected[0][2], Decimal)


def test_written_values_read_back_unchanged(db):
    at = datetime(2026, 11, 27, 8, 30, 15, 123456, tzinfo=UTC)
    write = DriverStatement(insert(AuditEvent).values(
        at=at, action="score.changed", object_type="score_sheet", object_id="7",
        before={"value": "4"}, after={"value": "5", "ghi chú": "Đạt"}, device="máy tính bảng"))
    conn = db.session.connection()
    assert write.execute(conn, {}) == []
    db.session.commit()
    event = db.session.scalar(select(AuditEvent))
    assert (event.at, event.before, event.after, event.device) == (
        at, {"value": "4"}, {"value": "5", "ghi chú": "Đạt"}, "máy tính bảng")


def test_a_broken_constraint_is_sqlalchemys_integrity_error(db):
    judge = make_judge(make_competition())
    db.session.commit()
    add_key = DriverStatement(insert(AppliedChange))
    values = {"key": "k-1", "judge_id": judge.id, "applied_at": datetime.now(UTC), "outcome": "applied"}
    conn = db.session.connection()
    add_key.execute(conn, values)
    with pytest.raises(IntegrityError):
        add_key.execute(conn, values)
    db.session.rollback()


def test_a_dropped_connection_is_reported_and_invalidated(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("ending another connection's backend needs PostgreSQL")
    with db.engine.connect() as conn:
        pid = conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()
        with db.engine.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        with pytest.raises(DBAPIError) as raised:
            DriverStatement(select(text("1"))).execute(conn, {})
        assert raised.value.connection_invalidated and conn.invalidated
