"""Account enumeration by timing: the answer to sign-up, password-reset
request, verification resend and log-in for an address that has an account
beside one that has none, at the production password-hashing cost.

    python bench/bench_account_timing.py [--samples 25] [--database URL]

Each pair is measured interleaved (existing, absent, existing, ...) through
the whole Flask request (form, CSRF off, domain, database, mail queued), and
the medians are compared. Target: every ratio within 0.8-1.25 (20 %).
Figures are printed, never asserted: timing on a shared 2-core machine is
noisy, so the test suite checks the cause instead (both branches do the same
hashing, tests/contest/domain/test_accounts_timing.py).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_scoring import DEFAULT_DB, fresh_schema, prepare_database  # noqa: E402

TARGET = 0.20


def _app(url: str):
    from config import TestConfig
    from contest.factory import create_app

    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=url,
        PASSWORD_HASH_COST="default",  # noqa: S106 - the production cost, not a password
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
    )
    with app.app_context():
        fresh_schema()
    return app


def _timed(client, path: str, data: dict) -> float:
    started = time.perf_counter()
    response = client.post(path, data=data)
    elapsed = time.perf_counter() - started
    assert response.status_code in (200, 302), (path, response.status_code)
    return elapsed


def measure(app, samples: int) -> list[tuple[str, float, float]]:
    from tests.factories import make_user

    with app.app_context():
        make_user("co-tai-khoan@bench.vn")
        make_user("chua-xac-nhan@bench.vn", verified=False)
    client = app.test_client()
    password = "mot-mat-khau-dai-2026"  # noqa: S105 - typed into the forms, never the right one
    cases = {
        "sign-up": (
            "/signup",
            lambda i: {
                "full_name": "Nguyễn Thị Hoa",
                "email": "co-tai-khoan@bench.vn",
                "password": password,
                "confirm": password,
            },
            lambda i: {
                "full_name": "Nguyễn Thị Hoa",
                "email": f"moi-{i}@bench.vn",
                "password": password,
                "confirm": password,
            },
        ),
        "password reset request": (
            "/password/forgot",
            lambda i: {"email": "co-tai-khoan@bench.vn"},
            lambda i: {"email": f"khong-co-{i}@bench.vn"},
        ),
        "verification resend": (
            "/verify-email/resend",
            lambda i: {"email": "chua-xac-nhan@bench.vn"},
            lambda i: {"email": f"khong-co-{i}@bench.vn"},
        ),
        "log-in, wrong password / no account": (
            "/login",
            lambda i: {"email": "co-tai-khoan@bench.vn", "password": password},
            lambda i: {"email": f"khong-co-{i}@bench.vn", "password": password},
        ),
    }
    rows = []
    for name, (path, existing, absent) in cases.items():
        for i in range(3):  # warm-up: templates compiled, connections open
            _timed(client, path, existing(-1 - i))
            _timed(client, path, absent(-1 - i))
        have, have_not = [], []
        for i in range(samples):
            have.append(_timed(client, path, existing(i)))
            have_not.append(_timed(client, path, absent(i)))
        rows.append((name, statistics.median(have), statistics.median(have_not)))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--samples", type=int, default=25)
    parser.add_argument("--database", default=DEFAULT_DB)
    args = parser.parse_args()
    if args.database.startswith("postgresql"):
        prepare_database(args.database)
    rows = measure(_app(args.database), args.samples)
    print(f"median of {args.samples} interleaved requests each, production Argon2 cost, {args.database.split(':')[0]}")
    print(f"{'answer':40} {'account':>10} {'no account':>11} {'ratio':>7}")
    for name, have, have_not in rows:
        ratio = have / have_not
        verdict = "ok" if 1 - TARGET <= ratio <= 1 / (1 - TARGET) else "OUTSIDE 20 %"
        print(f"{name:40} {have * 1000:8.1f} ms {have_not * 1000:8.1f} ms {ratio:7.2f}  {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
