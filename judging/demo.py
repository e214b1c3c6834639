"""Judging part of `flask demo`: this year's contest with judges, conflicts
and a round half-scored; last year's contest finished, with published results
and a ceremony ready to run. Idempotent."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from contest.demo_competitions import load_finished_competition
from contest.domain import certificates
from contest.domain.competitions import find_by_slug
from contest.extensions import db
from contest.models import Entry, ExpertRole, User
from contest.models.base import utcnow
from judging.domain import advancement, assignment, awards, judges, publication, results, rounds
from judging.domain.rubrics import create_from_preset
from judging.domain.scoring import Change, apply_change, submit_sheet
from judging.models import EntrySource, Judge, Round, RoundMode

DEMO_SLUG = "khoi-nghiep-quang-ngai-2026"
JUDGES = [
    ("gk1@giamkhao.quangngai.vn", "TS. Nguyễn Văn Khoa", "Sở Khoa học và Công nghệ"),
    ("gk2@giamkhao.quangngai.vn", "ThS. Trần Thị Minh Thư", "Trường Đại học Phạm Văn Đồng"),
    ("gk3@giamkhao.quangngai.vn", "Ông Lê Quang Vinh", "Quỹ đầu tư khởi nghiệp miền Trung"),
    ("gk4@giamkhao.quangngai.vn", "Bà Huỳnh Thị Hoa", "Hội Doanh nhân trẻ tỉnh"),
    ("gk5@giamkhao.quangngai.vn", "TS. Phan Đức Tài", "Sở Công Thương"),
]


def load_judging_demo(password_hash: str) -> list[tuple[str, str]]:
    _finished(password_hash)
    _current(password_hash)
    from judging.demo_history import load_judging_history

    load_judging_history(password_hash)
    _judges_in_the_registry()
    from judging.demo_votes import load_vote_demo

    load_vote_demo()
    return [("judge", JUDGES[0][0])]


def _judges_in_the_registry() -> None:
    """The demo's judges are people of the registry of experts: their history
    spans the 2022–2025 contests; one declared a conflict (a company) in 2025."""
    from contest.domain import experts
    from contest.models import ConflictKind

    for i, (email, _name, organisation) in enumerate(JUDGES):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None or experts.of_user(user) is not None:
            continue
        expert = experts.join_registry(user, organisation=organisation)
        experts.update_expert(
            expert,
            experts.ExpertInput(
                full_name=expert.full_name,
                organisation=organisation,
                fields=("Nông nghiệp công nghệ cao", "Chế biến thực phẩm và sản phẩm OCOP")
                if i % 2 == 0
                else ("Công nghệ thông tin và chuyển đổi số", "Du lịch và dịch vụ"),
                roles=(ExpertRole.judge, ExpertRole.mentor) if i < 2 else (ExpertRole.judge,),
            ),
        )
        if i < 3:
            experts.set_consent(expert, True, ["organisation", "fields"])
        if i == 2:
            experts.declare_conflict(
                expert,
                ConflictKind.company,
                "Công ty TNHH Nông sản Sạch Quảng Ngãi",
                detail="Thành viên hội đồng quản trị",
                on=date(2025, 3, 12),
            )
        for judge in db.session.scalars(select(Judge).where(Judge.user_id == user.id, Judge.expert_id.is_(None))):
            judge.expert_id = expert.id
    db.session.commit()


def _panel(competition, password_hash: str) -> list[Judge]:
    panel = []
    for i, (email, name, organisation) in enumerate(JUDGES):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(
                email=email, full_name=name, password_hash=password_hash, email_verified_at=utcnow(), locale="vi"
            )
            db.session.add(user)
            db.session.flush()
        fields = [f.id for f in competition.fields[i % len(competition.fields) :: len(JUDGES)]] or [
            competition.fields[0].id
        ]
        judge = Judge(
            competition_id=competition.id,
            user_id=user.id,
            organisation=organisation,
            field_ids=fields,
            invited_at=utcnow(),
            accepted_at=utcnow(),
        )
        db.session.add(judge)
        panel.append(judge)
    db.session.commit()
    return panel


def _round(competition, name, mode, source, rubric, per_entry) -> Round:
    round_ = rounds.create_round(
        competition, name=name, mode=mode, entry_source=source, rubric=rubric, judges_per_entry=per_entry
    )
    rounds.refresh_entries(round_)
    db.session.commit()
    assignment.apply(round_, assignment.preview(round_))
    rounds.open_round(round_)
    db.session.commit()
    return round_


def _score(round_, panel, rnd, share: float, submit_every: int = 1) -> None:
    """Score the first `share` of the round's assignments with plausible values."""
    pairs = sorted(assignment.current_pairs(round_))
    by_judge = {j.id: j for j in panel}
    quality = {e: rnd.uniform(0.45, 0.95) for _, e in pairs}
    for n, (judge_id, entry_id) in enumerate(pairs[: int(len(pairs) * share)]):
        judge = by_judge[judge_id]
        for criterion in round_.rubric.criteria:
            steps = int(criterion.max_points / criterion.step)
            level = min(1.0, max(0.0, quality[entry_id] + rnd.uniform(-0.12, 0.12)))
            apply_change(
                round_.id,
                entry_id,
                judge.user_id,
                Change(
                    f"demo-{round_.id}-{judge_id}-{entry_id}-{criterion.id}",
                    criterion.id,
                    criterion.step * round(steps * level),
                    None,
                    "demo",
                ),
            )
        if n % submit_every == 0:
            submit_sheet(round_.id, entry_id, judge.user_id)


