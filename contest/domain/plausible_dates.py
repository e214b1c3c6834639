"""Dates typed about people and companies that cannot be true: one rule per kind
of date, used by the forms (a message beside the field) and by the domain
functions that take the value (refused there too)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import gettext as _

OLDEST_AGE = 120  # years: nobody older takes part in a contest
FIRST_COMPANY_YEAR = 1900
# Every other date typed or sent in the app (deadlines, certifications, mentoring, score
# changes) falls in these years: this century's programme. A year at either end of the
# calendar (0001, 9999) also overflows when a Vietnam time is turned into UTC or back.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def plausible_year(value: date) -> bool:
    """Whether a date or time typed or sent is within FIRST_YEAR–LAST_YEAR (2000–2100)."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


def local_today() -> date:
    """Today in Quảng Ngãi (a date typed there is compared with the local day)."""
    if has_app_context():
        return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()
    return date.today()


def birth_date_problem(value: date | None, today: date | None = None) -> str | None:
    """Why a date of birth cannot be true (in the future, or over 120 years ago), or None."""
    if value is None:
        return None
    today = today or local_today()
    if value > today:
        return _("A date of birth cannot be in the future.")
    if value.year < today.year - OLDEST_AGE:
        return _("Check the date of birth: it is more than %(years)d years ago.", years=OLDEST_AGE)
    return None


def company_date_problem(value: date | None, today: date | None = None) -> str | None:
    """Why a company's registration date cannot be true (in the future, or before 1900), or None."""
    if value is None:
        return None
    today = today or local_today()
    if value > today:
        return _("The date of business registration cannot be in the future.")
    if value.year < FIRST_COMPANY_YEAR:
        return _("Check the date of business registration: it is before %(year)d.", year=FIRST_COMPANY_YEAR)
    return None
