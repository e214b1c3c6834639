"""Results through the database: compute, freeze, advance, award, publish —
and a published page that does not move when a score changes afterwards."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from contest.domain.errors import Conflict, DomainError
from contest.extensions import db
from contest.models import AuditEvent, OutboxMessage
from contest.models.base import utcnow
from judging.domain import advancement, awards, publication, results
from judging.domain.scoring import Change, apply_change, submit_sheet
from judging.models import RoundState, Score
from tests.factories import make_competition, make_judge, make_round, make_valid_entry


def _score(round_, judge, entry, value_of):
    for criterion in round_.rubric.criteria:
        apply_change(
            round_.id,
            entry.id,
            judge.user_id,
            Change(
                f"{round_.id}-{judge.id}-{entry.id}-{criterion.id}", criterion.id, value_of(criterion), None, "test"
            ),
        )
    submit_sheet(round_.id, entry.id, judge.user_id)
    db.session.commit()


@pytest.fixture
def scored(app, db):
    """Three entries, two judges, everything scored: entry i gets i/4 of the maximum (+ a judge offset)."""
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(3)]
    panel = [make_judge(competition) for _ in range(2)]
    round_ = make_round(competition, entries, panel)
    with app.test_request_context():
        for i, entry in enumerate(entries, start=1):
            for j, judge in enumerate(panel):
                _score(round_, judge, entry, lambda c, i=i, j=j: c.step * int(c.max_points / c.step * (i + j) / 5))
    round_.state = RoundState.locked
    db.session.commit()
    return competition, round_, entries, panel


def test_compute_ranks_and_diagnoses(scored):
    _, round_, entries, _ = scored
    computed = results.compute(round_)
    assert [s.entry for s in computed.standings] == [entries[2].id, entries[1].id, entries[0].id]
    assert [s.rank for s in computed.standings] == [1, 2, 3]
    assert computed.icc_value is not None and computed.kendall == pytest.approx(1.0)


def test_freeze_writes_an_immutable_snapshot(app, db, scored):
    _, round_, _, _ = scored
    with app.test_request_context():
        snapshot = results.freeze(round_, None)
    db.session.commit()
    assert snapshot.version == 1 and len(snapshot.inputs_hash) == 64
    assert snapshot.inputs_hash == results.inputs_hash(snapshot.inputs)
    assert {s["rank"] for s in snapshot.standings} == {1, 2, 3}
    with app.test_request_context(), pytest.raises(DomainError):
        results.freeze(round_, None)  # replacing needs a reason
    with app.test_request_context():
        second = results.freeze(round_, None, "Nhập sai điểm giám khảo 2")
    db.session.commit()
    assert second.version == 2 and snapshot.withdrawn_reason == "Nhập sai điểm giám khảo 2"


def test_open_rounds_cannot_be_frozen(app, db):
    competition = make_competition()
    round_ = make_round(competition, [make_valid_entry(competition)], [make_judge(competition)])
    with app.test_request_context(), pytest.raises(Conflict):
        results.freeze(round_, None)


def test_advancement_rule_and_override_with_reason(app, db, scored):
    competition, round_, entries, _ = scored
    following = make_round(competition, [], [], name="Chung kết", state="preparing")
    with app.test_request_context():
        results.freeze(round_, None)
        advancement.set_rule(round_, top_n=2, min_total=None, no_zero=True)
        preview = advancement.preview(round_)
        suggested = {c.standing["entry"] for rows in preview.values() for c in rows if c.qualifies}
        with pytest.raises(DomainError):
            advancement.apply(round_, suggested | {entries[0].id}, None)
        advancement.apply(round_, suggested, None)
    db.session.commit()
    assert {re.entry_id for re in following.entries} == suggested
    assert entries[0].id not in suggested  # its zero scores keep it out
    mails = db.session.scalars(select(OutboxMessage)).all()
    assert len([m for m in mails if "vòng" in m.subject.lower() or "round" in m.subject.lower()]) == len(suggested)


def test_publication_is_scheduled_and_does_not_move(app, db, scored):
    competition, round_, entries, panel = scored
    with app.test_request_context():
        snapshot = results.freeze(round_, None)
        awards.ensure_default_tiers(competition)
        given = awards.propose(competition, snapshot)
        later = utcnow() + timedelta(hours=1)
        pub = publication.publish(competition, snapshot, later, None)
    db.session.commit()
    assert [a.entry_id for a in given][:1] == [entries[2].id]
    assert publication.visible_publication(competition.slug) is None
    assert publication.visible_publication(competition.slug, now=later + timedelta(seconds=1)).id == pub.id
    held = db.session.scalars(select(OutboxMessage)).all()
    assert held and all(
        m.next_attempt_at >= later - timedelta(seconds=1)
        for m in held
        if "results" in m.subject.lower() or "kết quả" in m.subject.lower()
    )

    # A score changed after the snapshot (an audited correction) does not touch the publication.
    before = dict(pub.content)
    score = db.session.scalars(select(Score)).first()
    score.value = 0
    db.session.commit()
    db.session.refresh(pub)
    assert pub.content == before
    with app.test_request_context(), pytest.raises(DomainError):
        publication.publish(competition, snapshot, later, None)  # replacing needs a reason
    events = [e.action for e in db.session.scalars(select(AuditEvent))]
    assert "results.frozen" in events and "results.published" in events and "award.proposed" in events


def test_awards_decided_on_results_the_scores_no_longer_match_are_not_published(app, db, scored):
    """Publishing took the awards as they stood: a score changed after they were decided (an
    amended sheet) published awards computed from stale results. Refused until the results are
    frozen again and the awards proposed again from them; nothing is published meanwhile."""
    from judging.models import Publication

    competition, round_, entries, _ = scored
    with app.test_request_context():
        snapshot = results.freeze(round_, None)
        awards.ensure_default_tiers(competition)
        awards.propose(competition, snapshot)
    db.session.commit()
    score = db.session.scalars(select(Score).order_by(Score.id)).first()
    score.value = 0
    db.session.commit()
    mails = len(db.session.scalars(select(OutboxMessage)).all())

    def refused() -> Conflict:
        with app.test_request_context(), pytest.raises(Conflict) as error:
            publication.publish(competition, results.current_snapshot(round_), utcnow(), None)
        db.session.rollback()
        assert error.value.code == "stale_results"
        assert db.session.scalars(select(Publication)).all() == []
        assert len(db.session.scalars(select(OutboxMessage)).all()) == mails
        assert not db.session.scalar(select(AuditEvent.id).where(AuditEvent.action == "results.published"))
        return error.value

    message = refused().message
    assert round_.name in message and "phiên bản 1" in message and "chốt lại kết quả" in message
    # Frozen again: the awards still follow the old standings.
    with app.test_request_context():
        snapshot = results.freeze(round_, None, "Giám khảo sửa điểm phiếu chấm")
    db.session.commit()
    message = refused().message
    assert "phiên bản 2" in message and "đề xuất lại giải thưởng" in message
    # Proposed again from these results: published.
    with app.test_request_context():
        awards.propose(competition, snapshot)
        assert publication.stale_reason(competition, snapshot) is None
        published = publication.publish(competition, snapshot, utcnow(), None)
    db.session.commit()
    assert published.snapshot_id == snapshot.id and published.content["snapshot_version"] == 2


def test_awards_changed_by_hand_need_a_reason(app, db, scored):
    competition, round_, entries, _ = scored
    with app.test_request_context():
        awards.ensure_default_tiers(competition)
        first = awards.tiers_of(competition)[0]
        with pytest.raises(DomainError):
            awards.give(first, entries[0], None)
        award = awards.give(first, entries[0], "Ban giám khảo thống nhất")
        sponsor = awards.add_tier(competition, "Giải của nhà tài trợ", 1, 5_000_000, special=True)
        awards.give(sponsor, entries[1], None)
        with pytest.raises(DomainError):
            awards.take_back(award, "")
        awards.take_back(award, "Nhầm hồ sơ")
    db.session.commit()
    assert [a.tier.name for a in awards.awards_of(competition)] == ["Giải của nhà tài trợ"]


@pytest.mark.parametrize(
    ("count", "prize", "field"),
    [
        (0, None, "count_per_board"),
        (1001, None, "count_per_board"),
        (2**63, None, "count_per_board"),
        (1, -1, "prize_amount"),
        (1, 10**19, "prize_amount"),
    ],
)
def test_award_tiers_refuse_counts_and_prizes_out_of_range(app, db, count, prize, field):
    # Past the integer columns' range PostgreSQL would answer with a 500.
    competition = make_competition()
    with app.test_request_context():
        with pytest.raises(DomainError) as refused:
            awards.add_tier(competition, "Giải Nhất", count, prize)
    assert refused.value.field == field
    assert awards.tiers_of(competition) == []


def test_the_chairs_recorded_decision_breaks_a_tie(app, db):
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(3)]
    judge = make_judge(competition)
    round_ = make_round(competition, entries, [judge])
    with app.test_request_context():
        for entry in entries:  # every entry scored the same
            _score(round_, judge, entry, lambda c: c.max_points / 2)
        round_.state = RoundState.locked
        results.set_method(round_, "mean", 0, 1, [{"kind": "chair_decision", "label": "Chủ tịch quyết định"}])
        assert [s.rank for s in results.compute(round_).standings] == [1, 1, 1]
        with pytest.raises(DomainError):
            results.set_chair_order(round_, [entries[2].code], "")
        with pytest.raises(DomainError) as unknown:
            results.set_chair_order(round_, ["KHONG-CO", entries[2].code], "Biên bản họp số 3")
        assert "KHONG-CO" in unknown.value.message
        # Codes as typed on a tablet: lower case, the whole tied group best first.
        results.set_chair_order(
            round_, [entries[2].code.lower(), entries[0].code, entries[1].code], "Biên bản họp số 3"
        )
        db.session.commit()
        standings = results.compute(round_).standings
    assert [s.entry for s in standings] == [entries[2].id, entries[0].id, entries[1].id]
    assert [s.rank for s in standings] == [1, 2, 3]
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "results.chair_order")).one()
    assert event.after["order"] == [entries[2].code, entries[0].code, entries[1].code]
    assert event.reason == "Biên bản họp số 3"


def test_a_youth_idea_contest_honours_ideas_as_an_award_tier(db):
    from judging.domain import awards

    youth = make_competition("y-2026", preset="youth_idea")
    awards.ensure_default_tiers(youth)
    names = [t.name for t in awards.tiers_of(youth)]
    assert names[-1] == "Tuyên dương ý tưởng" and "Giải Nhất" in names
    other = make_competition()
    awards.ensure_default_tiers(other)
    assert "Tuyên dương ý tưởng" not in [t.name for t in awards.tiers_of(other)]
