"""A conflict of interest confirmed after the judge scored the entry: from
then on that judge's scores on that entry count nowhere (results, snapshot,
the chair's panel, the board, the lock's count), the audit log says so, and
the snapshot says which sheets it left out and why. Dismissed, they count
again; a snapshot frozen in between stays as it was."""

from decimal import Decimal

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from contest.extensions import db as _db
from contest.models import AuditEvent
from judging.domain import board as board_domain
from judging.domain import counting, judges, results, rounds
from judging.domain.queue import panel_view
from judging.domain.scoring import Change, apply_change, submit_sheet
from judging.models import Conflict, ConflictSource, ConflictStatus, RoundState, ScoreSheet
from tests.factories import make_competition, make_judge, make_round, make_user, make_valid_entry

REASON = "Con gái tôi là thành viên của đội"


def _score(round_, judge, entry, share, submit=True):
    """Every criterion at `share` of its maximum (on the criterion's step)."""
    for criterion in round_.rubric.criteria:
        value = criterion.step * int(criterion.max_points * Decimal(str(share)) / criterion.step)
        apply_change(
            round_.id,
            entry.id,
            judge.user_id,
            Change(f"{round_.id}-{judge.id}-{entry.id}-{criterion.id}", criterion.id, value, None, "test"),
        )
    if submit:
        submit_sheet(round_.id, entry.id, judge.user_id)
    _db.session.commit()


@pytest.fixture
def world(app, db):
    """Three entries, three judges, everything scored and submitted. The first
    judge loves the first entry: with that judge's scores it comes first, without them second."""
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(3)]
    panel = [make_judge(competition, make_user(name=f"Giám khảo {n}")) for n in range(3)]
    round_ = make_round(competition, entries, panel)
    round_.result_method, round_.result_min_scores = "mean", 1
    shares = {0: [1.0, 0.5, 0.5], 1: [0.6, 0.6, 0.6], 2: [0.2, 0.2, 0.2]}  # entry -> each judge's share
    with app.test_request_context():
        for e, entry in enumerate(entries):
            for j, judge in enumerate(panel):
                _score(round_, judge, entry, shares[e][j])
    db.session.commit()
    return {"competition": competition, "round": round_, "entries": entries, "judges": panel}


def _lock(db, round_):
    round_.state = RoundState.locked
    db.session.commit()


def _pairs(inputs, keyed=False):
    return {(i["judge"], i["entry"]) if keyed else (i[0], i[1]) for i in inputs}


def _sheet(judge, entry):
    return _db.session.scalar(
        select(ScoreSheet).where(ScoreSheet.judge_id == judge.id, ScoreSheet.entry_id == entry.id)
    )


def _events(action):
    return _db.session.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all()


def _compute_in_english(round_):
    with force_locale("en"):
        return results.compute(round_)


def test_without_a_conflict_every_submitted_sheet_counts(world):
    round_, entries, panel = world["round"], world["entries"], world["judges"]
    computed = results.compute(round_)
    assert _pairs(computed.inputs) == {(j.id, e.id) for j in panel for e in entries}
    assert computed.standings[0].entry == entries[0].id  # the first judge's enthusiasm carries it
    assert computed.exclusions == []


