"""Results of a round: from submitted score sheets to standings (through the
pure `judging.core.aggregate`), warnings for organizers, and the frozen snapshot."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, and_, func, select

from contest.domain import audit
from contest.domain.errors import Conflict, DomainError
from contest.extensions import db
from contest.i18n import format_fixed
from contest.models import Entry, EntryStatus, EntryValidity
from contest.models.base import utcnow
from judging.core.aggregate import (
    METHODS,
    Standing,
    TieBreak,
    aggregate,
    entry_disagreement,
    icc,
    judge_leniency,
    kendall_w,
    weighted_totals,
)
from judging.domain.counting import Exclusion, excluded_sheets, sheet_counts
from judging.models import (
    Criterion,
    ResultSnapshot,
    Round,
    RoundEntry,
    RoundState,
    Score,
    ScoreSheet,
)

METHOD_LABELS = {
    "mean": _l("Mean"),
    "median": _l("Median"),
    "trimmed": _l("Trimmed mean"),
    "zscore": _l("Per-judge z-scores"),
}
LENIENCY_Z = 1.5  # a judge this many SDs from the panel is flagged
DISAGREEMENT_SPREAD = 25  # points between the highest and lowest total of an entry
ICC_POOR = 0.5


# (judge, entry, criterion, value): a plain tuple, since a round of 2,000 entries
# has 80,000 of them; value is the stored decimal normalised ("7.5", "10"),
# which is what the snapshot's hash covers.
ScoreInput = tuple[int, int, int, str]
INPUT_KEYS = ("judge", "entry", "criterion", "value")


@dataclass
class RoundResults:
    round: Round
    standings: list[Standing]
    raw_standings: list[Standing]
    entries: dict[int, Entry]
    inputs: list[ScoreInput]
    zero_criteria: dict[int, list[int]]  # entry -> criteria somebody scored 0
    exclusions: list[Exclusion] = field(default_factory=list)  # sheets left out by a conflict of interest
    left_out: list[Entry] = field(default_factory=list)  # entries withdrawn or marked invalid since taken in
    stale_snapshot: ResultSnapshot | None = None  # frozen before the exclusions changed
    warnings: list[str] = field(default_factory=list)
    leniency: dict = field(default_factory=dict)
    disagreement: list = field(default_factory=list)
    icc_value: float | None = None
    kendall: float | None = None


def in_the_running() -> ColumnElement[bool]:
    """An entry still competing: not withdrawn, and not marked invalid by the
    secretariat since the round took it in (a dossier found copied, say)."""
    return and_(Entry.status == EntryStatus.submitted, Entry.validity != EntryValidity.invalid)


def out_of_the_running(entry: Entry) -> bool:
    return entry.status is not EntryStatus.submitted or entry.validity is EntryValidity.invalid


def ranked_out_of_the_running(snapshot: ResultSnapshot) -> list[str]:
    """Codes of the entries a frozen snapshot ranks that are withdrawn or invalid now."""
    ids = {s["entry"] for s in snapshot.standings}
    return list(
        db.session.scalars(select(Entry.code).where(Entry.id.in_(ids or {0}), ~in_the_running()).order_by(Entry.code))
    )


def _ranks_out_of_the_running(snapshot: ResultSnapshot, codes: list[str]) -> str:
    return _(
        "The frozen results (version %(v)d) rank %(codes)s, since withdrawn or marked invalid. "
        "Freeze them again, with the reason, to leave these out.",
        v=snapshot.version,
        codes=", ".join(c or "" for c in codes),
    )


def refuse_if_ranking_out_of_the_running(snapshot: ResultSnapshot) -> None:
    """Frozen results that rank a withdrawn or invalid entry decide nothing until frozen again."""
    codes = ranked_out_of_the_running(snapshot)
    if codes:
        raise Conflict(_ranks_out_of_the_running(snapshot, codes))


def score_inputs(round_: Round) -> list[ScoreInput]:
    """Every score that counts (`judging.domain.counting`: submitted sheets
    without a confirmed conflict of interest) of the round's entries still in
    the running, in a fixed order."""
    # A Core query on the session's connection: plain rows, no ORM identity
    # bookkeeping, which is most of the cost for 80,000 rows.
    rows = (
        db.session.connection()
        .execute(
            select(ScoreSheet.judge_id, ScoreSheet.entry_id, Score.criterion_id, Score.value)
            .join(Score, Score.sheet_id == ScoreSheet.id)
            .join(Entry, Entry.id == ScoreSheet.entry_id)
            .where(ScoreSheet.round_id == round_.id, sheet_counts(), in_the_running())
            .order_by(ScoreSheet.entry_id, ScoreSheet.judge_id, Score.criterion_id)
        )
        .all()
    )
    return [(j, e, c, format(v.normalize(), "f")) for j, e, c, v in rows]


def _totals(inputs: list[ScoreInput], criteria: list[Criterion]):
    rubric = {c.id: (float(c.max_points), float(c.weight)) for c in criteria}
    sheets: dict[tuple[int, int], dict[int, float]] = defaultdict(dict)
    per_criterion: dict[tuple[int, int], list[float]] = defaultdict(list)
    zeros: dict[int, list[int]] = defaultdict(list)
    for judge, entry, criterion, text in inputs:
        value = float(text)
        sheets[(judge, entry)][criterion] = value
        per_criterion[(entry, criterion)].append(value)
        if value == 0 and criterion not in zeros[entry]:
            zeros[entry].append(criterion)
    totals = [
        (judge, entry, total) for (judge, entry), total in weighted_totals(sheets, rubric, allow_missing=True).items()
    ]
    means: dict[int, dict[int, float]] = defaultdict(dict)
    for (entry, criterion), values in per_criterion.items():
        means[entry][criterion] = sum(values) / len(values)
    return totals, means, dict(zeros)


def tie_breaks_of(round_: Round) -> list[TieBreak]:
    return [
        TieBreak(kind=t["kind"], label=t.get("label") or t["kind"], criterion=t.get("criterion"))
        for t in round_.tie_breaks or []
    ]


def compute(round_: Round) -> RoundResults:
    criteria = list(round_.rubric.criteria)
    inputs = score_inputs(round_)
    totals, means, zeros = _totals(inputs, criteria)
    entries = {e.id: e for e in db.session.scalars(select(Entry).where(Entry.id.in_({t[1] for t in totals} or {0})))}
    data = {"criterion_means": means, "chair_order": list(round_.chair_order or [])}
    standings = (
        aggregate(
            totals,
            method=round_.result_method,
            trim=round_.result_trim,
            min_scores=round_.result_min_scores,
            tie_breaks=tie_breaks_of(round_),
            tie_break_data=data,
        )
        if totals
        else []
    )
    raw = aggregate(totals, method="mean") if totals else []
    left_out = list(
        db.session.scalars(
            select(Entry)
            .join(RoundEntry, RoundEntry.entry_id == Entry.id)
            .where(RoundEntry.round_id == round_.id, ~in_the_running())
            .order_by(Entry.code)
        )
    )
    results = RoundResults(
        round_, standings, raw, entries, inputs, zeros, exclusions=excluded_sheets(round_.id), left_out=left_out
    )
    _explain_exclusions(results)
    _explain_left_out(results)
    if totals:
        _diagnose(results, totals)
    return results


def _explain_exclusions(results: RoundResults) -> None:
    """Say that sheets are left out, and when the frozen results left out others."""
    if results.exclusions:
        results.warnings.append(
            _(
                "%(n)d score sheets are left out because their judge has a conflict of interest "
                "with the entry (see the diagnostics).",
                n=len(results.exclusions),
            )
        )
    snapshot = current_snapshot(results.round)
    frozen = {(x["judge"], x["entry"]) for x in snapshot.excluded} if snapshot is not None else set()
    if snapshot is not None and frozen != {(x.judge_id, x.entry_id) for x in results.exclusions}:
        results.stale_snapshot = snapshot
        results.warnings.append(
            _(
                "The frozen results (version %(v)d) were computed before a conflict of interest "
                "was confirmed or dismissed: they do not leave out the same score sheets as now. "
                "Freeze again, with the reason, to bring them up to date.",
                v=snapshot.version,
            )
        )


def _explain_left_out(results: RoundResults) -> None:
    """Say which entries are left out as withdrawn or invalid, and when the frozen results still rank them."""
    if results.left_out:
        results.warnings.append(
            _(
                "%(codes)s are left out of the results: withdrawn or marked invalid.",
                codes=", ".join(e.code or "" for e in results.left_out),
            )
        )
    snapshot = current_snapshot(results.round)
    codes = ranked_out_of_the_running(snapshot) if snapshot is not None else []
    if snapshot is not None and codes:
        results.warnings.append(_ranks_out_of_the_running(snapshot, codes))


def _diagnose(results: RoundResults, totals) -> None:
    from judging.models import Judge

    names = {
        j.id: j.user.full_name for j in db.session.scalars(select(Judge).where(Judge.id.in_({t[0] for t in totals})))
    }
    results.leniency = judge_leniency(totals)
    for judge, lean in results.leniency.items():
        if abs(lean.z) >= LENIENCY_Z:
            kind = _("more lenient") if lean.offset > 0 else _("more severe")
            results.warnings.append(
                _(
                    "%(judge)s scores %(kind)s than the panel (%(offset)s points on average).",
                    judge=names.get(judge, judge),
                    kind=kind,
                    offset=format_fixed(lean.offset, 1, signed=True),
                )
            )
    results.disagreement = entry_disagreement(totals)
    for d in results.disagreement:
        if d.spread >= DISAGREEMENT_SPREAD:
            code = results.entries[d.entry].code if d.entry in results.entries else d.entry
            results.warnings.append(
                _(
                    "The judges of %(code)s disagree strongly: %(spread)s points between the highest and lowest total.",
                    code=code,
                    spread=format_fixed(d.spread, 1),
                )
            )
    fallbacks = sorted({j for s in results.standings for j in s.fallback_judges})
    if fallbacks:
        results.warnings.append(
            _(
                "Too few scores for z-scores, raw totals used for: %(names)s.",
                names=", ".join(str(names.get(j, j)) for j in fallbacks),
            )
        )
    table = complete_table(totals)
    if table is not None:
        results.icc_value = icc(table, "ICC(2,1)")
        results.kendall = kendall_w(table)
        if results.icc_value < ICC_POOR:
            results.warnings.append(
                _(
                    "The panel agrees poorly (ICC %(icc)s < %(poor)s): read small differences with care.",
                    icc=format_fixed(results.icc_value, 2),
                    poor=format_fixed(ICC_POOR, 1),
                )
            )


def complete_table(totals) -> list[list[float]] | None:
    """Entries × judges when every judge scored every entry (ICC needs a full table)."""
    judges = sorted({t[0] for t in totals})
    entries = sorted({t[1] for t in totals})
    values = {(j, e): t for j, e, t in totals}
    if len(judges) < 2 or len(entries) < 2 or len(values) != len(judges) * len(entries):
        return None
    return [[values[(j, e)] for j in judges] for e in entries]


# -- snapshots -------------------------------------------------------------------


def _standing_json(s: Standing, entries: dict[int, Entry]) -> dict:
    entry = entries[s.entry]
    return {
        "entry": s.entry,
        "code": entry.code,
        "title": entry.title,
        "board": entry.board_id,
        "team": entry.team.name,
        "show_name": entry.team.show_names_publicly,
        "score": round(s.score, 4),
        "rank": s.rank,
        "raw_mean": round(s.raw_mean, 4),
        "n_judges": s.n_judges,
        "spread": round(s.spread, 4),
        "judge_totals": [[j, round(t, 4)] for j, t in s.judge_totals],
        "tie_break": s.tie_break_applied,
        "notes": list(s.notes),
    }


def inputs_hash(inputs: list[dict]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def scores_changed_since(snapshot: ResultSnapshot) -> bool:
    """The scores that count in the snapshot's round are no longer those it froze: a score or
    sheet changed, a sheet left out or counted again (a conflict of interest confirmed or
    dismissed), an entry back in the running. Compared through the hash the snapshot keeps."""
    inputs = [dict(zip(INPUT_KEYS, s, strict=True)) for s in score_inputs(snapshot.round)]
    return inputs_hash(inputs) != snapshot.inputs_hash


def current_snapshot(round_: Round) -> ResultSnapshot | None:
    return db.session.scalar(
        select(ResultSnapshot)
        .where(ResultSnapshot.round_id == round_.id, ResultSnapshot.withdrawn_at.is_(None))
        .order_by(ResultSnapshot.version.desc())
    )


def freeze(round_: Round, user, reason: str | None = None) -> ResultSnapshot:
    """Write the immutable snapshot; a second one needs the first withdrawn with a reason."""
    # One freeze of a round at a time (a double click, two organizers): the next waits, then
    # finds this one frozen and asks for a reason, instead of clashing on the version number.
    db.session.execute(select(Round.id).where(Round.id == round_.id).with_for_update())
    if round_.state is not RoundState.locked:
        raise Conflict(_("Lock the round before freezing its results."))
    previous = current_snapshot(round_)
    if previous is not None:
        reason = (reason or "").strip()
        if not reason:
            raise DomainError(_("The results are already frozen. To replace them, give the reason."), field="reason")
        previous.withdrawn_at, previous.withdrawn_reason = utcnow(), reason
    results = compute(round_)
    if not results.standings:
        raise Conflict(_("No submitted score sheets: there is nothing to freeze."))
    inputs = [dict(zip(INPUT_KEYS, s, strict=True)) for s in results.inputs]
    version = (
        db.session.scalar(select(func.max(ResultSnapshot.version)).where(ResultSnapshot.round_id == round_.id)) or 0
    ) + 1
    snapshot = ResultSnapshot(
        round_id=round_.id,
        version=version,
        method=round_.result_method,
        params={
            "trim": round_.result_trim,
            "min_scores": round_.result_min_scores,
            "tie_breaks": round_.tie_breaks or [],
            "chair_order": round_.chair_order or [],
            "rubric": round_.rubric_id,
        },
        inputs=inputs,
        inputs_hash=inputs_hash(inputs),
        excluded=[x.as_json() for x in results.exclusions],
        standings=[_standing_json(s, results.entries) for s in results.standings],
        software_version=current_app.config.get("APP_VERSION", "dev"),
        created_at=utcnow(),
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(snapshot)
    db.session.flush()
    audit.record(
        "results.frozen",
        "result_snapshot",
        snapshot.id,
        competition_id=round_.competition_id,
        before={"snapshot": previous.id} if previous else None,
        after={
            "version": version,
            "hash": snapshot.inputs_hash,
            "method": snapshot.method,
            "excluded_sheets": [x.sheet_id for x in results.exclusions],
            "left_out_entries": [e.id for e in results.left_out],
        },
        reason=reason or None,
    )
    return snapshot


def set_chair_order(round_: Round, codes: list[str], reason: str) -> None:
    """The chair's recorded decision between entries no other rule separates:
    entry codes best first. Used only by a "chair_decision" tie-break."""
    if not reason.strip():
        raise DomainError(_("Record the chair's decision with its reason or minute."), field="reason")
    rows = (
        db.session.execute(
            select(Entry.code, Entry.id)
            .join(RoundEntry, RoundEntry.entry_id == Entry.id)
            .where(RoundEntry.round_id == round_.id)
        )
        .tuples()
        .all()
    )
    by_code = {code.upper(): (code, entry_id) for code, entry_id in rows if code}
    wanted = list(dict.fromkeys(code.strip().upper() for code in codes if code.strip()))
    unknown = [code for code in wanted if code not in by_code]
    if unknown:
        raise DomainError(
            _("These codes are not entries of this round: %(codes)s", codes=", ".join(unknown)), field="codes"
        )
    code_of = {entry_id: code for code, entry_id in by_code.values()}
    before = [code_of[i] for i in round_.chair_order or [] if i in code_of]
    round_.chair_order = [by_code[code][1] for code in wanted]
    wanted = [by_code[code][0] for code in wanted]
    audit.record(
        "results.chair_order",
        "round",
        round_.id,
        competition_id=round_.competition_id,
        before={"order": before},
        after={"order": wanted},
        reason=reason.strip(),
    )


# No real panel comes near this; the bound keeps crafted numbers out of the database.
MAX_PANEL = 100


def set_method(round_: Round, method: str, trim: int, min_scores: int, tie_breaks: list[dict]) -> None:
    if method not in METHODS:
        raise DomainError(_("Unknown method."), field="method")
    if method == "trimmed" and trim < 1:
        raise DomainError(_("Say how many highest and lowest totals to drop."), field="trim")
    if not 0 <= trim <= MAX_PANEL:
        raise DomainError(_("Drop between 0 and %(most)d totals at each end.", most=MAX_PANEL), field="trim")
    if not 1 <= min_scores <= MAX_PANEL:
        raise DomainError(_("Ask for between 1 and %(most)d scores per entry.", most=MAX_PANEL), field="min_scores")
    criteria = {c.id for c in round_.rubric.criteria}
    for rule in tie_breaks:
        TieBreak(kind=rule["kind"], label=rule.get("label") or rule["kind"], criterion=rule.get("criterion"))
        if rule.get("criterion") is not None and rule["criterion"] not in criteria:
            raise DomainError(_("A tie-break names a criterion outside the rubric."), field="tie_breaks")
    before = {
        "method": round_.result_method,
        "trim": round_.result_trim,
        "min_scores": round_.result_min_scores,
        "tie_breaks": round_.tie_breaks,
    }
    round_.result_method, round_.result_trim, round_.result_min_scores = method, trim, min_scores
    round_.tie_breaks = tie_breaks
    audit.record(
        "results.method",
        "round",
        round_.id,
        competition_id=round_.competition_id,
        before=before,
        after={"method": method, "trim": trim, "min_scores": min_scores, "tie_breaks": tie_breaks},
    )
