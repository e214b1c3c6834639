"""Numbers on pages follow the page's language (contest.i18n, through
Flask-Babel's formatters); machine spellings (contest.numbers) do not."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale

from contest.i18n import format_day, format_number, format_percent, format_points, format_score
from contest.numbers import plain_decimal, vn_number, vn_percent


@pytest.mark.parametrize(
    ("locale", "number", "percent", "points", "whole", "weight"),
    [
        ("vi", "1.500.000", "87,5%", "7,5", "20", "0,25"),
        ("en", "1,500,000", "87.5%", "7.5", "20", "0.25"),
    ],
)
def test_numbers_follow_the_locale(app, locale, number, percent, points, whole, weight):
    with app.test_request_context(), force_locale(locale):
        assert format_number(1_500_000) == number
        assert format_number(1_499_999.6) == number  # a fraction is rounded to a whole number
        assert format_percent(87.5) == percent
        assert format_points(Decimal("7.50")) == points
        assert format_points(Decimal("20.00")) == whole
        assert format_points(Decimal("0.25")) == weight


@pytest.mark.parametrize(("locale", "expected"), [("vi", "87,00"), ("en", "87.00")])
def test_a_score_keeps_two_decimals_in_the_locales_way(app, locale, expected):
    with app.test_request_context(), force_locale(locale):
        assert format_score(87) == expected
        assert format_score(87.004) == expected


def test_a_page_without_a_chosen_language_writes_numbers_the_vietnamese_way(app):
    with app.test_request_context():
        assert format_number(1_500_000) == vn_number(1_500_000)
        assert format_percent(87.5) == vn_percent(87.5)
        assert format_points(Decimal("12.50")) == "12,5"


def test_the_machine_spelling_ignores_the_locale(app):
    for locale in ("vi", "en"):
        with app.test_request_context(), force_locale(locale):
            assert plain_decimal(Decimal("12.50")) == "12.5"
            assert plain_decimal(Decimal("20.00")) == "20"  # not "2E+1"
            assert plain_decimal(Decimal("1234.5")) == "1234.5"  # no grouping


def test_the_pages_filters_are_the_locale_aware_ones(app):
    assert app.jinja_env.filters["vn_number"] is format_number
    assert app.jinja_env.filters["points"] is format_points
    assert app.jinja_env.filters["percent"] is format_percent
    assert app.jinja_env.filters["day"] is format_day


@pytest.mark.parametrize(("locale", "written"), [("vi", "01/05/2024"), ("en", "1 May 2024")])
def test_days_in_lists_are_written_the_locale_s_way(app, locale, written):
    from datetime import date

    with app.test_request_context(), force_locale(locale):
        assert format_day(date(2024, 5, 1)) == written


@pytest.mark.parametrize(
    ("locale", "formal", "left"),
    [
        ("vi", "17:05 ngày 20 tháng 12 năm 2026", ["3 ngày 4 giờ", "5 giờ 12 phút", "42 phút", "2 ngày", "0 phút"]),
        (
            "en",
            "17:05 on December 20, 2026",
            ["3 days 4 hours", "5 hours 12 minutes", "42 minutes", "2 days", "0 minutes"],
        ),
    ],
)
def test_deadlines_in_formal_words_and_time_left(app, locale, formal, left):
    from datetime import UTC, datetime, timedelta

    from contest.i18n import format_formal_datetime, format_time_left

    with app.test_request_context(), force_locale(locale):
        assert format_formal_datetime(datetime(2026, 12, 20, 10, 5, tzinfo=UTC)) == formal  # Vietnam time, UTC+7
        spans = [
            timedelta(days=3, hours=4, minutes=59),
            timedelta(hours=5, minutes=12, seconds=30),
            timedelta(minutes=42),
            timedelta(days=2, minutes=3),
            timedelta(seconds=-5),
        ]
        assert [format_time_left(span) for span in spans] == left


# -- dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "day", "moment", "clock", "formal"),
    [
        ("vi", "06/12/2026", "17:05 06/12/2026", "17:05", "ngày 6 tháng 12 năm 2026"),
        ("en", "6 Dec 2026", "6 Dec 2026, 17:05", "17:05", "December 6, 2026"),
    ],
)
def test_dates_follow_the_locale_in_vietnam_time(app, locale, day, moment, clock, formal):
    from datetime import UTC, date, datetime

    from contest.i18n import format_clock, format_day, format_moment

    at = datetime(2026, 12, 6, 10, 5, tzinfo=UTC)  # 17:05 in Vietnam
    with app.test_request_context(), force_locale(locale):
        assert format_day(date(2026, 12, 6)) == day
        assert format_day(at) == day
        assert format_moment(at) == moment
        assert format_clock(at) == clock
        assert format_day(date(2026, 12, 6), "long") == formal
        assert format_day(None) == ""


def test_pages_write_dates_only_through_the_filters(app):
    """Flask-Babel's filter names lead to the same formatter: a page cannot write
    "6 tháng 12, 2026" or a two-digit year by asking for a Babel style."""
    from datetime import UTC, date, datetime

    at = datetime(2026, 12, 20, 10, 0, tzinfo=UTC)
    with app.test_request_context(), force_locale("vi"):
        render = app.jinja_env.from_string(
            "{{ d|dateformat('long') }}|{{ d|dateformat('short') }}|{{ t|datetimeformat('short') }}|{{ t|timeformat }}"
        ).render
        assert render(d=date(2026, 12, 6), t=at) == "ngày 6 tháng 12 năm 2026|06/12/2026|17:00 20/12/2026|17:00"


def test_no_template_formats_a_date_by_hand():
    """strftime in a template bypasses the locale (and the time zone); isoformat is
    for machines only: form fields, <time datetime>, data attributes and links."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    offenders = []
    for path in root.rglob("*"):
        if path.suffix not in (".html", ".txt"):
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "strftime(" in line:
                offenders.append(f"{path.relative_to(root)}:{number}")
            for match in re.finditer(r"isoformat\(\)", line):
                before = line[: match.start()]
                if not re.search(r"((value|datetime|data-[\w-]+)=\"|url_for\([^)]*)[^\"]*$", before):
                    offenders.append(f"{path.relative_to(root)}:{number}")
    assert not offenders, offenders
