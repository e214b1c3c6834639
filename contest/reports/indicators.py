"""The plan's indicators (Decision 827/QĐ-UBND and later plans) from plain facts.

No Flask, no database: `contest.domain.indicators` loads the facts, this module
counts them, so every figure can be checked by hand and traced to its records.

API (what the dashboard, the yearly report and the reporting cycle call)
-----------------------------------------------------------------------
Inputs, all frozen dataclasses:
- `Participation(project_id, project, on, competition, ref)`: a project took
  part in a contest (a submitted entry, dated by its submission; an accepted
  nomination, dated by its acceptance) or received recorded support
  (incubation), dated `on`;
- `EnterpriseFact(registration_number, name, founded_on, project_id, project)`;
- `Raise(project_id, project, on, amount, investor, source)`;
- `HandFigure(indicator, year, value, source)`: a yearly figure entered by hand
  with the document it comes from;
- `CertificationFact(expert_id, expert, programme, issuer, number, issued_on,
  expires_on)`: a certificate an expert of the registry holds;
- `Facts(participations, enterprises, raises, figures, certifications)` gathers them.
- `Target(indicator, start_year, end_year, low, high, plan)`.

Functions:
- `compute(indicator, facts, start_year, end_year, as_of) -> IndicatorValue`:
  the indicator over a period, counting only facts dated on or before `as_of`
  (a hand figure counts when its year is not after `as_of`'s year);
- `for_year(indicator, facts, year, as_of=None)`: the same for one year, as of
  31/12 of that year unless told;
- `against_targets(targets, facts, as_of) -> list[IndicatorValue]`: one value
  per target, each as of `as_of` or the end of its period, whichever is earlier.

`IndicatorValue` carries `per_year` (year → value), `cumulative` (the period's
value: distinct projects / enterprises, or the sum of hand figures), `items`
(the drill-down: exactly the records the cumulative value counts, one `Item`
each) and `year_items` (year → the records that year's value counts).

Definitions:
- projects supported: distinct projects with a participation in the window;
  a project that entered several contests counts once;
- enterprises formed: distinct registration numbers (compared without spaces,
  dots or dashes, case-insensitively) founded in the window whose project has
  a participation on or before `as_of`;
- projects that raised capital: distinct projects with a raise in the window;
- certified advisers: distinct experts with a certification valid in the year
  (issued on or before 31/12 and `as_of`, not expired before 1/1); over a
  period, distinct experts with one valid in any of its years. Hand-entered
  figures with a source document are not added: they are returned apart in
  `hand_figures`;
- support organisations, concentrated service areas: the
  hand-entered yearly figures, summed; a figure without a source is left out
  (a figure nobody can trace is not shown) and listed in `untraced`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

INDICATORS = (
    "projects_supported",
    "enterprises_formed",
    "projects_raising_capital",
    "certified_advisers",
    "support_organisations",
    "service_areas",
)
HAND_ENTERED = ("certified_advisers", "support_organisations", "service_areas")
# Counted from records; a hand-entered figure for these is shown apart, never added.
FROM_RECORDS_WITH_HAND_FIGURES = ("certified_advisers",)


@dataclass(frozen=True)
class Participation:
    project_id: int
    project: str  # the project's name
    on: date
    competition: str  # the competition's name, or what the support was
    ref: str = ""  # entry code, nomination or record id


@dataclass(frozen=True)
class EnterpriseFact:
    registration_number: str
    name: str
    founded_on: date
    project_id: int | None
    project: str = ""


@dataclass(frozen=True)
class Raise:
    project_id: int
    project: str
    on: date
    amount: int  # đồng
    investor: str = ""
    source: str = ""


@dataclass(frozen=True)
class HandFigure:
    indicator: str
    year: int
    value: int
    source: str  # the document the figure comes from


@dataclass(frozen=True)
class CertificationFact:
    expert_id: int
    expert: str  # the expert's name
    programme: str
    issuer: str
    number: str
    issued_on: date
    expires_on: date | None = None

    def valid_in(self, year: int, as_of: date) -> bool:
        """Valid at some time in `year`, as known on `as_of` (a year not begun by then counts nothing)."""
        return (
            date(year, 1, 1) <= as_of
            and self.issued_on <= min(date(year, 12, 31), as_of)
            and (self.expires_on is None or self.expires_on >= date(year, 1, 1))
        )


@dataclass(frozen=True)
class Facts:
    participations: tuple[Participation, ...] = ()
    enterprises: tuple[EnterpriseFact, ...] = ()
    raises: tuple[Raise, ...] = ()
    figures: tuple[HandFigure, ...] = ()
    certifications: tuple[CertificationFact, ...] = ()


@dataclass(frozen=True)
class Target:
    indicator: str
    start_year: int
    end_year: int
    low: int
    high: int
    plan: str = ""  # "827/QĐ-UBND"


@dataclass(frozen=True)
class Item:
    """One record behind a number: what it is, when, and the details that make it checkable."""

    key: str  # project id, registration number or "figure:year"
    label: str
    on: date
    detail: str = ""
    value: int = 1  # what it adds to the number (1, or a hand figure's value)


@dataclass(frozen=True)
class IndicatorValue:
    indicator: str
    start_year: int
    end_year: int
    as_of: date
    per_year: dict[int, int]
    cumulative: int
    items: tuple[Item, ...]
    year_items: dict[int, tuple[Item, ...]] = field(default_factory=dict)
    target: Target | None = None
    untraced: tuple[HandFigure, ...] = ()
    hand_figures: tuple[HandFigure, ...] = ()  # shown apart from the counted value, never added

    @property
    def achieved(self) -> int:
        return self.cumulative

    @property
    def expected_by_now(self) -> float:
        """The share of the lower target the elapsed years of the period call for."""
        if self.target is None:
            return 0.0
        span = self.end_year - self.start_year + 1
        elapsed = min(span, max(0, self.as_of.year - self.start_year + 1))
        return self.target.low * elapsed / span

    @property
    def status(self) -> str:
        """met (the lower target reached), on_track (at or above the pace), behind."""
        if self.target is None or self.cumulative >= self.target.low:
            return "met"
        return "on_track" if self.cumulative >= self.expected_by_now else "behind"

    @property
    def percent_of_low(self) -> float:
        low = self.target.low if self.target else 0
        return 100.0 * self.cumulative / low if low else 100.0


def normalise_registration_number(value: str) -> str:
    """ "0 1 2-345.678" and "012345678" are one enterprise."""
    return re.sub(r"[\s.\-_/]", "", value or "").upper()


def _window(start_year: int, end_year: int, as_of: date):
    return lambda day: start_year <= day.year <= end_year and day <= as_of


def _distinct(
    found: Iterable[tuple[str, Item, int]], years: range
) -> tuple[dict[int, int], tuple[Item, ...], dict[int, tuple[Item, ...]]]:
    """(key, item, year) triples → per-year distinct counts, the period's items (first
    occurrence of each key) and each year's items (first occurrence in that year)."""
    first: dict[str, Item] = {}
    by_year: dict[int, dict[str, Item]] = {year: {} for year in years}
    for key, item, year in sorted(found, key=lambda t: (t[1].on, t[0])):
        first.setdefault(key, item)
        by_year[year].setdefault(key, item)
    per_year = {year: len(keys) for year, keys in by_year.items()}
    year_items = {year: tuple(sorted(keys.values(), key=lambda i: (i.on, i.label))) for year, keys in by_year.items()}
    return per_year, tuple(sorted(first.values(), key=lambda i: (i.on, i.label))), year_items


