"""Configuration classes. Secrets and service addresses come from the environment.

`DefaultConfig` runs on a fresh machine with nothing but Python: SQLite in the
instance folder, mail kept in the outbox and sent in-process when an SMTP server
is configured, and without SECRET_KEY a random key made once and kept in the
instance folder (`secret_key`, readable by its owner only). `ProductionConfig`
refuses to start without its secrets. No configuration starts on a key that is
written in this repository.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """A setting is missing or wrong; the message says which and how to fix it."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {value!r}") from exc


# Keys anyone can read in this repository (the old development default, the
# deployment guide's placeholder): a session cookie signed with one of them can
# be forged, so no configuration starts on them. The test key is refused
# outside tests.
PUBLISHED_SECRET_KEYS = frozenset({"dev-only-not-secret", "PASTE-48-RANDOM-CHARACTERS"})
TEST_SECRET_KEY = "test-secret"  # noqa: S105 - the test config only
INSTANCE_KEY_FILE = "secret_key"


def instance_secret_key(instance_path: str | os.PathLike) -> str:
    """The development key kept in the instance folder: made once, at random,
    in a file created readable by its owner only (never loosened afterwards),
    so sessions survive restarts and no key is shared between machines."""
    path = Path(instance_path) / INSTANCE_KEY_FILE
    if not path.exists():
        key = secrets.token_urlsafe(48)
        # Written under a name of its own, then linked into place: a second
        # process starting at the same moment reads a whole key or makes none.
        draft = path.with_name(f".{INSTANCE_KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(key + "\n")
                fh.flush()
                os.fsync(fh.fileno())
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
        finally:
            draft.unlink(missing_ok=True)
    if os.name == "posix" and path.stat().st_mode & 0o077:
        raise ConfigError(
            f"{path} holds the secret key but others may read it: run `chmod 600 {path}`, "
            "or delete it to make a new key (everyone is logged out)"
        )
    key = path.read_text().strip()
    if len(key) < 32:
        raise ConfigError(f"{path} does not hold a usable secret key: delete it and start again to make a new one")
    return key


class DefaultConfig:
    """Development and demo: `make run` on a laptop."""

    ENV_NAME = "default"
    # Packages built on `contest` that the factory loads (each has init_app).
    PLUGINS = ("judging",)
    # None: the factory takes the instance folder's key (`instance_secret_key`).
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    # None means "sqlite:///<instance>/contest.db", filled in by the factory
    # because only the app knows its instance folder.
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    REDIS_URL = os.environ.get("REDIS_URL")
    # The one cache (contest/cache.py): in Redis when REDIS_URL is set, so that
    # several processes agree on what was forgotten; otherwise in this process's
    # memory, at most CACHE_THRESHOLD items. Its keys never collide with the rate
    # limiter's (their own prefix); a Redis that does not answer within a second is a miss.
    CACHE_TYPE = "RedisCache" if REDIS_URL else "SimpleCache"
    CACHE_REDIS_URL = REDIS_URL
    CACHE_OPTIONS = {"socket_timeout": 1, "socket_connect_timeout": 1} if REDIS_URL else None
    CACHE_KEY_PREFIX = "qng-cache:"
    CACHE_THRESHOLD = 1000
    CACHE_DEFAULT_TIMEOUT = 300
    # Logs: one line per request with its id when LOG_REQUESTS; JSON lines when LOG_JSON.
    LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO")
    LOG_JSON = _env_bool("LOG_JSON", False)
    LOG_REQUESTS = _env_bool("LOG_REQUESTS", False)

    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    LANGUAGES = ("vi", "en")

    MAIL_SERVER = os.environ.get("MAIL_SERVER", "127.0.0.1")
    MAIL_PORT = _env_int("MAIL_PORT", 25)
    MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
    MAIL_USE_SSL = _env_bool("MAIL_USE_SSL", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "Ban tổ chức <no-reply@localhost>")
    MAIL_TIMEOUT = _env_int("MAIL_TIMEOUT", 10)
    # Flask-Mail silently drops mail in testing mode; the tests use a real SMTP server.
    MAIL_SUPPRESS_SEND = False
    # Without an SMTP server mail simply waits in the outbox (visible to admins).
    OUTBOX_IN_PROCESS = _env_bool("OUTBOX_IN_PROCESS", bool(os.environ.get("MAIL_SERVER")))
    OUTBOX_MAX_ATTEMPTS = _env_int("OUTBOX_MAX_ATTEMPTS", 8)
    OUTBOX_LEASE_SECONDS = 60
    # The organizer's live board of an open round fetches itself again this often.
    BOARD_REFRESH_SECONDS = _env_int("BOARD_REFRESH_SECONDS", 30)

    # Links in mails must point at the public address, not at whatever Host a request had.
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    # The organisation named on the yearly report.
    REPORT_ORGANISATION = os.environ.get("REPORT_ORGANISATION", "Sở Khoa học và Công nghệ tỉnh Quảng Ngãi")
    # The plan's yearly cycle: the unit that consolidates (the Department), and
    # how many days before each deadline units that have not submitted are reminded.
    REPORTING_DEPARTMENT_CODE = os.environ.get("REPORTING_DEPARTMENT_CODE", "QNG-KHCN")
    REPORTING_REMINDER_DAYS = tuple(int(d) for d in os.environ.get("REPORTING_REMINDER_DAYS", "14,7,1").split(","))

    RATELIMIT_ENABLED = True
    RATELIMIT_HEADERS_ENABLED = True
    RATELIMIT_STORAGE_URI = os.environ.get("REDIS_URL") or "memory://"
    # Redis down must not take log-in down: count in this process meanwhile.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    # Reverse proxies in front of the app (nginx: 1) whose X-Forwarded-For and
    # X-Forwarded-Proto are trusted; without this, rate limits and the audit log
    # would see nginx's address for every visitor.
    TRUSTED_PROXY_COUNT = _env_int("TRUSTED_PROXY_COUNT", 0)
    # Forms that check a secret (token, current password): failed answers per address.
    RATELIMIT_AUTH = "10 per minute;50 per hour"
    # Log-in: failures only, per e-mail address (whatever network address they
    # come from) and per network address (generous: a hall of judges or a school
    # behind one address). See contest/domain/login_throttle.py.
    RATELIMIT_LOGIN_ACCOUNT = "10 per 15 minutes"
    RATELIMIT_LOGIN_ADDRESS = "20 per minute;100 per hour"
    # A storage error while counting (Redis gone between the check and the count)
    # is logged, not turned into a 500.
    RATELIMIT_SWALLOW_ERRORS = True
    RATELIMIT_MAIL = "20 per minute;200 per hour"
    # The audience vote: codes asked for one e-mail address, and requests (codes, votes)
    # from one network (IPv4 /24, IPv6 /64): a school's hall votes, a script is slowed.
    RATELIMIT_VOTE_ADDRESS = os.environ.get("RATELIMIT_VOTE_ADDRESS", "5 per 10 minutes;20 per day")
    RATELIMIT_VOTE_NETWORK = os.environ.get("RATELIMIT_VOTE_NETWORK", "120 per minute;2000 per hour")
    # A network the organizers trust for the category (the hall's Wi-Fi, behind one
    # address): a hall of a thousand votes in minutes, three requests each.
    RATELIMIT_VOTE_HALL_NETWORK = os.environ.get("RATELIMIT_VOTE_HALL_NETWORK", "3000 per minute;20000 per hour")
    # File uploads, per account: a team uploads a handful of files, re-exported a few times.
    RATELIMIT_UPLOAD = os.environ.get("RATELIMIT_UPLOAD", "30 per hour")

    WTF_CSRF_TIME_LIMIT = None  # a judge may keep a page open for hours
    REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30
    # A session without "remember me" ends on the server after this, whatever the browser keeps.
    LOGIN_SESSION_HOURS = _env_int("LOGIN_SESSION_HOURS", 24)
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_HTTPONLY = True

    EMAIL_TOKEN_MAX_AGE = 60 * 60 * 48
    RESET_TOKEN_MAX_AGE = 60 * 60 * 2

    # scrypt cost of an encrypted backup's passphrase, as log2(N): age's default
    # (about a second and 256 MiB of memory to make or open one).
    BACKUP_SCRYPT_WORK_FACTOR = 18

    # Request bodies (contest/request_guard.py): each route has its own limit, checked
    # before the body is read; none is above MAX_CONTENT_LENGTH (nginx's client_max_body_size).
    # The largest upload route: a media award's recording at its most (uploads.WORK_FILE_MAX_MB) and its
    # form; every other upload route stays at its own limit (one 20 MB file and its form: 21 MB).
    MAX_CONTENT_LENGTH = 101 * 1024 * 1024
    MAX_FORM_REQUEST = 1024 * 1024  # ordinary forms (the largest, an entry, is about 100 KB)
    MAX_JSON_REQUEST = 32 * 1024  # JSON (a score change with a 4,000-character comment)
    UPLOAD_FOLDER = os.environ.get("UPLOAD_FOLDER")  # default: <instance>/uploads
    # Replaced or removed attachments are kept this many days (they count toward
    # the entry's quota meanwhile); `flask uploads purge` then deletes their contents.
    UPLOAD_RETENTION_DAYS = _env_int("UPLOAD_RETENTION_DAYS", 30)
    SHARED_DATA_DIR = os.environ.get(
        "SHARED_DATA_DIR",
        os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "shared", "data"),
    )

    @classmethod
    def validate(cls, config: dict) -> None:
        """Checks that hold for every environment."""
        if config.get("MAIL_USE_TLS") and config.get("MAIL_USE_SSL"):
            raise ConfigError("MAIL_USE_TLS and MAIL_USE_SSL cannot both be on")
        key = config.get("SECRET_KEY")
        if key in PUBLISHED_SECRET_KEYS or (key == TEST_SECRET_KEY and not config.get("TESTING")):
            raise ConfigError(
                "SECRET_KEY is a key written in this project's source, with which anyone can forge a log-in. "
                "Set SECRET_KEY to a random value of your own "
                "(python3 -c 'import secrets; print(secrets.token_urlsafe(48))'), "
                "or, in development only, unset it to use a key made for this machine. See docs/deploy.md."
            )

        if config.get("UPLOAD_RETENTION_DAYS", 0) < 0:
            raise ConfigError("UPLOAD_RETENTION_DAYS must be 0 or more")

    @classmethod
    def missing_secret_key(cls, instance_path: str) -> str:
        """The key to use when SECRET_KEY is not set: development and demo make one."""
        return instance_secret_key(instance_path)


