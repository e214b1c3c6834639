"""Judges, conflicts of interest and assignment, through the database."""

import pytest
from sqlalchemy import select

from contest.domain.errors import DomainError
from contest.domain.outbox import send_due
from contest.models import Member
from judging.domain import assignment, judges
from judging.domain.scoring import Change, ScoringError, apply_change
from judging.models import Assignment, Conflict, ConflictStatus
from tests.conftest import first_link
from tests.factories import make_competition, make_judge, make_round, make_user, make_valid_entry


def test_invitation_creates_the_account_and_the_judge_sets_a_password(app, db, mail_app, smtp_server):
    competition = make_competition()
    organizer = make_user(name="Ban tổ chức")
    with app.test_request_context():
        judge = judges.invite_judge(
            competition,
            email="Chuyen.Gia@Sokhcn.vn",
            full_name="Phạm Văn Chuyên",
            organisation="Sở KH&CN",
            field_ids=[competition.fields[0].id],
            invited_by=organizer,
        )
    send_due()
    mail = smtp_server.wait_for(1)[0]
    link = first_link(mail, "/judge/invite/")
    token = link.rsplit("/", 1)[1]
    assert judge.user.email == "chuyen.gia@sokhcn.vn" and judges.needs_password(judge)
    assert judges.judge_from_token(token).id == judge.id
    with pytest.raises(DomainError):
        judges.accept_invite(judge, "ngan")
    judges.accept_invite(judge, "mat-khau-giam-khao")
    assert judge.accepted_at is not None and judge.user.is_verified
    with app.test_request_context(), pytest.raises(DomainError):
        judges.invite_judge(
            competition,
            email="chuyen.gia@sokhcn.vn",
            full_name="",
            organisation=None,
            field_ids=[],
            invited_by=organizer,
        )


def test_likely_conflicts_are_proposed_then_decided(app, db):
    competition = make_competition()
    entry = make_valid_entry(competition)
    entry.team.organisation = "Trường Đại học Phạm Văn Đồng"
    entry.team.members.append(Member(seat=5, full_name="Ngô Bảo", email="bao@ptit.edu.vn"))
    same_school = make_judge(competition, organisation="trường đại học  phạm văn đồng")
    same_domain = make_judge(competition, make_user("thay@ptit.edu.vn"))
    gmail = make_judge(competition, make_user("ai.do@gmail.com"))
    member = make_judge(competition, entry.team.leader)
    db.session.commit()
    assert judges.propose_conflicts(competition) == 3
    assert judges.propose_conflicts(competition) == 0  # no duplicates on a second look
    proposed = {c.judge_id: c for c in db.session.scalars(select(Conflict))}
    assert set(proposed) == {same_school.id, same_domain.id, member.id} and gmail.id not in proposed
    assert all(c.status is ConflictStatus.pending for c in proposed.values())
    organizer = make_user()
    judges.decide_conflict(proposed[same_school.id], True, organizer)
    judges.decide_conflict(proposed[same_domain.id], False, organizer)
    assert judges.excluded_pairs(competition.id) == {(same_school.id, entry.id)}


def test_declared_conflict_excludes_the_pair_everywhere(app, db):
    competition = make_competition()
    entry = make_valid_entry(competition)
    judge = make_judge(competition)
    round_ = make_round(competition, [entry], [judge])
    with pytest.raises(DomainError):
        judges.declare_conflict(judge, entry, "  ")
    with app.test_request_context():
        judges.declare_conflict(judge, entry, "Con tôi là thành viên đội")
    assert db.session.scalar(select(Assignment)) is None
    with app.test_request_context(), pytest.raises(ScoringError) as refused:
        apply_change(round_.id, entry.id, judge.user_id, Change("k", round_.rubric.criteria[0].id, 1, None, None))
    assert refused.value.status == 403
    assert (judge.id, entry.id) not in assignment.preview(round_).pairs


def test_assignment_apply_keeps_scored_pairs_when_a_judge_drops_out(app, db):
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(4)]
    panel = [make_judge(competition) for _ in range(3)]
    round_ = make_round(competition, entries, panel, assign_all=False)
    round_.judges_per_entry = 2
    result = assignment.preview(round_)
    assert result.feasible
    assignment.apply(round_, result)
    pairs = assignment.current_pairs(round_)
    assert len(pairs) == 8 and max(result.loads.values()) - min(result.loads.values()) <= 1
    # The first judge scores one entry, then drops out of the panel.
    leaving = panel[0]
    scored_entry = next(e for j, e in sorted(pairs) if j == leaving.id)
    with app.test_request_context():
        apply_change(round_.id, scored_entry, leaving.user_id, Change("s", round_.rubric.criteria[0].id, 3, None, None))
    db.session.delete(leaving)
    db.session.commit()
    rerun = assignment.preview(round_)
    assert rerun.feasible
    assignment.apply(round_, rerun)
    after = assignment.current_pairs(round_)
    assert all(sum(1 for _, e in after if e == entry.id) >= 2 for entry in entries)


def test_infeasible_assignment_says_why(db):
    competition = make_competition()
    entries = [make_valid_entry(competition) for _ in range(2)]
    judge = make_judge(competition)
    round_ = make_round(competition, entries, [judge], assign_all=False)
    round_.judges_per_entry = 2
    result = assignment.preview(round_)
    assert not result.feasible
    messages = [assignment.explain(p, {e.id: e.code for e in entries}, {judge.id: "An"}) for p in result.problems]
    assert any("2" in m and "1" in m for m in messages), messages
