"""Pure aggregation core: judges' scores in, fair standings and agreement statistics out.

Standard library only, so the web app, the CLI and the tests share one implementation.
See docs/domain.md section 4 for the maths.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

# Whatever identifies an entry, a judge, a criterion or a score sheet (database ids in the app,
# anything hashable in the tests): what goes in comes back out with its own type.
E = TypeVar("E", bound=Hashable)
J = TypeVar("J", bound=Hashable)
C = TypeVar("C", bound=Hashable)
S = TypeVar("S", bound=Hashable)

__all__ = [
    "METHODS", "TIE_BREAK_KINDS", "ICC_FORMS", "Disagreement", "Leniency", "MeanSquares",
    "Standing", "TieBreak", "aggregate", "anova_mean_squares", "entry_disagreement", "icc",
    "judge_leniency", "kendall_w", "weighted_total", "weighted_totals",
]  # fmt: skip

METHODS = ("mean", "median", "trimmed", "zscore")
TIE_BREAK_KINDS = ("criterion", "presentation", "chair_decision")
ICC_FORMS = ("ICC(1,1)", "ICC(2,1)", "ICC(3,1)", "ICC(1,k)", "ICC(2,k)", "ICC(3,k)")

# Scores are compared at this many decimals so float noise never splits a tie.
RANK_DECIMALS = 6

# Machine codes used in Standing.notes.
NOTE_TRIM_FALLBACK = "trim_fallback_mean"
NOTE_ZSCORE_FALLBACK = "zscore_fallback"
NOTE_TIE_BREAK_DATA_MISSING = "tie_break_data_missing"


# --------------------------------------------------------------------------- weighted totals
def _check_number(value: Any, what: str) -> float:
    """Return value as float, refusing bools, non-numbers and NaN/inf."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{what} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return number


def weighted_total(
    values: Mapping[C, float],
    rubric: Mapping[C, tuple[float, float]],
    *,
    allow_missing: bool = False,
) -> float:
    """Weighted total on a 0-100 scale: sum(score*weight) / sum(max*weight) * 100.

    `rubric` maps criterion id -> (max_points, weight). Raises ValueError for a
    criterion not in the rubric, a score outside 0..max, or a missing criterion
    (unless allow_missing=True, when it counts as 0).
    """
    return _sheet_total(values, _checked_rubric(rubric), allow_missing)


def weighted_totals(
    sheets: Mapping[S, Mapping[C, float]],
    rubric: Mapping[C, tuple[float, float]],
    *,
    allow_missing: bool = False,
) -> dict[S, float]:
    """`weighted_total` of many score sheets (key -> values) under one rubric.

    The rubric is checked once, not once per sheet: a round of 2,000 entries
    has 10,000 sheets.
    """
    checked = _checked_rubric(rubric)
    return {key: _sheet_total(values, checked, allow_missing) for key, values in sheets.items()}


@dataclass(frozen=True)
class _CheckedRubric(Generic[C]):
    criteria: dict[C, tuple[float, float]]  # criterion -> (max_points, weight) as floats
    denominator: float


def _checked_rubric(rubric: Mapping[C, tuple[float, float]]) -> _CheckedRubric[C]:
    criteria: dict[C, tuple[float, float]] = {}
    for criterion, (max_points, weight) in rubric.items():
        top = _check_number(max_points, f"max_points of {criterion!r}")
        w = _check_number(weight, f"weight of {criterion!r}")
        if top <= 0 or w < 0:
            raise ValueError(f"criterion {criterion!r} needs max_points > 0 and weight >= 0")
        criteria[criterion] = (top, w)
    denominator = math.fsum(top * w for top, w in criteria.values())
    if denominator <= 0:
        raise ValueError("rubric has no positive weight")
    return _CheckedRubric(criteria, denominator)


