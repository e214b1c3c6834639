"""Assigning judges to the entries of one round (docs/domain.md, section 5).

`assign` is a pure function: ids in, judge-entry pairs and machine-readable
problems out.  Like HotCRP's autoassigner it solves a min-cost max-flow::

    source --(judges still needed)--> entry --1--> judge ==(convex)==> sink

Priorities, strictly in this order:

1. Coverage: the flow is maximum, so every entry gets its judges whenever any
   valid assignment does, and otherwise as many pairs as possible are placed.
2. Balance: the k-th entry on a judge costs ``k * unit``, a strictly convex
   load cost, and ``unit`` exceeds every preference cost put together.  The
   loads therefore minimise the sum of squares, which on this kind of flow
   polytope is the most even load vector there is: the spread is at most 1
   whenever an assignment with that spread exists.
3. Preferences: keeping a current pair (stability on re-runs), then a judge
   whose fields include the entry's field.

Conflicts are never broken: a conflicted pair has no arc.  Pairs that already
have scores are fixed before the flow and count toward their entry, except a
pair in conflict (confirmed after the judge scored): it stays, with a warning,
but its scores do not count in the results, so it does not count toward the
entry either and another judge is sought.

Problem codes (params in brackets), for the caller to translate:

* entry_too_few_eligible_judges (entry, eligible, needed): after conflicts
  fewer judges can serve the entry than it needs.
* entry_capacity_exhausted (entry, assigned, eligible, needed): enough judges
  may serve it, but all of those not on it are full.
* capacity_short (needed, capacity): every judge is capped and the caps add
  up to fewer than the pairs still needed.
* judges_per_entry_exceeds_panel (judges_per_entry, judges).
* Warnings, which leave `feasible` alone: scored_pair_in_conflict (judge,
  entry), scored_pair_unknown_entry (judge, entry), judge_over_capacity
  (judge, load, capacity).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

Pair = tuple[Hashable, Hashable]  # (judge_id, entry_id)

# Preference costs of one pair.  Losing a current pair costs more than missing
# a field match, so a re-run does not reshuffle judges just for expertise.
KEEP_COST = 2
FIELD_COST = 1
_PAIR_COST_MAX = KEEP_COST + FIELD_COST

# Codes that do not make the assignment infeasible; the organizer decides.
WARNING_CODES = frozenset({"scored_pair_in_conflict", "scored_pair_unknown_entry", "judge_over_capacity"})

_INF = float("inf")


@dataclass(frozen=True)
class EntryInfo:
    """An entry of the round; `field` is compared with the judges' fields."""

    id: Hashable
    field: Hashable | None = None


@dataclass(frozen=True)
class JudgeInfo:
    """A judge available for the round.

    `capacity` is the most entries the judge may hold in this round, scored
    ones included; None means no cap.
    """

    id: Hashable
    fields: frozenset = frozenset()
    capacity: int | None = None


@dataclass(frozen=True)
class Problem:
    """Why an assignment is incomplete or needs a look.

    A code plus parameters, not prose: the caller translates it.
    """

    code: str
    params: Mapping[str, Any]

    @property
    def is_warning(self) -> bool:
        return self.code in WARNING_CODES


@dataclass(frozen=True)
class AssignmentResult:
    """The assignment for a round.

    `pairs` includes every kept scored pair; `loads` covers every present
    judge; `added` and `removed` are relative to the `current` pairs passed in.
    """

    pairs: frozenset[Pair]
    loads: Mapping[Hashable, int]
    feasible: bool
    problems: tuple[Problem, ...]
    field_matches: int
    added: frozenset[Pair]
    removed: frozenset[Pair]


def assign(
    entries: Iterable[EntryInfo],
    judges: Iterable[JudgeInfo],
    judges_per_entry: int,
    conflicts: Iterable[Pair] = frozenset(),
    scored: Iterable[Pair] = frozenset(),
    current: Iterable[Pair] = frozenset(),
) -> AssignmentResult:
    """Give every entry `judges_per_entry` judges; see the module docstring.

    `conflicts`, `scored` and `current` are sets of (judge_id, entry_id).
    Scored pairs are kept even when their judge is no longer in `judges`.
    When no valid assignment exists the result is the best partial one, with
    `feasible` False and problems saying which entries are short and why.
    """
    entry_list, judge_list = _by_id(entries), _by_id(judges)
    _check_input(entry_list, judge_list, judges_per_entry)
    conflicts, scored, current = frozenset(conflicts), frozenset(scored), frozenset(current)

    kept, warnings = _kept_scored_pairs(entry_list, scored, conflicts)
    plan = _plan(entry_list, judge_list, judges_per_entry, conflicts, kept, current)
    warnings += _over_capacity_warnings(plan)
    flow = _MinCostFlow(plan)
    flow.solve()

    pairs = kept | {(judge_list[j].id, entry_list[e].id) for j, e in flow.pairs()}
    counts = [plan.kept[e] + plan.need[e] - flow.supply[e] for e in range(len(entry_list))]
    problems = warnings + _shortfall_problems(plan, counts)
    return AssignmentResult(
        pairs=frozenset(pairs),
        loads={judge.id: flow.load[j] for j, judge in enumerate(judge_list)},
        feasible=all(count >= judges_per_entry for count in counts),
        problems=tuple(problems),
        field_matches=_count_field_matches(pairs, entry_list, judge_list),
        added=frozenset(pairs - current - scored),
        removed=frozenset(current - pairs),
    )


