"""Tests for the pure aggregation core (judging.core.aggregate)."""

from __future__ import annotations

import math
import statistics
from fractions import Fraction
from itertools import combinations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from judging.core.aggregate import (
    MeanSquares,
    Standing,
    TieBreak,
    aggregate,
    anova_mean_squares,
    entry_disagreement,
    icc,
    judge_leniency,
    kendall_w,
    weighted_total,
    weighted_totals,
)

# Shrout, P. E. & Fleiss, J. L. (1979). Intraclass correlations: uses in assessing rater
# reliability. Psychological Bulletin 86(2), 420-428. Table 2: 6 targets x 4 judges.
SHROUT_FLEISS = [
    [9, 2, 5, 8],
    [6, 1, 3, 2],
    [8, 4, 6, 8],
    [7, 1, 2, 6],
    [10, 5, 6, 9],
    [6, 2, 4, 7],
]

# Four raters rank strawberries from eight farms (1 = best); rows are farms, columns raters.
# InfluentialPoints, "Kendall coefficient of concordance", worked example I:
# rank sums 31 12 12 15 22 5 22 25, SS = 500, W = 500 / (504 * 16 / 12) = 0.744 (= 125/168).
STRAWBERRIES = [
    [8, 7, 8, 8],
    [4, 3, 2, 3],
    [2, 1, 5, 4],
    [3, 4, 6, 2],
    [5, 5, 7, 5],
    [1, 2, 1, 1],
    [6, 6, 4, 6],
    [7, 8, 3, 7],
]

RUBRIC = {"idea": (10, 2), "team": (10, 1), "market": (5, 2)}

FAST = settings(max_examples=150, deadline=None)


def ranks_of(standings: list[Standing]) -> dict:
    return {s.entry: s.rank for s in standings}


# --------------------------------------------------------------------------- weighted_total


def test_weighted_total_formula():
    # (8*2 + 6*1 + 4*2) / (10*2 + 10*1 + 5*2) * 100 = 30 / 40 * 100
    assert weighted_total({"idea": 8, "team": 6, "market": 4}, RUBRIC) == pytest.approx(75.0)


def test_weighted_total_extremes():
    assert weighted_total({"idea": 0, "team": 0, "market": 0}, RUBRIC) == 0.0
    assert weighted_total({"idea": 10, "team": 10, "market": 5}, RUBRIC) == pytest.approx(100.0)


def test_weighted_total_unknown_criterion():
    with pytest.raises(ValueError, match="not in rubric"):
        weighted_total({"idea": 8, "team": 6, "market": 4, "luck": 3}, RUBRIC)


@pytest.mark.parametrize("bad", [-1, 10.5, float("nan"), float("inf"), "7", True])
def test_weighted_total_rejects_bad_scores(bad):
    with pytest.raises(ValueError):
        weighted_total({"idea": bad, "team": 6, "market": 4}, RUBRIC)


def test_weighted_total_missing_lists_ids():
    with pytest.raises(ValueError, match="market") as excinfo:
        weighted_total({"idea": 8}, RUBRIC)
    assert "team" in str(excinfo.value)


def test_weighted_total_allow_missing_counts_zero():
    # (8*2) / 40 * 100
    assert weighted_total({"idea": 8}, RUBRIC, allow_missing=True) == pytest.approx(40.0)


@pytest.mark.parametrize("rubric", [{"a": (0, 1)}, {"a": (10, -1)}, {"a": (10, 0)}, {}])
def test_weighted_total_rejects_bad_rubric(rubric):
    with pytest.raises(ValueError):
        weighted_total({"a": 5} if rubric else {}, rubric)


sheet_values = st.fixed_dictionaries(
    {},
    optional={
        "idea": st.integers(0, 20).map(lambda x: x / 2),
        "team": st.integers(0, 10),
        "market": st.integers(0, 10).map(lambda x: x / 2),
    },
)


@FAST
@given(st.dictionaries(st.integers(0, 50), sheet_values, max_size=12))
def test_weighted_totals_equal_one_by_one(sheets):
    # The batch form checks the rubric once; each total must be what weighted_total gives.
    assert weighted_totals(sheets, RUBRIC, allow_missing=True) == {
        key: weighted_total(values, RUBRIC, allow_missing=True) for key, values in sheets.items()
    }