def _sheet_total(values: Mapping[C, float], rubric: _CheckedRubric[C], allow_missing: bool) -> float:
    criteria = rubric.criteria
    unknown = [c for c in values if c not in criteria]
    if unknown:
        raise ValueError(f"criteria not in rubric: {sorted(map(repr, unknown))}")
    if len(values) < len(criteria) and not allow_missing:
        missing = [c for c in criteria if c not in values]
        raise ValueError(f"missing scores for criteria: {sorted(map(repr, missing))}")
    earned = []
    for criterion, (top, w) in criteria.items():
        score = values.get(criterion, 0)
        # One range test also refuses NaN and infinities; messages are built only on failure.
        if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= top:
            _refuse_score(criterion, score, top)
        earned.append(score * w)
    return math.fsum(earned) / rubric.denominator * 100


def _refuse_score(criterion: Hashable, score: Any, top: float) -> None:
    number = _check_number(score, f"score for {criterion!r}")
    raise ValueError(f"score {number} for {criterion!r} outside 0..{top}")


# --------------------------------------------------------------------------- result types
@dataclass(frozen=True)
class TieBreak:
    """One tie-break rule, tried only between standings whose scores are equal.

    kind "criterion"/"presentation": higher mean on `criterion` wins, read from
    tie_break_data["criterion_means"][entry][criterion]. kind "chair_decision":
    earlier in tie_break_data["chair_order"] (a list of entry ids) wins.
    """

    kind: str
    label: str
    criterion: Hashable | None = None

    def __post_init__(self) -> None:
        if self.kind not in TIE_BREAK_KINDS:
            raise ValueError(f"unknown tie-break kind {self.kind!r}; use one of {TIE_BREAK_KINDS}")
        if self.kind in ("criterion", "presentation") and self.criterion is None:
            raise ValueError(f"tie-break {self.label!r} of kind {self.kind!r} needs a criterion")


@dataclass(frozen=True)
class Standing(Generic[E, J]):
    """One entry's place in the results.

    score: the aggregated score in points (zscore maps back onto the points scale, so it
    can stray slightly outside 0-100).
    rank: competition rank (1, 2, 2, 4); tied entries share it.
    spread: max - min of the raw totals (0 for one judge).
    judge_totals: (judge_id, total) pairs sorted by repr(judge_id).
    tie_break_applied: label of the last rule that split this entry's tie group.
    notes: machine codes, e.g. "zscore_fallback", "trim_fallback_mean".
    fallback_judges: zscore only, judges whose totals were standardised with the pooled
    mean and SD because they had too few scores or no spread.
    method: the aggregation method that produced `score`.
    """

    entry: E
    score: float
    rank: int
    n_judges: int
    spread: float
    raw_mean: float
    judge_totals: tuple[tuple[J, float], ...]
    tie_break_applied: str | None = None
    notes: tuple[str, ...] = ()
    fallback_judges: tuple[J, ...] = ()
    method: str = "mean"


@dataclass(frozen=True)
class MeanSquares:
    """Two-way ANOVA mean squares for an n-entries x k-judges table (Shrout & Fleiss names)."""

    n: int
    k: int
    msr: float  # between rows (entries), BMS
    msc: float  # between columns (judges), JMS
    mse: float  # residual, EMS
    msw: float  # within rows, WMS


@dataclass(frozen=True)
class Leniency(Generic[J]):
    """How far one judge sits from the panel: offset in points and a z of that offset."""

    judge: J
    n_scores: int
    mean: float
    offset: float
    z: float


@dataclass(frozen=True)
class Disagreement(Generic[E]):
    """How much the judges of one entry disagree, in points."""

    entry: E
    n_judges: int
    spread: float
    sd: float


# --------------------------------------------------------------------------- input handling
def _mean(values: Iterable[float]) -> float:
    # fsum is correctly rounded, hence independent of input order.
    items = list(values)
    return math.fsum(items) / len(items)


