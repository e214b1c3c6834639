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


def auth_limit() -> str:
    """Forms that check a secret (password, token): per address. Used with
    `deduct_when=failed_answer`, so only refused attempts count."""
    from flask import current_app

    return current_app.config["RATELIMIT_AUTH"]


def failed_answer(response) -> bool:
    """`deduct_when` for forms that check a secret: a refusal (4xx) counts, a
    success (a redirect) does not, so many people behind one address (a venue,
    a school) are not locked out by each other's successes."""
    return response.status_code >= 400


def login_address_limit() -> str:
    """Failed log-ins per network address (see contest/domain/login_throttle.py)."""
    from flask import current_app

    return current_app.config["RATELIMIT_LOGIN_ADDRESS"]


def mail_limit() -> str:
    """Forms that send mail: enough for real work, too few to turn the app into a spam relay."""
    from flask import current_app

    return current_app.config["RATELIMIT_MAIL"]


def upload_limit() -> str:
    """File uploads, counted per account (RATELIMIT_UPLOAD)."""
    from flask import current_app

    return current_app.config["RATELIMIT_UPLOAD"]


def per_account() -> str:
    """Rate-limit key: the signed-in account, so a team behind one school's
    address does not share one count; the address when nobody is signed in."""
    from contest.access import signed_in

    named = signed_in()
    return f"account:{named[0]}" if named is not None else get_remote_address()


def upload_limit_message() -> str:
    from flask_babel import gettext as _

    return _(
        "Too many uploads from your account in a short time. The files already uploaded are kept; "
        "please wait a while and try again."
    )
