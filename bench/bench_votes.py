"""The audience vote against gunicorn + PostgreSQL.

    python bench/bench_votes.py [--seconds 8] [--database postgresql+psycopg://postgres@127.0.0.1:5432/bench]

1. Votes: 10 and 50 visitors, each on its own keep-alive connection, cast votes
   back to back. Every request is a real vote from a different confirmed address
   (its session cookie made beforehand, as confirming the one-time code would
   leave it, so what is measured is the vote: the checks, the INSERT held by the
   unique (category, address) constraint, the burst count and the commit). Same
   run, same server: /bench/insert (one INSERT + COMMIT, the floor for any
   durable save). Target: the ratio the judges' score saves reach against it
   (bench_scoring.py: at least 60 %).
2. The live count page /c/<slug>/vote/<id>/count at the announcement (a crowd of
   50), beside /bench/bare. Target, as for the results page: at least 70 % of
   the bare endpoint's rate.
The benchmark app runs without rate limits (every request comes from 127.0.0.1).
Figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_scoring import DEFAULT_DB, fresh_schema, prepare_database  # noqa: E402
from bench.http_load import HEADER, Client, Gunicorn, drive  # noqa: E402

ENTRIES = 12
BENCH_SECRET = "bench-secret-not-for-production-0123456789"  # noqa: S105 - bench_app.py's


def seed(url: str, uploads: str) -> tuple[str, int, list[int]]:
    """A competition with ENTRIES submitted entries and an open voting category on all of them."""

    from config import TestConfig
    from contest.factory import create_app

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url, UPLOAD_FOLDER=uploads)
    with app.app_context(), app.test_request_context():
        from tests.factories import make_competition, make_valid_entry, make_vote

        fresh_schema()
        competition = make_competition("binh-chon-bench")
        entries = [make_valid_entry(competition) for _ in range(ENTRIES)]
        campaign = make_vote(competition, entries)
        return competition.slug, campaign.id, [e.id for e in entries]


def confirmed_sessions(campaign_id: int, count: int) -> list[tuple[str, str]]:
    """(session cookie, CSRF token) for `count` different confirmed addresses,
    signed with the benchmark app's key as the confirmation step would sign them."""
    from flask import session
    from flask_wtf.csrf import generate_csrf

    from config import TestConfig
    from contest.factory import create_app

    app = create_app(TestConfig, SECRET_KEY=BENCH_SECRET, SQLALCHEMY_DATABASE_URI="sqlite://")
    serializer = app.session_interface.get_signing_serializer(app)
    made = []
    for i in range(count):
        with app.test_request_context():
            token = generate_csrf()
            session["vote_confirmed"] = {str(campaign_id): f"khan-gia-{i}@bench.vn"}
            made.append((serializer.dumps(dict(session)), token))
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--database", default=DEFAULT_DB)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sessions", type=int, default=40_000, help="confirmed addresses made beforehand")
    args = parser.parse_args()

    prepare_database(args.database)
    uploads = tempfile.mkdtemp(prefix="bench-uploads-")
    slug, campaign_id, entry_ids = seed(args.database, uploads)
    sessions = confirmed_sessions(campaign_id, args.sessions)
    take = itertools.count()  # next() on a count is atomic: each vote takes its own address
    env = {"BENCH_DATABASE_URL": args.database, "BENCH_UPLOADS": uploads}
    cast_path = f"/c/{slug}/vote/{campaign_id}/cast"
    count_path = f"/c/{slug}/vote/{campaign_id}/count"
    results = []
    with Gunicorn("bench.bench_app:app", env, workers=args.workers, threads=args.threads) as server:

        def vote(client, i):
            n = next(take)
            cookie, token = sessions[n]  # a new confirmed address for every vote
            client.cookies = {"session": cookie}
            return client.post_form(cast_path, {"csrf_token": token, "entry": str(entry_ids[n % len(entry_ids)])})

        def voted(status, _body):
            return status == 302  # counted, then sent back to the page

        plain = [Client(server.port) for _ in range(50)]
        voters = [Client(server.port) for _ in range(50)]
        drive("warm-up", voters[:10], vote, 2, ok=voted)
        for n in (10, 50):
            results.append(
                drive("/bench/insert", plain[:n], lambda c, i: c.request("GET", "/bench/insert"), args.seconds)
            )
            results.append(drive("vote (confirmed address)", voters[:n], vote, args.seconds, ok=voted))
        crowd = [Client(server.port) for _ in range(50)]
        results.append(drive("/bench/bare", crowd, lambda c, i: c.request("GET", "/bench/bare"), args.seconds))
        results.append(drive("live count page", crowd, lambda c, i: c.request("GET", count_path), args.seconds))
    print(HEADER)
    for r in results:
        print(r.row())
    for n in (10, 50):
        insert = next(r for r in results if r.label == "/bench/insert" and r.concurrency == n)
        votes = next(r for r in results if r.label.startswith("vote") and r.concurrency == n)
        ratio = votes.rate / insert.rate if insert.rate else 0
        print(
            f"{n} voters: votes are {ratio:.0%} of the single-INSERT rate "
            f"(target, as the judges' saves: ≥ 60 %: {'MET' if ratio >= 0.6 else 'MISSED'}); p95 {votes.pct(95):.1f} ms"
        )
    bare = next(r for r in results if r.label == "/bench/bare")
    page = next(r for r in results if r.label == "live count page")
    ratio = page.rate / bare.rate if bare.rate else 0
    print(f"live count page: {ratio:.0%} of bare Flask (target ≥ 70 %: {'MET' if ratio >= 0.7 else 'MISSED'})")
    errors = [e for r in results for e in r.errors]
    print(f"errors: {len(errors)}" + (f" — first: {errors[0]}" if errors else ""))


if __name__ == "__main__":
    main()