def _pstdev(values: Sequence[float]) -> float:
    # Population SD: a judge's scores in the round are all of that judge's scores.
    # fsum keeps it independent of input order; statistics.pstdev is exact but
    # works in fractions, twenty times slower on a round of 2,000 entries.
    if len(values) < 2:
        return 0.0
    mean = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((x - mean) ** 2 for x in values) / len(values))


def _collect(
    totals: Iterable[tuple[J, E, float]],
) -> dict[E, dict[J, float]]:
    """Group (judge, entry, total) triples as entry -> judge -> total, rejecting duplicates."""
    by_entry: dict[E, dict[J, float]] = defaultdict(dict)
    for item in totals:
        try:
            judge, entry, total = item
        except (TypeError, ValueError):
            raise ValueError(f"expected (judge_id, entry_id, total), got {item!r}") from None
        if judge in by_entry[entry]:
            raise ValueError(f"judge {judge!r} scored entry {entry!r} twice")
        if type(total) is not float or not math.isfinite(total):  # the common case skips building a message
            total = _check_number(total, f"total of {judge!r} for {entry!r}")
        by_entry[entry][judge] = total
    return dict(by_entry)


def _by_judge(by_entry: Mapping[E, Mapping[J, float]]) -> dict[J, list[float]]:
    scores: dict[J, list[float]] = defaultdict(list)
    for judges in by_entry.values():
        for judge, total in judges.items():
            scores[judge].append(total)
    return dict(scores)


# --------------------------------------------------------------------------- entry scores
def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def _trimmed(values: Sequence[float], trim: int) -> tuple[float, tuple[str, ...]]:
    """Mean after dropping `trim` highest and lowest; plain mean if too few scores."""
    if trim == 0:
        return _mean(values), ()
    if len(values) < 2 * trim + 1:
        return _mean(values), (NOTE_TRIM_FALLBACK,)
    return _mean(sorted(values)[trim:-trim]), ()


def _zscores(by_entry: Mapping[E, Mapping[J, float]], min_scores: int) -> dict[E, tuple[float, tuple[J, ...]]]:
    """Entry -> (points, fallback judges) under per-judge standardisation.

    Judges with too few scores or no spread cannot be standardised on their own;
    their totals are standardised with the pooled mean and SD instead, so every
    contribution is on the same scale.
    """
    everything = [t for judges in by_entry.values() for t in judges.values()]
    pooled_mu, pooled_sd = _mean(everything), _pstdev(everything)
    params: dict[J, tuple[float, float, bool]] = {}
    for judge, scores in _by_judge(by_entry).items():
        sd = _pstdev(scores)
        if len(scores) < min_scores or sd == 0:
            params[judge] = (pooled_mu, pooled_sd, True)
        else:
            params[judge] = (_mean(scores), sd, False)
    result: dict[E, tuple[float, tuple[J, ...]]] = {}
    for entry, judges in by_entry.items():
        fallback = tuple(sorted((j for j in judges if params[j][2]), key=repr))
        if pooled_sd == 0:
            # Every total is identical: nothing to standardise, all entries equal.
            result[entry] = (pooled_mu, fallback)
            continue
        z = [(t - params[j][0]) / params[j][1] for j, t in judges.items()]
        result[entry] = (pooled_mu + pooled_sd * _mean(z), fallback)
    return result


def _entry_scores(
    by_entry: Mapping[E, Mapping[J, float]], method: str, trim: int, min_scores: int
) -> dict[E, tuple[float, tuple[str, ...], tuple[J, ...]]]:
    """Entry -> (score, notes, fallback judges) for the chosen method."""
    if method == "zscore":
        return {
            entry: (points, (NOTE_ZSCORE_FALLBACK,) if fallback else (), fallback)
            for entry, (points, fallback) in _zscores(by_entry, min_scores).items()
        }
    score_of: Callable[[list[float]], tuple[float, tuple[str, ...]]] = {
        "mean": lambda values: (_mean(values), ()),
        "median": lambda values: (_median(values), ()),
        "trimmed": lambda values: _trimmed(values, trim),
    }[method]
    return {entry: (*score_of(list(j.values())), ()) for entry, j in by_entry.items()}


