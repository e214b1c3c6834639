"""The plan's indicators from plain facts: distinct projects and enterprises,
as of a day, and drill-downs that list exactly what each number counts."""

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from contest.reports import indicators as I

COMMUNE, PROVINCE = "Cuộc thi cấp xã Lý Sơn 2026", "Cuộc thi cấp tỉnh 2026"


def test_a_project_that_went_commune_then_province_is_counted_once():
    facts = I.Facts(
        participations=(
            I.Participation(7, "Tỏi đen Lý Sơn", date(2026, 5, 10), COMMUNE, "LSO-2026-Y-001"),
            I.Participation(7, "Tỏi đen Lý Sơn", date(2026, 10, 2), PROVINCE, "nomination:9"),
            I.Participation(8, "Nước mắm Sa Huỳnh", date(2026, 9, 1), PROVINCE, "QNG-2026-D-004"),
        )
    )
    value = I.compute("projects_supported", facts, 2026, 2030, date(2026, 12, 31))
    assert value.cumulative == 2 and value.per_year[2026] == 2
    assert [(i.key, i.on, i.detail) for i in value.items] == [
        ("7", date(2026, 5, 10), COMMUNE),
        ("8", date(2026, 9, 1), PROVINCE),
    ]
    # Across years: once a year, once in the period.
    later = I.Facts(
        participations=(
            *facts.participations,
            I.Participation(7, "Tỏi đen Lý Sơn", date(2027, 9, 1), PROVINCE, "QNG-2027"),
        )
    )
    value = I.compute("projects_supported", later, 2026, 2030, date(2027, 12, 31))
    assert value.per_year[2026] == 2 and value.per_year[2027] == 1 and value.cumulative == 2


def test_an_enterprise_recorded_twice_under_one_registration_number_is_counted_once():
    supported = (
        I.Participation(1, "A", date(2023, 3, 1), PROVINCE),
        I.Participation(2, "B", date(2023, 3, 1), PROVINCE),
    )
    facts = I.Facts(
        participations=supported,
        enterprises=(
            I.EnterpriseFact("4300123456", "Công ty A", date(2024, 2, 1), 1, "A"),
            I.EnterpriseFact("4300 123-456", "Công ty A (ghi lại)", date(2024, 2, 1), 1, "A"),
            I.EnterpriseFact("4300999999", "Công ty B", date(2024, 6, 1), 2, "B"),
            I.EnterpriseFact("4300888888", "Công ty không qua cuộc thi", date(2024, 6, 1), None),
            I.EnterpriseFact("4300777777", "Công ty C", date(2021, 6, 1), 2, "B"),
        ),
    )  # before the period
    value = I.compute("enterprises_formed", facts, 2022, 2025, date(2025, 12, 31))
    assert value.cumulative == 2
    assert [i.key for i in value.items] == ["4300123456", "4300999999"]


def test_facts_after_the_day_are_not_counted():
    facts = I.Facts(
        participations=(
            I.Participation(1, "A", date(2024, 4, 1), PROVINCE),
            I.Participation(2, "B", date(2025, 4, 1), PROVINCE),
        ),
        enterprises=(
            I.EnterpriseFact("1", "A", date(2024, 12, 31), 1, "A"),
            I.EnterpriseFact("2", "B", date(2025, 1, 2), 2, "B"),
        ),
        raises=(I.Raise(1, "A", date(2025, 3, 1), 500_000_000, "Quỹ miền Trung", "Báo QN"),),
        figures=(
            I.HandFigure("certified_advisers", 2024, 8, "Báo cáo 2024"),
            I.HandFigure("certified_advisers", 2025, 5, "Báo cáo 2025"),
        ),
    )
    as_of_2024 = {k: I.compute(k, facts, 2022, 2025, date(2024, 12, 31)) for k in I.INDICATORS}
    assert {k: v.cumulative for k, v in as_of_2024.items()} == {
        "projects_supported": 1,
        "enterprises_formed": 1,
        "projects_raising_capital": 0,
        "certified_advisers": 0,  # counted from certifications; the hand figures are shown apart
        "support_organisations": 0,
        "service_areas": 0,
    }
    assert [(f.year, f.value) for f in as_of_2024["certified_advisers"].hand_figures] == [(2024, 8)]
    assert I.for_year("projects_supported", facts, 2024) == I.compute(
        "projects_supported", facts, 2024, 2024, date(2024, 12, 31)
    )
    assert I.against_targets([I.Target("projects_supported", 2022, 2025, 100, 120)], facts, date(2026, 12, 6))[
        0
    ].as_of == date(2025, 12, 31)


