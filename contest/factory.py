"""The app factory: the one place that knows both `contest` and `judging`."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from flask import Flask, jsonify
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import text
from werkzeug.exceptions import BadRequest

from config import DefaultConfig, config_from_env
from contest import audit_labels, cache, request_guard, signals, transactions
from contest.access import allows as access_allows
from contest.access import check_rules
from contest.extensions import (
    babel,
    csrf,
    db,
    limiter,
    login_manager,
    mail,
    migrate,
)
from contest.i18n import select_locale
from contest.request_guard import RefusedText, too_large_message
from contest.security import install_security_headers

ROOT = Path(__file__).resolve().parent.parent


def create_app(config_class: type[DefaultConfig] | None = None, **overrides) -> Flask:
    config_class = config_class or config_from_env()
    app = transactions.TransactionalFlask(
        "contest",
        root_path=str(ROOT / "contest"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(Path(os.environ.get("INSTANCE_PATH", ROOT / "instance")).resolve()),
    )
    app.config.from_object(config_class)
    app.config.update(overrides)
    config_class.validate(app.config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = config_class.missing_secret_key(app.instance_path)
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'contest.db'}"
    app.config.setdefault("UPLOAD_FOLDER", None)
    if not app.config["UPLOAD_FOLDER"]:
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(ROOT / "contest" / "translations")

    if app.config.get("TRUSTED_PROXY_COUNT"):
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=0)  # type: ignore[method-assign]  # as Flask documents
    _init_extensions(app)
    _register_blueprints(app)
    for name in app.config["PLUGINS"]:
        importlib.import_module(name).init_app(app)
    check_rules(app)
    _register_errors(app)
    _register_template_helpers(app)
    install_security_headers(app)
    from contest.ops import install_request_logging

    install_request_logging(app)
    _register_cli(app)
    _start_outbox_sender(app)
    # Last: its after_request handler commits before the others see the answer.
    transactions.init_app(app)
    return app


def _init_extensions(app: Flask) -> None:
    from contest import models  # noqa: F401 - register tables with the metadata

    db.init_app(app)
    cache.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    babel.init_app(app, locale_selector=select_locale)
    audit_labels.init_app(app)

    @app.before_request
    def _fresh_locale():
        # Flask-Babel caches the locale on the app context, which outlives a
        # request when one is already pushed (CLI, tests); choose per request.
        from flask_babel import refresh

        refresh()

    # Body limits and text checks: before anything reads the request (CSRF
    # reads the form) and before routes are added (the `int` converter).
    request_guard.install(app)

    @app.before_request
    def _restore_remembered():
        # A session restored from a remember-me cookie rotates its secret and
        # commits that at once (login_sessions.rotate): do it before the view
        # has done any work, so no part of the request's work is committed with it.
        from flask import request, session
        from flask_login import current_user

        if "_user_id" not in session and request.cookies.get(app.config.get("REMEMBER_COOKIE_NAME", "remember_token")):
            current_user._get_current_object()

    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None  # the login page says why on its own
    login_manager.session_protection = "basic"

    from flask_login import user_loaded_from_cookie

    from contest.domain import login_sessions

    # The "user id" in the session and remember-me cookies is a login
    # session's secret: ended sessions load nobody (contest.domain.login_sessions).
    login_manager.user_loader(login_sessions.load)
    user_loaded_from_cookie.connect(lambda _app, user: login_sessions.rotate(user), app, weak=False)

    if app.config.get("SQLALCHEMY_DATABASE_URI", "").startswith("sqlite"):
        _sqlite_pragmas(app)
        with app.app_context():
            transactions.install_sqlite_savepoints(db.engine)


def _sqlite_pragmas(app: Flask) -> None:
    from sqlalchemy import event

    with app.app_context():

        @event.listens_for(db.engine, "connect")
        def _on_connect(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()


def _register_blueprints(app: Flask) -> None:
    import contest.permissions  # noqa: F401 - registers the competition and team access rules
    from contest.views.account import bp as account_bp
    from contest.views.admin import bp as admin_bp
    from contest.views.auth import bp as auth_bp
    from contest.views.certificates import bp as certificates_bp
    from contest.views.competitions import bp as competitions_bp
    from contest.views.entries import bp as entries_bp
    from contest.views.experts import bp as experts_bp
    from contest.views.experts import nav_links as expert_nav_links
    from contest.views.followup import bp as followup_bp
    from contest.views.followup import manage_links, team_links
    from contest.views.main import bp as main_bp
    from contest.views.manage import bp as manage_bp
    from contest.views.nominations import bp as nominations_bp
    from contest.views.reporting import bp as reporting_bp
    from contest.views.reporting import nav_links as reporting_nav_links
    from contest.views.reports import bp as reports_bp
    from contest.views.secretariat import bp as secretariat_bp
    from contest.views.teams import bp as teams_bp
    from contest.views.units import bp as units_bp
    from contest.views.units import nav_links as unit_nav_links

    for bp in (
        main_bp,
        auth_bp,
        account_bp,
        admin_bp,
        competitions_bp,
        manage_bp,
        secretariat_bp,
        teams_bp,
        entries_bp,
        certificates_bp,
        followup_bp,
        reports_bp,
        reporting_bp,
        units_bp,
        nominations_bp,
        experts_bp,
    ):
        app.register_blueprint(bp)
    signals.team_links.connect(team_links, app)
    signals.manage_links.connect(manage_links, app)
    signals.nav_links.connect(reporting_nav_links, app)
    signals.nav_links.connect(unit_nav_links, app)
    signals.nav_links.connect(expert_nav_links, app)


def _register_errors(app: Flask) -> None:
    from flask import render_template, request

    def _wants_json() -> bool:
        return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"

    def _error(status: int, title: str, message: str):
        if _wants_json():
            return jsonify(error=title, message=message), status
        return render_template("error.html", status=status, title=title, message=message), status

    @app.errorhandler(RefusedText)
    def _refused_text(exc):
        # PostgreSQL text cannot hold NUL nor half a character: refused where
        # the value is parsed (contest/request_guard.py), never a 500 later.
        if request.is_json:
            return jsonify(error=exc.reason, message=exc.message()), 400
        return _error(400, exc.reason, exc.message())

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return _error(
            400, "csrf", _("The form has expired or was sent from elsewhere. Please reload the page and try again.")
        )

    @app.errorhandler(400)
    def _bad_request(exc):
        # abort(400, message) says its message, already in the page's language; a bare abort(400),
        # or a request the server could not read, gets the site's own words, never Werkzeug's.
        if exc.description and exc.description != BadRequest.description:
            return _error(400, "bad_request", exc.description)
        return _error(400, "bad_request", _("The request could not be understood. Go back and try again."))

    @app.errorhandler(401)
    def _unauthorized(exc):
        return _error(401, "login_required", _("Please log in first."))

    @app.errorhandler(403)
    def _forbidden(exc):
        return _error(403, "forbidden", _("You do not have permission to open this page."))

    @app.errorhandler(404)
    def _not_found(exc):
        return _error(404, "not_found", _("The page you asked for does not exist."))

    @app.errorhandler(413)
    def _too_large(exc):
        # Each route's own limit (contest/request_guard.py), checked before the body is read.
        if request.is_json:
            return jsonify(error="too_large", message=too_large_message()), 413
        return _error(413, "too_large", too_large_message())

    @app.errorhandler(429)
    def _rate_limited(exc):
        # A limit with its own message (uploads) says it; the others are about attempts.
        limit = getattr(exc, "limit", None)
        if limit is not None and limit.error_message:
            return _error(429, "rate_limited", exc.description)
        return _error(429, "rate_limited", _("Too many attempts. Please wait a minute and try again."))


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import get_locale

    from contest.domain.entry_fields import MEDIA_LABELS, STAGE_LABELS
    from contest.i18n import (
        format_clock,
        format_day,
        format_days_left,
        format_fixed,
        format_moment,
        format_number,
        format_percent,
        format_points,
        format_score,
    )
    from contest.numbers import plain_decimal
    from contest.views.manage import competition_menu

    # Dates on pages: one formatter per locale (contest.i18n), under Flask-Babel's
    # filter names too, so no page writes a date another way.
    app.jinja_env.filters["day"] = app.jinja_env.filters["dateformat"] = format_day
    app.jinja_env.filters["moment"] = app.jinja_env.filters["datetimeformat"] = format_moment
    app.jinja_env.filters["clock"] = app.jinja_env.filters["timeformat"] = format_clock
    # Numbers on pages follow the page's language (the filter keeps its old name).
    app.jinja_env.filters["vn_number"] = format_number
    app.jinja_env.filters["days_left"] = format_days_left
    app.jinja_env.filters["points"] = format_points
    app.jinja_env.filters["percent"] = format_percent
    # A press work's medium (the media award), named in the page's language.
    app.jinja_env.filters["medium"] = lambda medium: MEDIA_LABELS[medium] if medium else ""
    # An entry's stage of development (idea, prototype…), named in the page's language.
    app.jinja_env.filters["stage"] = lambda stage: STAGE_LABELS[stage] if stage else ""
    app.jinja_env.filters["score"] = format_score
    app.jinja_env.filters["fixed"] = format_fixed  # {{ x|fixed(1) }}, {{ offset|fixed(1, signed=True) }}
    # A number for machines in a page (data attributes, an input's min/max/step): "0.5" in any language.
    app.jinja_env.filters["plain_decimal"] = plain_decimal

    @app.context_processor
    def _helpers():
        # Links that packages built on `contest` add to its pages (contest.signals).
        return {
            "current_locale": lambda: str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
            "team_links": lambda team: signals.collect_lists(signals.team_links, team=team),
            # A competition's management menu: the pages the visitor may open (manage_links included).
            "competition_menu": competition_menu,
            "nav_links": lambda: signals.collect_lists(signals.nav_links),
            # Whether the visitor may open a page (its @access rules): link it, or name it as text.
            "may_open": access_allows,
        }


def _register_cli(app: Flask) -> None:
    from contest.cli import register_commands

    register_commands(app)


def _start_outbox_sender(app: Flask) -> None:
    if not app.config.get("OUTBOX_IN_PROCESS"):
        return
    from contest.domain.outbox import InProcessSender

    sender = InProcessSender(app)
    # Woken by contest.domain.outbox.queue_mail once the mail's transaction commits.
    app.extensions["outbox_sender"] = sender
    sender.start()


def database_ok() -> bool:
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        db.session.rollback()
        return False