# --------------------------------------------------------------------------- ranking
def _rank_key(score: float) -> float:
    return round(score, RANK_DECIMALS)


def _group_by_key(entries: Sequence[E], key: Mapping[E, Any]) -> list[list[E]]:
    """Split entries into runs of equal key, best (smallest key) first, repr order inside."""
    groups: dict[Any, list[E]] = defaultdict(list)
    for entry in sorted(entries, key=repr):
        groups[key[entry]].append(entry)
    return [groups[k] for k in sorted(groups)]


def _rule_keys(rule: TieBreak, entries: Sequence[E], data: Mapping[str, Any]) -> dict[E, Any] | None:
    """Sort key per entry (smaller is better), or None if the data do not cover all entries."""
    try:
        if rule.kind == "chair_decision":
            order = list(data["chair_order"])
            return {e: order.index(e) for e in entries}
        means = data["criterion_means"]
        return {e: -_rank_key(_check_number(means[e][rule.criterion], "criterion mean")) for e in entries}
    except (KeyError, TypeError, ValueError):
        return None


def _split_ties(
    group: list[E],
    rules: Sequence[TieBreak],
    data: Mapping[str, Any],
    labels: dict[E, str],
    notes: dict[E, list[str]],
) -> list[list[E]]:
    """Order a tie group with the rules in turn; return the final tie classes, best first."""
    if len(group) < 2 or not rules:
        return [group]
    rule, rest = rules[0], rules[1:]
    keys = _rule_keys(rule, group, data)
    if keys is None:
        # Better to leave a visible tie than to guess an order from missing data.
        for entry in group:
            if NOTE_TIE_BREAK_DATA_MISSING not in notes[entry]:
                notes[entry].append(NOTE_TIE_BREAK_DATA_MISSING)
        return _split_ties(group, rest, data, labels, notes)
    parts = _group_by_key(group, keys)
    if len(parts) == 1:
        return _split_ties(group, rest, data, labels, notes)
    classes: list[list[E]] = []
    for part in parts:
        for entry in part:
            labels[entry] = rule.label
        classes.extend(_split_ties(part, rest, data, labels, notes))
    return classes


def _assign_ranks(classes: Sequence[Sequence[E]]) -> dict[E, int]:
    """Competition ranking: each class takes the position of its first member."""
    ranks: dict[E, int] = {}
    position = 1
    for tied in classes:
        for entry in tied:
            ranks[entry] = position
        position += len(tied)
    return ranks


