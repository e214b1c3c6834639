"""Judging part of the demo's history (the competitions of
contest/demo_history.py): for each, a dossier round and a final, scored from
paper sheets typed in (as the secretariat does when no tablets were used),
locked and frozen; award tiers and awards from the final's standings; the
results published on the day of the ceremony, so the reports count them.
Idempotent: a competition that already has rounds is left alone."""

from __future__ import annotations

import csv
import io
import random
from datetime import UTC, datetime, time

from sqlalchemy import func, select, update

from contest.demo_history import HISTORY, HistorySpec
from contest.domain.competitions import find_by_slug
from contest.extensions import db
from contest.models import Entry, Gender, OutboxMessage, OutboxStatus, ProjectOutcome
from judging.demo import _panel, _round, advance_to_final
from judging.domain import assignment, awards, publication, results, rounds
from judging.domain.judges import judges_of
from judging.domain.paper_import import describe, import_scores
from judging.domain.rubrics import create_from_preset
from judging.models import EntrySource, Round, RoundMode

# District and youth contests give smaller prizes than the provincial defaults.
SMALL_TIERS = (
    ("Giải Nhất", 1, 10_000_000),
    ("Giải Nhì", 1, 7_000_000),
    ("Giải Ba", 1, 5_000_000),
    ("Giải Khuyến khích", 1, 2_000_000),
)
# Given to the best team led by a woman (not a women-owned business: that is two facts, see entries.is_women_owned).
WOMEN_PRIZE = ("Giải dự án có trưởng nhóm là nữ (Hội Liên hiệp Phụ nữ tỉnh)", 10_000_000)


def load_judging_history(password_hash: str) -> None:
    for spec in HISTORY:
        competition = find_by_slug(spec.slug)
        if competition is None or db.session.scalar(select(Round.id).where(Round.competition_id == competition.id)):
            continue
        _judge(competition, spec, password_hash)


def _judge(competition, spec: HistorySpec, password_hash: str) -> None:
    rnd = random.Random(spec.seed)
    last_mail = db.session.scalar(select(func.max(OutboxMessage.id))) or 0
    panel = _panel(competition, password_hash)
    if spec.preset == "youth_idea":
        rubric = create_from_preset(competition.id, "five_point_weighted", "Thang điểm 1–5 có trọng số")
    else:
        rubric = create_from_preset(competition.id, "provincial_100", "Thang điểm 100 (cấp tỉnh)")
    # Projects that later did well were, on the whole, the stronger ones.
    followed = set(
        db.session.scalars(
            select(ProjectOutcome.entry_id)
            .join(Entry, Entry.id == ProjectOutcome.entry_id)
            .where(Entry.competition_id == competition.id)
        )
    )
    quality: dict[int, float] = {}
    first = _round(competition, "Sơ khảo", RoundMode.dossier, EntrySource.all_valid, rubric, 3)
    for re in sorted(first.entries, key=lambda re: re.entry_id):
        quality[re.entry_id] = rnd.uniform(0.45, 0.85) + (0.1 if re.entry_id in followed else 0.0)
    _paper_scores(first, rnd, quality)
    rounds.lock_round(first)
    results.freeze(first, None)
    final = advance_to_final(competition, first, rubric, top_n=spec.finalists_per_board, judges_per_entry=len(panel))
    _paper_scores(final, rnd, quality)
    rounds.lock_round(final)
    snapshot = results.freeze(final, None)
    if spec.preset == "provincial":
        awards.ensure_default_tiers(competition)
    else:
        for name, count, prize in SMALL_TIERS:
            awards.add_tier(competition, name, count, prize)
        if spec.preset == "youth_idea" and spec.year >= 2025:
            awards.add_tier(competition, *awards.HONOURING_TIER)  # the ideas honoured (tuyên dương)
    awards.propose(competition, snapshot)
    if spec.preset == "provincial" and spec.year >= 2023:
        best_woman = _best_women_led(snapshot)
        if best_woman is not None:
            name, prize = WOMEN_PRIZE
            awards.give(awards.add_tier(competition, name, 1, prize, special=True), best_woman, None)
    announced = datetime.combine(spec.final_on, time(11, 0), tzinfo=UTC)  # 18:00 in Quảng Ngãi
    publication.publish(competition, snapshot, announced, None, feedback_released=True)
    # Those years' mails (who went on, the results) went out at the time.
    db.session.flush()
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id > last_mail, OutboxMessage.status == OutboxStatus.pending)
        .values(
            status=OutboxStatus.sent, attempts=1, created_at=announced, next_attempt_at=announced, sent_at=announced
        ),
        execution_options={"synchronize_session": False},
    )
    db.session.commit()


def _paper_scores(round_: Round, rnd: random.Random, quality: dict[int, float]) -> None:
    """Every assigned sheet, typed in from paper: the same import the secretariat uses."""
    criteria = list(round_.rubric.criteria)
    emails = {j.id: j.user.email for j in judges_of(round_.competition)}
    codes: dict[int, str | None] = dict(
        db.session.execute(select(Entry.id, Entry.code).where(Entry.id.in_([re.entry_id for re in round_.entries])))
        .tuples()
        .all()
    )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["judge_email", "entry_code", "criterion", "score"])
    for judge_id, entry_id in sorted(assignment.current_pairs(round_)):
        for criterion in criteria:
            steps = int(criterion.max_points / criterion.step)
            level = min(1.0, max(0.1, quality[entry_id] + rnd.uniform(-0.12, 0.12)))
            writer.writerow([emails[judge_id], codes[entry_id], criterion.name, criterion.step * round(steps * level)])
    # The import looks each score up before writing it; nothing it writes is read back before
    # its own flush of each new sheet, so flushing before every look-up only costs time.
    with db.session.no_autoflush:
        report = import_scores(round_, out.getvalue().encode(), None)
    if not report.ok:
        raise RuntimeError("demo scores refused: " + "; ".join(describe(p) for p in report.problems[:5]))


def _best_women_led(snapshot) -> Entry | None:
    for standing in sorted(snapshot.standings, key=lambda s: s["rank"]):
        entry = db.session.get_one(Entry, standing["entry"])
        leader = next((m for m in entry.team.members if m.user_id == entry.team.leader_id), None)
        if leader is not None and leader.gender is Gender.female:
            return entry
    return None
