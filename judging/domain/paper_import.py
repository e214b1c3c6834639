"""Scores typed in from paper sheets: all rows are checked by the pure
`judging.core.score_import`; nothing is written unless every row is good."""

from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from contest.domain import audit
from contest.extensions import db
from contest.models import Entry, User
from contest.models.base import utcnow
from judging.core.score_import import CriterionRule, ImportContext, ImportReport, parse_scores_csv
from judging.domain.judges import excluded_pairs, judges_of
from judging.models import Assignment, Round, RoundState, Rubric, Score, ScoreSheet

PROBLEM_MESSAGES = {
    "not_utf8": _l("The file is not UTF-8 text. Save it as “CSV UTF-8”."),
    "empty_file": _l("The file has no header or no score rows."),
    "missing_columns": _l("Missing columns: %(missing)s."),
    "malformed_row": _l("The CSV cannot be read from here on."),
    "wrong_column_count": _l("Expected %(expected)s columns, found %(found)s."),
    "blank_value": _l("The “%(column)s” cell is empty."),
    "unknown_judge": _l("No judge of this competition has the e-mail %(email)s."),
    "unknown_entry": _l("No entry has the code %(code)s."),
    "unknown_criterion": _l("The rubric has no criterion “%(criterion)s”."),
    "not_a_number": _l("“%(value)s” is not a number."),
    "out_of_range": _l("%(value)s is outside 0–%(max)s."),
    "wrong_step": _l("%(value)s is not on the step of %(step)s."),
    "not_assigned": _l("%(code)s is not assigned to %(email)s in this round."),
    "conflict": _l("%(email)s has a conflict of interest with %(code)s."),
    "duplicate": _l("The same score was already given on line %(first_line)s."),
}


SHOWN_MAX = 60


def _shown(value) -> str:
    """A cell as a message quotes it: invisible characters spelled out (a NUL would
    vanish, a right-to-left override turn the rest of the line around) and a long
    cell cut, so each message stays one readable line."""
    text = "".join(
        ch.encode("unicode_escape").decode("ascii") if unicodedata.category(ch) in ("Cc", "Cf") else ch
        for ch in str(value)
    )
    return text if len(text) <= SHOWN_MAX else text[: SHOWN_MAX - 1] + "…"


def describe(problem) -> str:
    params = {
        k: _shown(", ".join(map(str, v)) if isinstance(v, list | tuple) else v) for k, v in problem.params.items()
    }
    template = PROBLEM_MESSAGES.get(problem.code)
    text = str(template) % params if template is not None else problem.code
    return f"{problem.line}: {text}" if problem.line else text


def context_for(round_: Round) -> ImportContext:
    judges = judges_of(round_.competition)
    rubric = db.session.get_one(Rubric, round_.rubric_id)
    entries = db.session.scalars(select(Entry).where(Entry.id.in_([re.entry_id for re in round_.entries]))).all()
    return ImportContext(
        judges={j.user.email.lower(): j.id for j in judges},
        entries={e.code.upper(): e.id for e in entries if e.code},
        criteria={c.name: CriterionRule(c.id, c.name, c.max_points, c.step) for c in rubric.criteria},
        assigned=frozenset(
            db.session.execute(
                select(Assignment.judge_id, Assignment.entry_id).where(Assignment.round_id == round_.id)
            ).tuples()
        ),
        conflicts=frozenset(excluded_pairs(round_.competition_id)),
    )


def import_scores(round_: Round, data: bytes, actor: User | None) -> ImportReport:
    if round_.state is RoundState.locked:
        from contest.domain.errors import Conflict

        raise Conflict(str(_l("The round is locked: scores can no longer be changed.")))
    report = parse_scores_csv(data, context_for(round_))
    if not report.ok:
        return report
    now = utcnow()
    sheets: dict[tuple, ScoreSheet] = {}
    for item in report.scores:
        key = (item.judge_id, item.entry_id)
        sheet = sheets.get(key) or db.session.scalar(
            select(ScoreSheet).where(
                ScoreSheet.round_id == round_.id,
                ScoreSheet.judge_id == item.judge_id,
                ScoreSheet.entry_id == item.entry_id,
            )
        )
        if sheet is None:
            sheet = ScoreSheet(
                round_id=round_.id, judge_id=item.judge_id, entry_id=item.entry_id, comment="", updated_at=now
            )
            db.session.add(sheet)
            db.session.flush()
        sheets[key] = sheet
        score = db.session.scalar(
            select(Score).where(Score.sheet_id == sheet.id, Score.criterion_id == item.criterion_id)
        )
        before = None if score is None else str(score.value)
        if score is None:
            db.session.add(
                Score(
                    sheet_id=sheet.id, criterion_id=item.criterion_id, value=item.value, changed_at=now, device="paper"
                )
            )
        else:
            score.value, score.changed_at, score.device = item.value, now, "paper"
        audit.record(
            "score.imported",
            "score_sheet",
            sheet.id,
            competition_id=round_.competition_id,
            actor_id=actor.id if actor else None,
            device="paper",
            before={"criterion": item.criterion_id, "value": before},
            after={"criterion": item.criterion_id, "value": str(item.value), "line": item.line},
        )
    for sheet in sheets.values():
        sheet.updated_at = now
        if sheet.submitted_at is None:
            sheet.submitted_at = now  # a paper sheet arrives signed
    db.session.flush()
    return report


def import_scores_file(round_id: int, data: bytes, actor_email: str | None) -> tuple[ImportReport, list[str]]:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise SystemExit(f"No round {round_id}.")
    actor = db.session.scalar(select(User).where(User.email == actor_email.lower())) if actor_email else None
    report = import_scores(round_, data, actor)
    if report.ok:
        return report, [str(_l("Imported %(n)d scores.", n=len(report.scores)))]
    return report, [str(_l("Nothing was imported: %(n)d problems.", n=len(report.problems)))] + [
        describe(p) for p in report.problems
    ]
