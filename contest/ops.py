"""Running in production: a request id on every log line and response, and
readiness (database, Redis when configured, migrations current)."""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from pathlib import Path

from flask import Flask, g, has_request_context, request

REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: easy to ship and to grep by request id."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def install_request_logging(app: Flask) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        JsonFormatter()
        if app.config.get("LOG_JSON")
        else logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
    )
    app.logger.handlers = [handler]
    app.logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
    access_log = logging.getLogger("contest.access")
    access_log.handlers = [handler]
    access_log.setLevel(logging.INFO)
    access_log.propagate = False

    @app.before_request
    def _request_id():
        incoming = request.headers.get("X-Request-ID", "")
        # Reuse the load balancer's id when it looks like one, so logs line up.
        g.request_id = incoming if REQUEST_ID_RE.match(incoming) else secrets.token_hex(8)
        g.request_started = time.perf_counter()

    @app.after_request
    def _log(response):
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        if app.config.get("LOG_REQUESTS"):
            elapsed = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
            access_log.info("%s %s %s %.1fms", request.method, request.path, response.status_code, elapsed)
        return response


def readiness(app: Flask) -> dict:
    """Database reachable, Redis reachable when configured, migrations at head."""
    from contest.factory import database_ok

    checks = {"database": database_ok()}
    if app.config.get("REDIS_URL"):
        try:
            import redis

            checks["redis"] = bool(redis.Redis.from_url(app.config["REDIS_URL"], socket_timeout=1).ping())
        except Exception:  # noqa: BLE001 - any failure means "not ready"
            checks["redis"] = False
    checks["migrations"] = checks["database"] and migrations_current(app)
    return checks


def migrations_current(app: Flask) -> bool:
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from contest.extensions import db

    config = Config()
    config.set_main_option("script_location", str(Path(app.root_path).parent / "migrations"))
    heads = set(ScriptDirectory.from_config(config).get_heads())
    with db.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    return current == heads
