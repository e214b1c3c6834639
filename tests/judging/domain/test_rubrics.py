"""Rubric names: one name per competition (the database's unique key), refused
with a message beside the name, never an error from the database."""

import pytest
from sqlalchemy import func, select

from contest.domain.errors import DomainError
from judging.domain.rubrics import PROVINCIAL_100, create_from_preset, update_rubric
from judging.models import Criterion, Rubric
from tests.factories import make_competition


def test_a_second_rubric_with_the_same_name_is_refused(db):
    competition = make_competition()
    first = create_from_preset(competition.id, "provincial_100", "Thang điểm 100")
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        create_from_preset(competition.id, "five_point_weighted", "  Thang điểm 100 ")
    assert refused.value.field == "name" and refused.value.code == "duplicate_name"
    assert "“Thang điểm 100”" in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Rubric)) == 1
    assert len(db.session.get(Rubric, first.id).criteria) == len(PROVINCIAL_100)


def test_the_name_is_taken_by_a_frozen_rubric_and_its_versions_too(db):
    from contest.models.base import utcnow

    competition = make_competition()
    rubric = create_from_preset(competition.id, "provincial_100", "Thang điểm 100")
    rubric.frozen_at = utcnow()
    update_rubric(rubric, [c for c in PROVINCIAL_100])  # version 2, same name: allowed
    db.session.commit()
    with pytest.raises(DomainError):
        create_from_preset(competition.id, "provincial_100", "Thang điểm 100")


def test_the_same_name_in_another_competition_or_another_name_is_fine(db):
    one, two = make_competition("thi-mot"), make_competition("thi-hai")
    create_from_preset(one.id, "provincial_100", "Thang điểm 100")
    create_from_preset(two.id, "provincial_100", "Thang điểm 100")
    create_from_preset(one.id, "provincial_100", "Thang điểm 100 (bản 2)")
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Rubric)) == 3
    assert db.session.scalar(select(func.count()).select_from(Criterion)) == 3 * len(PROVINCIAL_100)


def test_a_name_longer_than_the_column_is_refused(db):
    with pytest.raises(DomainError) as refused:
        create_from_preset(make_competition().id, "provincial_100", "T" * 201)
    assert refused.value.field == "name"


def test_criteria_typed_on_the_page_become_the_rubric_and_keep_descriptors(app, db):
    from decimal import Decimal

    from contest.models import AuditEvent
    from judging.domain.rubrics import criterion_row, specs_from_rows

    competition = make_competition()
    rubric = create_from_preset(competition.id, "provincial_100", "Thang điểm 100")
    rubric.criteria[0].descriptors = [{"score": 5, "text": "Rất mới"}]
    rows = [criterion_row(c) for c in rubric.criteria]
    first = rows[0]
    rows[0] = type(first)(first.id, "Tính mới, sáng tạo", "25", "1", "0,5", "Ý tưởng mới")
    rows[1] = type(first)(rows[1].id, "", rows[1].max)  # emptied: removed
    rows.append(type(first)("", "Tác động xã hội", "5"))
    with app.test_request_context():
        specs = specs_from_rows(rows, rubric)
        same = update_rubric(rubric, specs)
    assert same.id == rubric.id  # no scores yet: changed in place
    names = [c.name for c in rubric.criteria]
    assert names[0] == "Tính mới, sáng tạo" and names[-1] == "Tác động xã hội" and len(names) == len(PROVINCIAL_100)
    assert rubric.criteria[0].step == Decimal("0.5") and rubric.criteria[0].max_points == 25
    assert rubric.criteria[0].descriptors == [{"score": 5, "text": "Rất mới"}]
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "rubric.changed")).one()


@pytest.mark.parametrize("bad", ["mười", "1e400", "12.345", "5000", "NaN"])
def test_a_number_that_cannot_be_a_score_is_refused_in_words(app, db, bad):
    from judging.domain.rubrics import CriterionRow, specs_from_rows

    rubric = create_from_preset(make_competition().id, "provincial_100", "Thang điểm 100")
    with app.test_request_context(), pytest.raises(DomainError, match="Tiêu chí X"):
        specs_from_rows([CriterionRow("", "Tiêu chí X", bad)], rubric)
