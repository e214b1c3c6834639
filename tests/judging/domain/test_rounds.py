"""Rounds: who takes part, opening, locking with or without every sheet, the pitch draw."""

import pytest
from sqlalchemy import select

from contest.domain.errors import Conflict, DomainError
from contest.extensions import db
from contest.models import AuditEvent, EntryValidity
from judging.core.pitch_order import draw_pitch_order
from judging.domain import rounds
from judging.domain.rubrics import create_from_preset, max_total, update_rubric
from judging.domain.scoring import Change, apply_change, submit_sheet
from judging.models import EntrySource, RoundMode, RoundState
from tests.factories import make_competition, make_judge, make_round, make_valid_entry


def test_presets_add_up(db):
    competition = make_competition()
    assert max_total(create_from_preset(competition.id, "provincial_100", "Tỉnh")) == 100
    five = create_from_preset(competition.id, "five_point_weighted", "Năm điểm")
    assert len(five.criteria) == 10 and max_total(five) == 5 * (4 + 3 + 3 + 2 + 2 + 2 + 1 + 1 + 1 + 1)


def test_first_round_takes_all_valid_entries(db):
    competition = make_competition()
    valid = make_valid_entry(competition)
    invalid = make_valid_entry(competition)
    invalid.validity = EntryValidity.invalid
    rubric = create_from_preset(competition.id, "provincial_100", "Tỉnh")
    round_ = rounds.create_round(
        competition,
        name="Sơ khảo",
        mode=RoundMode.dossier,
        entry_source=EntrySource.all_valid,
        rubric=rubric,
        judges_per_entry=2,
    )
    taken = rounds.refresh_entries(round_)
    assert (taken.added, taken.removed, taken.total, taken.waiting_for_check) == (1, 0, 1, 1)
    assert [re.entry_id for re in round_.entries] == [valid.id]
    with pytest.raises(DomainError):
        rounds.create_round(
            competition,
            name="",
            mode=RoundMode.dossier,
            entry_source=EntrySource.all_valid,
            rubric=rubric,
            judges_per_entry=2,
        )


def test_later_round_takes_only_advanced_entries(db):
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(3)]
    judge = make_judge(competition)
    first = make_round(competition, entries, [judge], state="locked")
    first.entries[1].advanced = True
    rubric = create_from_preset(competition.id, "provincial_100", "Chung kết")
    final = rounds.create_round(
        competition,
        name="Chung kết",
        mode=RoundMode.pitch,
        entry_source=EntrySource.advanced,
        rubric=rubric,
        judges_per_entry=1,
    )
    rounds.refresh_entries(final)
    assert [re.entry_id for re in final.entries] == [first.entries[1].entry_id]


def _score_everything(round_, judge, entry):
    for criterion in round_.rubric.criteria:
        apply_change(
            round_.id,
            entry.id,
            judge.user_id,
            Change(f"{judge.id}-{entry.id}-{criterion.id}", criterion.id, 5, None, "test"),
        )
    submit_sheet(round_.id, entry.id, judge.user_id)
    db.session.commit()


def test_lock_needs_every_sheet_or_a_logged_reason(app, db):
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(2)]
    judge = make_judge(competition)
    round_ = make_round(competition, entries, [judge])
    with app.test_request_context():
        _score_everything(round_, judge, entries[0])
    assert rounds.completion(round_).submitted == 1
    with pytest.raises(DomainError) as refused:
        rounds.lock_round(round_)
    assert "1" in refused.value.message and "2" in refused.value.message
    rounds.lock_round(round_, "Giám khảo ốm, Ban tổ chức quyết định khóa")
    db.session.commit()
    assert round_.state is RoundState.locked
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "round.locked"))
    assert event.reason.startswith("Giám khảo ốm") and event.after["override"] is True
    with pytest.raises(Conflict):
        rounds.lock_round(round_)


def test_complete_round_locks_without_a_reason(app, db):
    competition = make_competition()
    entry = make_valid_entry(competition)
    judge = make_judge(competition)
    round_ = make_round(competition, [entry], [judge])
    with app.test_request_context():
        _score_everything(round_, judge, entry)
    rounds.lock_round(round_)
    assert round_.state is RoundState.locked


def test_pitch_order_is_drawn_once_and_can_be_checked(db):
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(5)]
    round_ = make_round(competition, entries, [make_judge(competition)], mode="pitch")
    ordered = rounds.draw_order(round_)
    assert sorted(re.pitch_position for re in ordered) == [1, 2, 3, 4, 5]
    again = draw_pitch_order([re.entry_id for re in round_.entries], round_.pitch_seed)
    assert [re.entry_id for re in ordered] == again
    with pytest.raises(Conflict):
        rounds.draw_order(round_)