def compute(
    indicator: str, facts: Facts, start_year: int, end_year: int, as_of: date, target: Target | None = None
) -> IndicatorValue:
    if indicator not in INDICATORS:
        raise ValueError(f"unknown indicator {indicator!r}")
    years = range(start_year, end_year + 1)
    inside = _window(start_year, end_year, as_of)
    untraced: tuple[HandFigure, ...] = ()
    if indicator == "projects_supported":
        found = [
            (str(p.project_id), Item(str(p.project_id), p.project, p.on, p.competition), p.on.year)
            for p in facts.participations
            if inside(p.on)
        ]
        per_year, items, year_items = _distinct(found, years)
    elif indicator == "enterprises_formed":
        supported = {p.project_id for p in facts.participations if p.on <= as_of}
        found = []
        for e in facts.enterprises:
            if inside(e.founded_on) and e.project_id is not None and e.project_id in supported:
                key = normalise_registration_number(e.registration_number)
                found.append((key, Item(key, e.name or e.project, e.founded_on, e.project), e.founded_on.year))
        per_year, items, year_items = _distinct(found, years)
    elif indicator == "projects_raising_capital":
        found = [
            (
                str(r.project_id),
                Item(
                    str(r.project_id),
                    r.project,
                    r.on,
                    " · ".join(x for x in (f"{r.amount:,}".replace(",", "."), r.investor, r.source) if x),
                ),
                r.on.year,
            )
            for r in facts.raises
            if inside(r.on)
        ]
        per_year, items, year_items = _distinct(found, years)
    elif indicator == "certified_advisers":
        return _certified(facts, start_year, end_year, as_of, target)
    else:
        figures = [f for f in facts.figures if f.indicator == indicator and f.year in years and f.year <= as_of.year]
        untraced = tuple(f for f in figures if not f.source.strip())
        traced = sorted((f for f in figures if f.source.strip()), key=lambda f: f.year)
        per_year = {year: 0 for year in years}
        year_items = {year: () for year in years}
        for year in years:
            those = [f for f in traced if f.year == year]
            if those:  # one figure a year; should there be several, one line with their sum and sources
                per_year[year] = sum(f.value for f in those)
                year_items[year] = (
                    Item(
                        f"figure:{year}",
                        str(year),
                        date(year, 12, 31),
                        "; ".join(dict.fromkeys(f.source.strip() for f in those)),
                        per_year[year],
                    ),
                )
        items = tuple(item for year in years for item in year_items[year])
        return IndicatorValue(
            indicator,
            start_year,
            end_year,
            as_of,
            per_year,
            sum(per_year.values()),
            items,
            year_items,
            target,
            untraced,
        )
    return IndicatorValue(indicator, start_year, end_year, as_of, per_year, len(items), items, year_items, target)