def test_weighted_totals_refuse_what_weighted_total_refuses():
    with pytest.raises(ValueError, match="outside"):
        weighted_totals({1: {"idea": 8, "team": 6, "market": 4}, 2: {"idea": 11, "team": 6, "market": 4}}, RUBRIC)
    with pytest.raises(ValueError, match="market"):
        weighted_totals({1: {"idea": 8, "team": 6}}, RUBRIC)
    with pytest.raises(ValueError, match="positive weight"):
        weighted_totals({}, {"a": (10, 0)})


# --------------------------------------------------------------------------- aggregate basics

PANEL = [
    ("j1", "A", 80), ("j2", "A", 70), ("j3", "A", 90),
    ("j1", "B", 60), ("j2", "B", 65), ("j3", "B", 100),
    ("j1", "C", 50), ("j2", "C", 55),
]  # fmt: skip


def test_mean_standings():
    result = aggregate(PANEL)
    assert [s.entry for s in result] == ["A", "B", "C"]
    a = result[0]
    assert a.score == pytest.approx(80.0)
    assert a.rank == 1 and a.n_judges == 3 and a.spread == 20.0
    assert a.raw_mean == pytest.approx(80.0)
    assert a.judge_totals == (("j1", 80.0), ("j2", 70.0), ("j3", 90.0))
    assert a.method == "mean" and a.notes == () and a.tie_break_applied is None


def test_median_standings():
    result = {s.entry: s for s in aggregate(PANEL, method="median")}
    assert result["A"].score == 80.0
    assert result["B"].score == 65.0
    assert result["C"].score == 52.5  # even count: mean of the two middle values
    assert result["B"].raw_mean == pytest.approx(75.0)


def test_trimmed_drops_extremes_and_flags_fallback():
    totals = [(f"j{i}", "A", v) for i, v in enumerate([10, 70, 72, 74, 100])]
    totals += [("j0", "B", 60), ("j1", "B", 90)]
    result = {s.entry: s for s in aggregate(totals, method="trimmed", trim=1)}
    assert result["A"].score == pytest.approx(72.0)
    assert result["A"].notes == ()
    assert result["B"].score == pytest.approx(75.0)  # 2 < 2*1+1 scores: plain mean
    assert result["B"].notes == ("trim_fallback_mean",)


def test_single_judge_spread_is_zero():
    [standing] = aggregate([("j", "E", 42.5)])
    assert standing.spread == 0 and standing.score == 42.5 and standing.n_judges == 1


def test_empty_totals():
    assert aggregate([]) == []


def test_competition_ranking_shares_ranks():
    totals = [("j", "A", 90), ("j", "B", 80), ("j", "C", 80), ("j", "D", 70)]
    assert [(s.entry, s.rank) for s in aggregate(totals)] == [
        ("A", 1), ("B", 2), ("C", 2), ("D", 4),
    ]  # fmt: skip


def test_float_noise_does_not_split_ties():
    totals = [("j1", "A", 0.1), ("j2", "A", 0.2), ("j1", "B", 0.15), ("j2", "B", 0.15)]
    result = aggregate(totals)
    assert [s.rank for s in result] == [1, 1]
    assert [s.entry for s in result] == ["A", "B"]  # repr order inside the tie


@pytest.mark.parametrize(
    "kwargs",
    [
        {"method": "mode"},
        {"method": "trimmed", "trim": -1},
        {"trim": 1.5},
        {"min_scores": 0},
        {"tie_breaks": ("chair",)},
    ],
)
def test_aggregate_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        aggregate(PANEL, **kwargs)


@pytest.mark.parametrize(
    "totals",
    [
        [("j1", "A", 80), ("j1", "A", 70)],  # same judge twice on one entry
        [("j1", "A")],
        [("j1", "A", float("nan"))],
        [("j1", "A", "80")],
    ],
)
def test_aggregate_rejects_bad_totals(totals):
    with pytest.raises(ValueError):
        aggregate(totals)


# --------------------------------------------------------------------------- z-scores


