"""The province's plan as data (Decision 827/QĐ-UBND), read from the file in
contest/data that was derived from the decision by hand, and the reporting
calendar of its section V. Pure: no Flask, no database."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

PLAN_827 = Path(__file__).resolve().parents[1] / "data" / "plan_tasks_827.json"

TIMING_KINDS = ("yearly", "once", "from", "as_needed")
# Groups of lead units the plan names as a class rather than one unit.
LOCALITIES = "@localities"  # UBND các huyện, thị xã, thành phố; after 1/7/2025 the communes, wards and special zone
SCHOOLS = "@schools"
DEADLINE_KINDS = ("plan", "results", "province")


@dataclass(frozen=True)
class Lead:
    name: str  # as the plan names it
    unit: str | None  # an org unit's code, a group (LOCALITIES, SCHOOLS), or None (not a unit here)


@dataclass(frozen=True)
class Timing:
    kind: str  # one of TIMING_KINDS
    text: str  # the plan's words: "Hàng năm", "Năm 2022 - 2023"
    start: int | None = None
    end: int | None = None

    def applies_to(self, year: int) -> bool:
        if self.kind in ("yearly", "as_needed"):
            return True
        if self.kind == "from":
            return year >= (self.start or 0)
        return (self.start or 0) <= year <= (self.end or self.start or 0)


@dataclass(frozen=True)
class TaskData:
    number: str  # "1.6"
    text: str
    lead: tuple[Lead, ...]
    coordinating: tuple[str, ...]
    timing: Timing
    minimum_per_year: int | None
    indicators: tuple[str, ...]

    @property
    def section(self) -> int:
        return int(self.number.split(".")[0])


@dataclass(frozen=True)
class Deadline:
    kind: str  # plan (next year's plan), results (the year's results), province (the consolidated report)
    day: int
    month: int
    offset_years: int  # the plan for year Y is due in Y-1
    source: str  # the plan's section: "V.12"
    text: str

    def due(self, year: int) -> date:
        return date(year + self.offset_years, self.month, self.day)


@dataclass(frozen=True)
class PlanData:
    number: str
    issued_on: date
    issuer: str
    title: str
    start_year: int
    end_year: int
    calendar: tuple[Deadline, ...]
    tasks: tuple[TaskData, ...]

    def deadline(self, kind: str) -> Deadline:
        return next(d for d in self.calendar if d.kind == kind)


def parse(raw: dict) -> PlanData:
    tasks = []
    for t in raw["tasks"]:
        timing = t["timing"]
        if timing["kind"] not in TIMING_KINDS:
            raise ValueError(f"task {t['number']}: unknown timing {timing['kind']!r}")
        tasks.append(
            TaskData(
                number=t["number"],
                text=t["text"],
                lead=tuple(Lead(x["name"], x["unit"]) for x in t["lead"]),
                coordinating=tuple(t["coordinating"]),
                timing=Timing(timing["kind"], timing["text"], timing.get("from"), timing.get("to")),
                minimum_per_year=t.get("minimum_per_year"),
                indicators=tuple(t.get("indicators", ())),
            )
        )
    return PlanData(
        number=raw["number"],
        issued_on=date.fromisoformat(raw["issued_on"]),
        issuer=raw["issuer"],
        title=raw["title"],
        start_year=raw["start_year"],
        end_year=raw["end_year"],
        calendar=tuple(Deadline(**d) for d in raw["calendar"]),
        tasks=tuple(tasks),
    )


def load(path: Path = PLAN_827) -> PlanData:
    return parse(json.loads(path.read_text(encoding="utf-8")))