def _certified(facts: Facts, start_year: int, end_year: int, as_of: date, target: Target | None) -> IndicatorValue:
    """Distinct experts with a certification valid in each year (and in the period)."""
    years = range(start_year, end_year + 1)
    found = []
    for c in facts.certifications:
        detail = " · ".join(
            x
            for x in (
                c.programme,
                c.issuer,
                c.number,
                f"{c.issued_on:%d/%m/%Y}" + (f"–{c.expires_on:%d/%m/%Y}" if c.expires_on else ""),
            )
            if x
        )
        for year in years:
            if c.valid_in(year, as_of):  # dated by when it began to count that year
                on = max(c.issued_on, date(year, 1, 1))
                found.append((str(c.expert_id), Item(str(c.expert_id), c.expert, on, detail), year))
    per_year, items, year_items = _distinct(found, years)
    figures = [f for f in facts.figures if f.indicator == "certified_advisers" and f.year in years]
    figures = [f for f in figures if f.year <= as_of.year]
    return IndicatorValue(
        "certified_advisers",
        start_year,
        end_year,
        as_of,
        per_year,
        len(items),
        items,
        year_items,
        target,
        tuple(f for f in figures if not f.source.strip()),
        tuple(sorted((f for f in figures if f.source.strip()), key=lambda f: f.year)),
    )


def for_year(indicator: str, facts: Facts, year: int, as_of: date | None = None) -> IndicatorValue:
    return compute(indicator, facts, year, year, as_of or date(year, 12, 31))


def against_targets(targets: Iterable[Target], facts: Facts, as_of: date) -> list[IndicatorValue]:
    """One value per target, as of `as_of` or the end of its period, whichever is earlier."""
    return [
        compute(t.indicator, facts, t.start_year, t.end_year, min(as_of, date(t.end_year, 12, 31)), t) for t in targets
    ]