def _current(password_hash: str) -> None:
    competition = find_by_slug(DEMO_SLUG)
    if competition is None or db.session.scalar(select(Round.id).where(Round.competition_id == competition.id)):
        return
    panel = _panel(competition, password_hash)
    # The university lecturer shares a school with the student teams: proposals to check.
    judges.propose_conflicts(competition)
    some_entry = db.session.scalars(
        select(Entry).where(Entry.competition_id == competition.id, Entry.code.is_not(None)).order_by(Entry.code)
    ).first()
    assert some_entry is not None  # noqa: S101 - the demo has just submitted entries
    judges.declare_conflict(panel[3], some_entry, "Người nhà của tôi là thành viên của đội")
    rubric = create_from_preset(competition.id, "provincial_100", "Thang điểm 100 (cấp tỉnh)")
    round_ = _round(competition, "Sơ khảo", RoundMode.dossier, EntrySource.all_valid, rubric, 3)
    _score(round_, panel, random.Random(4), share=0.5, submit_every=3)


def _finished(password_hash: str) -> None:
    """Sơ khảo and chung kết locked and frozen, awards given, results published."""
    competition = load_finished_competition(password_hash)
    if competition is None:
        return
    rnd = random.Random(2025)
    panel = _panel(competition, password_hash)
    rubric = create_from_preset(competition.id, "provincial_100", "Thang điểm 100 (cấp tỉnh)")
    first = _round(competition, "Sơ khảo", RoundMode.dossier, EntrySource.all_valid, rubric, 3)
    _score(first, panel, rnd, share=1.0)
    rounds.lock_round(first)
    results.freeze(first, None)
    final = advance_to_final(competition, first, rubric, top_n=4, judges_per_entry=5)
    _score(final, panel, rnd, share=1.0)
    rounds.lock_round(final)
    snapshot = results.freeze(final, None)
    awards.ensure_default_tiers(competition)
    awards.propose(competition, snapshot)
    sponsor = awards.add_tier(competition, "Giải đặc biệt của nhà tài trợ", 1, 15_000_000, special=True)
    best_student = next(
        (
            e
            for e in db.session.scalars(select(Entry).where(Entry.competition_id == competition.id))
            if e.team.organisation
        ),
        None,
    )
    if best_student is not None:
        awards.give(sponsor, best_student, None)
    publication.publish(competition, snapshot, utcnow() - timedelta(days=30), None, feedback_released=True)
    db.session.commit()
    # Certificates issued and rendered, as after last year's ceremony.
    batch = certificates.start_batch(competition, date(2025, 12, 20), None, in_thread=False)
    certificates.run_batch(batch.id)


def advance_to_final(competition, first: Round, rubric, *, top_n: int, judges_per_entry: int) -> Round:
    """Apply the usual rule (top N per board, at least 50, no criterion at 0) to
    the frozen first round and open a live final with those entries."""
    advancement.set_rule(first, top_n=top_n, min_total=50, no_zero=True)
    chosen = {c.standing["entry"] for rows in advancement.preview(first).values() for c in rows if c.qualifies}
    final = rounds.create_round(
        competition,
        name="Chung kết",
        mode=RoundMode.pitch,
        entry_source=EntrySource.advanced,
        rubric=rubric,
        judges_per_entry=judges_per_entry,
    )
    db.session.commit()
    advancement.apply(first, chosen, None)
    db.session.commit()
    assignment.apply(final, assignment.preview(final))
    rounds.draw_order(final)
    rounds.open_round(final)
    db.session.commit()
    return final
