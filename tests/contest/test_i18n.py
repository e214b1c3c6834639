"""Numbers on pages follow the page's language (contest.i18n, through
Flask-Babel's formatters); machine spellings (contest.numbers) do not."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flask_babel import force_locale

from contest.i18n import format_number, format_percent, format_points
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