def test_zscore_corrects_a_harsh_judge():
    # j2 marks 20 points below j3 on the entries both saw (C, D). A drew j2 and B drew j3,
    # so the mean puts B ahead although j1, who saw both, rates them equal. Z-scores
    # remove the offset and tie them.
    totals = [
        ("j1", "A", 80), ("j1", "B", 80), ("j1", "C", 60), ("j1", "D", 70),
        ("j2", "A", 50), ("j2", "C", 30), ("j2", "D", 40),
        ("j3", "B", 70), ("j3", "C", 50), ("j3", "D", 60),
    ]  # fmt: skip
    by_mean = ranks_of(aggregate(totals))
    by_z = {s.entry: s for s in aggregate(totals, method="zscore")}
    assert by_mean["A"] > by_mean["B"]
    assert by_z["A"].rank == by_z["B"].rank == 1
    assert all(s.fallback_judges == () and s.notes == () for s in by_z.values())


def test_zscore_maps_back_to_pooled_scale():
    # Two judges with the same spread: z of A = (+1, +1), pooled mean 60, pooled SD 20.
    totals = [("j1", "A", 90), ("j1", "B", 70), ("j2", "A", 50), ("j2", "B", 30)]
    result = {s.entry: s.score for s in aggregate(totals, method="zscore", min_scores=2)}
    pooled_sd = statistics.pstdev([90, 70, 50, 30])
    assert result["A"] == pytest.approx(60 + pooled_sd)
    assert result["B"] == pytest.approx(60 - pooled_sd)


def test_zscore_fallback_is_flagged():
    totals = [
        ("j1", "A", 80), ("j1", "B", 60), ("j1", "C", 70),
        ("j2", "A", 75), ("j2", "B", 65), ("j2", "C", 70),
        ("few", "A", 90),  # one score: below min_scores
        ("flat", "B", 50), ("flat", "C", 50), ("flat", "D", 50),  # no spread
        ("j1", "D", 40),
    ]  # fmt: skip
    result = {s.entry: s for s in aggregate(totals, method="zscore", min_scores=3)}
    assert result["A"].fallback_judges == ("few",)
    assert result["B"].fallback_judges == ("flat",)
    assert result["D"].fallback_judges == ("flat",)
    assert all(s.notes == ("zscore_fallback",) for s in result.values())
    # The fallback contribution uses the pooled scale: (90 - mu) / sd.
    raw = [t for _, _, t in totals]
    mu, sd = statistics.fmean(raw), statistics.pstdev(raw)
    z_j1 = (80 - statistics.fmean([80, 60, 70, 40])) / statistics.pstdev([80, 60, 70, 40])
    z_j2 = (75 - 70) / statistics.pstdev([75, 65, 70])
    z_few = (90 - mu) / sd
    assert result["A"].score == pytest.approx(mu + sd * (z_j1 + z_j2 + z_few) / 3)


def test_zscore_all_equal_totals():
    totals = [("j1", "A", 70), ("j1", "B", 70), ("j2", "A", 70), ("j2", "B", 70)]
    result = aggregate(totals, method="zscore", min_scores=1)
    assert [s.score for s in result] == [70.0, 70.0]
    assert [s.rank for s in result] == [1, 1]
    assert result[0].fallback_judges == ("j1", "j2")


# --------------------------------------------------------------------------- tie-breaks

TIED = [("j1", e, 70) for e in "ABCD"] + [("j1", "E", 90)]
CRITERION = TieBreak("criterion", "Higher innovation score", criterion="innovation")
CHAIR = TieBreak("chair_decision", "Chair's decision")


def test_criterion_then_chair():
    data = {
        "criterion_means": {
            "A": {"innovation": 7.0}, "B": {"innovation": 9.0},
            "C": {"innovation": 7.0}, "D": {"innovation": 5.0},
        },
        "chair_order": ["C", "A"],
    }  # fmt: skip
    result = aggregate(TIED, tie_breaks=(CRITERION, CHAIR), tie_break_data=data)
    assert [(s.entry, s.rank, s.tie_break_applied) for s in result] == [
        ("E", 1, None),
        ("B", 2, "Higher innovation score"),
        ("C", 3, "Chair's decision"),
        ("A", 4, "Chair's decision"),
        ("D", 5, "Higher innovation score"),
    ]


def test_tie_break_that_cannot_separate_leaves_shared_rank():
    data = {"criterion_means": {e: {"innovation": 8.0} for e in "ABCD"}}
    result = aggregate(TIED, tie_breaks=(CRITERION,), tie_break_data=data)
    assert [s.rank for s in result] == [1, 2, 2, 2, 2]
    assert all(s.tie_break_applied is None for s in result)


