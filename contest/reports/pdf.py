"""The yearly report as a PDF (A4 landscape). Pure: plain data in, bytes out.

Every string is NFC-normalised and escaped before it becomes Paragraph markup,
so names print as typed ("<b>&" included); every font is one of the embedded
TrueType fonts of `contest.pdf.fonts`, never Helvetica (no Vietnamese glyphs).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus.doctemplate import BaseDocTemplate
from reportlab.platypus.flowables import Flowable

from contest.numbers import vn_money, vn_number, vn_percent
from contest.pdf.fonts import FONT_BOLD, FONT_REGULAR, ensure_fonts, nfc
from contest.reports.figures import COLUMNS, Figures
from contest.reports.yearly import CompetitionSummary, SchoolRow, YearlyReport

PAGE = landscape(A4)
MARGIN = 15 * mm
WIDTH = PAGE[0] - 2 * MARGIN
GRID = colors.HexColor("#9aa5b1")
HEAD_BG = colors.HexColor("#e4e9ef")
TOTAL_BG = colors.HexColor("#f3f5f7")
SUBDUED = colors.HexColor("#555555")


def _style(name: str, font: str = FONT_REGULAR, size: float = 8, **kw) -> ParagraphStyle:
    # bulletFontName too: its default is Helvetica.
    return ParagraphStyle(name, fontName=font, bulletFontName=font, fontSize=size, leading=size * 1.25, **kw)


class _Styles:
    def __init__(self) -> None:
        self.title = _style("title", FONT_BOLD, 16, spaceAfter=4)
        self.subtitle = _style("subtitle", size=10, spaceAfter=8, textColor=SUBDUED)
        self.h2 = _style("h2", FONT_BOLD, 12, spaceBefore=10, spaceAfter=5, keepWithNext=1)
        self.h3 = _style("h3", FONT_BOLD, 10, spaceBefore=8, spaceAfter=2, keepWithNext=1)
        self.body = _style("body", size=9, spaceAfter=2, keepWithNext=1)
        self.cell = _style("cell")
        self.head = _style("head", FONT_BOLD)
        self.number = _style("number", alignment=TA_RIGHT)
        self.bold = _style("bold", FONT_BOLD)
        self.bold_number = _style("bold_number", FONT_BOLD, alignment=TA_RIGHT)


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(nfc(text)), style)


def _table(rows: list[list[Flowable]], widths: Sequence[float], *, total_row: bool = False) -> Table:
    """A grid with a shaded header row that repeats on every page it spans."""
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), FONT_REGULAR),  # cells are Paragraphs; this is a safeguard
        ("GRID", (0, 0), (-1, -1), 0.25, GRID),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_BG),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if total_row:
        commands.append(("BACKGROUND", (0, -1), (-1, -1), TOTAL_BG))
    table = Table(rows, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle(commands))
    return table


def _value(key: str, value: int) -> str:
    return vn_money(value) if key == "prize_money" else vn_number(value)


class _Writer:
    def __init__(self, report: YearlyReport) -> None:
        self.report = report
        self.s = _Styles()

    def label(self, key: str) -> str:
        return self.report.labels.get(key, key)

    def column(self, key: str) -> str:
        return self.report.column_labels.get(key, key)

    def summary(self) -> list[Flowable]:
        s, totals = self.s, self.report.totals
        rows = [[_p(self.label("figure"), s.head), _p(self.label("value"), s.head)]]
        rows += [[_p(self.column(key), s.cell), _p(_value(key, getattr(totals, key)), s.number)] for key in COLUMNS]
        return [_p(self.label("summary"), s.h2), _table(rows, [90 * mm, 45 * mm])]

    def breakdowns(self) -> list[Flowable]:
        s, report = self.s, self.report
        first = 48 * mm
        money = 30 * mm
        other = (WIDTH - first - money) / (len(COLUMNS) - 1)
        widths = [first, *(money if key == "prize_money" else other for key in COLUMNS)]
        story: list[Flowable] = []

        def figures_row(name: str, figures: Figures, bold: bool = False) -> list[Flowable]:
            values = zip(COLUMNS, report.figure_row(figures), strict=True)
            name_style, number = (s.bold, s.bold_number) if bold else (s.cell, s.number)
            return [_p(name, name_style), *(_p(_value(k, v), number) for k, v in values)]

        for table in report.tables:
            rows = [[_p(table.row_heading, s.head), *(_p(self.column(k), s.head) for k in COLUMNS)]]
            rows += [figures_row(name, figures) for name, figures in table.breakdown.rows]
            rows.append(figures_row(self.label("total_row"), table.breakdown.total, bold=True))
            story += [_p(table.heading, s.h2), _table(rows, widths, total_row=True)]
        return story

    def schools(self) -> list[Flowable]:
        """Students' startups by school (Đề án 1665); nothing when no school had any."""
        s, report = self.s, self.report
        if not report.schools:
            return []
        keys = ("school", "teams", "entries_valid", "clubs")
        rows: list[list[Flowable]] = [[_p(self.label(key), s.head) for key in keys]]

        def school_row(row: SchoolRow, bold: bool = False) -> list[Flowable]:
            name_style, number = (s.bold, s.bold_number) if bold else (s.cell, s.number)
            counts = (row.teams, row.entries_valid, row.clubs)
            return [_p(row.name, name_style), *(_p(vn_number(n), number) for n in counts)]

        rows += [school_row(row) for row in report.schools]
        rows.append(school_row(report.schools_total(), bold=True))
        widths = [100 * mm, 35 * mm, 35 * mm, 45 * mm]
        return [
            _p(self.label("schools"), s.h2),
            _p(self.label("schools_note"), s.body),
            _table(rows, widths, total_row=True),
        ]

    def competition(self, c: CompetitionSummary) -> list[Flowable]:
        s = self.s
        facts = [
            ("level", c.level),
            ("unit", c.unit),
            ("state", c.state),
            ("teams", vn_number(c.teams)),
            ("entries_valid", vn_number(c.entries_valid)),
        ]
        story: list[Flowable] = [
            _p(c.name, s.h3),
            _p(" · ".join(f"{self.label(key)}: {value}" for key, value in facts), s.body),
        ]
        if c.rounds:
            rounds = "; ".join(f"{name}: {vn_number(count)}" for name, count in c.rounds)
            story.append(_p(f"{self.label('rounds')}: {rounds}", s.body))
        if c.winners:
            keys = ("award", "code", "project", "team", "prize")
            rows = [[_p(self.label(key), s.head) for key in keys]]
            rows += [
                [
                    _p(w.award, s.cell),
                    _p(w.code, s.cell),
                    _p(w.title, s.cell),
                    _p(w.team, s.cell),
                    _p(vn_money(w.prize) if w.prize else "", s.number),
                ]
                for w in c.winners
            ]
            widths = [45 * mm, 25 * mm, 95 * mm, 0, 30 * mm]
            widths[3] = WIDTH - sum(widths)
            story += [_p(self.label("winners"), s.body), _table(rows, widths)]
        return story

    def competitions(self) -> list[Flowable]:
        if not self.report.competitions:
            return []
        story: list[Flowable] = [_p(self.label("competitions"), self.s.h2)]
        for c in self.report.competitions:
            story += self.competition(c)
        return story

    def indicators(self) -> list[Flowable]:
        s = self.s
        if not self.report.indicators:
            return []
        keys = ("indicator", "period", "target", "in_year", "achieved", "percent", "status")
        rows = [[_p(self.label(key), s.head) for key in keys]]
        for row in self.report.indicators:
            target = row.progress.target
            if target is None:  # every row of the report is a target's
                continue
            span = vn_number(target.low)
            if target.high != target.low:
                span += f"–{vn_number(target.high)}"
            rows.append(
                [
                    _p(row.label, s.cell),
                    _p(row.period, s.cell),
                    _p(span, s.number),
                    _p(vn_number(row.year_value), s.number),
                    _p(vn_number(row.progress.achieved), s.number),
                    _p(vn_percent(row.progress.percent_of_low), s.number),
                    _p(row.status, s.cell),
                ]
            )
        widths = [80 * mm, 27 * mm, 30 * mm, 25 * mm, 25 * mm, 25 * mm]
        widths.append(WIDTH - sum(widths))
        return [_p(self.label("indicators"), s.h2), _table(rows, widths)]

    def story(self) -> list[Flowable]:
        s, report = self.s, self.report
        return [
            _p(report.title, s.title),
            _p(report.subtitle, s.subtitle),
            *self.summary(),
            *self.breakdowns(),
            *self.schools(),
            *self.competitions(),
            *self.indicators(),
        ]


def write_pdf(report: YearlyReport) -> bytes:
    """The report's PDF bytes; every label comes translated in `report`."""
    ensure_fonts()
    footer = nfc(report.title, keep_newlines=False)

    def on_page(canvas: Canvas, doc: BaseDocTemplate) -> None:
        # Page numbers as bare digits: the writer has no words of its own to translate.
        canvas.saveState()
        canvas.setFont(FONT_REGULAR, 7)
        canvas.setFillColor(SUBDUED)
        canvas.drawString(MARGIN, MARGIN / 2, footer)
        canvas.drawRightString(PAGE[0] - MARGIN, MARGIN / 2, str(doc.page))
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=footer,
        subject=nfc(report.subtitle, keep_newlines=False),
        creator="qng-contest",
        lang="vi-VN",
        # Each page stream starts with this font; the default would be Helvetica.
        initialFontName=FONT_REGULAR,
    )
    doc.build(_Writer(report).story(), onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()
