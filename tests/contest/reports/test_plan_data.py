"""Decision 827's tasks as data: every task of section III, with its lead unit,
coordinating units and timing, checked against the seed when it is at hand."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from contest.reports import plan_data

# The task numbers of section III of Decision 827/QĐ-UBND (../shared/seed/), read off the decision.
SECTION_III = [
    "1.1",
    "1.2",
    "1.3",
    "1.4",
    "1.5",
    "1.6",
    "1.7",
    "2.1",
    "2.2",
    "2.3",
    "2.4",
    "2.5",
    "3.1",
    "3.2",
    "3.3",
    "4.1",
    "4.2",
    "4.3",
    "4.4",
    "4.5",
    "4.6",
    "4.7",
    "4.8",
    "5.1",
    "5.2",
    "5.3",
    "5.4",
    "6.1",
    "6.2",
    "6.3",
    "7.1",
    "7.2",
    "7.3",
]
# Where the data file corrects the decision's typing ("Cao đảng" for "Cao đẳng").
CORRECTED = {"Trường Cao đẳng Kỹ nghệ Dung Quất": "Trường Cao đảng Kỹ nghệ Dung Quất"}
SEEDS = sorted((Path(__file__).resolve().parents[3] / ".." / "shared" / "seed").glob("*.txt"))


def _seed_section_iii() -> str | None:
    for path in SEEDS:
        text = path.read_text(encoding="utf-8")
        if "III. NHIỆM VỤ" in text and "827/QĐ-UBND" in text:
            return text.split("III. NHIỆM VỤ")[1].split("IV. KINH PHÍ")[0]
    return None


def test_every_task_of_section_iii_is_in_the_data_file_with_its_units_and_timing():
    plan = plan_data.load()
    assert plan.number == "827/QĐ-UBND" and plan.issued_on == date(2022, 6, 27)
    numbers = [t.number for t in plan.tasks]
    assert numbers == SECTION_III
    for task in plan.tasks:
        assert task.text and task.lead and task.coordinating and task.timing.text, task.number
        assert all(lead.name for lead in task.lead), task.number
        assert task.timing.kind in plan_data.TIMING_KINDS


def test_the_list_of_task_numbers_matches_the_seed():
    section = _seed_section_iii()
    if section is None:
        pytest.skip("the seed (../shared/seed) is not beside this checkout")
    assert re.findall(r"^(\d\.\d+)\.", section, flags=re.M) == SECTION_III


def test_each_task_s_lead_units_and_timing_are_those_the_seed_gives():
    section = _seed_section_iii()
    if section is None:
        pytest.skip("the seed (../shared/seed) is not beside this checkout")
    flat = " ".join(section.split())
    for task in plan_data.load().tasks:
        start = flat.index(f"{task.number}. ")
        following = re.search(r" \d\.\d+\. ", flat[start + 4 :])
        block = flat[start : start + 4 + following.start()] if following else flat[start:]
        assert f"Thời gian thực hiện: {task.timing.text}" in block, task.number
        for lead in task.lead:
            assert lead.name.lower() in block.lower(), (task.number, lead.name)
        for unit in task.coordinating:
            if unit not in ("Các đơn vị liên quan", "Các đơn vị có liên quan"):
                assert CORRECTED.get(unit, unit).lower() in block.lower(), (task.number, unit)


def test_named_tasks_have_the_timing_and_minimum_the_plan_states():
    tasks = {t.number: t for t in plan_data.load().tasks}
    assert tasks["2.1"].timing.applies_to(2022) and not tasks["2.1"].timing.applies_to(2023)
    assert tasks["3.3"].timing.applies_to(2025) and not tasks["3.3"].timing.applies_to(2022)
    assert tasks["1.6"].minimum_per_year == 1 and tasks["2.2"].minimum_per_year == 2
    assert [lead.unit for lead in tasks["1.6"].lead] == [plan_data.LOCALITIES, "QNG-PN", "QNG-DOAN"]
    assert [lead.unit for lead in tasks["7.2"].lead] == ["QNG-KHCN", None, None]


def test_the_calendar_is_section_v_s():
    plan = plan_data.load()
    assert plan.deadline("plan").due(2026) == date(2025, 10, 30)
    assert plan.deadline("results").due(2025) == date(2025, 12, 10)
    assert plan.deadline("province").due(2025) == date(2025, 12, 15)
    assert {d.source for d in plan.calendar} == {"V.12", "V.1.d"}