def test_partial_separation_keeps_remaining_tie():
    data = {"criterion_means": {"A": {"innovation": 9}, "B": {"innovation": 6},
                                "C": {"innovation": 6}, "D": {"innovation": 6}}}  # fmt: skip
    result = aggregate(TIED, tie_breaks=(CRITERION,), tie_break_data=data)
    assert [(s.entry, s.rank) for s in result] == [("E", 1), ("A", 2), ("B", 3), ("C", 3), ("D", 3)]


def test_presentation_kind_behaves_like_criterion():
    rule = TieBreak("presentation", "Better pitch", criterion="pitch")
    data = {"criterion_means": {e: {"pitch": i} for i, e in enumerate("ABCD")}}
    result = aggregate(TIED, tie_breaks=(rule,), tie_break_data=data)
    assert [s.entry for s in result] == ["E", "D", "C", "B", "A"]
    assert [s.rank for s in result] == [1, 2, 3, 4, 5]


def test_missing_tie_break_data_is_flagged_not_guessed():
    data = {"chair_order": ["A", "B"]}  # C and D never decided
    result = aggregate(TIED, tie_breaks=(CHAIR,), tie_break_data=data)
    assert [s.rank for s in result] == [1, 2, 2, 2, 2]
    assert all(s.notes == ("tie_break_data_missing",) for s in result if s.entry != "E")
    assert result[0].notes == ()


def test_tie_breaks_do_not_touch_untied_entries():
    data = {"chair_order": ["C", "B", "A"]}
    result = aggregate(PANEL, tie_breaks=(CHAIR,), tie_break_data=data)
    assert [s.entry for s in result] == ["A", "B", "C"]
    assert all(s.tie_break_applied is None for s in result)


@pytest.mark.parametrize("args", [("coin_toss", "Coin"), ("criterion", "No criterion named")])
def test_tie_break_validation(args):
    with pytest.raises(ValueError):
        TieBreak(*args)


# --------------------------------------------------------------------------- ICC


def test_shrout_fleiss_mean_squares():
    ms = anova_mean_squares(SHROUT_FLEISS)
    # Published: BMS 11.24, JMS 32.49, EMS 1.02, WMS 6.26.
    assert isinstance(ms, MeanSquares) and (ms.n, ms.k) == (6, 4)
    assert round(ms.msr, 2) == 11.24
    assert round(ms.msc, 2) == 32.49
    assert round(ms.mse, 2) == 1.02
    assert round(ms.msw, 2) == 6.26


@pytest.mark.parametrize(
    ("form", "expected"),
    [
        ("ICC(1,1)", 0.17), ("ICC(2,1)", 0.29), ("ICC(3,1)", 0.71),
        ("ICC(1,k)", 0.44), ("ICC(2,k)", 0.62), ("ICC(3,k)", 0.91),
        ("ICC(1,4)", 0.44), ("ICC(2,4)", 0.62), ("ICC(3,4)", 0.91),
    ],
)  # fmt: skip
def test_shrout_fleiss_table_4(form, expected):
    assert round(icc(SHROUT_FLEISS, form), 2) == expected


def test_icc_perfect_agreement():
    table = [[1, 1, 1], [5, 5, 5], [3, 3, 3]]
    for form in ("ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(3,k)"):
        assert icc(table, form) == pytest.approx(1.0)


def test_icc_undefined_when_all_scores_equal():
    assert math.isnan(icc([[4, 4], [4, 4]], "ICC(2,1)"))


@pytest.mark.parametrize("table", [[[1, 2], [3]], [[1, 2]], [[1], [2]], [], [[1, float("nan")], [2, 3]]])
def test_table_validation(table):
    with pytest.raises(ValueError):
        icc(table, "ICC(1,1)")
    with pytest.raises(ValueError):
        kendall_w(table)


@pytest.mark.parametrize("form", ["ICC(4,1)", "ICC(2,3)", "icc"])
def test_icc_unknown_form(form):
    with pytest.raises(ValueError):
        icc(SHROUT_FLEISS, form)


# --------------------------------------------------------------------------- Kendall's W


