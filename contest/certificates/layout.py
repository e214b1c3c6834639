"""Certificate (giấy chứng nhận) layout and rendering: plain data in, PDF bytes out.

The page follows the look of Vietnamese administrative documents: issuing body
top-left, national motto top-right, a large title, the wording in the middle,
date and signer bottom-right, and a QR code linking to the public verification
page bottom-left.  All measuring is done up front (``layout_certificate``) so
tests can prove that no text block ever leaves the border, whatever the input.

Speed: the template-only part (header, title, signer, border, images) is laid
out once per template and, in merged output, drawn once into a PDF Form XObject
that every page reuses.  Text is drawn with plain text objects (no Platypus);
the QR code is one filled path built from segno's module matrix.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Literal

from reportlab.lib.pagesizes import A4, landscape, portrait
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from contest.pdf import (
    Box,
    Placement,
    Rule,
    TextBlock,
    TextLine,
    color,
    draw_block,
    draw_frame,
    draw_image,
    draw_ink,
    draw_qr,
    frame_inside,
    new_canvas,
    place_text,
    prepare_image,
    stack_text,
    vietnamese_date,
)
from contest.pdf.fonts import (
    FONT_BOLD,
    FONT_ITALIC,
    FONT_REGULAR,
    TextStyle,
    ensure_fonts,
    fit_stack,
    fit_text,
    nfc,
    nfc_line,
)

__all__ = [  # Box & co. are re-exported so callers and tests need one import
    "Box",
    "CertificateData",
    "CertificateLayout",
    "CertificateLayoutError",
    "CertificateTemplate",
    "Placement",
    "Rule",
    "TextBlock",
    "TextLine",
    "layout_certificate",
    "render_certificate",
    "render_certificate_files",
    "render_certificates",
    "vietnamese_date",
]

BorderStyle = Literal["double", "simple", "none"]
Orientation = Literal["landscape", "portrait"]

DEFAULT_WORDING = "Chứng nhận\n{person}\nĐội thi: {team}\nDự án\n{project}\nĐã đạt\n{award}\n{competition}"


class CertificateLayoutError(ValueError):
    """The template leaves no room for its content (e.g. far too many wording lines)."""


# --------------------------------------------------------------------------- input data


@dataclass(frozen=True)
class CertificateTemplate:
    """Everything that is the same on every certificate of one batch.

    ``wording`` is split into paragraphs at newlines; ``{person}``, ``{team}``,
    ``{project}``, ``{award}``, ``{competition}``, ``{serial}``, ``{date}`` and any
    key of ``CertificateData.extra`` are replaced.  A paragraph that is exactly one
    placeholder gets that field's emphasis (``{person}`` large and bold, ...); a
    paragraph whose placeholders are all empty (no team, say) is left out.
    ``place_and_date`` prints verbatim when set, else it is built from ``place``
    and ``CertificateData.issued_on``.  Colours are "#RRGGBB".
    """

    kind_title: str = "GIẤY CHỨNG NHẬN"
    issuer_lines: tuple[str, ...] = ("ỦY BAN NHÂN DÂN", "TỈNH QUẢNG NGÃI")
    motto_lines: tuple[str, ...] = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
    wording: str = DEFAULT_WORDING
    place: str = "Quảng Ngãi"
    place_and_date: str | None = None
    signer_title_lines: tuple[str, ...] = ("KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH")
    signer_name: str = ""
    logo_image: bytes | None = None
    signature_image: bytes | None = None
    seal_image: bytes | None = None
    background_image: bytes | None = None
    border_style: BorderStyle = "double"
    border_color: str = "#9B1C1C"
    accent_color: str = "#B22222"
    text_color: str = "#1A1A1A"
    orientation: Orientation = "landscape"
    serial_label: str = "Số: "

    def __post_init__(self) -> None:
        if self.border_style not in ("double", "simple", "none"):
            raise ValueError(f"unknown border_style {self.border_style!r}")
        if self.orientation not in ("landscape", "portrait"):
            raise ValueError(f"unknown orientation {self.orientation!r}")
        for name in ("border_color", "accent_color", "text_color"):
            if not re.fullmatch(r"#[0-9A-Fa-f]{6}", getattr(self, name)):
                raise ValueError(f"{name} must look like #RRGGBB")

    @property
    def page_size(self) -> tuple[float, float]:
        return landscape(A4) if self.orientation == "landscape" else portrait(A4)


@dataclass(frozen=True)
class CertificateData:
    """What differs from one certificate to the next."""

    person_name: str
    award_name: str
    competition_name: str
    serial: str
    verify_url: str
    team_name: str = ""
    project_title: str = ""
    issued_on: date | None = None
    extra: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The QR code is the certificate's proof; a certificate without it is a forgery aid.
        if not self.verify_url.strip() or len(self.verify_url) > 1000:
            raise ValueError("verify_url must be a non-empty link of at most 1000 characters")


# --------------------------------------------------------------------------- layout data


@dataclass(frozen=True)
class CertificateLayout:
    page_width: float
    page_height: float
    border: Box  # rectangle of the outer border line (the margin when there is no border)
    inner: Box  # inside edge of the border: nothing may be drawn past it
    static_blocks: tuple[TextBlock, ...]  # same on every certificate of the template
    dynamic_blocks: tuple[TextBlock, ...]  # depend on CertificateData
    images: tuple[Placement, ...]  # logo, signature, seal (background excluded)
    rules: tuple[Rule, ...]
    qr: Placement

    @property
    def blocks(self) -> tuple[TextBlock, ...]:
        return self.static_blocks + self.dynamic_blocks

    def content_boxes(self) -> Iterator[tuple[str, Box]]:
        """Every box that must lie inside ``inner``."""
        for block in self.blocks:
            yield block.role, block.box
        for placement in (*self.images, self.qr):
            yield placement.role, placement.box
        for rule in self.rules:
            yield "rule", Box(rule.x1, rule.y - rule.width / 2, rule.x2 - rule.x1, rule.width)

    def block(self, role: str) -> TextBlock:
        return next(b for b in self.blocks if b.role == role)


# --------------------------------------------------------------------------- geometry

BORDER_MARGIN = 20.0  # page edge to the outer border line
CONTENT_PADDING = 18.0  # inner border edge to text
QR_SIZE = 74.0  # ~26 mm: scans easily from a printed page
SIGN_SPACE = 62.0  # room for a hand or scanned signature
LOGO_HEIGHT = 46.0
GAP = 4.0
PARAGRAPH_GAP = 3.0
MAX_EXTRA_GAP = 10.0  # spare height spreads into gaps up to this, then centres the wording
SERIAL_LINES = 2

_ISSUER = TextStyle(FONT_REGULAR, 12.5, 7.0, 2)
_ISSUER_LAST = TextStyle(FONT_BOLD, 12.5, 7.0, 2)
_MOTTO_FIRST = TextStyle(FONT_BOLD, 12.5, 7.0, 2)
_MOTTO = TextStyle(FONT_BOLD, 13.0, 7.0, 2)
_TITLE = TextStyle(FONT_BOLD, 32.0, 18.0, 2)
_DATE = TextStyle(FONT_ITALIC, 13.0, 8.0, 1)
_SIGNER_TITLE = TextStyle(FONT_BOLD, 13.0, 8.0, 2)
_SIGNER_NAME = TextStyle(FONT_BOLD, 14.0, 8.0, 2)
_SERIAL = TextStyle(FONT_REGULAR, 8.0, 6.0, SERIAL_LINES)
_BODY = TextStyle(FONT_REGULAR, 14.5, 10.0, 3, shrink_first=False)
_BODY_STRONG = TextStyle(FONT_BOLD, 14.5, 10.0, 3, shrink_first=False)
_SOLE_FIELD_STYLES = {
    "person": TextStyle(FONT_BOLD, 28.0, 15.0, 3),
    "project": TextStyle(FONT_ITALIC, 17.0, 11.0, 4),
    "award": TextStyle(FONT_BOLD, 23.0, 13.0, 2),
}


@dataclass(frozen=True)
class _StaticLayout:
    """The template-only part of the layout, computed once per template."""

    page: tuple[float, float]
    border: Box
    inner: Box
    blocks: tuple[TextBlock, ...]
    images: tuple[Placement, ...]
    rules: tuple[Rule, ...]
    qr: Placement
    serial_zone: Box
    date_zone: Box
    wording_zone: Box


_ACCENT_ROLES = frozenset({"title", "person", "award"})


def _color(template: CertificateTemplate, role: str) -> str:
    return template.accent_color if role in _ACCENT_ROLES else template.text_color


def _stack(
    template: CertificateTemplate, items: list[tuple[str, str, TextStyle]], column: Box, align: str = "center"
) -> list[TextBlock]:
    """Fit (role, text, style) items into the column's width, stacked down from its top."""
    return stack_text([(r, t, s, _color(template, r)) for r, t, s in items], column, align)


