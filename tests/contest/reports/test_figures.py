"""The ecosystem's figures from plain records, against counts made by hand."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from contest.reports import figures as F

DEADLINE = date(2024, 9, 30)


def person(gender=None, born=None, student=False):
    return F.Person(gender=gender, born=born, student=student)


def team(
    members,
    *,
    competition_id=1,
    year=2024,
    level="provincial",
    unit_id=10,
    board="Bảng Ý tưởng",
    field="Du lịch",
    submitted=True,
    valid=True,
    reached=(),
    awards=(),
):
    return F.TeamRecord(
        competition_id=competition_id,
        year=year,
        level=level,
        unit_id=unit_id,
        reference_day=DEADLINE,
        leader=members[0],
        members=tuple(members),
        board=board,
        field=field,
        submitted=submitted,
        valid=valid,
        rounds_reached=reached,
        awards=awards,
    )


COMPETITIONS = [
    F.CompetitionRecord(1, "Khởi nghiệp 2024", 2024, "provincial", 1, True, ((1, "Sơ khảo"), (2, "Chung khảo"))),
    F.CompetitionRecord(2, "Ý tưởng thanh niên 2024", 2024, "youth_idea", 2, True),
    F.CompetitionRecord(3, "Khởi nghiệp 2025 (nháp)", 2025, "provincial", 1, False),
]

# Hand-counted below: 3 teams, 7 participants.
TEAMS = [
    # A woman leading two men; she turns 35 on the deadline, one man turned 36 the day before.
    team(
        [person("female", date(1989, 9, 30)), person("male", date(1988, 9, 29)), person("male", date(2000, 1, 1))],
        reached=(1, 2),
        awards=(("Giải Nhất", 30_000_000),),
    ),
    # Students only, one without a gender or a birth date.
    team(
        [person("male", date(2003, 5, 1), True), person(None, None, True)],
        competition_id=2,
        level="youth_idea",
        unit_id=20,
        board="Bảng Ý tưởng",
        field="Giáo dục",
        reached=(1,),
    ),
    # Registered, never submitted; from a unit dissolved in 2025 (id 30).
    team(
        [person("female", date(1995, 1, 1)), person("other", date(1990, 1, 1))],
        unit_id=30,
        board=None,
        field=None,
        submitted=False,
        valid=False,
    ),
]


def test_hand_counted_totals():
    figures = F.compute(COMPETITIONS, TEAMS)
    assert figures.competitions == 2  # the draft is not held
    assert (figures.teams, figures.entries_submitted, figures.entries_valid) == (3, 2, 2)
    assert figures.participants == 7
    assert (figures.women, figures.men, figures.gender_other, figures.gender_unknown) == (2, 3, 1, 1)
    assert figures.women_led_teams == 2
    assert figures.student_teams == 1
    # 35 on the deadline counts, 36 does not; born 2000, 2003, 1995, 1990 count; one age unknown.
    assert figures.youth == 5 and figures.age_unknown == 1
    assert figures.reached == {1: 2, 2: 1}
    assert (figures.awards, figures.prize_money) == (1, 30_000_000)


def test_age_is_counted_in_whole_years():
    assert F.age_on(date(1989, 9, 30), DEADLINE) == 35
    assert F.age_on(date(1989, 10, 1), DEADLINE) == 34
    assert F.age_on(date(1988, 9, 30), DEADLINE) == 36
    assert F.age_on(date(2000, 2, 29), date(2024, 2, 28)) == 23


def test_filters():
    assert F.compute(COMPETITIONS, TEAMS, F.Filters(level="youth_idea")).teams == 1
    assert F.compute(COMPETITIONS, TEAMS, F.Filters(field="Du lịch")).teams == 1
    assert F.compute(COMPETITIONS, TEAMS, F.Filters(year=2025)).teams == 0
    # The dissolved unit's team is found by the unit, and the competition's unit finds all of its teams.
    assert F.compute(COMPETITIONS, TEAMS, F.Filters(unit_ids=frozenset({30}))).teams == 1
    assert F.compute(COMPETITIONS, TEAMS, F.Filters(unit_ids=frozenset({1}))).teams == 2


def test_breakdown_by_unit_keeps_the_dissolved_unit():
    names = {10: "Sở KH&CN", 20: "Tỉnh Đoàn", 30: "Huyện Sơn Tịnh (đến 30/06/2025)"}
    table = F.breakdown(COMPETITIONS, TEAMS, lambda t, c: names[t.unit_id], None)
    assert [(k, f.teams) for k, f in table.rows] == [
        ("Huyện Sơn Tịnh (đến 30/06/2025)", 1),
        ("Sở KH&CN", 1),
        ("Tỉnh Đoàn", 1),
    ]
    assert table.total.teams == 3


genders = st.sampled_from(["female", "male", "other", None])
people = st.builds(person, genders, st.one_of(st.none(), st.dates(date(1950, 1, 1), date(2010, 1, 1))), st.booleans())
teams = st.lists(
    st.builds(
        lambda ms, year, unit, valid: team(ms, year=year, unit_id=unit, valid=valid),
        st.lists(people, min_size=1, max_size=5),
        st.integers(2022, 2026),
        st.integers(1, 4),
        st.booleans(),
    ),
    max_size=30,
)


@given(teams)
def test_rows_of_a_breakdown_add_up_to_its_total(records):
    table = F.breakdown(COMPETITIONS, records, lambda t, c: str(t.unit_id), None)
    for column in F.COLUMNS[1:]:
        assert sum(getattr(f, column) for _, f in table.rows) == getattr(table.total, column)


@given(teams)
def test_every_participant_is_counted_once_by_gender(records):
    figures = F.compute(COMPETITIONS, records)
    assert figures.women + figures.men + figures.gender_other + figures.gender_unknown == figures.participants
    assert figures.youth + figures.age_unknown <= figures.participants
    assert figures.women_led_teams <= figures.teams


def test_a_breakdown_of_its_rows_only_totals_what_its_rows_show():
    """A table whose key leaves teams out (the school table) adds up its rows, not every team."""
    comps = [F.CompetitionRecord(id=1, name="C", year=2024, level="student", unit_id=10, held=True)]
    teams = [
        team([person("female")], unit_id=21, reached=(1,), awards=(("Nhất", 10_000_000),)),
        team([person("male"), person("female")], unit_id=22, valid=False),
        team([person("male")], unit_id=10),  # from no school
    ]
    schools = {21: "Trường A", 22: "Trường B"}
    full = F.breakdown(comps, teams, lambda t, c: schools.get(t.unit_id), None)
    rows_only = full.of_rows_only()
    assert rows_only.rows == full.rows and full.total.teams == 3
    total = rows_only.total
    assert (total.competitions, total.teams, total.entries_valid, total.participants, total.women) == (0, 2, 1, 3, 2)
    assert (total.awards, total.prize_money, total.reached) == (1, 10_000_000, {1: 1})
