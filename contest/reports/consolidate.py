"""Adding up the units' figures for the province: counts are summed, while
projects and competitions are sets, so one reported by two units counts once.
Pure: no Flask, no database."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Counted per activity: each activity belongs to one unit, so summing never counts one twice (the
# registry's mentoring sessions, which a successor shares with its predecessor, are taken off once).
COUNT_KEYS = (
    "events",
    "participants",
    "clubs",
    "coworking",
    "support_organisations",
    "service_areas",
    "incubations",
    "mentoring",
    "funds",
)
# Identified across units: a project (or a contest) two units report counts once.
SET_KEYS = ("projects", "competitions")
FIGURE_KEYS = SET_KEYS + COUNT_KEYS


@dataclass(frozen=True)
class UnitFigures:
    """What one unit vouches for in a year: the narrow interface the cycle reads,
    whatever records (contests, activities, projects) the figures come from."""

    unit: str
    counts: Mapping[str, int] = field(default_factory=dict)
    projects: frozenset[str] = frozenset()  # stable keys: "entry:12", the project's first entry
    competitions: frozenset[str] = frozenset()
    # The registry's mentoring sessions counted in "mentoring" ("session:7"): a unit counts those of the
    # units it took over, so a predecessor and its successor reporting the same year share some.
    sessions: frozenset[str] = frozenset()

    def value(self, key: str) -> int:
        if key == "projects":
            return len(self.projects)
        if key == "competitions":
            return len(self.competitions)
        return int(self.counts.get(key, 0))


@dataclass(frozen=True)
class Consolidated:
    totals: dict[str, int]
    by_unit: list[tuple[str, dict[str, int]]]
    shared_projects: int  # projects more than one unit reported (each counted once in totals)


def consolidate(units: Iterable[UnitFigures]) -> Consolidated:
    units = list(units)
    projects: set[str] = set()
    competitions: set[str] = set()
    sessions: set[str] = set()
    seen_twice: set[str] = set()
    totals = dict.fromkeys(FIGURE_KEYS, 0)
    for unit in units:
        seen_twice |= projects & unit.projects
        projects |= unit.projects
        competitions |= unit.competitions
        for key in COUNT_KEYS:
            totals[key] += int(unit.counts.get(key, 0))
        # A session an earlier unit already counted is taken off (never below what the unit reported).
        totals["mentoring"] -= min(len(sessions & unit.sessions), int(unit.counts.get("mentoring", 0)))
        sessions |= unit.sessions
    totals["projects"], totals["competitions"] = len(projects), len(competitions)
    return Consolidated(
        totals=totals,
        by_unit=[(u.unit, {k: u.value(k) for k in FIGURE_KEYS}) for u in units],
        shared_projects=len(seen_twice),
    )
