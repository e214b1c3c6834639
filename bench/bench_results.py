"""Results at scale: aggregation from the database, and the public results page.

    python bench/bench_results.py [--entries 2000] [--judges 5] [--seconds 6]

1. A round of 2,000 entries × 5 judges × 8 criteria (80,000 scores) in
   PostgreSQL; `judging.domain.results.compute` reads the submitted sheets and
   returns the standings. Target: under 1 s.
2. The published results page /c/<slug>/results served by gunicorn beside a
   bare Flask endpoint, same run, same server. Target: at least 70 % of the
   bare endpoint's requests per second.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_scoring import DEFAULT_DB, fresh_schema, prepare_database  # noqa: E402
from bench.http_load import HEADER, Client, Gunicorn, drive  # noqa: E402

CRITERIA = 8


def seed(url: str, n_entries: int, n_judges: int, uploads: str):
    """Bulk-load a locked round with every sheet submitted (plain INSERTs: the app's
    own paths are what is measured, not the seeding)."""
    from sqlalchemy import insert

    from config import TestConfig
    from contest.extensions import db
    from contest.factory import create_app
    from contest.models import Board, Entry, EntryStatus, EntryValidity, Project, Team, User
    from contest.models.base import utcnow
    from judging.models import (
        Criterion,
        Judge,
        Round,
        RoundEntry,
        RoundState,
        Rubric,
        Score,
        ScoreSheet,
    )
    from tests.factories import make_competition

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, UPLOAD_FOLDER=uploads)
    ctx = app.app_context()
    ctx.push()
    fresh_schema()
    competition = make_competition("bench-results")
    now = utcnow()
    rubric = Rubric(competition_id=competition.id, name="8 tiêu chí", version=1, frozen_at=now)
    rubric.criteria = [
        Criterion(
            position=i + 1,
            name=f"Tiêu chí {i + 1}",
            max_points=Decimal(10),
            step=Decimal("0.5"),
            weight=Decimal(1 + i % 3),
            required=True,
            descriptors=[],
        )
        for i in range(CRITERIA)
    ]
    db.session.add(rubric)
    db.session.flush()
    round_ = Round(
        competition_id=competition.id,
        position=1,
        name="Sơ khảo",
        mode="dossier",
        entry_source="all_valid",
        rubric_id=rubric.id,
        judges_per_entry=n_judges,
        state=RoundState.locked,
        locked_at=now,
    )
    db.session.add(round_)
    db.session.flush()
    boards = db.session.query(Board).filter_by(competition_id=competition.id).all()
    users = (
        db.session.execute(
            insert(User).returning(User.id),
            [
                {
                    "email": f"u{i}@bench.vn",
                    "full_name": f"Người {i}",
                    "password_hash": "x",
                    "locale": "vi",
                    "platform_role": "user",
                }
                for i in range(n_entries + n_judges)
            ],
        )
        .scalars()
        .all()
    )
    teams = (
        db.session.execute(
            insert(Team).returning(Team.id),
            [
                {
                    "competition_id": competition.id,
                    "name": f"Đội {i}",
                    "leader_id": users[i],
                    "show_names_publicly": True,
                }
                for i in range(n_entries)
            ],
        )
        .scalars()
        .all()
    )
    projects = (
        db.session.execute(insert(Project).returning(Project.id), [{"name": f"Dự án {i}"} for i in range(n_entries)])
        .scalars()
        .all()
    )
    entries = (
        db.session.execute(
            insert(Entry).returning(Entry.id),
            [
                {
                    "competition_id": competition.id,
                    "team_id": teams[i],
                    "project_id": projects[i],
                    "board_id": boards[i % len(boards)].id,
                    "code": f"B-{i:05d}",
                    "title": f"Dự án {i}",
                    "status": EntryStatus.submitted,
                    "validity": EntryValidity.valid,
                    "submitted_at": now,
                }
                for i in range(n_entries)
            ],
        )
        .scalars()
        .all()
    )
    db.session.execute(insert(RoundEntry), [{"round_id": round_.id, "entry_id": e, "advanced": False} for e in entries])
    judges = (
        db.session.execute(
            insert(Judge).returning(Judge.id),
            [
                {"competition_id": competition.id, "user_id": users[n_entries + j], "field_ids": [], "invited_at": now}
                for j in range(n_judges)
            ],
        )
        .scalars()
        .all()
    )
    sheets = (
        db.session.execute(
            insert(ScoreSheet).returning(ScoreSheet.id),
            [
                {
                    "round_id": round_.id,
                    "judge_id": j,
                    "entry_id": e,
                    "comment": "",
                    "submitted_at": now,
                    "updated_at": now,
                }
                for e in entries
                for j in judges
            ],
        )
        .scalars()
        .all()
    )
    rnd = random.Random(7)
    criteria = [c.id for c in rubric.criteria]
    db.session.execute(
        insert(Score),
        [
            {"sheet_id": s, "criterion_id": c, "value": Decimal(rnd.randint(0, 20)) / 2, "changed_at": now}
            for s in sheets
            for c in criteria
        ],
    )
    db.session.commit()
    return app, ctx, competition, round_


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=2000)
    parser.add_argument("--judges", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--database", default=DEFAULT_DB)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()

    prepare_database(args.database)
    uploads = tempfile.mkdtemp(prefix="bench-uploads-")
    app, ctx, competition, round_ = seed(args.database, args.entries, args.judges, uploads)
    from contest.extensions import db
    from contest.models.base import utcnow
    from judging.domain import awards, publication, results

    timings = []
    for _ in range(3):
        db.session.expire_all()
        start = time.perf_counter()
        computed = results.compute(round_)
        timings.append(time.perf_counter() - start)
    print(
        f"aggregation: {args.entries} entries × {args.judges} judges × {CRITERIA} criteria "
        f"({len(computed.inputs)} scores) → {len(computed.standings)} standings in "
        f"{min(timings):.2f} s best, {max(timings):.2f} s worst (target < 1 s)"
    )

    with app.test_request_context():
        snapshot = results.freeze(round_, None)
        awards.ensure_default_tiers(competition)
        awards.propose(competition, snapshot)
        publication.publish(competition, snapshot, utcnow() - timedelta(seconds=5), None)
        db.session.commit()
    slug = competition.slug
    ctx.pop()

    env = {"BENCH_DATABASE_URL": args.database, "BENCH_UPLOADS": uploads}
    with Gunicorn("bench.bench_app:app", env, workers=args.workers, threads=args.threads) as server:
        clients = [Client(server.port) for _ in range(50)]
        drive("warm-up", clients[:10], lambda c, i: c.request("GET", f"/c/{slug}/results"), 2)
        rows = []
        for n in (10, 50):
            rows.append(drive("/bench/bare", clients[:n], lambda c, i: c.request("GET", "/bench/bare"), args.seconds))
            # As a browser asks: gzip accepted (in production nginx compresses; the app never does).
            rows.append(
                drive(
                    "/c/<slug>/results",
                    clients[:n],
                    lambda c, i: c.request("GET", f"/c/{slug}/results", headers={"Accept-Encoding": "gzip, deflate"}),
                    args.seconds,
                )
            )
    print(HEADER)
    for r in rows:
        print(r.row())
    for n in (10, 50):
        bare = next(r for r in rows if r.label == "/bench/bare" and r.concurrency == n)
        page = next(r for r in rows if r.label.startswith("/c/") and r.concurrency == n)
        print(f"{n} clients: results page at {page.rate / bare.rate:.0%} of bare Flask (target ≥ 70 %)")


if __name__ == "__main__":
    main()