def _header(template: CertificateTemplate, content: Box) -> tuple[list[TextBlock], list[Rule]]:
    """Issuer (left column) and national motto (right column) with their underlines."""
    left_w = content.width * 0.4
    issuer = [
        ("issuer", line, _ISSUER_LAST if i == len(template.issuer_lines) - 1 else _ISSUER)
        for i, line in enumerate(template.issuer_lines)
    ]
    motto = [("motto", line, _MOTTO_FIRST if i == 0 else _MOTTO) for i, line in enumerate(template.motto_lines)]
    left = _stack(template, issuer, Box(content.x, 0, left_w, content.top))
    right = _stack(template, motto, Box(content.x + left_w, 0, content.width - left_w, content.top))
    rules = []
    if left:  # a short centred rule under the issuing body, as on official documents
        centre, half = content.x + left_w / 2, left_w * 0.15
        rules.append(Rule(centre - half, centre + half, left[-1].box.y - 2.5, 0.8))
    if right:  # the motto is underlined over its own width
        last = right[-1].lines[-1]
        rules.append(Rule(last.x, last.x + last.width, right[-1].box.y - 2.5, 0.8))
    return left + right, rules


def _signer_column(template: CertificateTemplate, content: Box) -> tuple[list[TextBlock], list[Placement], Box]:
    """Date, signer titles, signature space and name, bottom-right; returns the date zone."""
    # Wide enough for a full date line at its normal size, also on portrait pages.
    width = min(content.width * 0.55, max(content.width * 0.42, 260.0))
    x = content.right - width
    titles = [("signer_title", line, _SIGNER_TITLE) for line in template.signer_title_lines]
    name = [("signer_name", template.signer_name, _SIGNER_NAME)]
    # Measure first (at a dummy top), then place: the column grows upward from the bottom.
    probe = _stack(template, titles + name, Box(x, -1000.0, width, 1000.0))
    date_h = fit_text("Ąy", _DATE, width).height
    needed = date_h + 1.0 + sum(b.box.height + 1.0 for b in probe) + SIGN_SPACE + 2 * GAP
    top = content.y + needed
    date_zone = Box(x, top - date_h, width, date_h)
    blocks = _stack(template, titles, Box(x, 0, width, date_zone.y - 1.0))
    sign_top = (blocks[-1].box.y if blocks else date_zone.y) - GAP
    sign_box = Box(x + width * 0.2, sign_top - SIGN_SPACE, width * 0.6, SIGN_SPACE)
    blocks += _stack(template, name, Box(x, 0, width, sign_box.y - GAP))
    images = []
    if template.signature_image:
        images.append(Placement("signature", sign_box))
    if template.seal_image:  # the seal overlaps the left third of the signature, as stamped
        side = min(SIGN_SPACE + 12.0, sign_top - content.y)
        cx, cy = sign_box.x + sign_box.width * 0.2, sign_box.y + sign_box.height / 2
        seal = Box(cx - side / 2, max(content.y, cy - side / 2), side, side)
        images.append(Placement("seal", seal))
    return blocks, images, date_zone