# --- input ----------------------------------------------------------------


def _by_id(items: Iterable[Any]) -> list[Any]:
    """Sort by id so the result never depends on the caller's set order."""
    items = list(items)
    try:
        return sorted(items, key=lambda item: item.id)
    except TypeError:  # ids of mixed or unorderable types
        return sorted(items, key=lambda item: repr(item.id))


def _check_input(entries: list[EntryInfo], judges: list[JudgeInfo], per_entry: int) -> None:
    if per_entry < 0:
        raise ValueError("judges_per_entry must not be negative")
    for kind, items in (("entry", entries), ("judge", judges)):
        if len({item.id for item in items}) != len(items):
            raise ValueError(f"duplicate {kind} id")
    if any(judge.capacity is not None and judge.capacity < 0 for judge in judges):
        raise ValueError("judge capacity must not be negative")


def _kept_scored_pairs(
    entries: list[EntryInfo], scored: frozenset[Pair], conflicts: frozenset[Pair]
) -> tuple[frozenset[Pair], list[Problem]]:
    """Scored pairs of this round's entries, plus warnings about the others."""
    entry_ids = {entry.id for entry in entries}
    kept: set[Pair] = set()
    warnings: list[Problem] = []
    for judge_id, entry_id in _sorted_pairs(scored):
        if entry_id not in entry_ids:
            warnings.append(Problem("scored_pair_unknown_entry", {"judge": judge_id, "entry": entry_id}))
            continue
        kept.add((judge_id, entry_id))
        if (judge_id, entry_id) in conflicts:
            # Scores cannot be undone here; a conflict found late is the organizer's call.
            warnings.append(Problem("scored_pair_in_conflict", {"judge": judge_id, "entry": entry_id}))
    return frozenset(kept), warnings


def _sorted_pairs(pairs: Iterable[Pair]) -> list[Pair]:
    try:
        return sorted(pairs)
    except TypeError:
        return sorted(pairs, key=repr)


@dataclass(frozen=True)
class _Plan:
    """The flow network, indexed by position in the sorted entry/judge lists."""

    entries: list[EntryInfo]
    judges: list[JudgeInfo]
    per_entry: int
    kept: list[int]  # scored pairs kept per entry, those in conflict left out
    need: list[int]  # judges still to add per entry
    load: list[int]  # scored pairs per present judge
    room: list[int]  # entries each judge may still take
    arcs: list[list[tuple[int, int]]]  # per entry: (judge, preference cost)
    eligible: list[int]  # per entry: kept pairs + judges allowed to add


def _plan(
    entries: list[EntryInfo],
    judges: list[JudgeInfo],
    per_entry: int,
    conflicts: frozenset[Pair],
    kept: frozenset[Pair],
    current: frozenset[Pair],
) -> _Plan:
    # A kept pair in conflict holds scores that do not count: the entry still needs its judges.
    kept_by_entry = Counter(entry_id for judge_id, entry_id in kept if (judge_id, entry_id) not in conflicts)
    kept_by_judge = Counter(judge_id for judge_id, _ in kept)
    kept_count = [kept_by_entry[entry.id] for entry in entries]
    need = [max(0, per_entry - count) for count in kept_count]
    load = [kept_by_judge[judge.id] for judge in judges]
    # Nobody can take more than every remaining slot, so that stands in for "no cap".
    room = [sum(need) if judge.capacity is None else max(0, judge.capacity - load[j]) for j, judge in enumerate(judges)]
    arcs: list[list[tuple[int, int]]] = []
    eligible: list[int] = []
    for e, entry in enumerate(entries):
        allowed = [
            j
            for j, judge in enumerate(judges)
            if (judge.id, entry.id) not in conflicts and (judge.id, entry.id) not in kept
        ]
        eligible.append(kept_count[e] + len(allowed))
        arcs.append([(j, _pair_cost(entry, judges[j], current)) for j in allowed if room[j] > 0])
    return _Plan(entries, judges, per_entry, kept_count, need, load, room, arcs, eligible)


