"""Who goes on to the next round: the rule (top N per board, a minimum total,
no criterion scored 0), previewed on the frozen standings, adjusted with a
recorded reason, then applied."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from contest.domain import audit
from contest.domain.accounts import external_url
from contest.domain.errors import Conflict, DomainError
from contest.domain.outbox import queue_mail
from contest.extensions import db
from contest.models import Entry
from judging.domain import rounds
from judging.domain.publication import board_ranks
from judging.domain.results import (
    current_snapshot,
    out_of_the_running,
    ranked_out_of_the_running,
    refuse_if_ranking_out_of_the_running,
)
from judging.models import Round, RoundEntry, RoundState


@dataclass(frozen=True)
class Candidate:
    standing: dict
    qualifies: bool
    reasons: tuple[str, ...]  # why not, in the user's language


# Bounds far above any contest, so a crafted number gets a message, not a database error.
MAX_TAKEN, MAX_TOTAL = 10_000, 1_000


def set_rule(round_: Round, top_n: int | None, min_total: int | None, no_zero: bool) -> None:
    if top_n is not None and top_n < 1:
        raise DomainError(_("Take at least one entry per board."), field="top_n")
    if top_n is not None and top_n > MAX_TAKEN:
        raise DomainError(_("Take at most %(most)d entries per board.", most=MAX_TAKEN), field="top_n")
    if min_total is not None and not 0 <= min_total <= MAX_TOTAL:
        raise DomainError(_("The lowest total must be between 0 and %(most)d.", most=MAX_TOTAL), field="min_total")
    before = {"top_n": round_.advance_top_n, "min_total": round_.advance_min_total, "no_zero": round_.advance_no_zero}
    round_.advance_top_n, round_.advance_min_total, round_.advance_no_zero = top_n, min_total, no_zero
    audit.record(
        "advancement.rule",
        "round",
        round_.id,
        competition_id=round_.competition_id,
        before=before,
        after={"top_n": top_n, "min_total": min_total, "no_zero": no_zero},
    )


def preview(round_: Round) -> dict[int | None, list[Candidate]]:
    """Per board, best first, whether each entry meets the rule and why not."""
    snapshot = current_snapshot(round_)
    if snapshot is None:
        return {}
    zeros = {s["entry"] for s in _zero_scores(snapshot)}
    out = set(ranked_out_of_the_running(snapshot))
    by_board: dict[int | None, list[dict]] = defaultdict(list)
    for standing in snapshot.standings:
        by_board[standing["board"]].append(standing)
    result = {}
    for board, rows in by_board.items():
        candidates = []
        rows = sorted(rows, key=lambda s: (s["rank"], s["code"] or ""))
        # The rank within the board, ties sharing it: entries tied at the N-th place all
        # meet the rule (the order of their codes does not decide who goes on).
        for board_rank, standing in zip(board_ranks(rows), rows, strict=True):
            reasons = []
            if round_.advance_top_n is not None and board_rank > round_.advance_top_n:
                reasons.append(_("outside the top %(n)d of the board", n=round_.advance_top_n))
            if round_.advance_min_total is not None and standing["score"] < round_.advance_min_total:
                reasons.append(_("below %(min)d points", min=round_.advance_min_total))
            if round_.advance_no_zero and standing["entry"] in zeros:
                reasons.append(_("a criterion was scored 0"))
            if standing["code"] in out:
                reasons.append(_("withdrawn or marked invalid"))
            candidates.append(Candidate(standing, not reasons, tuple(reasons)))
        result[board] = candidates
    return result


def _zero_scores(snapshot) -> list[dict]:
    return [i for i in snapshot.inputs if float(i["value"]) == 0]


def apply(round_: Round, chosen: set[int], reason: str | None) -> int:
    """Advance the chosen entries. Choices that differ from the rule need a reason."""
    # One decision at a time (a double click): the next waits and reads what this one recorded.
    db.session.execute(select(Round.id).where(Round.id == round_.id).with_for_update())
    snapshot = current_snapshot(round_)
    if round_.state is not RoundState.locked or snapshot is None:
        raise Conflict(_("Freeze the round's results before deciding who goes on."))
    refuse_if_ranking_out_of_the_running(snapshot)
    suggested = {c.standing["entry"] for rows in preview(round_).values() for c in rows if c.qualifies}
    differs = chosen ^ suggested
    reason = (reason or "").strip() or None
    if differs and not reason:
        raise DomainError(
            _("The choice differs from the rule for %(n)d entries: give the reason.", n=len(differs)), field="reason"
        )
    by_entry = {re.entry_id: re for re in round_.entries}
    unknown = chosen - by_entry.keys()
    if unknown:
        raise DomainError(_("Some chosen entries are not in this round."))
    unfit = sorted(by_entry[i].entry.code or "" for i in chosen if out_of_the_running(by_entry[i].entry))
    if unfit:
        raise DomainError(
            _("%(codes)s are withdrawn or marked invalid: they cannot go on.", codes=", ".join(unfit)), field="entry"
        )
    already = {entry_id for entry_id, re in by_entry.items() if re.advanced}
    following = db.session.scalar(
        select(Round).where(Round.competition_id == round_.competition_id, Round.position == round_.position + 1)
    )
    if following is not None and following.state is not RoundState.preparing and chosen != already:
        raise Conflict(_("The next round has begun: who goes on to it can no longer change."))
    for entry_id, round_entry in by_entry.items():
        round_entry.advanced = entry_id in chosen
    if following is not None and following.state is RoundState.preparing:
        present = {re.entry_id: re for re in following.entries}
        for entry_id in sorted(chosen - present.keys()):
            following.entries.append(RoundEntry(entry_id=entry_id))
        # Entries taken off the list leave the next round too, with their judges' assignments there.
        rounds.take_out(following, sorted((already - chosen) & present.keys()))
    # Only the teams newly going on are told: the same choice sent again mails nobody twice.
    for entry in db.session.scalars(select(Entry).where(Entry.id.in_((chosen - already) or {0}))):
        leader = entry.team.leader
        queue_mail(
            leader.email,
            "entry_advanced",
            locale=leader.locale,
            entry=entry,
            round=round_,
            following=following,
            competition=round_.competition,
            team_url=external_url("teams.show", team_id=entry.team_id),
        )
    audit.record(
        "advancement.applied",
        "round",
        round_.id,
        competition_id=round_.competition_id,
        before={"advanced": sorted(already)},
        after={"advanced": sorted(chosen), "rule": sorted(suggested)},
        reason=reason,
    )
    return len(chosen)