def _logo_box(header: list[TextBlock], rules: list[Rule], content: Box, below: float) -> Box:
    """Between issuer and motto when they leave room (landscape), else centred under them.

    Vertical space is what the wording is short of, so the header gap is preferred.
    """
    width = 2 * LOGO_HEIGHT  # wide logos fit too; the image keeps its aspect ratio
    left = max([b.box.right for b in header if b.role == "issuer"] + [r.x2 for r in rules[:1]], default=content.x)
    right = min((b.box.x for b in header if b.role == "motto"), default=content.right)
    if right - left >= width + 4 * GAP:
        return Box((left + right - width) / 2, content.top - LOGO_HEIGHT, width, LOGO_HEIGHT)
    return Box(content.x + (content.width - width) / 2, below - LOGO_HEIGHT, width, LOGO_HEIGHT)


def _static_layout(template: CertificateTemplate) -> _StaticLayout:
    page = template.page_size
    border = Box(0, 0, *page).inset(BORDER_MARGIN)
    inner = frame_inside(template.border_style, border)
    content = inner.inset(CONTENT_PADDING)
    blocks, rules = _header(template, content)
    below = min((b.box.y for b in blocks), default=content.top) - 3 * GAP
    images: list[Placement] = []
    if template.logo_image:
        logo = _logo_box(blocks, rules, content, below)
        images.append(Placement("logo", logo))
        below = min(below, logo.y - 2 * GAP)
    title = _stack(template, [("title", template.kind_title, _TITLE)], Box(content.x, 0, content.width, below))
    blocks += title
    below = title[-1].box.y - 2 * GAP if title else below
    signer_blocks, signer_images, date_zone = _signer_column(template, content)
    blocks += signer_blocks
    images += signer_images
    serial_h = _SERIAL.size * 1.25 * SERIAL_LINES + 2.0
    serial_zone = Box(content.x, content.y, content.width * 0.3, serial_h)
    qr = Placement("qr", Box(content.x, serial_zone.top + 2.0, QR_SIZE, QR_SIZE))
    bottom = max(date_zone.top, qr.box.top) + 2 * GAP
    if below - bottom < 60.0:
        raise CertificateLayoutError("the header, title and signer leave no room for the wording")
    zone = Box(content.x, bottom, content.width, below - bottom)
    return _StaticLayout(
        page, border, inner, tuple(blocks), tuple(images), tuple(rules), qr, serial_zone, date_zone, zone
    )


