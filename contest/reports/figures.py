"""The ecosystem's figures from plain records: what the dashboard and the
yearly report show. No Flask, no database: `contest.domain.reports` loads the
records, this module counts them, so the counting can be checked by hand.

Definitions (the ones the province's report uses):
- a team is *registered* when it exists; an entry is *submitted* when its
  status is submitted (drafts and withdrawn entries are not), *valid* when
  the secretariat also found it valid;
- participants are the team's members (the leader included);
- a team is *women-led* (led by a woman) when its leader is a woman, a
  *student team* when every member is a student;
- an entry is a *women-owned business* (the SME support law's meaning) when it
  is a registered company in which women own at least 51 % of the charter
  capital AND at least one of them manages it; counted apart from women-led
  teams (a woman may lead a team whose company men own, and the reverse);
- *youth* are participants aged 35 or less on the competition's reference
  day (its submission deadline, else 31 December of its year);
- a team's *unit* is the unit it registered from, else the competition's
  organising unit; it stays the unit it had, even after that unit was
  dissolved or merged.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

YOUTH_MAX_AGE = 35


@dataclass(frozen=True)
class Person:
    gender: str | None  # "female", "male", "other" or None when not given
    born: date | None
    student: bool


@dataclass(frozen=True)
class TeamRecord:
    competition_id: int
    year: int
    level: str
    unit_id: int | None
    reference_day: date
    leader: Person
    members: tuple[Person, ...]  # the leader included
    board: str | None = None  # of its entry, if any
    field: str | None = None
    submitted: bool = False
    valid: bool = False
    rounds_reached: tuple[int, ...] = ()  # positions of the rounds its entry took part in
    awards: tuple[tuple[str, int], ...] = ()  # (award name, prize in đồng)
    women_owned_business: bool = False  # its entry's company: both facts hold


@dataclass(frozen=True)
class CompetitionRecord:
    id: int
    name: str
    year: int
    level: str
    unit_id: int
    held: bool  # past its draft state
    rounds: tuple[tuple[int, str], ...] = ()  # (position, name)


@dataclass(frozen=True)
class Filters:
    year: int | None = None
    level: str | None = None
    unit_ids: frozenset[int] | None = None  # the unit with its sub-units and predecessors
    board: str | None = None
    field: str | None = None

    def keeps_competition(self, c: CompetitionRecord) -> bool:
        return (
            (self.year is None or c.year == self.year)
            and (self.level is None or c.level == self.level)
            and (self.unit_ids is None or c.unit_id in self.unit_ids)
        )

    def keeps_team(self, t: TeamRecord, competitions: dict[int, CompetitionRecord]) -> bool:
        if self.year is not None and t.year != self.year or self.level is not None and t.level != self.level:
            return False
        if (
            self.unit_ids is not None
            and t.unit_id not in self.unit_ids
            and competitions[t.competition_id].unit_id not in self.unit_ids
        ):
            return False
        return (self.board is None or t.board == self.board) and (self.field is None or t.field == self.field)


def age_on(born: date, day: date) -> int:
    """Whole years, as on an identity card: 35 until the day before the 36th birthday."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass
class Figures:
    competitions: int = 0
    teams: int = 0
    entries_submitted: int = 0
    entries_valid: int = 0
    participants: int = 0
    women: int = 0
    men: int = 0
    gender_other: int = 0
    gender_unknown: int = 0
    women_led_teams: int = 0
    women_owned_businesses: int = 0
    student_teams: int = 0
    youth: int = 0
    age_unknown: int = 0
    awards: int = 0
    prize_money: int = 0
    # round position → entries that took part in it
    reached: dict[int, int] = field(default_factory=dict)

    def add_team(self, team: TeamRecord) -> None:
        self.teams += 1
        self.entries_submitted += team.submitted
        self.entries_valid += team.valid
        self.women_led_teams += team.leader.gender == "female"
        self.women_owned_businesses += team.women_owned_business
        self.student_teams += bool(team.members) and all(p.student for p in team.members)
        for person in team.members:
            self.participants += 1
            if person.gender == "female":
                self.women += 1
            elif person.gender == "male":
                self.men += 1
            elif person.gender == "other":
                self.gender_other += 1
            else:
                self.gender_unknown += 1
            if person.born is None:
                self.age_unknown += 1
            elif age_on(person.born, team.reference_day) <= YOUTH_MAX_AGE:
                self.youth += 1
        for position in team.rounds_reached:
            self.reached[position] = self.reached.get(position, 0) + 1
        self.awards += len(team.awards)
        self.prize_money += sum(prize for _, prize in team.awards)


