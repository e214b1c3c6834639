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
