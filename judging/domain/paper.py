"""Paper fallback: a judge's score sheet for a round, as a printable PDF."""

from __future__ import annotations

from flask_babel import gettext as _

from judging.core.score_sheet import ScoreSheetData, SheetCriterion, SheetEntry, render_score_sheet
from judging.domain.queue import queue_of


def score_sheet_pdf(round_, judge) -> bytes:
    items = queue_of(round_, judge)
    data = ScoreSheetData(
        competition_name=round_.competition.name,
        round_name=round_.name,
        judge_name=judge.user.full_name,
        rubric_name=f"{round_.rubric.name} (v{round_.rubric.version})",
        criteria=tuple(SheetCriterion(c.name, c.max_points, c.weight, c.step) for c in round_.rubric.criteria),
        entries=tuple(
            SheetEntry(i.entry.code or "", i.entry.title, None if round_.blind else i.entry.team.name) for i in items
        ),
        labels={
            "title": _("Score sheet"),
            "judge": _("Judge"),
            "round": _("Round"),
            "entry": _("Entry"),
            "total": _("Total"),
            "comment": _("Comment"),
            "signature": _("Judge's signature"),
            "date": _("Date"),
            "page": _("Page"),
            "max": _("max"),
            "weight": _("weight"),
            "instructions": _("Write each score between 0 and the maximum, on the criterion's step."),
        },
    )
    return render_score_sheet(data)