def aggregate(
    totals: Iterable[tuple[J, E, float]],
    method: str = "mean",
    trim: int = 0,
    min_scores: int = 3,
    tie_breaks: Sequence[TieBreak] = (),
    tie_break_data: Mapping[str, Any] | None = None,
) -> list[Standing[E, J]]:
    """Aggregate (judge_id, entry_id, total) triples into standings, best first.

    method: "mean", "median", "trimmed" (drop `trim` highest and lowest per entry)
    or "zscore" (per-judge standardisation; judges with fewer than `min_scores`
    scores or no spread fall back to the pooled scale). Equal scores (to 6
    decimals) share a rank unless a tie-break separates them.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; use one of {METHODS}")
    if isinstance(trim, bool) or not isinstance(trim, int) or trim < 0:
        raise ValueError(f"trim must be a non-negative int, got {trim!r}")
    if isinstance(min_scores, bool) or not isinstance(min_scores, int) or min_scores < 1:
        raise ValueError(f"min_scores must be a positive int, got {min_scores!r}")
    if any(not isinstance(rule, TieBreak) for rule in tie_breaks):
        raise ValueError("tie_breaks must be TieBreak objects")
    by_entry = _collect(totals)
    scores = _entry_scores(by_entry, method, trim, min_scores)
    notes = {entry: list(scores[entry][1]) for entry in by_entry}
    labels: dict[E, str] = {}
    score_key = {entry: _rank_key(scores[entry][0]) for entry in by_entry}
    classes: list[list[E]] = []
    for group in _group_by_key(list(by_entry), {e: -k for e, k in score_key.items()}):
        classes.extend(_split_ties(group, tuple(tie_breaks), tie_break_data or {}, labels, notes))
    ranks = _assign_ranks(classes)
    standings: list[Standing[E, J]] = []
    for entry in (e for tied in classes for e in tied):
        judges = by_entry[entry]
        raw = list(judges.values())
        standings.append(
            Standing(
                entry=entry,
                score=scores[entry][0],
                rank=ranks[entry],
                n_judges=len(raw),
                spread=max(raw) - min(raw),
                raw_mean=_mean(raw),
                judge_totals=tuple(sorted(judges.items(), key=lambda jt: repr(jt[0]))),
                method=method,
                tie_break_applied=labels.get(entry),
                notes=tuple(notes[entry]),
                fallback_judges=scores[entry][2],
            )
        )
    return standings


# --------------------------------------------------------------------------- agreement
def _check_table(table: Sequence[Sequence[float]]) -> list[list[float]]:
    """Validate a complete entries x judges table and return it as floats."""
    rows = [list(row) for row in table]
    if len(rows) < 2:
        raise ValueError("need at least 2 entries (rows)")
    width = len(rows[0])
    if width < 2:
        raise ValueError("need at least 2 judges (columns)")
    if any(len(row) != width for row in rows):
        raise ValueError("ragged table: every row needs one score per judge")
    return [[_check_number(x, "table value") for x in row] for row in rows]


def anova_mean_squares(table: Sequence[Sequence[float]]) -> MeanSquares:
    """Two-way ANOVA (entries x judges, one score per cell) mean squares."""
    rows = _check_table(table)
    n, k = len(rows), len(rows[0])
    grand = _mean(x for row in rows for x in row)
    row_means = [_mean(row) for row in rows]
    col_means = [_mean(row[j] for row in rows) for j in range(k)]
    ss_total = math.fsum((x - grand) ** 2 for row in rows for x in row)
    ss_rows = k * math.fsum((m - grand) ** 2 for m in row_means)
    ss_cols = n * math.fsum((m - grand) ** 2 for m in col_means)
    # Clamp: rounding can push a zero residual a hair below 0.
    ss_error = max(ss_total - ss_rows - ss_cols, 0.0)
    ss_within = max(ss_total - ss_rows, 0.0)
    return MeanSquares(
        n=n,
        k=k,
        msr=ss_rows / (n - 1),
        msc=ss_cols / (k - 1),
        mse=ss_error / ((n - 1) * (k - 1)),
        msw=ss_within / (n * (k - 1)),
    )


def _ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator != 0 else float("nan")


def icc(table: Sequence[Sequence[float]], form: str) -> float:
    """Shrout & Fleiss (1979) intraclass correlation for a complete entries x judges table.

    form: "ICC(1,1)", "ICC(2,1)", "ICC(3,1)" for one judge, or "ICC(1,k)",
    "ICC(2,k)", "ICC(3,k)" for the mean of the k judges (k may also be written
    as the actual number of columns, e.g. "ICC(2,4)"). Returns NaN when the
    denominator is 0 (e.g. every score identical).
    """
    ms = anova_mean_squares(table)
    canonical = form.replace(" ", "").replace(f",{ms.k})", ",k)")
    if canonical not in ICC_FORMS:
        raise ValueError(f"unknown ICC form {form!r}; use one of {ICC_FORMS}")
    n, k = ms.n, ms.k
    formulas = {
        "ICC(1,1)": (ms.msr - ms.msw, ms.msr + (k - 1) * ms.msw),
        "ICC(2,1)": (ms.msr - ms.mse, ms.msr + (k - 1) * ms.mse + k * (ms.msc - ms.mse) / n),
        "ICC(3,1)": (ms.msr - ms.mse, ms.msr + (k - 1) * ms.mse),
        "ICC(1,k)": (ms.msr - ms.msw, ms.msr),
        "ICC(2,k)": (ms.msr - ms.mse, ms.msr + (ms.msc - ms.mse) / n),
        "ICC(3,k)": (ms.msr - ms.mse, ms.msr),
    }
    return _ratio(*formulas[canonical])


def _average_ranks(values: Sequence[float]) -> tuple[list[float], float]:
    """Ranks 1..n with ties averaged, and the tie term sum(t^3 - t)."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    tie_term = 0.0
    start = 0
    while start < len(order):
        end = start
        while end + 1 < len(order) and values[order[end + 1]] == values[order[start]]:
            end += 1
        size = end - start + 1
        for i in order[start : end + 1]:
            ranks[i] = (start + end) / 2 + 1
        tie_term += size**3 - size
        start = end + 1
    return ranks, tie_term