def test_kendall_w_strawberries():
    assert kendall_w(STRAWBERRIES) == pytest.approx(125 / 168)
    assert round(kendall_w(STRAWBERRIES), 3) == 0.744


def test_kendall_w_tie_correction_by_hand():
    # Judges are columns. Ascending ranks, ties averaged:
    #   judge 1: 10, 8, 8, 5 -> 4, 2.5, 2.5, 1   T = 2^3 - 2 = 6
    #   judge 2:  9, 9, 7, 6 -> 3.5, 3.5, 2, 1   T = 6
    #   judge 3:  7, 6, 5, 4 -> 4, 3, 2, 1       T = 0
    # Rank sums 11.5, 9, 6.5, 3; mean m(n+1)/2 = 7.5; S = 16 + 2.25 + 1 + 20.25 = 39.5.
    # W = 12 * 39.5 / (3^2 * (4^3 - 4) - 3 * 12) = 474 / 504 = 79/84.
    # Without the correction it would be 474 / 540.
    table = [[10, 9, 7], [8, 9, 6], [8, 7, 5], [5, 6, 4]]
    assert kendall_w(table) == pytest.approx(79 / 84)


def test_kendall_w_extremes():
    assert kendall_w([[1, 10], [2, 20], [3, 30]]) == pytest.approx(1.0)
    assert kendall_w([[1, 3], [2, 2], [3, 1]]) == pytest.approx(0.0)
    assert math.isnan(kendall_w([[5, 7], [5, 7], [5, 7]]))


def _spearman(x: list[int], y: list[int]) -> Fraction:
    n = len(x)
    d2 = sum((a - b) ** 2 for a, b in zip(x, y, strict=True))
    return 1 - Fraction(6 * d2, n**3 - n)


@FAST
@given(st.integers(2, 6).flatmap(lambda n: st.lists(st.permutations(range(1, n + 1)), min_size=2, max_size=5)))
def test_kendall_w_matches_mean_spearman(columns):
    # Without ties W = (1 + (m - 1) * mean pairwise Spearman rho) / m (Kendall & Gibbons).
    m = len(columns)
    rhos = [_spearman(a, b) for a, b in combinations(columns, 2)]
    expected = (1 + (m - 1) * sum(rhos) / len(rhos)) / m
    table = [list(row) for row in zip(*columns, strict=True)]
    assert kendall_w(table) == pytest.approx(float(expected), abs=1e-12)


# --------------------------------------------------------------------------- warnings helpers


def test_judge_leniency():
    totals = [
        ("kind", "A", 90), ("kind", "B", 80),
        ("mid", "A", 80), ("mid", "B", 70),
        ("harsh", "A", 70), ("harsh", "B", 60),
    ]  # fmt: skip
    result = judge_leniency(totals)
    assert list(result) == ["harsh", "kind", "mid"]
    assert result["kind"].offset == pytest.approx(10)
    assert result["harsh"].offset == pytest.approx(-10)
    assert result["mid"].z == pytest.approx(0)
    assert result["kind"].z == pytest.approx(10 / statistics.pstdev([10, 0, -10]))
    assert result["kind"].mean == pytest.approx(85) and result["kind"].n_scores == 2


def test_judge_leniency_all_same():
    result = judge_leniency([("a", "X", 50), ("b", "X", 50)])
    assert result["a"].z == 0.0 and result["a"].offset == 0.0


@FAST
@given(st.lists(st.floats(0, 100), min_size=2, max_size=12), st.randoms())
def test_disagreement_sd_matches_exact_and_ignores_order(totals, rng):
    panel = [(f"j{i}", "A", t) for i, t in enumerate(totals)]
    shuffled = panel[:]
    rng.shuffle(shuffled)
    (first,), (second,) = entry_disagreement(panel), entry_disagreement(shuffled)
    assert first.sd == second.sd  # exactly: fsum does not depend on order
    assert first.sd == pytest.approx(statistics.pstdev(totals), rel=1e-9, abs=1e-9)


def test_entry_disagreement_most_disputed_first():
    result = entry_disagreement(PANEL)
    assert [d.entry for d in result] == ["B", "A", "C"]
    assert result[0].spread == 40 and result[0].n_judges == 3
    assert result[0].sd == pytest.approx(statistics.pstdev([60, 65, 100]))


# --------------------------------------------------------------------------- properties

scores = st.integers(0, 200).map(lambda x: x / 2)