_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


def _fields(template: CertificateTemplate, data: CertificateData) -> dict[str, str]:
    values = {key: nfc_line(value) for key, value in data.extra.items()}
    values.update(  # built-in names win over extras so a stray key cannot hide the person
        person=nfc_line(data.person_name),
        team=nfc_line(data.team_name),
        project=nfc_line(data.project_title),
        award=nfc_line(data.award_name),
        competition=nfc_line(data.competition_name),
        serial=nfc_line(data.serial),
        date=vietnamese_date("", data.issued_on).lower() if data.issued_on else "",
    )
    return values


def _paragraphs(template: CertificateTemplate, data: CertificateData) -> list[tuple[str, str, TextStyle]]:
    """(role, text, style) per wording paragraph, placeholders substituted once.

    Substitution is a single regex pass, so a value that itself contains
    "{team}" (or "<b>") is printed literally, never re-interpreted.
    """
    values = _fields(template, data)
    items = []
    for raw in nfc(template.wording).split("\n"):
        raw = raw.strip()
        keys = _PLACEHOLDER.findall(raw)
        known = [k for k in keys if k in values]
        if not raw or (known and not any(values[k] for k in known)):
            continue
        text = _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), raw)
        sole = _PLACEHOLDER.fullmatch(raw)
        if sole and sole.group(1) in values:
            key = sole.group(1)
            items.append((key, text, _SOLE_FIELD_STYLES.get(key, _BODY_STRONG)))
        else:
            items.append(("wording", text, _BODY))
    return items


def _wording_blocks(template: CertificateTemplate, data: CertificateData, zone: Box) -> list[TextBlock]:
    items = _paragraphs(template, data)
    fits = fit_stack([(text, style) for _, text, style in items], zone.width, zone.height, PARAGRAPH_GAP)
    if fits is None:
        raise CertificateLayoutError("the wording has too many paragraphs for the page")
    heights = sum(f.height for f in fits)
    count = len(fits)
    # Spread spare height into the gaps (up to a limit), then centre the stack.
    spare = zone.height - heights - PARAGRAPH_GAP * max(0, count - 1)
    gap = PARAGRAPH_GAP + min(spare / (count + 1), MAX_EXTRA_GAP) if count > 1 else 0.0
    top = zone.top - (zone.height - heights - gap * max(0, count - 1)) / 2
    blocks = []
    for (role, _, style), fitted in zip(items, fits, strict=True):
        if fitted.lines:
            column = Box(zone.x, top - fitted.height, zone.width, fitted.height)
            blocks.append(place_text(role, fitted, style, _color(template, role), column))
            top = column.y - gap
    return blocks


def _date_text(template: CertificateTemplate, data: CertificateData) -> str:
    if template.place_and_date is not None:
        return template.place_and_date
    return vietnamese_date(nfc_line(template.place), data.issued_on) if data.issued_on else ""


def layout_certificate(template: CertificateTemplate, data: CertificateData) -> CertificateLayout:
    """Measure and position everything on the certificate page (no drawing)."""
    static = _static_layout_cached(template)
    dynamic = _wording_blocks(template, data, static.wording_zone)
    date_zone = static.date_zone
    dynamic += _stack(template, [("date", _date_text(template, data), _DATE)], date_zone)
    serial = nfc_line(template.serial_label + data.serial)
    zone = static.serial_zone
    dynamic += _stack(template, [("serial", serial, _SERIAL)], zone, "left")
    layout = CertificateLayout(
        *static.page, static.border, static.inner, static.blocks, tuple(dynamic), static.images, static.rules, static.qr
    )
    outside = [role for role, box in layout.content_boxes() if not layout.inner.contains(box)]
    if outside:  # a bug, not bad input: fail loudly rather than print past the border
        raise CertificateLayoutError(f"blocks outside the border: {outside}")
    return layout


@lru_cache(maxsize=16)
def _static_layout_cached(template: CertificateTemplate) -> _StaticLayout:
    ensure_fonts()
    return _static_layout(template)


