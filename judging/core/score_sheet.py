"""Printable paper score sheets: the fallback when the hall's Wi-Fi or the tablets fail.

One landscape A4 sheet (or several) per judge: one row per entry, one column per
criterion, an empty total and comment column, rows tall enough to write in by
hand, the table header repeated on every page and a signature line, so scores
written on paper can be typed in later and the signed sheet kept as evidence.

Pure code: plain data in, PDF bytes out (no Flask, no database).  Everything is
measured first (``layout_score_sheet``) so tests can prove that many criteria
and long Vietnamese names fit; text is NFC and drawn with the embedded fonts of
``contest.pdf.fonts`` (never Helvetica, which prints Vietnamese as boxes).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen.canvas import Canvas

from contest.pdf import Box, Rule, TextBlock, color, draw_block, new_canvas, place_text
from contest.pdf.fonts import (
    FONT_BOLD,
    FONT_ITALIC,
    FONT_REGULAR,
    FittedText,
    TextStyle,
    ensure_fonts,
    fit_text,
    ink_extent,
    nfc_line,
    text_width,
)

__all__ = [
    "MIN_FONT_SIZE", "REQUIRED_LABELS", "ROW_MIN_HEIGHT", "Column", "ScoreSheetData",
    "SheetCriterion", "SheetEntry", "SheetLayout", "SheetPage", "SheetRow", "layout_score_sheet",
    "render_score_sheet",
]  # fmt: skip

REQUIRED_LABELS = (
    "title", "judge", "round", "entry", "total", "comment", "signature", "date", "page", "max",
    "weight", "instructions",
)  # fmt: skip
# Optional labels: "rubric" (caption before the rubric name), "code" (code column, default "#"),
# "step" (adds the score step under each criterion), "decimal_mark" (default ",").

Number = Decimal | float | int


@dataclass(frozen=True)
class SheetCriterion:
    name: str
    max_points: Number
    weight: Number
    step: Number


@dataclass(frozen=True)
class SheetEntry:
    code: str
    title: str
    team_name: str | None  # None when the round is blind


@dataclass(frozen=True)
class ScoreSheetData:
    competition_name: str
    round_name: str
    judge_name: str
    rubric_name: str
    criteria: tuple[SheetCriterion, ...]
    entries: tuple[SheetEntry, ...]
    labels: Mapping[str, str]  # already translated captions, keys in REQUIRED_LABELS

    def __post_init__(self) -> None:
        missing = [key for key in REQUIRED_LABELS if key not in self.labels]
        if missing:
            raise ValueError(f"labels missing: {', '.join(missing)}")
        if not self.criteria:
            raise ValueError("a score sheet needs at least one criterion")


# --------------------------------------------------------------------------- layout data


@dataclass(frozen=True)
class Column:
    role: str  # "code", "entry", "criterion", "total" or "comment"
    x: float
    width: float


@dataclass(frozen=True)
class SheetRow:
    code: str
    box: Box


@dataclass(frozen=True)
class SheetPage:
    number: int
    rows: tuple[SheetRow, ...]
    blocks: tuple[TextBlock, ...]  # row texts and the page number
    rules: tuple[Rule, ...]  # signature and date lines


@dataclass(frozen=True)
class SheetLayout:
    page_width: float
    page_height: float
    content: Box  # inside the margins: nothing is drawn past it
    columns: tuple[Column, ...]
    header_blocks: tuple[TextBlock, ...]  # page header and table header, on every page
    header_row: Box  # the table's header row
    pages: tuple[SheetPage, ...]

    def blocks(self) -> list[TextBlock]:
        return [*self.header_blocks, *(b for page in self.pages for b in page.blocks)]


# --------------------------------------------------------------------------- geometry

MM = 72 / 25.4
PAGE_SIZE = landscape(A4)
MARGIN = 10 * MM
ROW_MIN_HEIGHT = 10 * MM  # room for handwritten digits (at least 9 mm)
FOOTER_HEIGHT = 17 * MM  # signature space above the line, then the line and the page number
PAD_X, PAD_Y, GAP = 3.0, 2.5, 1.0
MIN_FONT_SIZE = 6.0  # nothing is printed smaller
TEXT_COLOR = "#111111"
HEADER_FILL, ZEBRA_FILL = "#E6E6E6", "#F4F4F4"

_TITLE = TextStyle(FONT_BOLD, 15.0, 10.0, 1)
_COMPETITION = TextStyle(FONT_BOLD, 11.5, 8.0, 2)
_JUDGE = TextStyle(FONT_BOLD, 11.5, 8.0, 2)
_META = TextStyle(FONT_REGULAR, 9.5, 7.0, 2)
_INSTRUCTIONS = TextStyle(FONT_ITALIC, 8.5, 6.5, 2, shrink_first=False)
_HEAD = TextStyle(FONT_BOLD, 8.5, MIN_FONT_SIZE, 7, shrink_first=False)
_HEAD_DETAIL = TextStyle(FONT_REGULAR, 7.5, MIN_FONT_SIZE, 1)
_CODE = TextStyle(FONT_BOLD, 9.5, MIN_FONT_SIZE, 2)
_ENTRY_TITLE = TextStyle(FONT_REGULAR, 9.0, 6.5, 3, shrink_first=False)
_TEAM = TextStyle(FONT_ITALIC, 8.0, MIN_FONT_SIZE, 2)
_FOOTER = TextStyle(FONT_REGULAR, 9.0, 6.5, 1)

# (preferred, minimum) widths; spare width goes to the entry and comment columns.
_WIDTHS = {"entry": (70 * MM, 40 * MM), "criterion": (24 * MM, 13 * MM), "total": (18 * MM, 14 * MM),
           "comment": (60 * MM, 30 * MM)}  # fmt: skip

Item = tuple[str, str, TextStyle]  # (role, text, style)
Fitted = tuple[str, FittedText, TextStyle]


def _caption(label: str) -> str:
    return nfc_line(label).rstrip(":").rstrip()


def _number(value: Number, mark: str) -> str:
    text = format((value if isinstance(value, Decimal) else Decimal(str(value))).normalize(), "f")
    return text.replace(".", mark)


def _fit(items: list[Item], width: float) -> list[Fitted]:
    """Fit each item into ``width`` (text made NFC, one line of whitespace); empty ones dropped."""
    fitted = [(role, fit_text(nfc_line(text), style, width), style) for role, text, style in items]
    return [item for item in fitted if item[1].lines]


def _height(fitted: list[Fitted]) -> float:
    return sum(f.height for _, f, _ in fitted) + GAP * max(0, len(fitted) - 1)


def _place(fitted: list[Fitted], box: Box, align: str = "left", middle: bool = True) -> list[TextBlock]:
    """Stack fitted texts inside ``box`` (padded), vertically centred or from the top."""
    width = box.width - 2 * PAD_X
    top = box.top - ((box.height - _height(fitted)) / 2 if middle else PAD_Y)
    blocks = []
    for role, fitted_text, style in fitted:
        column = Box(box.x + PAD_X, top - fitted_text.height, width, fitted_text.height)
        blocks.append(place_text(role, fitted_text, style, TEXT_COLOR, column, align))
        top = column.y - GAP
    return blocks


def _unpadded(x: float, width: float, top: float) -> Box:
    """A box whose padded inside (for ``_place(..., middle=False)``) starts at ``x`` and ``top``."""
    return Box(x - PAD_X, 0, width + 2 * PAD_X, top + PAD_Y)


def _columns(data: ScoreSheetData, content: Box) -> tuple[Column, ...]:
    """Preferred widths when they fit; else shrink every column evenly towards its minimum."""
    widest = max((text_width(nfc_line(e.code), _CODE.font, _CODE.size) for e in data.entries), default=0)
    code = min(max(widest + 2 * PAD_X + 1.0, 12 * MM), 28 * MM)  # +1: no float-edge wrapping
    roles = ["code", "entry", *["criterion"] * len(data.criteria), "total", "comment"]
    prefs = [code if r == "code" else _WIDTHS[r][0] for r in roles]
    mins = [code if r == "code" else _WIDTHS[r][1] for r in roles]
    usable = content.width
    if sum(prefs) <= usable:
        spare = (usable - sum(prefs)) / 2
        widths = [p + spare if r in ("entry", "comment") else p for r, p in zip(roles, prefs, strict=True)]
    elif sum(mins) <= usable:
        t = (sum(prefs) - usable) / (sum(prefs) - sum(mins))
        widths = [p - t * (p - m) for p, m in zip(prefs, mins, strict=True)]
    else:  # more criteria than a page holds comfortably: everything narrows alike
        widths = [m * usable / sum(mins) for m in mins]
    widths = [w * min(1.0, usable / sum(widths)) for w in widths]  # float noise never overflows
    columns, x = [], content.x
    for role, width in zip(roles, widths, strict=True):
        columns.append(Column(role, x, width))
        x += width
    return tuple(columns)


def _page_header(data: ScoreSheetData, content: Box) -> tuple[list[TextBlock], float]:
    """Title and competition (left), judge, round and rubric (right), instructions below."""
    labels = data.labels
    left_w = content.width * 0.58
    left = _fit(
        [("title", labels["title"], _TITLE), ("competition", data.competition_name, _COMPETITION)], left_w - 4 * PAD_X
    )
    rubric = nfc_line(data.rubric_name)
    if labels.get("rubric") and rubric:
        rubric = f"{_caption(labels['rubric'])}: {rubric}"
    right = _fit(
        [
            ("judge", f"{_caption(labels['judge'])}: {data.judge_name}", _JUDGE),
            ("round", f"{_caption(labels['round'])}: {data.round_name}", _META),
            ("rubric", rubric, _META),
        ],
        content.width - left_w,
    )
    blocks = _place(left, _unpadded(content.x, left_w - 4 * PAD_X, content.top), middle=False)
    right_box = _unpadded(content.x + left_w, content.width - left_w, content.top)
    blocks += _place(right, right_box, "right", middle=False)
    below = min(b.box.y for b in blocks) - 2 * GAP
    instructions = _fit([("instructions", labels["instructions"], _INSTRUCTIONS)], content.width)
    blocks += _place(instructions, _unpadded(content.x, content.width, below), middle=False)
    return blocks, min(b.box.y for b in blocks) - 3 * GAP


def _table_header(data: ScoreSheetData, columns: tuple[Column, ...], top: float) -> tuple[list[TextBlock], Box]:
    labels = data.labels
    mark = labels.get("decimal_mark", ",")
    cells: list[list[Fitted]] = []
    criteria = iter(data.criteria)
    crit_width = min(c.width for c in columns if c.role == "criterion") - 2 * PAD_X
    # One size for all criterion names, so the header reads evenly, in as few lines as
    # the names allow (a tall header costs rows on every page).
    for lines in range(3, _HEAD.max_lines + 1):
        name_style = replace(_HEAD, max_lines=lines)
        fits = [fit_text(nfc_line(c.name), name_style, crit_width) for c in data.criteria]
        if not any(f.truncated for f in fits):
            break
    name_style = replace(name_style, size=min(f.size for f in fits))
    for column in columns:
        width = column.width - 2 * PAD_X
        if column.role == "criterion":
            criterion = next(criteria)
            details = [("max", "", criterion.max_points), ("weight", "×", criterion.weight)]
            details += [("step", "", criterion.step)] if labels.get("step") else []
            items: list[Item] = [("criterion", criterion.name, name_style)] + [
                (key, f"{_caption(labels[key])} {sign}{_number(value, mark)}", _HEAD_DETAIL)
                for key, sign, value in details
            ]
        else:
            caption = labels.get("code", "#") if column.role == "code" else labels[column.role]
            items = [(f"head_{column.role}", caption, _HEAD)]
        cells.append(_fit(items, width))
    height = max(ROW_MIN_HEIGHT, max(_height(c) for c in cells) + 2 * PAD_Y)
    blocks = []
    for column, fitted in zip(columns, cells, strict=True):
        blocks += _place(fitted, Box(column.x, top - height, column.width, height), "center")
    return blocks, Box(columns[0].x, top - height, sum(c.width for c in columns), height)


def _entry_cells(entry: SheetEntry, columns: tuple[Column, ...]) -> tuple[list[Fitted], list[Fitted], float]:
    code = _fit([("code", entry.code, _CODE)], columns[0].width - 2 * PAD_X)
    items: list[Item] = [("entry_title", entry.title, _ENTRY_TITLE)]
    if entry.team_name is not None:
        items.append(("team", entry.team_name, _TEAM))
    text = _fit(items, columns[1].width - 2 * PAD_X)
    return code, text, max(ROW_MIN_HEIGHT, max(_height(code), _height(text)) + 2 * PAD_Y)


def _footer(data: ScoreSheetData, content: Box, number: int, total: int) -> tuple[list[TextBlock], list[Rule]]:
    """Signature and date captions with a line to write on, and "page X / Y" at the right."""
    above, below = ink_extent(_FOOTER.font)
    height = (above + below) * _FOOTER.size + 2 * PAD_Y
    page = f"{_caption(data.labels['page'])} {number} / {total}"
    blocks, rules = [], []
    for role, text, left, share in (
        ("signature", data.labels["signature"], 0.0, 0.45),
        ("date", data.labels["date"], 0.5, 0.3),
        ("page", page, 0.85, 0.15),
    ):
        x, width = content.x + left * content.width, share * content.width
        cell = width if role == "page" else width / 2  # captions take at most half their line
        placed = _place(
            _fit([(role, _caption(text), _FOOTER)], cell),
            Box(x - PAD_X, content.y, cell + 2 * PAD_X, height),
            "right" if role == "page" else "left",
        )
        blocks += placed
        if role != "page":
            start, baseline = x, content.y + PAD_Y + below * _FOOTER.size
            if placed:
                start, baseline = placed[0].box.right + 4.0, placed[0].lines[0].baseline
            rules.append(Rule(start, x + width, baseline - 1.5, 0.6))
    return blocks, rules


def layout_score_sheet(data: ScoreSheetData) -> SheetLayout:
    """Measure and position everything (no drawing); rows flow onto as many pages as needed."""
    ensure_fonts()
    content = Box(0, 0, *PAGE_SIZE).inset(MARGIN)
    columns = _columns(data, content)
    header, below = _page_header(data, content)
    table_blocks, header_row = _table_header(data, columns, below)
    bottom = content.y + FOOTER_HEIGHT  # header and footer are bounded: many rows always fit between
    measured = [(e, *_entry_cells(e, columns)) for e in data.entries]
    pages_rows: list[list[tuple]] = [[]]
    top = header_row.y  # rows flow down from the header row; a row that does not fit starts a page
    for row in measured:
        if top - row[3] < bottom and pages_rows[-1]:
            pages_rows.append([])
            top = header_row.y
        pages_rows[-1].append((row, Box(content.x, top - row[3], header_row.width, row[3])))
        top -= row[3]
    pages = []
    for number, rows in enumerate(pages_rows, start=1):
        blocks, rules = _footer(data, content, number, len(pages_rows))
        sheet_rows = []
        for (entry, code, text, _), box in rows:
            blocks += _place(code, Box(columns[0].x, box.y, columns[0].width, box.height), "center")
            blocks += _place(text, Box(columns[1].x, box.y, columns[1].width, box.height))
            sheet_rows.append(SheetRow(entry.code, box))
        pages.append(SheetPage(number, tuple(sheet_rows), tuple(blocks), tuple(rules)))
    page_width, page_height = PAGE_SIZE
    return SheetLayout(
        page_width, page_height, content, columns, tuple(header + table_blocks), header_row, tuple(pages)
    )


# --------------------------------------------------------------------------- rendering


def _draw_table(canvas: Canvas, layout: SheetLayout, page: SheetPage) -> None:
    header = layout.header_row
    canvas.setFillColor(color(HEADER_FILL))
    canvas.rect(header.x, header.y, header.width, header.height, stroke=0, fill=1)
    canvas.setFillColor(color(ZEBRA_FILL))
    for index, row in enumerate(page.rows):
        if index % 2:  # light bands guide the eye across ten columns, and ink shows on them
            canvas.rect(row.box.x, row.box.y, row.box.width, row.box.height, stroke=0, fill=1)
    bottom = page.rows[-1].box.y if page.rows else header.y
    canvas.setStrokeColor(color(TEXT_COLOR))
    canvas.setLineWidth(0.5)
    for row in page.rows:
        canvas.line(header.x, row.box.y, header.right, row.box.y)
    for column in layout.columns[1:]:
        canvas.line(column.x, header.top, column.x, bottom)
    canvas.setLineWidth(1.0)
    canvas.rect(header.x, bottom, header.width, header.top - bottom)
    canvas.line(header.x, header.y, header.right, header.y)


def render_score_sheet(data: ScoreSheetData) -> bytes:
    """The judge's paper score sheet as a PDF (landscape A4, one or more pages)."""
    layout = layout_score_sheet(data)  # before the canvas: errors leave nothing half-made
    buffer = io.BytesIO()
    title = nfc_line(f"{_caption(data.labels['title'])} - {data.judge_name}")
    canvas = new_canvas(buffer, PAGE_SIZE, title=title, subject=nfc_line(data.competition_name))
    for page in layout.pages:
        _draw_table(canvas, layout, page)
        for block in (*layout.header_blocks, *page.blocks):
            draw_block(canvas, block)
        canvas.setLineWidth(0.6)
        for rule in page.rules:
            canvas.line(rule.x1, rule.y, rule.x2, rule.y)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
