"""The PDF record of a round for the archive: the panel, the method and its
parameters, the hash of the frozen scores, the standings, and a place for the
signatures. Pure: plain data in, PDF bytes out. Table cells are plain strings,
never ReportLab paragraph markup, so a team called "<b>" prints as typed."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from contest.pdf.fonts import FONT_BOLD, FONT_REGULAR, ensure_fonts, nfc_line


@dataclass(frozen=True)
class RecordRow:
    rank: int
    code: str
    title: str
    team: str
    score: float
    n_judges: int
    spread: float


@dataclass(frozen=True)
class RoundRecord:
    competition: str
    round_name: str
    method: str
    params: str
    inputs_hash: str
    frozen_at: str
    judges: Sequence[str]
    rows: Sequence[RecordRow]
    labels: Mapping[str, str]  # title, panel, method, hash, frozen, rank, code, project, team, score, judges,
    # spread, chair, secretary, page


WIDTHS = (12 * mm, 26 * mm, 62 * mm, 38 * mm, 16 * mm, 12 * mm, 16 * mm)


def _wrap(text: str, width: float, size: float = 8.5) -> str:
    return "\n".join(simpleSplit(nfc_line(text), FONT_REGULAR, size, width - 4) or [""])


def render_round_record(record: RoundRecord) -> bytes:
    ensure_fonts()
    label = record.labels
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=nfc_line(f"{label['title']} · {record.round_name}"),
        initialFontName=FONT_REGULAR,
    )
    head = [[nfc_line(label["title"]).upper()], [nfc_line(record.competition)], [nfc_line(record.round_name)]]
    facts = [
        [nfc_line(label["method"]), _wrap(f"{record.method} ({record.params})", 140 * mm)],
        [nfc_line(label["frozen"]), nfc_line(record.frozen_at)],
        [nfc_line(label["hash"]), record.inputs_hash],
        [nfc_line(label["panel"]), _wrap(", ".join(record.judges), 140 * mm)],
    ]
    header = [nfc_line(label[k]) for k in ("rank", "code", "project", "team", "score", "judges", "spread")]
    body = [
        [
            str(r.rank),
            nfc_line(r.code),
            _wrap(r.title, WIDTHS[2]),
            _wrap(r.team, WIDTHS[3]),
            f"{r.score:.2f}",
            str(r.n_judges),
            f"{r.spread:.1f}",
        ]
        for r in record.rows
    ]
    base = [
        ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),
        ("FONTSIZE", (0, 0), (-1, -1), 8.5),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    story = [
        Table(
            head,
            colWidths=[180 * mm],
            style=TableStyle(
                base
                + [
                    ("FONTNAME", (0, 0), (0, 0), FONT_BOLD),
                    ("FONTSIZE", (0, 0), (0, 0), 14),
                    ("ALIGN", (0, 0), (-1, -1), "CENTER"),
                    ("FONTSIZE", (0, 1), (-1, -1), 11),
                ]
            ),
        ),
        Spacer(1, 4 * mm),
        Table(
            facts, colWidths=[38 * mm, 142 * mm], style=TableStyle(base + [("FONTNAME", (0, 0), (0, -1), FONT_BOLD)])
        ),
        Spacer(1, 4 * mm),
        Table(
            [header] + body,
            colWidths=WIDTHS,
            repeatRows=1,
            style=TableStyle(
                base
                + [
                    ("FONTNAME", (0, 0), (-1, 0), FONT_BOLD),
                    ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")),
                    ("ALIGN", (4, 1), (-1, -1), "RIGHT"),
                ]
            ),
        ),
        Spacer(1, 10 * mm),
        Table(
            [[nfc_line(label["chair"]), nfc_line(label["secretary"])], ["", ""], ["", ""]],
            colWidths=[90 * mm, 90 * mm],
            rowHeights=[6 * mm, 20 * mm, 6 * mm],
            style=TableStyle(base + [("FONTNAME", (0, 0), (-1, 0), FONT_BOLD), ("ALIGN", (0, 0), (-1, -1), "CENTER")]),
        ),
    ]

    def footer(canvas, document):
        canvas.setFont(FONT_REGULAR, 8)
        canvas.drawRightString(195 * mm, 10 * mm, nfc_line(f"{label['page']} {document.page}"))

    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