class TestConfig(DefaultConfig):
    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = TEST_SECRET_KEY
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL")
    OUTBOX_IN_PROCESS = False
    RATELIMIT_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    # Each test's app has its own memory cache; a test that means to share one
    # through Redis says so (tests/contest/test_cache.py).
    CACHE_TYPE = "SimpleCache"
    CACHE_REDIS_URL = None
    CACHE_OPTIONS = None
    PUBLIC_BASE_URL = "http://localhost"
    SERVER_NAME = None
    # Argon2 at production cost makes a suite of hundreds of log-ins slow; the
    # algorithm is the same.
    PASSWORD_HASH_COST = "fast"  # noqa: S105 - a cost setting, not a password
    BACKUP_SCRYPT_WORK_FACTOR = 10


class ProductionConfig(DefaultConfig):
    ENV_NAME = "production"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    OUTBOX_IN_PROCESS = _env_bool("OUTBOX_IN_PROCESS", False)
    LOG_JSON = _env_bool("LOG_JSON", True)
    LOG_REQUESTS = _env_bool("LOG_REQUESTS", True)
    TRUSTED_PROXY_COUNT = _env_int("TRUSTED_PROXY_COUNT", 1)  # behind nginx, as docs/deploy.md sets it up

    @classmethod
    def validate(cls, config: dict) -> None:
        super().validate(config)
        # PUBLIC_BASE_URL goes into mails and certificates' QR codes: a default would print a wrong address.
        missing = [name for name in ("SECRET_KEY", "DATABASE_URL", "PUBLIC_BASE_URL") if not os.environ.get(name)]
        if missing:
            raise ConfigError(
                "Production needs these environment variables: " + ", ".join(missing) + ". See docs/deploy.md."
            )
        if len(os.environ["SECRET_KEY"]) < 32:
            raise ConfigError("SECRET_KEY must be at least 32 characters long")

    @classmethod
    def missing_secret_key(cls, instance_path: str) -> str:
        raise ConfigError("Production needs the environment variable SECRET_KEY. See docs/deploy.md.")


CONFIGS = {
    "default": DefaultConfig,
    "test": TestConfig,
    "production": ProductionConfig,
}


def config_from_env() -> type[DefaultConfig]:
    name = os.environ.get("APP_CONFIG", "default")
    try:
        return CONFIGS[name]
    except KeyError as exc:
        raise ConfigError(f"APP_CONFIG must be one of {sorted(CONFIGS)}, got {name!r}") from exc