def kendall_w(table: Sequence[Sequence[float]]) -> float:
    """Kendall's coefficient of concordance with the tie correction.

    Rows are entries, columns judges; each judge's column is ranked (ties
    averaged). W = 12*S / (m^2 (n^3 - n) - m*sum(T)). Returns NaN when the
    denominator is 0, i.e. every judge tied every entry: agreement is undefined.
    """
    rows = _check_table(table)
    n, m = len(rows), len(rows[0])
    rank_sums = [0.0] * n
    tie_total = 0.0
    for j in range(m):
        ranks, ties = _average_ranks([row[j] for row in rows])
        tie_total += ties
        for i, r in enumerate(ranks):
            rank_sums[i] += r
    mean_sum = m * (n + 1) / 2
    s = math.fsum((r - mean_sum) ** 2 for r in rank_sums)
    denominator = m * m * (n**3 - n) - m * tie_total
    if denominator == 0:
        return float("nan")
    return min(max(12 * s / denominator, 0.0), 1.0)


# --------------------------------------------------------------------------- warnings
def judge_leniency(totals: Iterable[tuple[J, E, float]]) -> dict[J, Leniency[J]]:
    """Per-judge leniency: mean of (judge's total - that entry's panel mean).

    Comparing on the judge's own entries keeps the measure fair when judges saw
    different entries; with a complete table it equals judge mean - panel mean.
    z is offset / SD of all judges' offsets (0 when every judge has the same
    offset). Positive = lenient, negative = severe.
    """
    by_entry = _collect(totals)
    entry_means = {entry: _mean(judges.values()) for entry, judges in by_entry.items()}
    gaps: dict[J, list[float]] = defaultdict(list)
    for entry, judges in by_entry.items():
        for judge, total in judges.items():
            gaps[judge].append(total - entry_means[entry])
    scores = _by_judge(by_entry)
    offsets = {judge: _mean(g) for judge, g in gaps.items()}
    sd = _pstdev(list(offsets.values()))
    return {
        judge: Leniency(
            judge=judge,
            n_scores=len(scores[judge]),
            mean=_mean(scores[judge]),
            offset=offsets[judge],
            z=offsets[judge] / sd if sd > 0 else 0.0,
        )
        for judge in sorted(offsets, key=repr)
    }


def entry_disagreement(
    totals: Iterable[tuple[J, E, float]],
) -> list[Disagreement[E]]:
    """Per-entry spread and population SD of the judges' totals, most disputed first."""
    by_entry = _collect(totals)
    rows: list[Disagreement[E]] = []
    for entry, judges in by_entry.items():
        raw = list(judges.values())
        rows.append(Disagreement(entry, len(raw), max(raw) - min(raw), _pstdev(raw)))
    return sorted(rows, key=lambda d: (-d.sd, -d.spread, repr(d.entry)))