@st.composite
def panels(draw, complete: bool = False, min_entries: int = 1, min_judges: int = 1):
    """Random (judge, entry, total) lists; every entry has at least one judge."""
    n_entries = draw(st.integers(min_entries, 6))
    n_judges = draw(st.integers(min_judges, 5))
    totals = []
    for e in range(n_entries):
        if complete:
            judges = set(range(n_judges))
        else:
            judges = draw(st.sets(st.integers(0, n_judges - 1), min_size=1))
        totals += [(f"J{j}", f"E{e}", draw(scores)) for j in sorted(judges)]
    return totals


METHOD_ARGS = [
    {"method": "mean"},
    {"method": "median"},
    {"method": "trimmed", "trim": 1},
    {"method": "zscore", "min_scores": 2},
]


@FAST
@given(panels().flatmap(lambda t: st.tuples(st.just(t), st.permutations(t))))
def test_input_order_never_matters(pair):
    totals, shuffled = pair
    for kwargs in METHOD_ARGS:
        assert aggregate(totals, **kwargs) == aggregate(shuffled, **kwargs)


@FAST
@given(panels(), st.data())
def test_raising_a_score_never_lowers_rank(totals, data):
    i = data.draw(st.integers(0, len(totals) - 1))
    judge, entry, total = totals[i]
    raised = list(totals)
    raised[i] = (judge, entry, total + data.draw(st.integers(1, 50)))
    for kwargs in METHOD_ARGS[:3]:
        before = ranks_of(aggregate(totals, **kwargs))[entry]
        after = ranks_of(aggregate(raised, **kwargs))[entry]
        assert after <= before


@st.composite
def overlapping_panels(draw):
    """Incomplete designs where every judge scores at least 3 entries."""
    n_entries = draw(st.integers(3, 6))
    totals = []
    for j in range(draw(st.integers(2, 4))):
        entries = draw(st.sets(st.integers(0, n_entries - 1), min_size=3))
        totals += [(f"J{j}", f"E{e}", draw(scores)) for e in sorted(entries)]
    return totals


@FAST
@given(overlapping_panels(), st.integers(-40, 40))
def test_zscore_ignores_a_judges_constant_offset(totals, shift):
    # Under the mean this fails whenever J0 skipped an entry; z-scores remove the offset.
    shifted = [(j, e, t + shift if j == "J0" else t) for j, e, t in totals]
    before = aggregate(totals, method="zscore", min_scores=3)
    after = aggregate(shifted, method="zscore", min_scores=3)
    assume(all(not s.fallback_judges for s in before))
    assert [(s.entry, s.rank) for s in before] == [(s.entry, s.rank) for s in after]


@FAST
@given(panels(), st.integers(0, 2))
def test_trimmed_mean_between_min_and_max(totals, trim):
    for s in aggregate(totals, method="trimmed", trim=trim):
        raw = [t for _, t in s.judge_totals]
        assert min(raw) - 1e-9 <= s.score <= max(raw) + 1e-9


@FAST
@given(st.lists(scores, min_size=1, max_size=8))
def test_mean_of_one_judge_is_the_total(values):
    totals = [("J", f"E{i}", v) for i, v in enumerate(values)]
    for s in aggregate(totals):
        assert s.score == s.judge_totals[0][1] == s.raw_mean


@FAST
@given(panels())
def test_mean_and_median_match_statistics(totals):
    by_entry = {}
    for _, e, t in totals:
        by_entry.setdefault(e, []).append(t)
    for s in aggregate(totals):
        assert s.score == pytest.approx(statistics.fmean(by_entry[s.entry]))
    for s in aggregate(totals, method="median"):
        assert s.score == statistics.median(by_entry[s.entry])


@FAST
@given(panels(), st.sampled_from(METHOD_ARGS))
def test_competition_ranks(totals, kwargs):
    result = aggregate(totals, **kwargs)
    keys = [round(s.score, 6) for s in result]
    assert keys == sorted(keys, reverse=True)
    for s, key in zip(result, keys, strict=True):
        assert s.rank == 1 + sum(k > key for k in keys)  # 1, 2, 2, 4
    for a, b in zip(result, result[1:], strict=False):
        if a.rank == b.rank:
            assert repr(a.entry) < repr(b.entry)
