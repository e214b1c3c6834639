"""The real app for the HTTP benchmarks, plus two reference endpoints that
exist only here (the product's authorization test covers every product route):

/bench/bare    returns "ok": the ceiling for a Flask request on this server.
/bench/insert  one INSERT + COMMIT on the same database: the floor for any durable save.
"""

import os

from sqlalchemy import text

from config import DefaultConfig
from contest.extensions import db
from contest.factory import create_app

app = create_app(
    DefaultConfig,
    SQLALCHEMY_DATABASE_URI=os.environ["BENCH_DATABASE_URL"],
    SECRET_KEY="bench-secret-not-for-production-0123456789",  # noqa: S106 - a local benchmark
    RATELIMIT_ENABLED=False,
    OUTBOX_IN_PROCESS=False,
    UPLOAD_FOLDER=os.environ.get("BENCH_UPLOADS", "/tmp/bench-uploads"),
)


def bare():
    return "ok"


def insert():
    db.session.execute(text("INSERT INTO bench_inserts (note) VALUES ('x')"))
    db.session.commit()
    return "ok"


app.add_url_rule("/bench/bare", "bench_bare", bare)
app.add_url_rule("/bench/insert", "bench_insert", insert)