def _pair_cost(entry: EntryInfo, judge: JudgeInfo, current: frozenset[Pair]) -> int:
    cost = 0 if (judge.id, entry.id) in current else KEEP_COST
    return cost + (0 if _field_match(entry, judge) else FIELD_COST)


def _field_match(entry: EntryInfo, judge: JudgeInfo) -> bool:
    return entry.field is not None and entry.field in judge.fields


# --- min-cost flow ----------------------------------------------------------


class _MinCostFlow:
    """Successive shortest paths with Dijkstra on reduced costs (primal-dual).

    After each Dijkstra run every path of zero reduced cost is a shortest
    path, so all of them are augmented before pricing again; that keeps the
    number of Dijkstra runs near the number of distinct path costs rather
    than the number of pairs.  Measured: 300 entries x 40 judges x 3 per
    entry with random fields takes about 0.1 s in CPython 3.11.

    Only arcs a shortest source-to-sink path can use are modelled: the
    reverse arcs into the source and out of the sink never lie on one.  The
    judge-to-sink arc is a convex arc (k-th unit costs k * unit), the same
    as a series of unit arcs with increasing costs.
    """

    def __init__(self, plan: _Plan) -> None:
        self.arcs = plan.arcs
        self.costs = [dict(arcs) for arcs in plan.arcs]
        self.supply = list(plan.need)
        self.load = list(plan.load)
        self.room = list(plan.room)
        # Larger than every preference cost together, so balance always wins.
        self.unit = _PAIR_COST_MAX * sum(plan.need) + 1
        self.owned: list[dict[int, int]] = [{} for _ in plan.judges]  # entry -> cost
        # Potentials; an entry with supply left always keeps potential 0.
        self.pi_e: list[float] = [0] * len(plan.entries)
        self.pi_j: list[float] = [0] * len(plan.judges)
        self.pi_t: float = 0

    def pairs(self) -> Iterator[tuple[int, int]]:
        """Assigned (judge, entry) index pairs."""
        for j, owned in enumerate(self.owned):
            for e in owned:
                yield j, e

    def solve(self) -> None:
        while self._reprice():
            self._augment_shortest_paths()

    def _reprice(self) -> bool:
        """Run Dijkstra and shift potentials so shortest paths cost 0.

        Returns False when the sink is unreachable: the flow is maximum.
        """
        arcs, owned, pi_e, pi_j = self.arcs, self.owned, self.pi_e, self.pi_j
        dist_e = [_INF] * len(arcs)
        dist_j = [_INF] * len(owned)
        dist_t = _INF
        heap: list[tuple[float, int, int]] = [(0, 0, e) for e in range(len(arcs)) if self.supply[e] > 0]
        for _, _, e in heap:
            dist_e[e] = 0
        while heap:  # already a valid heap: all keys are 0 and sorted
            d, kind, node = heapq.heappop(heap)
            if kind == 2:  # the sink: everything nearer is settled
                break
            if kind == 0:
                if d > dist_e[node]:
                    continue
                base = d + pi_e[node]
                for j, cost in arcs[node]:
                    if node not in owned[j]:
                        nd = base + cost - pi_j[j]
                        if nd < dist_j[j]:
                            dist_j[j] = nd
                            heapq.heappush(heap, (nd, 1, j))
            else:
                if d > dist_j[node]:
                    continue
                base = d + pi_j[node]
                if self.room[node] > 0:
                    nd = base + self._sink_cost(node) - self.pi_t
                    if nd < dist_t:
                        dist_t = nd
                        heapq.heappush(heap, (nd, 2, 0))
                for e, cost in owned[node].items():  # take e back from this judge
                    nd = base - cost - pi_e[e]
                    if nd < dist_e[e]:
                        dist_e[e] = nd
                        heapq.heappush(heap, (nd, 0, e))
        if dist_t == _INF:
            return False
        # Capping at dist_t keeps every reduced cost non-negative, including
        # those of nodes not settled before the sink.
        for e, d in enumerate(dist_e):
            pi_e[e] += min(d, dist_t)
        for j, d in enumerate(dist_j):
            pi_j[j] += min(d, dist_t)
        self.pi_t += dist_t
        return True

    def _sink_cost(self, j: int) -> int:
        return self.unit * (self.load[j] + 1)

    def _augment_shortest_paths(self) -> None:
        """Augment along zero-reduced-cost paths until none is found.

        A node once found unable to reach the sink stays so for the rest of
        the phase (augmenting only adds arcs leaving path nodes), so it is
        marked dead and never searched again.
        """
        dead_e = [False] * len(self.arcs)
        dead_j = [False] * len(self.owned)
        for root in range(len(self.arcs)):
            while self.supply[root] > 0 and not dead_e[root]:
                path = self._find_path(root, dead_e, dead_j)
                if path is None:
                    break
                self._push(path)

    def _find_path(self, root: int, dead_e: list[bool], dead_j: list[bool]) -> list[tuple[int, int]] | None:
        """Iterative DFS over zero-reduced-cost arcs from `root` to the sink.

        Returns steps (entry, judge): entry i > 0 moves from judge i-1 to
        judge i, and the last judge takes one more entry.
        """
        path_e: list[int] = [root]
        path_j: list[int] = []
        on_path_e, on_path_j = {root}, set()
        moves = [self._entry_moves(root)]
        while moves:
            step = next(moves[-1], None)
            at_entry = len(path_e) > len(path_j)
            if step is None:  # exhausted: this node cannot reach the sink
                moves.pop()
                if at_entry:
                    dead_e[path_e.pop()] = True
                else:
                    dead_j[path_j.pop()] = True
            elif at_entry:
                if dead_j[step] or step in on_path_j:
                    continue
                path_j.append(step)
                on_path_j.add(step)
                if self.room[step] > 0 and self._reduced_sink_cost(step) == 0:
                    return list(zip(path_e, path_j, strict=True))
                moves.append(self._judge_moves(step))
            else:
                if dead_e[step] or step in on_path_e:
                    continue
                path_e.append(step)
                on_path_e.add(step)
                moves.append(self._entry_moves(step))
        return None

    def _reduced_sink_cost(self, j: int) -> float:
        return self._sink_cost(j) + self.pi_j[j] - self.pi_t

    def _entry_moves(self, e: int) -> Iterator[int]:
        """Judges that could take entry `e` along a shortest path."""
        pi = self.pi_e[e]
        for j, cost in self.arcs[e]:
            if e not in self.owned[j] and cost + pi - self.pi_j[j] == 0:
                yield j

    def _judge_moves(self, j: int) -> Iterator[int]:
        """Entries judge `j` could hand over along a shortest path."""
        pi = self.pi_j[j]
        for e, cost in self.owned[j].items():
            if pi - cost - self.pi_e[e] == 0:
                yield e

    def _push(self, path: Sequence[tuple[int, int]]) -> None:
        for i, (e, j) in enumerate(path):
            if i > 0:
                del self.owned[path[i - 1][1]][e]
            self.owned[j][e] = self.costs[e][j]
        root, last = path[0][0], path[-1][1]
        self.supply[root] -= 1
        self.load[last] += 1
        self.room[last] -= 1


