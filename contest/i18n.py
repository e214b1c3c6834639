"""Locale choice (the account's language, else the visitor's choice, else
Vietnamese) and numbers written the locale's way on pages."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from flask import current_app, has_request_context, session
from flask_babel import format_datetime, format_decimal, format_timedelta
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
