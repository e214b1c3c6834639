"""Chaos proof: no acknowledged score is lost.

    python bench/chaos_scoring.py [--seconds 40]

Starts its own throwaway PostgreSQL cluster (initdb on a free port, trust
auth on 127.0.0.1, deleted at exit), seeds 50 judges each assigned 4 entries
in an open round (bench.bench_scoring.seed), and serves the real app as in
production: `gunicorn -c gunicorn.conf.py wsgi:app` with APP_CONFIG=production
and 2 gthread workers. Each judge's session comes from an address of its own
(X-Forwarded-For, as nginx passes it on) over HTTPS (X-Forwarded-Proto).

50 judge threads then send score changes back to back as the tablet does
(static/js/judge-queue.js): one change at a time, in order, each with a
fresh idempotency key and the moment it was made; after a connection error,
a timeout, a 5xx or a 401 the SAME change (same key, same body) is sent again
after a short back-off, until a definite answer (2xx or another 4xx); a CSRF
refusal fetches a fresh token first. Meanwhile one gunicorn worker is
SIGKILLed every 3-5 s (the master starts a new one) and, once, halfway, the
PostgreSQL cluster is restarted (`pg_ctl restart -m immediate`: a crash).
Besides, a small share of attempts (--lost-answers) drop the connection right
after sending, as a tablet leaving the Wi-Fi does: the server saves the change
but its answer is lost, so the resend must come back "duplicate" (or, when it
arrives while the first send is still being saved, must not fail either).

When the time is up each judge finishes the change in hand (retrying until
answered), the server is stopped and the database is checked:

(a) every acknowledged change (200 "applied", or "duplicate" for a resend
    whose first answer was lost) is in applied_changes, under its judge, with
    exactly one audit event: applied once;
(b) no key is recorded twice, no key the clients never sent is recorded, and
    no change answered with a refusal is recorded;
(c) every (judge, entry, criterion) cell holds the value of the judge's last
    change to it: each judge's changes were all answered, so the latest one
    sent must be the one stored (were one left unanswered, the stored value
    must still be that of the latest recorded change, not older than the
    latest acknowledged one); no change is superseded (each judge's clock
    only moves forward);
(d) the app came back: the kills and the restart happened, changes were
    acknowledged after the restart, and both workers are up at the end.

Prints the figures and exits 0 when every check holds, 1 otherwise. The whole
run stops by itself (global time limit), also on Ctrl-C, and leaves nothing
behind.
"""

from __future__ import annotations

import argparse
import atexit
import glob
import http.client
import json
import os
import random
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.bench_scoring import JUDGES, seed  # noqa: E402
from bench.http_load import Client, free_port  # noqa: E402

REQUEST_TIMEOUT = 10.0  # seconds one attempt may take before it counts as lost
DRAIN_SECONDS = 25.0  # after the run, time for each judge to get its change in hand answered
VALUES = [str(Decimal(i) / 2) for i in range(21)]  # 0 .. 10 in steps of 0.5: valid on every criterion


# --------------------------------------------------------------------------- cleanup

_cleanups: list[Callable[[], None]] = []
_cleanup_lock = threading.Lock()


def on_exit(fn: Callable[[], None]) -> None:
    _cleanups.append(fn)


def cleanup() -> None:
    """Run every registered clean-up once, newest first (from finally, atexit or the watchdog)."""
    with _cleanup_lock:
        while _cleanups:
            fn = _cleanups.pop()
            try:
                fn()
            except Exception as error:  # noqa: BLE001 - clean-up goes on
                print(f"clean-up: {error}", file=sys.stderr)


atexit.register(cleanup)


def _terminate(signum, _frame):
    raise KeyboardInterrupt(f"signal {signum}")


# --------------------------------------------------------------------------- PostgreSQL


def pg_bin() -> Path:
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise SystemExit("no PostgreSQL binaries found (set PG_BIN)")
    return Path(found[-1]).parent