# --------------------------------------------------------------------------- rendering

_STATIC_FORM = "certificateStatic"
_INK_FORM = "certificateInk"
IMAGE_DPI = 200
BACKGROUND_DPI = 120  # a full-page background needs less detail and is large


@lru_cache(maxsize=16)
def _images(template: CertificateTemplate) -> tuple[ImageReader | None, tuple[tuple[str, Box, ImageReader], ...]]:
    """(background, (role, box, image) ...) decoded and downscaled once per template."""
    static = _static_layout_cached(template)
    sources = {"logo": template.logo_image, "signature": template.signature_image, "seal": template.seal_image}
    # Signature before the seal: a stamp is pressed over the signature.
    placements = sorted(static.images, key=lambda placement: placement.role == "seal")
    placed = tuple(
        (
            p.role,
            p.box,
            prepare_image(sources[p.role] or b"", p.box.width, p.box.height, IMAGE_DPI, ink=p.role != "logo"),
        )
        for p in placements
    )
    background = template.background_image
    return (prepare_image(background, *static.page, BACKGROUND_DPI) if background else None), placed


def _draw_static(canvas: Canvas, template: CertificateTemplate) -> None:
    """Everything that only depends on the template, except the ink images."""
    static = _static_layout_cached(template)
    background, placed = _images(template)
    if background is not None:
        draw_image(canvas, background, Box(0, 0, *static.page))
    draw_frame(canvas, template.border_style, template.border_color, static.border)
    canvas.setStrokeColor(color(template.text_color))
    for rule in static.rules:
        canvas.setLineWidth(rule.width)
        canvas.line(rule.x1, rule.y, rule.x2, rule.y)
    for role, box, reader in placed:
        if role == "logo":
            draw_image(canvas, reader, box)
    for block in static.blocks:
        draw_block(canvas, block)


def _ink(template: CertificateTemplate) -> list[tuple[Box, ImageReader]]:
    """Seal and signature: drawn as ink (multiply blending) over everything static."""
    return [(box, reader) for role, box, reader in _images(template)[1] if role != "logo"]


def _draw_dynamic(canvas: Canvas, layout: CertificateLayout, data: CertificateData) -> None:
    for block in layout.dynamic_blocks:
        draw_block(canvas, block)
    draw_qr(canvas, data.verify_url.strip(), layout.qr.box)


def _new_canvas(template: CertificateTemplate, buffer: io.BytesIO, name: str = "") -> Canvas:
    title = nfc_line(f"{template.kind_title} - {name}" if name else template.kind_title)
    return new_canvas(buffer, template.page_size, title=title, author=nfc_line(" ".join(template.issuer_lines)))


def render_certificate(template: CertificateTemplate, data: CertificateData) -> bytes:
    """One certificate as a one-page PDF."""
    layout = layout_certificate(template, data)  # before the canvas: errors leave nothing half-made
    buffer = io.BytesIO()
    canvas = _new_canvas(template, buffer, data.person_name)
    _draw_static(canvas, template)
    for box, reader in _ink(template):
        draw_ink(canvas, reader, box)
    _draw_dynamic(canvas, layout, data)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def render_certificate_files(template: CertificateTemplate, items: Iterable[CertificateData]) -> Iterator[bytes]:
    """One PDF per certificate, in the order given (lazily: stream them into a ZIP)."""
    for data in items:
        yield render_certificate(template, data)


def render_certificates(template: CertificateTemplate, items: Iterable[CertificateData]) -> bytes:
    """All certificates in one PDF, one page each, for printing in one go.

    The template-only drawing is a Form XObject written once and placed on
    every page, which keeps both the time and the file size per page small.
    """
    layouts = [(layout_certificate(template, data), data) for data in items]
    if not layouts:
        raise ValueError("no certificates to render")
    buffer = io.BytesIO()
    canvas = _new_canvas(template, buffer)
    canvas.beginForm(_STATIC_FORM)
    _draw_static(canvas, template)
    canvas.endForm()
    ink = _ink(template)
    if ink:  # ReportLab forms carry no ExtGState, so the page sets the blend mode around doForm
        canvas.beginForm(_INK_FORM)
        for box, reader in ink:
            draw_ink(canvas, reader, box, blend=False)
        canvas.endForm()
    for layout, data in layouts:
        canvas.doForm(_STATIC_FORM)
        if ink:
            canvas.saveState()
            canvas.setBlendMode("Multiply")
            canvas.doForm(_INK_FORM)
            canvas.restoreState()
        _draw_dynamic(canvas, layout, data)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()