def test_a_declared_conflict_leaves_the_judges_scores_out_of_the_results_and_the_snapshot(app, db, world):
    round_, entries, panel = world["round"], world["entries"], world["judges"]
    loving, first = panel[0], entries[0]
    sheet = _sheet(loving, first)
    with app.test_request_context():
        conflict = judges.declare_conflict(loving, first, REASON)
    assert conflict.decided_at is not None  # when the exclusion began
    _lock(db, round_)

    computed = _compute_in_english(round_)
    counted = _pairs(computed.inputs)
    assert (loving.id, first.id) not in counted
    assert {(loving.id, e.id) for e in entries[1:]} <= counted  # the judge's other entries count
    assert {(j.id, first.id) for j in panel[1:]} <= counted  # and the rest of the panel on this one
    by_entry = {s.entry: s for s in computed.standings}
    assert by_entry[first.id].n_judges == 2
    assert {j for j, _t in by_entry[first.id].judge_totals} == {panel[1].id, panel[2].id}
    assert loving.id in {j for j, _t in by_entry[entries[1].id].judge_totals}
    assert [s.entry for s in computed.standings][:2] == [entries[1].id, first.id]  # the order changed
    assert [(x.sheet_id, x.judge_id, x.entry_id) for x in computed.exclusions] == [(sheet.id, loving.id, first.id)]
    assert (
        "1 score sheets are left out because their judge has a conflict of interest with the entry "
        "(see the diagnostics)."
    ) in computed.warnings
    assert computed.stale_snapshot is None

    with app.test_request_context():
        snapshot = results.freeze(round_, None)
    db.session.commit()
    assert (loving.id, first.id) not in _pairs(snapshot.inputs, keyed=True)
    assert (loving.id, entries[1].id) in _pairs(snapshot.inputs, keyed=True)
    assert snapshot.inputs_hash == results.inputs_hash(snapshot.inputs)
    frozen = {s["entry"]: s for s in snapshot.standings}
    assert frozen[first.id]["n_judges"] == 2 and loving.id not in {j for j, _t in frozen[first.id]["judge_totals"]}
    assert frozen[entries[1].id]["rank"] == 1 and frozen[first.id]["rank"] == 2
    # The snapshot explains itself: which sheet, whose, which conflict, since when, why, and the scores.
    [left_out] = snapshot.excluded
    criteria = round_.rubric.criteria
    assert left_out["sheet"] == sheet.id and (left_out["judge"], left_out["entry"]) == (loving.id, first.id)
    assert left_out["conflict"] == conflict.id and left_out["reason"] == REASON and left_out["source"] == "declared"
    assert left_out["confirmed_at"] == conflict.decided_at.isoformat()
    assert {s["criterion"]: s["value"] for s in left_out["scores"]} == {
        c.id: format((c.step * int(c.max_points / c.step)).normalize(), "f") for c in criteria
    }

    # The audit log: the exclusion when the conflict was declared, and the freeze naming the sheet.
    [excluded] = _events("scores.excluded")
    assert excluded.object_type == "score_sheet" and excluded.object_id == str(sheet.id)
    assert excluded.reason == REASON and excluded.competition_id == world["competition"].id
    assert excluded.after["judge"] == loving.id and excluded.after["entry"] == first.id
    assert excluded.after["conflict"] == conflict.id and excluded.after["submitted"] is True
    assert len(excluded.after["scores"]) == len(criteria)
    assert _events("results.frozen")[-1].after["excluded_sheets"] == [sheet.id]


def test_a_confirmed_proposal_excludes_and_a_dismissal_brings_the_scores_back_but_not_into_the_snapshot(app, db, world):
    round_, entries, panel = world["round"], world["entries"], world["judges"]
    loving, first = panel[0], entries[0]
    boss = make_user(name="Ban tổ chức")
    conflict = Conflict(
        judge_id=loving.id,
        entry_id=first.id,
        source=ConflictSource.proposed,
        status=ConflictStatus.pending,
        reason="Cùng trường",
        created_at=round_.created_at,
    )
    db.session.add(conflict)
    db.session.commit()
    assert (loving.id, first.id) in _pairs(results.compute(round_).inputs)  # a proposal alone changes nothing
    assert _events("scores.excluded") == []

    judges.decide_conflict(conflict, True, boss)
    assert len(_events("scores.excluded")) == 1
    _lock(db, round_)
    with app.test_request_context():
        snapshot = results.freeze(round_, None)
    db.session.commit()
    inputs, digest = list(snapshot.inputs), snapshot.inputs_hash
    assert (loving.id, first.id) not in _pairs(inputs, keyed=True)
    assert [x["conflict"] for x in snapshot.excluded] == [conflict.id]
    assert snapshot.excluded[0]["source"] == "proposed"
    assert snapshot.excluded[0]["confirmed_at"] == conflict.decided_at.isoformat()

    judges.decide_conflict(conflict, False, boss)
    [back] = _events("scores.reinstated")
    assert back.object_id == str(_sheet(loving, first).id) and back.after["status"] == "dismissed"
    computed = results.compute(round_)
    assert (loving.id, first.id) in _pairs(computed.inputs)
    assert computed.exclusions == [] and computed.standings[0].entry == first.id
    # The frozen snapshot stays as it was, and the results say it no longer matches.
    db.session.expire_all()
    assert snapshot.inputs == inputs and snapshot.inputs_hash == digest and len(snapshot.excluded) == 1
    assert computed.stale_snapshot is not None and computed.stale_snapshot.id == snapshot.id
    with app.test_request_context():
        second = results.freeze(round_, None, "Xung đột lợi ích đã được bác bỏ")
    db.session.commit()
    assert second.excluded == [] and (loving.id, first.id) in _pairs(second.inputs, keyed=True)
    assert results.compute(round_).stale_snapshot is None


def test_a_conflict_confirmed_after_the_freeze_leaves_the_snapshot_and_warns(app, db, world):
    round_, entries, panel = world["round"], world["entries"], world["judges"]
    _lock(db, round_)
    with app.test_request_context():
        snapshot = results.freeze(round_, None)
        db.session.commit()
        inputs = list(snapshot.inputs)
        judges.declare_conflict(panel[0], entries[0], REASON)
    db.session.expire_all()
    assert snapshot.inputs == inputs and snapshot.excluded == []
    computed = _compute_in_english(round_)
    assert computed.stale_snapshot is not None and computed.stale_snapshot.id == snapshot.id
    assert any(
        w.startswith("The frozen results (version 1) were computed before a conflict of interest")
        for w in computed.warnings
    )


