"""Flask extension objects, created unbound and initialised by the app factory."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from contest.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
mail = Mail()
limiter = Limiter(key_func=get_remote_address)


def init_autocommit_engine(app) -> None:
    """On PostgreSQL, a second engine on the app's database whose connections
    run each statement as its own transaction, for hot paths that save with one
    statement (the judges' score saves): no BEGIN and COMMIT round trips.

    It does not ping a connection before lending it out, a round trip per use
    that the main engine pays: its callers retry once on a dropped connection,
    which is safe because what they write is idempotent. It is disposed with
    the main engine."""
    from sqlalchemy import create_engine, event

    with app.app_context():
        main = db.engine
        if main.dialect.name != "postgresql":
            return
        engine = create_engine(main.url, isolation_level="AUTOCOMMIT", pool_pre_ping=False)
    event.listen(main, "engine_disposed", lambda _engine: engine.dispose())
    app.extensions["autocommit_engine"] = engine


def autocommit_engine():
    """The app's autocommit engine (see init_autocommit_engine), or None (SQLite)."""
    from flask import current_app

    return current_app.extensions.get("autocommit_engine")


def auth_limit() -> str:
    """Forms that check a secret (password, token): per address."""
    from flask import current_app

    return current_app.config["RATELIMIT_AUTH"]


def mail_limit() -> str:
    """Forms that send mail: enough for real work, too few to turn the app into a spam relay."""
    from flask import current_app

    return current_app.config["RATELIMIT_MAIL"]


def commit_keeping_values() -> None:
    """Commit without expiring what the session has loaded. A plain commit makes
    the next use of every loaded row (the account for the locale, the row just
    written) select it again; on a hot path whose values are known that is a
    round trip each for nothing. Only for requests that end soon after."""
    session = db.session()
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True