class Cluster:
    """A throwaway PostgreSQL cluster in a temp dir, on its own port and socket dir."""

    def __init__(self):
        self.bin = pg_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="chaos-pg-"))
        on_exit(lambda: shutil.rmtree(self.dir, ignore_errors=True))
        self.data = self.dir / "data"
        self.log = self.dir / "postgres.log"
        self.port = free_port()
        self.started = False

    def _run(self, *args: str, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
        cmd = [str(self.bin / args[0]), *args[1:]]
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        result = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False)  # noqa: S603
        if check and result.returncode:
            raise RuntimeError(f"{' '.join(args[:1])} failed: {result.stderr.strip() or result.stdout.strip()}")
        return result

    def start(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write(
                f"\nlisten_addresses = '127.0.0.1'\nport = {self.port}\n"
                f"unix_socket_directories = '{self.dir}'\nmax_connections = 100\n"
            )
        on_exit(self.stop)
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "30", "start")
        self.started = True

    def restart(self, mode: str) -> float:
        t0 = time.monotonic()
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-m", mode, "-w", "-t", "60", "restart")
        return time.monotonic() - t0

    def stop(self) -> None:
        if self.data.exists():
            result = self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "20", "stop", check=False)
            if result.returncode and "not running" not in result.stderr + result.stdout:
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop", check=False)

    def url(self, name: str, driver: bool = True) -> str:
        scheme = "postgresql+psycopg" if driver else "postgresql"
        return f"{scheme}://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres", driver=False), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')


# --------------------------------------------------------------------------- gunicorn