# --- output -----------------------------------------------------------------


def _over_capacity_warnings(plan: _Plan) -> list[Problem]:
    """Judges whose scored pairs already exceed a lowered capacity."""
    return [
        Problem(
            "judge_over_capacity",
            {"judge": judge.id, "load": plan.load[j], "capacity": judge.capacity},
        )
        for j, judge in enumerate(plan.judges)
        if judge.capacity is not None and plan.load[j] > judge.capacity
    ]


def _shortfall_problems(plan: _Plan, counts: list[int]) -> list[Problem]:
    """Explain every entry left short, plus the round-wide causes."""
    problems: list[Problem] = []
    short = [e for e, count in enumerate(counts) if count < plan.per_entry]
    if not short:
        return problems
    if max(plan.need) > len(plan.judges):
        problems.append(
            Problem(
                "judges_per_entry_exceeds_panel",
                {"judges_per_entry": plan.per_entry, "judges": len(plan.judges)},
            )
        )
    if all(judge.capacity is not None for judge in plan.judges) and sum(plan.need) > sum(plan.room):
        problems.append(Problem("capacity_short", {"needed": sum(plan.need), "capacity": sum(plan.room)}))
    for e in short:
        entry_id, eligible = plan.entries[e].id, plan.eligible[e]
        if eligible < plan.per_entry:
            params = {"entry": entry_id, "eligible": eligible, "needed": plan.per_entry}
            problems.append(Problem("entry_too_few_eligible_judges", params))
        else:
            # Max flow: every allowed judge not on this entry is already full.
            params = {
                "entry": entry_id,
                "assigned": counts[e],
                "eligible": eligible,
                "needed": plan.per_entry,
            }
            problems.append(Problem("entry_capacity_exhausted", params))
    return problems


def _count_field_matches(pairs: Iterable[Pair], entries: list[EntryInfo], judges: list[JudgeInfo]) -> int:
    """Pairs whose judge (if still present) covers the entry's field."""
    entry_by_id = {entry.id: entry for entry in entries}
    judge_by_id = {judge.id: judge for judge in judges}
    return sum(
        1
        for judge_id, entry_id in pairs
        if judge_id in judge_by_id and _field_match(entry_by_id[entry_id], judge_by_id[judge_id])
    )
