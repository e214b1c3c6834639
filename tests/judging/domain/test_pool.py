"""One judge pool across contests: conflicts a person declared once are proposed
again in later contests; a judge invited from outside the registry joins it on accepting."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from contest.domain import experts
from contest.models import ConflictKind, ExpertRole
from tests.factories import make_competition, make_user, make_valid_entry


def _expert(name: str, **kw):
    return experts.create_expert(experts.ExpertInput(full_name=name, **kw), by=None)


def test_a_conflict_declared_in_2025_is_proposed_when_invited_to_a_2026_contest(app, db):
    from judging.domain import pool
    from judging.models import Conflict, ConflictStatus

    organizer = make_user("btc@example.vn")
    with app.test_request_context():
        expert = _expert("Hồ Văn Bình", email="binh@example.vn", roles=(ExpertRole.judge,))
        experts.declare_conflict(
            expert, ConflictKind.company, "Công ty TNHH Nông sản Sạch Quảng Ngãi", on=date(2025, 4, 2)
        )
        db.session.commit()
    competition = make_competition("thi-2026", year=2026)
    touched = make_valid_entry(competition)
    touched.team.organisation = "Công ty TNHH Nông sản Sạch Quảng Ngãi"
    other = make_valid_entry(competition)
    db.session.commit()
    with app.test_request_context():
        judge = pool.invite_expert(competition, expert, invited_by=organizer)
        db.session.commit()
        proposals = list(db.session.scalars(select(Conflict).where(Conflict.judge_id == judge.id)))
    assert [(c.entry_id, c.status) for c in proposals] == [(touched.id, ConflictStatus.pending)]
    assert "Công ty TNHH Nông sản Sạch Quảng Ngãi" in proposals[0].reason and "2025" in proposals[0].reason
    assert other.id not in {c.entry_id for c in proposals}
    assert judge.expert_id == expert.id


def test_a_conflict_is_proposed_by_the_registration_number_of_the_project_s_enterprise(app, db):
    from contest.models import Enterprise
    from judging.domain import judges, pool
    from judging.models import Conflict

    organizer = make_user("btc2@example.vn")
    with app.test_request_context():
        expert = _expert("Hồ Thị Mai", email="mai@example.vn", roles=(ExpertRole.judge,))
        experts.declare_conflict(
            expert, ConflictKind.company, "Cty của em gái", registration_number="4300 123 456", on=date(2025, 1, 5)
        )
        db.session.commit()
    competition = make_competition("thi-2026-b", year=2026)
    entry = make_valid_entry(competition)
    db.session.add(
        Enterprise(
            registration_number="4300123456", name="Hợp tác xã X", founded_on=date(2025, 1, 1), project=entry.project
        )
    )
    db.session.commit()
    with app.test_request_context():
        judge = pool.invite_expert(competition, expert, invited_by=organizer)
        db.session.commit()
        assert judges.propose_conflicts(competition) == 0  # already proposed: not twice
    assert [c.entry_id for c in db.session.scalars(select(Conflict).where(Conflict.judge_id == judge.id))] == [entry.id]


def test_a_judge_invited_from_outside_joins_the_registry_on_accepting(app, db):
    from judging.domain import judges

    competition = make_competition("thi-moi", year=2026)
    organizer = make_user("btc3@example.vn")
    with app.test_request_context():
        judge = judges.invite_judge(
            competition,
            email="moi@example.vn",
            full_name="Người Mới",
            organisation="ĐH Phạm Văn Đồng",
            field_ids=[],
            invited_by=organizer,
        )
        db.session.commit()
        assert experts.of_user(judge.user) is None
        judges.accept_invite(judge, "mat-khau-dai-du-10")
        db.session.commit()
        expert = experts.of_user(judge.user)
    assert expert is not None and judge.expert_id == expert.id
    assert expert.organisation == "ĐH Phạm Văn Đồng" and expert.role_values == ["judge"]
    assert not expert.consent_public  # not public until they consent


def test_a_person_of_the_registry_invited_by_e_mail_has_their_declared_conflict_proposed_on_accepting(app, db):
    from judging.domain import judges
    from judging.models import Conflict, ConflictStatus

    with app.test_request_context():
        expert = _expert("Đỗ Văn Khai", email="khai@example.vn", roles=(ExpertRole.judge,))
        experts.declare_conflict(expert, ConflictKind.company, "Công ty Cổ phần Mỳ Chũ", on=date(2025, 3, 1))
        db.session.commit()
    competition = make_competition("thi-thu-moi", year=2026)
    touched = make_valid_entry(competition)
    touched.team.organisation = "Công ty Cổ phần Mỳ Chũ"
    db.session.commit()
    with app.test_request_context():
        judge = judges.invite_judge(
            competition,
            email="khai@example.vn",
            full_name="Đỗ Văn Khai",
            organisation=None,
            field_ids=[],
            invited_by=make_user("btc4@example.vn"),
        )
        db.session.commit()
        judges.accept_invite(judge, "mat-khau-dai-du-10")
        db.session.commit()
        proposals = list(db.session.scalars(select(Conflict).where(Conflict.judge_id == judge.id)))
    assert judge.expert_id == expert.id
    assert [(c.entry_id, c.status) for c in proposals] == [(touched.id, ConflictStatus.pending)]