def test_a_repeated_declaration_neither_moves_the_date_nor_logs_a_second_exclusion(app, db, world):
    loving, first = world["judges"][0], world["entries"][0]
    with app.test_request_context():
        conflict = judges.declare_conflict(loving, first, REASON)
        since = conflict.decided_at
        judges.declare_conflict(loving, first, REASON + " (nhắc lại)")
    assert conflict.decided_at == since
    assert len(_events("scores.excluded")) == 1


def test_a_started_sheet_is_logged_and_the_pair_is_no_longer_expected(app, db):
    """The judge had begun (not submitted) when declaring: the lock need not wait for that sheet, the board
    shows the pair as excluded, no reminder goes to the judge, and the unsubmitted scores are named in the log."""
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(2)]
    panel = [make_judge(competition) for _ in range(2)]
    round_ = make_round(competition, entries, panel)
    with app.test_request_context():
        for judge in panel:
            _score(round_, judge, entries[1], 0.5)
        _score(round_, panel[1], entries[0], 0.5)
        _score(round_, panel[0], entries[0], 0.9, submit=False)
        assert not rounds.completion(round_).complete
        judges.declare_conflict(panel[0], entries[0], REASON)
    [logged] = _events("scores.excluded")
    assert logged.after["submitted"] is False and len(logged.after["scores"]) == len(round_.rubric.criteria)

    done = rounds.completion(round_)
    assert (done.assigned, done.submitted) == (3, 3) and done.complete
    row = next(r for r in board_domain.board(round_).rows if r.judge.id == panel[0].id)
    assert row.cells[entries[0].id] == "excluded" and (row.done, row.assigned) == (1, 1) and not row.behind
    with app.test_request_context():
        assert board_domain.remind_late_judges(round_).sent == 0
        rounds.lock_round(round_)  # no reason needed
    assert round_.state is RoundState.locked


def test_the_chairs_panel_view_leaves_the_excluded_sheet_out(app, db, world):
    round_, entries, panel = world["round"], world["entries"], world["judges"]
    with app.test_request_context():
        judges.declare_conflict(panel[0], entries[0], REASON)
    _lock(db, round_)
    view = panel_view(round_, panel[1])
    rows = {entry.id: totals for entry, totals in view.rows}
    assert rows[entries[0].id][panel[0].id] is None
    assert rows[entries[1].id][panel[0].id] is not None and rows[entries[0].id][panel[1].id] is not None


def test_the_rule_is_one_condition_on_the_sheet(app, db, world):
    """`sheet_counts` is what every reader filters by: submitted and not under a confirmed conflict."""
    round_, entries, panel = world["round"], world["entries"], world["judges"]
    pending = Conflict(
        judge_id=panel[1].id,
        entry_id=entries[2].id,
        source=ConflictSource.proposed,
        status=ConflictStatus.pending,
        reason="?",
        created_at=round_.created_at,
    )
    dismissed = Conflict(
        judge_id=panel[2].id,
        entry_id=entries[2].id,
        source=ConflictSource.proposed,
        status=ConflictStatus.dismissed,
        reason="?",
        created_at=round_.created_at,
    )
    db.session.add_all([pending, dismissed])
    db.session.commit()
    with app.test_request_context():
        judges.declare_conflict(panel[0], entries[0], REASON)
    _sheet(panel[1], entries[1]).submitted_at = None
    db.session.commit()
    counted = set(
        db.session.execute(select(ScoreSheet.judge_id, ScoreSheet.entry_id).where(counting.sheet_counts())).tuples()
    )
    everything = {(j.id, e.id) for j in panel for e in entries}
    assert counted == everything - {(panel[0].id, entries[0].id), (panel[1].id, entries[1].id)}
    assert [(x.judge_id, x.entry_id) for x in counting.excluded_sheets(round_.id)] == [(panel[0].id, entries[0].id)]


def test_a_new_assignment_finds_the_entry_a_judge_whose_scores_count(app, db):
    """One judge per entry; the only judge on it scored and then declared a conflict: the proposal keeps
    that pair (its scores are on record) and adds another judge, since those scores no longer count."""
    from contest.models.base import utcnow
    from judging.domain import assignment
    from judging.models import Assignment

    competition = make_competition()
    entry = make_valid_entry(competition)
    first, second = make_judge(competition), make_judge(competition)
    round_ = make_round(competition, [entry], [first, second], assign_all=False)
    round_.judges_per_entry = 1
    db.session.add(Assignment(round_id=round_.id, judge_id=first.id, entry_id=entry.id, created_at=utcnow()))
    db.session.commit()
    with app.test_request_context():
        _score(round_, first, entry, 0.5)
        assert assignment.preview(round_).pairs == {(first.id, entry.id)}
        judges.declare_conflict(first, entry, REASON)
        proposal = assignment.preview(round_)
    assert proposal.pairs == {(first.id, entry.id), (second.id, entry.id)} and proposal.feasible
    assert "scored_pair_in_conflict" in {p.code for p in proposal.problems}
