"""Locale choice (the account's language, else the visitor's choice, else
Vietnamese) and numbers written the locale's way on pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from flask import current_app, has_request_context, session
from flask_babel import format_date, format_datetime, format_decimal, format_timedelta, get_locale
from flask_babel import gettext as _
from flask_login import current_user


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI and background work: the default
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    chosen = session.get("locale")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]


# A moment in formal text ("17:00 ngày 20 tháng 12 năm 2026" in Vietnamese), in
# the configured time zone; the pattern is translated with the page's words.
def format_formal_datetime(value: datetime) -> str:
    return format_datetime(value, _("HH:mm 'on' MMMM d, y"))


def format_time_left(left: timedelta) -> str:
    """How long until a deadline, in two units at most: "3 ngày 4 giờ", "5 giờ 12 phút", "42 phút"."""
    minutes = max(int(left.total_seconds()) // 60, 0)
    days, hours, minutes = minutes // 1440, minutes % 1440 // 60, minutes % 60
    if days:
        parts = [(timedelta(days=days), "day"), (timedelta(hours=hours), "hour")]
    elif hours:
        parts = [(timedelta(hours=hours), "hour"), (timedelta(minutes=minutes), "minute")]
    else:
        parts = [(timedelta(minutes=minutes), "minute")]
    return " ".join(
        format_timedelta(amount, granularity=unit, threshold=10**6)
        for amount, unit in parts
        if amount or len(parts) == 1
    )


def format_days_left(days: int) -> str:
    """Whole days until a deadline: "3 ngày", "1 day", "3 days"."""
    return format_time_left(timedelta(days=days))


# Numbers on pages, in the page's language (Flask-Babel's formatters: "1.500.000"
# and "7,5" in Vietnamese, "1,500,000" and "7.5" in English). Machine outputs
# (CSV, XLSX, JSON, the audit log) never use these: they keep plain numbers, or
# contest.numbers.plain_decimal's spelling. Documents with a fixed language (the
# province's yearly report) use contest.numbers, which is pure.


def format_number(value) -> str:
    """A whole number with the locale's grouping; a fraction is rounded to a whole number."""
    return format_decimal(value, format="#,##0")


def format_percent(value) -> str:
    """A percentage given as 0-100 (not 0-1), with one decimal: 87.5 → "87,5%"."""
    return format_decimal(value, format="#,##0.0") + "%"


def format_points(value) -> str:
    """Scores and weights as people write them: 7.50 → "7,5" (vi) / "7.5" (en), 20.00 → "20"."""
    return format_decimal(Decimal(str(value)), format="#,##0.##########")


# Dates and times on pages and in mails: one formatter per locale, through
# Flask-Babel (which also moves an aware time into Vietnam's time zone).
# Vietnamese: 06/12/2026, 17:00, 17:00 06/12/2026, and in formal text
# "ngày 6 tháng 12 năm 2026". Never ISO, never a two-digit year. Machine outputs
# (exports, JSON, the audit log's stored values, form fields) keep ISO.
DATE_PATTERNS = {
    "vi": {"day": "dd/MM/yyyy", "time": "HH:mm", "moment": "HH:mm dd/MM/yyyy", "formal": "'ngày' d 'tháng' M 'năm' y"},
    "en": {"day": "d MMM yyyy", "time": "HH:mm", "moment": "d MMM yyyy, HH:mm", "formal": "MMMM d, yyyy"},
}


def _patterns() -> dict[str, str]:
    locale = str(get_locale() or "vi")
    return DATE_PATTERNS.get(locale.split("_")[0], DATE_PATTERNS["vi"])


def format_day(value: date | datetime | None, style: str | None = None) -> str:
    """A calendar day: "06/12/2026"; style "long"/"full": "ngày 6 tháng 12 năm 2026".
    Any other style is a Babel pattern, used as given."""
    if value is None:
        return ""
    patterns = _patterns()
    if style in (None, "short", "medium"):
        pattern = patterns["day"]
    elif style in ("long", "full"):
        pattern = patterns["formal"]
    else:
        pattern = style
    if isinstance(value, datetime):
        return format_datetime(value, pattern)
    return format_date(value, pattern)


def format_moment(value: datetime | None, style: str | None = None) -> str:
    """A day and a time: "17:00 06/12/2026". A Babel pattern ("HH:mm:ss") is used as given;
    "long"/"full" write the time and the formal day (format_formal_datetime)."""
    if value is None:
        return ""
    patterns = _patterns()
    if style in (None, "short", "medium"):
        pattern = patterns["moment"]
    elif style in ("long", "full"):
        return format_formal_datetime(value)
    else:
        pattern = style
    return format_datetime(value, pattern)


def format_clock(value: datetime | None, style: str | None = None) -> str:
    """A time of day: "17:00"."""
    if value is None:
        return ""
    return format_datetime(value, _patterns()["time"] if style in (None, "short", "medium") else style)


def format_score(value) -> str:
    """A total score with its two decimals, as results print it: 87.5 → "87,50" (vi) / "87.50" (en)."""
    return format_decimal(value, format="#,##0.00")


def format_fixed(value, places: int = 1, signed: bool = False) -> str:
    """A number with a fixed count of decimals: 73 → "73,0" (vi) / "73.0" (en); `signed` writes
    the sign of a difference, "+1,5" / "-0,5" (an offset from the panel)."""
    digits = "#,##0" + ("." + "0" * places if places > 0 else "")
    return format_decimal(value, format=f"+{digits};-{digits}" if signed else digits)