def test_a_scored_rubric_changes_by_new_version(app, db):
    competition = make_competition()
    entry = make_valid_entry(competition)
    judge = make_judge(competition)
    round_ = make_round(competition, [entry], [judge])
    rubric = round_.rubric
    with app.test_request_context():
        apply_change(round_.id, entry.id, judge.user_id, Change("k", rubric.criteria[0].id, 10, None, "t"))
    db.session.refresh(rubric)
    assert rubric.is_frozen
    from judging.domain.rubrics import _spec_of

    specs = [_spec_of(c) for c in rubric.criteria][:-1]
    newer = update_rubric(rubric, specs)
    assert newer.id != rubric.id and newer.version == 2 and newer.previous_id == rubric.id
    assert len(rubric.criteria) == 7 and len(newer.criteria) == 6


@pytest.mark.parametrize("second_name", ["Tính mới", "  tính   MỚI ", "Ti\u0301nh mới"])
def test_two_criteria_with_the_same_name_are_refused(app, db, second_name):
    # Score files name criteria by name, ignoring case, spacing and Unicode form.
    from dataclasses import replace

    from judging.domain.rubrics import PROVINCIAL_100

    rubric = create_from_preset(make_competition().id, "provincial_100", "Thang 100")
    specs = [replace(PROVINCIAL_100[0], name="Tính mới"), replace(PROVINCIAL_100[1], name=second_name)]
    with app.test_request_context(), pytest.raises(DomainError, match="Tính mới"):
        update_rubric(rubric, specs)
    with app.test_request_context(), pytest.raises(DomainError, match="200"):
        update_rubric(rubric, [replace(PROVINCIAL_100[0], name="x" * 201)])


def test_timer_counts_down_from_the_start(db):
    competition = make_competition()
    entry = make_valid_entry(competition)
    round_ = make_round(competition, [entry], [make_judge(competition)], mode="pitch")
    rounds.control_timer(round_, "start_presentation", entry.id)
    state = rounds.timer_state(round_)
    assert (
        state["phase"] == "presentation"
        and round_.presentation_seconds - 2 <= state["remaining"] <= round_.presentation_seconds
    )
    rounds.control_timer(round_, "pause")
    assert rounds.timer_state(round_)["phase"] == "paused"
    with pytest.raises(DomainError):
        rounds.control_timer(round_, "explode")


def test_timer_refuses_an_entry_outside_the_round(db):
    competition = make_competition()
    entry, other = make_valid_entry(competition), make_valid_entry(make_competition("khac-2026"))
    round_ = make_round(competition, [entry], [make_judge(competition)], mode="pitch")
    with pytest.raises(DomainError):
        rounds.control_timer(round_, "start_presentation", other.id)
    assert round_.timer_entry_id is None


def test_taking_in_no_entries_says_they_must_be_marked_valid_first(db, app):
    from contest.domain.entries import submit
    from tests.factories import fill_entry, make_team

    competition = make_competition()
    team = make_team(competition)
    entry = fill_entry(team)
    submit(entry, team.leader)  # submitted, not yet checked by the secretariat
    rubric = create_from_preset(competition.id, "provincial_100", "Tỉnh")
    round_ = rounds.create_round(
        competition,
        name="Sơ khảo",
        mode=RoundMode.dossier,
        entry_source=EntrySource.all_valid,
        rubric=rubric,
        judges_per_entry=1,
    )
    with app.test_request_context():
        taken = rounds.refresh_entries(round_)
        assert (taken.added, taken.total, taken.waiting_for_check) == (0, 0, 1)
        assert "hợp lệ" in taken.message() and "1" in taken.message()
        entry.validity = EntryValidity.valid
        taken = rounds.refresh_entries(round_)
        assert (taken.added, taken.total, taken.waiting_for_check) == (1, 1, 0)
        assert taken.message() == "Đã thêm 1 hồ sơ, bỏ 0 hồ sơ; vòng thi hiện có 1 hồ sơ."


def test_an_entry_that_no_longer_qualifies_leaves_the_round_with_its_assignments(db):
    """Judges were assigned while the round was being prepared; one entry is then marked invalid.
    Taking the entries in again removes it and its judges' assignments, so no judge finds a
    sheet for an entry the round no longer has."""
    from judging.models import Assignment

    competition = make_competition()
    kept, dropped = make_valid_entry(competition), make_valid_entry(competition)
    judge = make_judge(competition)
    round_ = make_round(competition, [kept, dropped], [judge], state="preparing")
    assert {a.entry_id for a in db.session.scalars(select(Assignment))} == {kept.id, dropped.id}
    dropped.validity = EntryValidity.invalid
    taken = rounds.refresh_entries(round_)
    assert (taken.removed, taken.total) == (1, 1)
    assert [re.entry_id for re in round_.entries] == [kept.id]
    assert [a.entry_id for a in db.session.scalars(select(Assignment).where(Assignment.round_id == round_.id))] == [
        kept.id
    ]
