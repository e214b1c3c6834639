"""Judges autosaving scores against gunicorn + PostgreSQL.

    python bench/bench_scoring.py [--seconds 8] [--database postgresql+psycopg://postgres@127.0.0.1:5432/bench]

10 and 50 judges, each with their own session and keep-alive connection,
send score changes back to back (every one a new idempotency key, so every
one is a real save: one short transaction). In the same run and on the same
server: /bench/bare (a bare Flask endpoint) and /bench/insert (one INSERT +
COMMIT, the floor for any durable save). Targets (issue): saves at least 60 %
of the single-INSERT rate, p95 under 50 ms at 10 judges, no errors.
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.http_load import HEADER, Client, Gunicorn, drive  # noqa: E402

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/bench"
JUDGES = 50
ENTRIES = 20


def prepare_database(url: str) -> None:
    import psycopg

    admin_url = url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def fresh_schema() -> None:
    """Empty the benchmark database (in the app's context): every table the
    product has now, or had in a database another checkout left behind, then
    the product's tables and the single-INSERT table the reference endpoint writes."""
    from sqlalchemy import text

    from contest.extensions import db
    from contest.models.base import Base

    db.session.execute(text("DROP SCHEMA public CASCADE"))
    db.session.execute(text("CREATE SCHEMA public"))
    db.session.commit()
    Base.metadata.create_all(db.engine)
    db.session.execute(
        text("CREATE TABLE bench_inserts (id serial PRIMARY KEY, note text, at timestamptz DEFAULT now())")
    )
    db.session.commit()


def seed(url: str, uploads: str) -> tuple[int, list[tuple[str, list[int]]], list[int]]:
    """A competition, ENTRIES entries, JUDGES judges each assigned 4 entries in an open round."""

    from config import TestConfig
    from contest.extensions import db
    from contest.factory import create_app
    from contest.models.base import utcnow

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, UPLOAD_FOLDER=uploads)
    with app.app_context(), app.test_request_context():
        from judging.models import Assignment
        from tests.factories import (
            make_competition,
            make_judge,
            make_round,
            make_user,
            make_valid_entry,
        )

        fresh_schema()
        competition = make_competition("bench-2026")
        entries = [make_valid_entry(competition) for _ in range(ENTRIES)]
        judges = [make_judge(competition, make_user(f"judge{i}@bench.vn")) for i in range(JUDGES)]
        round_ = make_round(competition, entries, [], assign_all=False)
        plan = []
        for i, judge in enumerate(judges):
            mine = [entries[(i + k) % ENTRIES].id for k in range(4)]
            for entry_id in mine:
                db.session.add(
                    Assignment(round_id=round_.id, judge_id=judge.id, entry_id=entry_id, created_at=utcnow())
                )
            plan.append((judge.user.email, mine))
        db.session.commit()
        criteria = [c.id for c in round_.rubric.criteria]
        return round_.id, plan, criteria


def log_in(port: int, email: str) -> Client:
    from tests.factories import PASSWORD

    client = Client(port)
    _, page = client.request("GET", "/login")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    status, _ = client.post_form("/login", {"email": email, "password": PASSWORD, "csrf_token": token})
    if status != 302:
        raise RuntimeError(f"log-in failed for {email}: {status}")
    _, body = client.request("GET", "/judge/csrf")
    client.csrf = json.loads(body)["token"]
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--database", default=DEFAULT_DB)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (best of 2x2, 4x2, 6x1 here)")
    parser.add_argument("--threads", type=int, default=2, help="threads per worker (gthread)")
    args = parser.parse_args()

    prepare_database(args.database)
    uploads = tempfile.mkdtemp(prefix="bench-uploads-")
    round_id, plan, criteria = seed(args.database, uploads)
    env = {"BENCH_DATABASE_URL": args.database, "BENCH_UPLOADS": uploads}
    results = []
    with Gunicorn("bench.bench_app:app", env, workers=args.workers, threads=args.threads) as server:
        judges = [log_in(server.port, email) for email, _ in plan]
        entries_of = {id(c): entries for c, (_, entries) in zip(judges, plan, strict=True)}

        def save(client, i):
            body = json.dumps(
                {
                    "key": uuid.uuid4().hex,
                    "criterion_id": criteria[i % len(criteria)],
                    "value": str((i % 20) / 2),
                    "device": "bench",
                }
            ).encode()
            entry_id = entries_of[id(client)][i % 4]
            return client.request(
                "POST",
                f"/api/rounds/{round_id}/sheets/{entry_id}/changes",
                body,
                {"Content-Type": "application/json", "X-CSRFToken": client.csrf},
            )

        plain = [Client(server.port) for _ in range(JUDGES)]
        drive("warm-up", judges[:10], save, 2)
        for n in (10, 50):
            results.append(drive("/bench/bare", plain[:n], lambda c, i: c.request("GET", "/bench/bare"), args.seconds))
            results.append(
                drive("/bench/insert", plain[:n], lambda c, i: c.request("GET", "/bench/insert"), args.seconds)
            )
            results.append(drive("score save (API)", judges[:n], save, args.seconds))
    print(HEADER)
    for r in results:
        print(r.row())
    for n in (10, 50):
        insert = next(r for r in results if r.label == "/bench/insert" and r.concurrency == n)
        saves = next(r for r in results if r.label.startswith("score") and r.concurrency == n)
        ratio = saves.rate / insert.rate if insert.rate else 0
        print(
            f"{n} judges: saves are {ratio:.0%} of the single-INSERT rate (target ≥ 60 %: "
            f"{'MET' if ratio >= 0.6 else 'MISSED'}); "
            f"p95 {saves.pct(95):.1f} ms" + (" (target < 50 ms)" if n == 10 else "")
        )
    errors = [e for r in results for e in r.errors]
    print(f"errors: {len(errors)}" + (f" — first: {errors[0]}" if errors else ""))


if __name__ == "__main__":
    main()