# The columns every breakdown table shows, in order: (key, label id for the UI).
COLUMNS = (
    "competitions",
    "teams",
    "entries_submitted",
    "entries_valid",
    "participants",
    "women",
    "women_led_teams",
    "women_owned_businesses",
    "student_teams",
    "youth",
    "awards",
    "prize_money",
)


@dataclass
class Breakdown:
    """One table: a row of figures per key (unit, level, field, year...), and their total."""

    rows: list[tuple[str, Figures]]
    total: Figures

    def of_rows_only(self) -> Breakdown:
        """The same rows with a total that is their sum: for a table whose rows leave teams out
        (the school table: only teams registered from a school), whose total is then not the
        filter's total but what the table shows, as the yearly report's school sheet adds it up."""
        return Breakdown(rows=self.rows, total=summed(figures for _key, figures in self.rows))


def summed(rows: Iterable[Figures]) -> Figures:
    """Figures added up column by column (rounds reached included)."""
    total = Figures()
    for figures in rows:
        for name in Figures.__dataclass_fields__:
            if name != "reached":
                setattr(total, name, getattr(total, name) + getattr(figures, name))
        for position, count in figures.reached.items():
            total.reached[position] = total.reached.get(position, 0) + count
    return total


def compute(
    competitions: Iterable[CompetitionRecord], teams: Iterable[TeamRecord], filters: Filters = Filters()
) -> Figures:
    by_id = {c.id: c for c in competitions}
    figures = Figures()
    figures.competitions = sum(1 for c in by_id.values() if c.held and filters.keeps_competition(c))
    for team in teams:
        if filters.keeps_team(team, by_id):
            figures.add_team(team)
    return figures


def breakdown(
    competitions: Iterable[CompetitionRecord],
    teams: Iterable[TeamRecord],
    key: Callable[[TeamRecord, CompetitionRecord], str | None],
    competition_key: Callable[[CompetitionRecord], str | None] | None,
    filters: Filters = Filters(),
    order: Callable[[str], Any] | None = None,
) -> Breakdown:
    """Figures per key. `key` names a team's row (None: left out); `competition_key`
    names a competition's row for the competitions column (None when the
    breakdown is not by something competitions have, e.g. field)."""
    by_id = {c.id: c for c in competitions}
    rows: dict[str, Figures] = defaultdict(Figures)
    total = Figures()
    for c in by_id.values():
        if c.held and filters.keeps_competition(c):
            total.competitions += 1
            name = competition_key(c) if competition_key else None
            if name is not None:
                rows[name].competitions += 1
    for team in teams:
        if not filters.keeps_team(team, by_id):
            continue
        total.add_team(team)
        name = key(team, by_id[team.competition_id])
        if name is not None:
            rows[name].add_team(team)
    ordered = sorted(rows.items(), key=lambda kv: order(kv[0]) if order else kv[0])
    return Breakdown(rows=ordered, total=total)


# -- follow-up (the plan's indicators are counted in contest.reports.indicators) --


@dataclass(frozen=True)
class Outcome:
    """A recorded fact about what became of a project (follow-up)."""

    entry_id: int
    kind: str  # incubated, enterprise_registered, capital_raised, product_certified, jobs_created
    on: date
    amount: int = 0  # capital in đồng
    jobs: int = 0
