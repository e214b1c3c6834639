"""Judging part of `flask demo`: judges, conflicts and a round half-scored.
Idempotent: nothing is added when the demo round already exists."""

from __future__ import annotations

import random

from sqlalchemy import select

from contest.domain.competitions import find_by_slug
from contest.extensions import db
from contest.models import Entry, User
from contest.models.base import utcnow
from judging.domain import assignment, judges, rounds
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
    logins = [("judge", JUDGES[0][0])]
    competition = find_by_slug(DEMO_SLUG)
    if competition is None or db.session.scalar(select(Round.id).where(Round.competition_id == competition.id)):
        return logins
    rnd = random.Random(4)
    panel = []
    for i, (email, name, organisation) in enumerate(JUDGES):
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, full_name=name, password_hash=password_hash, email_verified_at=utcnow(),
                        locale="vi")
            db.session.add(user)
            db.session.flush()
        fields = [f.id for f in competition.fields[i % len(competition.fields)::len(JUDGES)]] or \
            [competition.fields[0].id]
        judge = Judge(competition_id=competition.id, user_id=user.id, organisation=organisation, field_ids=fields,
                      invited_at=utcnow(), accepted_at=utcnow())
        db.session.add(judge)
        panel.append(judge)
    db.session.commit()

    # The university lecturer shares a school with the student teams: proposals to check.
    judges.propose_conflicts(competition)
    some_entry = db.session.scalar(select(Entry).where(Entry.competition_id == competition.id,
                                                       Entry.code.is_not(None)).order_by(Entry.code))
    judges.declare_conflict(panel[3], some_entry, "Người nhà của tôi là thành viên của đội")

    rubric = create_from_preset(competition.id, "provincial_100", "Thang điểm 100 (cấp tỉnh)")
    round_ = rounds.create_round(competition, name="Sơ khảo", mode=RoundMode.dossier,
                                 entry_source=EntrySource.all_valid, rubric=rubric, judges_per_entry=3)
    rounds.refresh_entries(round_)
    db.session.commit()
    assignment.apply(round_, assignment.preview(round_))
    rounds.open_round(round_)
    db.session.commit()

    pairs = sorted(assignment.current_pairs(round_))
    by_judge = {j.id: j for j in panel}
    for n, (judge_id, entry_id) in enumerate(pairs[: len(pairs) // 2]):
        judge = by_judge[judge_id]
        for criterion in rubric.criteria:
            steps = int(criterion.max_points / criterion.step)
            value = criterion.step * rnd.randint(steps // 3, steps)
            apply_change(round_.id, entry_id, judge.user_id,
                         Change(f"demo-{judge_id}-{entry_id}-{criterion.id}", criterion.id, value, None, "demo"))
        if n % 3:
            submit_sheet(round_.id, entry_id, judge.user_id)
    return logins