class Server:
    """`gunicorn -c gunicorn.conf.py wsgi:app` as in production, output to a log file."""

    def __init__(self, database_url: str, workdir: Path, workers: int):
        self.port = free_port()
        self.log_path = workdir / "gunicorn.log"
        env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "MAIL_SERVER", "LOG_JSON"}}
        env.update(
            {
                "PYTHONPATH": str(ROOT),
                "APP_CONFIG": "production",
                "DATABASE_URL": database_url,
                "SECRET_KEY": secrets.token_hex(32),
                "PUBLIC_BASE_URL": "https://chaos.invalid",
                "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "GUNICORN_WORKERS": str(workers),
                "INSTANCE_PATH": str(workdir / "instance"),
                "UPLOAD_FOLDER": str(workdir / "uploads"),
                "LOG_JSON": "0",
            }
        )
        self.env = env
        self.cmd = [str(Path(sys.executable).parent / "gunicorn"), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"]
        self.process: subprocess.Popen | None = None

    def spawn(self) -> None:
        self.log = open(self.log_path, "wb")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            self.cmd,
            cwd=ROOT,
            env=self.env,
            stdout=self.log,  # noqa: S603
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        on_exit(self.stop)

    def wait_ready(self, expect_workers: int) -> None:
        """Until every worker is up and a page is served (each worker loads the app after booting)."""
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("gunicorn exited:\n" + self.tail())
            if len(self.workers()) >= expect_workers:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
                    conn.request("GET", "/login", headers={"X-Forwarded-Proto": "https"})
                    if conn.getresponse().status == 200:
                        conn.close()
                        return
                    conn.close()
                except (OSError, http.client.HTTPException):
                    pass
            time.sleep(0.2)
        raise RuntimeError("gunicorn did not start:\n" + self.tail())

    def workers(self) -> list[int]:
        """The master's children, read from /proc."""
        if self.process is None:
            return []
        pids = []
        for path in glob.glob(f"/proc/{self.process.pid}/task/*/children"):
            try:
                pids += [int(p) for p in Path(path).read_text().split()]
            except OSError:
                pass
        return pids

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        self.log.close()

    def tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


# --------------------------------------------------------------------------- the judges


class AnswerLost(ConnectionError):
    """The simulated loss of an answer (see Tablet.once)."""


class Tablet(Client):
    """One judge's device: its own address behind the proxy, its cookies, one keep-alive connection.

    `once` makes exactly one attempt (Client.request would quietly resend once)."""

    def __init__(self, port: int, address: str):
        super().__init__(port)
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        self.headers = {
            "X-Forwarded-For": address,
            "X-Forwarded-Proto": "https",
            "Referer": f"https://127.0.0.1:{port}/judge/",
        }
        self.csrf = ""

    def once(
        self, method: str, path: str, body: bytes | None = None, headers: dict | None = None, lose_answer: bool = False
    ) -> tuple[int, bytes]:
        """One attempt. lose_answer: the request goes out, then the connection drops (a tablet
        leaving the Wi-Fi): the server still handles it, the answer never arrives."""
        headers = {**self.headers, **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body=body, headers=headers)
            if lose_answer:
                raise AnswerLost
            response = self.conn.getresponse()
            data = response.read()
        except BaseException:
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
            raise
        if response.getheader("Connection", "").lower() == "close":
            self.conn.close()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def log_in(self, email: str, password: str) -> None:
        for _attempt in range(5):
            try:
                status, page = self.once("GET", "/login")
                token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
                status, _ = self.once(
                    "POST",
                    "/login",
                    urlencode({"email": email, "password": password, "csrf_token": token}).encode(),
                    {"Content-Type": "application/x-www-form-urlencoded"},
                )
                if status != 302:
                    raise RuntimeError(f"log-in answered {status}")
                self.refresh_csrf()
                return
            except (OSError, http.client.HTTPException, AttributeError):
                time.sleep(0.5)
        raise RuntimeError(f"log-in failed for {email}")

    def refresh_csrf(self) -> None:
        status, body = self.once("GET", "/judge/csrf")
        if status != 200:
            raise RuntimeError(f"/judge/csrf answered {status}")
        self.csrf = json.loads(body)["token"]


@dataclass
class Change:
    key: str
    judge: str  # e-mail
    entry_id: int
    criterion_id: int
    value: str
    order: int  # position among this judge's changes (they are sent in this order)
    attempts: int = 0
    status: int | None = None  # the definite answer's HTTP status; None: never answered
    outcome: str | None = None  # applied | duplicate | superseded | the refusal's error code
    answered_at: float | None = None
    seconds: float | None = None

    @property
    def acknowledged(self) -> bool:
        return self.status == 200 and self.outcome in {"applied", "duplicate"}

    @property
    def cell(self) -> tuple[str, int, int]:
        return self.judge, self.entry_id, self.criterion_id


@dataclass
class Judge:
    email: str
    entries: list[int]
    tablet: Tablet
    changes: list[Change] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    resends: int = 0
    last_changed_at: datetime | None = None
    lost_answers: float = 0.0  # share of attempts whose answer is lost on purpose
    rnd: random.Random = field(default_factory=random.Random)


def run_judge(judge: Judge, round_id: int, criteria: list[int], stop: threading.Event, give_up_at: list[float]) -> None:
    """Score changes back to back, one at a time, each resent with its key until answered."""
    rnd = judge.rnd
    cells = [(e, c) for e in judge.entries for c in criteria]
    last_value: dict[tuple[int, int], str] = {}
    while not stop.is_set():
        entry_id, criterion_id = rnd.choice(cells)
        value = rnd.choice([v for v in VALUES if v != last_value.get((entry_id, criterion_id))])
        last_value[(entry_id, criterion_id)] = value
        now = datetime.now(UTC)
        if judge.last_changed_at is not None and now <= judge.last_changed_at:
            now = judge.last_changed_at + timedelta(microseconds=1)
        judge.last_changed_at = now
        change = Change(uuid.uuid4().hex, judge.email, entry_id, criterion_id, value, len(judge.changes))
        judge.changes.append(change)
        body = json.dumps(
            {
                "key": change.key,
                "criterion_id": criterion_id,
                "value": value,
                "changed_at": now.isoformat(),
                "device": f"chaos-{judge.email}",
            }
        ).encode()
        send_until_answered(judge, change, f"/api/rounds/{round_id}/sheets/{entry_id}/changes", body, give_up_at)
        if change.status is None:
            return  # out of time with this change unanswered


def send_until_answered(judge: Judge, change: Change, path: str, body: bytes, give_up_at: list[float]) -> None:
    t0 = time.monotonic()
    backoff = 0.05
    while time.monotonic() < give_up_at[0]:
        change.attempts += 1
        if change.attempts > 1:
            judge.resends += 1
        try:
            status, data = judge.tablet.once(
                "POST",
                path,
                body,
                {"Content-Type": "application/json", "X-CSRFToken": judge.tablet.csrf},
                lose_answer=judge.rnd.random() < judge.lost_answers,
            )
        except AnswerLost:
            judge.errors["answer lost on purpose (connection dropped after sending)"] += 1
        except (OSError, http.client.HTTPException) as error:
            judge.errors[type(error).__name__] += 1
        else:
            try:
                answer = json.loads(data)
            except ValueError:
                answer = {}
            if status == 200:
                change.status, change.outcome = status, answer.get("outcome")
                change.answered_at, change.seconds = time.monotonic(), time.monotonic() - t0
                return
            judge.errors[f"HTTP {status} {answer.get('error', '')}".strip()] += 1
            if status == 400 and answer.get("error") == "csrf":
                try:
                    judge.tablet.refresh_csrf()
                except (OSError, http.client.HTTPException, RuntimeError, ValueError):
                    pass
            elif status < 500 and status != 401:
                change.status, change.outcome = status, answer.get("error") or str(status)
                change.answered_at, change.seconds = time.monotonic(), time.monotonic() - t0
                return
        time.sleep(backoff * judge.rnd.uniform(0.5, 1.5))
        backoff = min(backoff * 2, 1.0)


# --------------------------------------------------------------------------- chaos


@dataclass
class Chaos:
    kills: list[tuple[float, int]] = field(default_factory=list)
    restart_at: float | None = None
    restart_done_at: float | None = None
    restart_seconds: float | None = None
    restart_error: str | None = None
    min_workers_seen: int = 99


def run_chaos(
    chaos: Chaos,
    server: Server,
    cluster: Cluster,
    start: float,
    seconds: float,
    mode: str,
    stop: threading.Event,
    rnd: random.Random,
) -> None:
    """A worker SIGKILLed every 3-5 s; halfway, PostgreSQL restarted (in a thread of its own, kills go on)."""
    restart_at = start + seconds / 2
    next_kill = start + rnd.uniform(2, 4)
    end = start + seconds - 2  # the last seconds are for recovering
    restarter = None

    def restart():
        try:
            chaos.restart_seconds = cluster.restart(mode)
        except Exception as error:  # noqa: BLE001 - reported as a failed check
            chaos.restart_error = str(error)
        chaos.restart_done_at = time.monotonic()

    while not stop.is_set() and time.monotonic() < end:
        now = time.monotonic()
        if restarter is None and now >= restart_at:
            chaos.restart_at = now
            restarter = threading.Thread(target=restart, daemon=True)
            restarter.start()
        if now >= next_kill:
            pids = server.workers()
            chaos.min_workers_seen = min(chaos.min_workers_seen, len(pids))
            if pids:
                pid = rnd.choice(pids)
                try:
                    os.kill(pid, signal.SIGKILL)
                    chaos.kills.append((now, pid))
                except ProcessLookupError:
                    pass
            next_kill = now + rnd.uniform(3, 5)
        stop.wait(0.05)
    if restarter is not None:
        restarter.join(timeout=65)


# --------------------------------------------------------------------------- checks


def check(
    database_url: str, round_id: int, judges: list[Judge], criteria: list[int]
) -> tuple[list[tuple[str, bool, str]], dict]:
    import psycopg

    with psycopg.connect(database_url) as conn:
        judge_ids = dict(conn.execute("SELECT u.email, j.id FROM judges j JOIN users u ON u.id = j.user_id"))
        applied = {
            key: (judge_id, outcome)
            for key, judge_id, outcome in conn.execute("SELECT key, judge_id, outcome FROM applied_changes")
        }
        events = Counter(
            dict(
                conn.execute(
                    "SELECT after->>'key', count(*) FROM audit_events WHERE action = 'score.changed' GROUP BY 1"
                )
            )
        )
        stored = {}
        for judge_id, entry_id, criterion_id, value in conn.execute(
            "SELECT s.judge_id, s.entry_id, c.criterion_id, c.value FROM scores c "
            "JOIN score_sheets s ON s.id = c.sheet_id WHERE s.round_id = %s",
            (round_id,),
        ):
            stored.setdefault((judge_id, entry_id, criterion_id), []).append(value)

    changes = [c for j in judges for c in j.changes]
    sent = {c.key: c for c in changes}
    acked = [c for c in changes if c.acknowledged]
    refused = [c for c in changes if c.status is not None and c.status != 200]
    unanswered = [c for c in changes if c.status is None]
    results = []

    lost = [c.key for c in acked if c.key not in applied or applied[c.key][0] != judge_ids[c.judge]]
    not_once = [c.key for c in acked if events[c.key] != 1]
    results.append(
        (
            "(a) every acknowledged change is recorded, under its judge, applied exactly once "
            f"({len(acked)} acknowledged)",
            not lost and not not_once,
            f"missing {len(lost)} {lost[:3]}; audit events != 1: {len(not_once)} {not_once[:3]}",
        )
    )

    twice = [k for k, n in events.items() if n > 1]
    phantom = [k for k in applied if k not in sent]
    recorded_refusal = [c.key for c in refused if c.key in applied]
    unlogged = [k for k, (_, outcome) in applied.items() if outcome == "applied" and events[k] != 1]
    results.append(
        (
            "(b) no key recorded twice, none that was never sent, none that was refused",
            not (twice or phantom or recorded_refusal or unlogged),
            f"twice {len(twice)}, never sent {len(phantom)}, refused yet recorded {len(recorded_refusal)}, "
            f"applied without its audit event {len(unlogged)}",
        )
    )

    by_cell: dict[tuple, list[Change]] = defaultdict(list)
    for c in changes:
        by_cell[c.cell].append(c)
    wrong, doubled, open_cells, last_sent_stored = [], 0, 0, 0
    for judge in judges:
        jid = judge_ids[judge.email]
        for entry_id in judge.entries:
            for criterion_id in criteria:
                cell_changes = by_cell.get((judge.email, entry_id, criterion_id), [])
                values = stored.get((jid, entry_id, criterion_id), [])
                doubled += len(values) > 1
                open_cells += any(c.status is None for c in cell_changes)
                # The change that must be stored: the latest one recorded as applied...
                recorded = [c for c in cell_changes if applied.get(c.key, (None, None))[1] == "applied"]
                expected = recorded[-1] if recorded else None
                # ...which cannot be older than the latest one acknowledged.
                last_acked = max((c.order for c in cell_changes if c.acknowledged), default=-1)
                ok = (
                    values == ([Decimal(expected.value)] if expected else [])
                    and (expected.order if expected else -1) >= last_acked
                )
                if ok and cell_changes and expected is cell_changes[-1]:
                    last_sent_stored += 1
                if not ok:
                    wrong.append(
                        (
                            (judge.email, entry_id, criterion_id),
                            values,
                            [(c.order, c.value, c.status, c.outcome) for c in cell_changes][-3:],
                        )
                    )
    superseded = [c for c in changes if c.outcome == "superseded"]
    results.append(
        (
            "(c) every cell holds its judge's last change; nothing superseded",
            not wrong and not doubled and not superseded,
            f"wrong {len(wrong)} {wrong[:2]}; cells with two rows {doubled}; superseded {len(superseded)}",
        )
    )
    figures = {
        "changes": len(changes),
        "acked": len(acked),
        "refused": len(refused),
        "unanswered": len(unanswered),
        "open_cells": open_cells,
        "cells": len(stored),
        "last_sent_stored": last_sent_stored,
        "touched_cells": len(by_cell),
        "applied_rows": len(applied),
        "duplicates": sum(c.outcome == "duplicate" for c in changes),
    }
    return results, figures


# --------------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=40.0, help="how long the judges score (default 40)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument(
        "--restart-mode",
        choices=("fast", "immediate"),
        default="immediate",
        help="pg_ctl restart mode (immediate: a crash, recovered from the WAL)",
    )
    parser.add_argument(
        "--lost-answers",
        type=float,
        default=0.02,
        metavar="SHARE",
        help="share of attempts whose answer is lost on purpose: the connection drops right "
        "after the request is sent (default 0.02)",
    )
    parser.add_argument("--keep-log", metavar="PATH", help="copy gunicorn's log (stdout and stderr) to PATH")
    parser.add_argument(
        "--time-limit",
        type=float,
        default=None,
        metavar="SECONDS",
        help="stop everything after this long whatever happens (default: --seconds + 85)",
    )
    parser.add_argument("--seed", type=int, default=None, help="random seed (default: random, printed)")
    args = parser.parse_args()
    rnd_seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 30)
    rnd = random.Random(rnd_seed)

    # The global limit: set-up, the run, the drain and the checks, with room to spare.
    budget = args.time_limit or 60 + args.seconds + DRAIN_SECONDS

    def watchdog():
        print(f"\nGLOBAL TIME LIMIT ({budget:.0f} s) reached: stopping everything", flush=True)
        cleanup()
        os._exit(2)

    timer = threading.Timer(budget, watchdog)
    timer.daemon = True
    timer.start()
    signal.signal(signal.SIGTERM, _terminate)

    began = time.monotonic()
    try:
        print(
            f"chaos_scoring: {JUDGES} judges, {args.workers} workers, {args.seconds:.0f} s, seed {rnd_seed}", flush=True
        )
        cluster = Cluster()
        cluster.start()
        cluster.create_database("chaos")
        workdir = Path(tempfile.mkdtemp(prefix="chaos-app-"))
        on_exit(lambda: shutil.rmtree(workdir, ignore_errors=True))
        server = Server(cluster.url("chaos"), workdir, args.workers)
        server.spawn()  # the workers load the app while the database is seeded
        round_id, plan, criteria = seed(cluster.url("chaos"), str(workdir / "uploads"))
        print(
            f"  PostgreSQL on :{cluster.port} ({cluster.dir}); seeded round {round_id}, "
            f"{len(plan)} judges × {len(plan[0][1])} entries × {len(criteria)} criteria "
            f"({time.monotonic() - began:.1f} s)",
            flush=True,
        )
        server.wait_ready(args.workers)
        from tests.factories import PASSWORD

        judges = [
            Judge(email, entries, Tablet(server.port, f"10.0.{i // 200}.{i % 200 + 1}"))
            for i, (email, entries) in enumerate(plan)
        ]
        errors: list[str] = []

        def log_in(batch):
            for judge in batch:
                try:
                    judge.tablet.log_in(judge.email, PASSWORD)
                except Exception as error:  # noqa: BLE001
                    errors.append(f"{judge.email}: {error}")

        logins = [threading.Thread(target=log_in, args=(judges[k::8],)) for k in range(8)]
        for t in logins:
            t.start()
        for t in logins:
            t.join()
        if errors:
            raise RuntimeError(f"{len(errors)} log-ins failed, first: {errors[0]}\n{server.tail()}")
        print(
            f"  gunicorn (gunicorn.conf.py, APP_CONFIG=production) on :{server.port}, workers "
            f"{server.workers()}; {len(judges)} judges logged in ({time.monotonic() - began:.1f} s)",
            flush=True,
        )

        stop = threading.Event()
        start = time.monotonic()
        give_up_at = [start + args.seconds + DRAIN_SECONDS]
        chaos = Chaos()
        for j in judges:
            j.rnd, j.lost_answers = random.Random(rnd.random()), args.lost_answers
        threads = [
            threading.Thread(target=run_judge, daemon=True, args=(j, round_id, criteria, stop, give_up_at))
            for j in judges
        ]
        chaos_thread = threading.Thread(
            target=run_chaos,
            daemon=True,
            args=(chaos, server, cluster, start, args.seconds, args.restart_mode, stop, random.Random(rnd.random())),
        )
        for t in [*threads, chaos_thread]:
            t.start()
        while time.monotonic() < start + args.seconds:
            time.sleep(0.2)
        stop.set()
        stopped = time.monotonic()
        chaos_thread.join(timeout=70)
        for t in threads:
            t.join(timeout=max(0.1, give_up_at[0] + 2 - time.monotonic()))
        drained = time.monotonic() - stopped
        # Both workers up again at the end? (give a just-killed one time to boot)
        deadline = time.monotonic() + 15
        while len(server.workers()) < args.workers and time.monotonic() < deadline:
            time.sleep(0.2)
        workers_at_end = len(server.workers())
        for j in judges:
            j.tablet.conn.close()
        server.stop()
        log = server.log_path.read_text(errors="replace")
        if args.keep_log:
            shutil.copyfile(server.log_path, args.keep_log)

        results, fig = check(cluster.url("chaos", driver=False), round_id, judges, criteria)
        changes = [c for j in judges for c in j.changes]
        acked_times = sorted(c.answered_at for c in changes if c.acknowledged)
        after_restart = [t for t in acked_times if chaos.restart_done_at and t > chaos.restart_done_at]
        recovery = (after_restart[0] - chaos.restart_done_at) if after_restart else None
        gaps = [b - a for a, b in zip([start, *acked_times], acked_times, strict=False)]
        results.append(
            (
                "(d) chaos happened and the app recovered: kills, one DB restart, saves acknowledged after it, "
                f"{args.workers} workers at the end",
                bool(chaos.kills)
                and chaos.restart_done_at is not None
                and chaos.restart_error is None
                and bool(after_restart)
                and workers_at_end == args.workers
                and fig["unanswered"] == 0,
                f"kills {len(chaos.kills)}, restart error {chaos.restart_error}, "
                f"acks after restart {len(after_restart)}, "
                f"workers at end {workers_at_end}, changes never answered {fig['unanswered']}",
            )
        )

        errors_by_kind = Counter()
        for j in judges:
            errors_by_kind.update(j.errors)
        latencies = sorted(c.seconds for c in changes if c.seconds is not None)
        retried = [c for c in changes if c.attempts > 1]
        print(
            f"\nRun: {args.seconds:.0f} s of scoring, then {drained:.1f} s for the judges' last changes to be answered"
        )
        print(f"  changes sent            {len(changes):>7}   ({len(changes) / args.seconds:.0f}/s)")
        print(f"  HTTP attempts           {sum(c.attempts for c in changes):>7}")
        print(f"  changes resent          {len(retried):>7}   ({sum(j.resends for j in judges)} resends)")
        print(
            f"  acknowledged            {fig['acked']:>7}   (of which 'duplicate': {fig['duplicates']} — resends "
            f"whose first attempt had been saved but its answer lost)"
        )
        print(f"  refused (4xx)           {fig['refused']:>7}")
        print(f"  never answered          {fig['unanswered']:>7}")
        print(
            f"  applied_changes rows    {fig['applied_rows']:>7};  cells scored {fig['cells']} of "
            f"{fig['touched_cells']} changed, {fig['last_sent_stored']} holding the very last change sent"
        )
        if latencies:
            print(
                f"  time to a definite answer: p50 {statistics.median(latencies) * 1000:.1f} ms, "
                f"p99 {latencies[int(0.99 * (len(latencies) - 1))] * 1000:.0f} ms, "
                f"max {latencies[-1]:.2f} s; longest time without any acknowledgement {max(gaps):.2f} s"
            )
        print(
            f"  worker SIGKILLs         {len(chaos.kills):>7}   at "
            + ", ".join(f"{t - start:.1f}s" for t, _ in chaos.kills)
            + f"; fewest workers seen at a kill {chaos.min_workers_seen if chaos.kills else '-'}"
        )
        raised = Counter(
            m.rsplit(".", 1)[-1]
            for m in re.findall(r"^([\w.]+(?:Error|Exception)):", log, re.M)
            if not m.startswith("psycopg")
        )  # psycopg's errors come wrapped in SQLAlchemy's too
        print(
            f"  gunicorn log: {log.count('was sent SIGKILL')} 'worker was sent SIGKILL', "
            f"{log.count('Booting worker')} 'Booting worker', {log.count('Traceback')} tracebacks: "
            + (", ".join(f"{n} {name}" for name, n in raised.most_common()) or "none")
        )
        if chaos.restart_at is not None:
            print(
                f"  PostgreSQL restart (-m {args.restart_mode}) at {chaos.restart_at - start:.1f}s took "
                f"{chaos.restart_seconds or 0:.2f} s"
                + (
                    f"; first acknowledgement {recovery:.2f} s after it"
                    if recovery is not None
                    else "; NO acknowledgement after it"
                )
            )
        else:
            print("  PostgreSQL restart: not done")
        print("  errors by kind (each answered by resending the same change):")
        for kind, n in errors_by_kind.most_common():
            print(f"    {n:>6}  {kind}")
        print()
        for label, ok, detail in results:
            print(f"  {'PASS' if ok else 'FAIL'}  {label}" + ("" if ok else f"\n        {detail}"))
        passed = all(ok for _, ok, _ in results)
        print(
            f"\n{'PASS' if passed else 'FAIL'}: no acknowledged score lost, no resent change applied twice"
            if passed
            else "\nFAIL: see above"
        )
        if not passed:
            print("\nlast lines of the gunicorn log:\n" + server.tail())
        return 0 if passed else 1
    except KeyboardInterrupt:
        print("\ninterrupted: cleaning up", file=sys.stderr)
        return 130
    finally:
        cleanup()
        timer.cancel()
        print(f"(total {time.monotonic() - began:.1f} s)")


if __name__ == "__main__":
    sys.exit(main())
