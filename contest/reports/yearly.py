"""The yearly report as plain data, every label already in the reader's
language: the XLSX and PDF writers lay it out and translate nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from contest.reports.figures import COLUMNS, Breakdown, Figures
from contest.reports.indicators import IndicatorValue


@dataclass(frozen=True)
class Winner:
    award: str
    code: str
    title: str
    team: str
    prize: int  # đồng, 0 when none


@dataclass(frozen=True)
class CompetitionSummary:
    name: str
    level: str  # translated
    unit: str
    state: str  # translated
    teams: int
    entries_valid: int
    rounds: tuple[tuple[str, int], ...]  # (round name, entries that took part)
    winners: tuple[Winner, ...]


@dataclass(frozen=True)
class Table:
    key: str  # short, ASCII: the table's name in the pages' anchors
    heading: str  # "Theo đơn vị", ...: also the XLSX sheet's name
    row_heading: str  # the first column's heading: "Đơn vị", "Cấp", ...
    breakdown: Breakdown


@dataclass(frozen=True)
class IndicatorRow:
    label: str
    period: str  # "2022–2025"
    progress: IndicatorValue  # as of the report's day: the period's value, its years, its records
    status: str  # translated status of progress.status
    year_value: int = 0  # the report's year alone


@dataclass(frozen=True)
class SchoolRow:
    """A school's students' startups in the year (Đề án 1665): the teams registered
    from the school, their valid entries, the startup clubs formed at the school."""

    name: str
    teams: int
    entries_valid: int
    clubs: int


@dataclass
class YearlyReport:
    year: int
    title: str  # "Báo cáo năm 2025 ..."
    subtitle: str  # the organisation and the date
    generated_on: date
    as_of: date  # facts dated after this day are not counted (31/12 of the year unless chosen)
    column_labels: dict[str, str]  # every key of figures.COLUMNS → its heading
    totals: Figures
    tables: list[Table]
    competitions: list[CompetitionSummary]
    indicators: list[IndicatorRow]
    # Headings of the fixed parts and column titles of the competitions and
    # indicators tables, by key (see contest.domain.reports.LABEL_KEYS).
    labels: dict[str, str] = field(default_factory=dict)
    # One row per school with teams or clubs in the year, by name; empty: no such section.
    schools: list[SchoolRow] = field(default_factory=list)

    def figure_row(self, figures: Figures) -> list[int]:
        return [getattr(figures, key) for key in COLUMNS]

    def schools_total(self) -> SchoolRow:
        """The schools' rows summed (not the year's totals: teams from no school are left out)."""
        return SchoolRow(
            self.labels.get("total_row", "total_row"),
            sum(row.teams for row in self.schools),
            sum(row.entries_valid for row in self.schools),
            sum(row.clubs for row in self.schools),
        )


# Keys of YearlyReport.labels: the fixed headings and column titles.
LABEL_KEYS = (
    "summary",
    "figure",
    "value",
    "total_row",
    "competitions",
    "competition",
    "level",
    "unit",
    "state",
    "teams",
    "entries_valid",
    "rounds",
    "winners",
    "award",
    "code",
    "project",
    "team",
    "prize",
    "indicators",
    "indicator",
    "period",
    "target",
    "achieved",
    "percent",
    "status",
    "in_year",
    "schools",
    "school",
    "clubs",
    "schools_note",
)