def test_a_hand_figure_without_its_source_is_left_out_and_named():
    facts = I.Facts(
        figures=(
            I.HandFigure("support_organisations", 2023, 4, "Báo cáo số 12/BC-SKHCN"),
            I.HandFigure("support_organisations", 2024, 3, "  "),
        )
    )
    value = I.compute(
        "support_organisations",
        facts,
        2022,
        2025,
        date(2025, 12, 31),
        I.Target("support_organisations", 2022, 2025, 12, 14),
    )
    assert value.cumulative == 4 and value.per_year == {2022: 0, 2023: 4, 2024: 0, 2025: 0}
    assert [(i.label, i.detail, i.value) for i in value.items] == [("2023", "Báo cáo số 12/BC-SKHCN", 4)]
    assert [f.year for f in value.untraced] == [2024]
    assert value.status == "behind" and value.percent_of_low == 100 * 4 / 12


days = st.dates(date(2021, 1, 1), date(2027, 12, 31))
participations = st.builds(I.Participation, st.integers(1, 8), st.just("P"), days, st.just(PROVINCE))
enterprises = st.builds(
    I.EnterpriseFact,
    st.sampled_from(["1", "1 ", "0-1", "2", "3", "04.5"]),
    st.just("E"),
    days,
    st.one_of(st.none(), st.integers(1, 8)),
)
raises = st.builds(I.Raise, st.integers(1, 8), st.just("P"), days, st.integers(0, 10**9))
certifications = st.builds(
    I.CertificationFact,
    st.integers(1, 6),
    st.just("X"),
    st.just("Cố vấn"),
    st.just("Bộ KH&CN"),
    st.just(""),
    days,
    st.one_of(st.none(), st.dates(date(2021, 6, 1), date(2029, 12, 31))),
).filter(lambda c: c.expires_on is None or c.expires_on >= c.issued_on)
figures = st.builds(
    I.HandFigure,
    st.sampled_from(I.HAND_ENTERED),
    st.integers(2021, 2027),
    st.integers(0, 9),
    st.sampled_from(["", "Báo cáo"]),
)


@given(
    st.builds(
        I.Facts,
        st.lists(participations, max_size=12).map(tuple),
        st.lists(enterprises, max_size=6).map(tuple),
        st.lists(raises, max_size=6).map(tuple),
        st.lists(figures, max_size=6).map(tuple),
        st.lists(certifications, max_size=6).map(tuple),
    ),
    st.sampled_from(I.INDICATORS),
    days,
)
def test_each_drill_down_lists_exactly_what_its_number_counts(facts, indicator, as_of):
    value = I.compute(indicator, facts, 2022, 2025, as_of)
    assert sum(item.value for item in value.items) == value.cumulative
    assert len({item.key for item in value.items}) == len(value.items)  # nothing listed twice
    for year, items in value.year_items.items():
        assert sum(item.value for item in items) == value.per_year[year]
    assert all(2022 <= item.on.year <= 2025 for item in value.items)
    if indicator not in I.HAND_ENTERED or indicator in I.FROM_RECORDS_WITH_HAND_FIGURES:
        assert all(item.on <= as_of for item in value.items)
        # An oracle: the records one would count by hand.
        if indicator == "projects_supported":
            expected = {str(p.project_id) for p in facts.participations if 2022 <= p.on.year <= 2025 and p.on <= as_of}
        elif indicator == "certified_advisers":
            expected = {
                str(c.expert_id) for c in facts.certifications if any(c.valid_in(y, as_of) for y in range(2022, 2026))
            }
        elif indicator == "projects_raising_capital":
            expected = {str(r.project_id) for r in facts.raises if 2022 <= r.on.year <= 2025 and r.on <= as_of}
        else:
            supported = {p.project_id for p in facts.participations if p.on <= as_of}
            expected = {
                I.normalise_registration_number(e.registration_number)
                for e in facts.enterprises
                if 2022 <= e.founded_on.year <= 2025 and e.founded_on <= as_of and e.project_id in supported
            }
        assert {item.key for item in value.items} == expected
