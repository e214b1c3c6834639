"""Shared PDF building blocks for certificates and reports.

Pure code: plain data in, PDF bytes out; nothing here knows about Flask or the
database.  ``fonts`` registers the Vietnamese fonts and fits text into widths;
this module holds the drawing primitives built on it: boxes and positioned text
blocks, a canvas factory that never references Helvetica, a fast QR code path
and image preparation.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import BinaryIO

import segno
from PIL import Image
from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from contest.pdf.fonts import (
    FONT_REGULAR,
    FittedText,
    TextStyle,
    ensure_fonts,
    fit_text,
    ink_extent,
    nfc_line,
)


@dataclass(frozen=True)
class Box:
    """Axis-aligned rectangle in PDF points, origin bottom-left."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def top(self) -> float:
        return self.y + self.height

    def contains(self, other: Box, tolerance: float = 1e-6) -> bool:
        return (
            other.x >= self.x - tolerance
            and other.y >= self.y - tolerance
            and other.right <= self.right + tolerance
            and other.top <= self.top + tolerance
        )

    def inset(self, by: float) -> Box:
        return Box(self.x + by, self.y + by, self.width - 2 * by, self.height - 2 * by)


@dataclass(frozen=True)
class TextLine:
    text: str
    x: float  # left end of the line
    baseline: float
    width: float


@dataclass(frozen=True)
class TextBlock:
    """One laid-out paragraph; ``box`` bounds the ink of all its lines."""

    role: str
    font: str
    size: float
    min_size: float
    max_lines: int
    color: str  # "#RRGGBB"
    lines: tuple[TextLine, ...]
    box: Box
    truncated: bool = False


def place_text(
    role: str, fitted: FittedText, style: TextStyle, color: str, column: Box, align: str = "center"
) -> TextBlock:
    """Position fitted lines in ``column`` (x and width) with their ink starting at column.top.

    Boxes use the font's bounding box, not its nominal ascent, so stacked
    Vietnamese marks ("Ệ", "Ẫ") are inside the box too.
    """
    above, below = ink_extent(fitted.font)
    size = fitted.size
    baseline = column.top - above * size
    lines = []
    for text, line_w in zip(fitted.lines, fitted.widths, strict=True):
        offset = {"left": 0.0, "right": column.width - line_w}.get(align, (column.width - line_w) / 2)
        lines.append(TextLine(text, column.x + offset, baseline, line_w))
        baseline -= fitted.leading * size
    left = min(line.x for line in lines)
    right = max(line.x + line.width for line in lines)
    bottom = lines[-1].baseline - below * size
    box = Box(left, bottom, right - left, column.top - bottom)
    return TextBlock(
        role,
        fitted.font,
        size,
        style.min_size,
        style.max_lines,
        color,
        tuple(lines),
        box,
        fitted.truncated,
    )


@dataclass(frozen=True)
class Placement:
    """Where an image or the QR code goes (the image keeps its aspect ratio inside)."""

    role: str
    box: Box


@dataclass(frozen=True)
class Rule:
    """A short horizontal line, as under the issuer's name and the motto."""

    x1: float
    x2: float
    y: float
    width: float


def vietnamese_date(place: str, day: date) -> str:
    """ "Quảng Ngãi, ngày 05 tháng 01 năm 2026".

    Decree 30/2020/NĐ-CP (appendix I) writes days below 10 and the months
    January and February with a leading zero ("tháng 02" but "tháng 3"), so a
    date cannot be altered by adding a digit in front.
    """
    day_text = f"{day.day:02d}"
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    text = f"ngày {day_text} tháng {month_text} năm {day.year}"
    return f"{place}, {text}" if place else text[0].upper() + text[1:]


def stack_text(
    items: list[tuple[str, str, TextStyle, str]], column: Box, align: str = "center", gap: float = 1.0
) -> list[TextBlock]:
    """Fit (role, text, style, colour) items into ``column.width``, stacked down from ``column.top``.

    Only the column's top, x and width matter: the stack is as tall as it
    needs; callers check the space.  Empty texts produce no block.
    """
    blocks: list[TextBlock] = []
    top = column.top
    for role, text, style, hex_color in items:
        fitted = fit_text(nfc_line(text), style, column.width)
        if fitted.lines:
            box = Box(column.x, top - fitted.height, column.width, fitted.height)
            blocks.append(place_text(role, fitted, style, hex_color, box, align))
            top = blocks[-1].box.y - gap
    return blocks


@lru_cache(maxsize=64)
def color(hex_color: str) -> Color:
    return HexColor(hex_color)


def draw_block(canvas: Canvas, block: TextBlock) -> None:
    """Draw a block with one text object: text is shown as typed, never parsed as markup."""
    text = canvas.beginText()
    text.setFont(block.font, block.size)
    text.setFillColor(color(block.color))
    for line in block.lines:
        text.setTextOrigin(line.x, line.baseline)
        text.textOut(line.text)
    canvas.drawText(text)


def new_canvas(
    target: str | BinaryIO,
    page_size: tuple[float, float],
    *,
    title: str = "",
    author: str = "",
    subject: str = "",
) -> Canvas:
    """A canvas whose every font is an embedded TrueType font.

    ReportLab starts each page stream with its initial font (Helvetica unless
    told otherwise), which would put a non-embedded base-14 font into the PDF;
    ``initialFontName`` avoids that.
    """
    ensure_fonts()
    # ASCII85 (on by default) makes streams 7-bit clean at +25% size, and its
    # pure-Python encoder was half the time of rendering a PDF with images.
    # Nothing we produce travels through 7-bit channels.  Process-wide setting.
    rl_config.useA85 = 0
    canvas = Canvas(target, pagesize=page_size, initialFontName=FONT_REGULAR, lang="vi-VN")
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setSubject(subject)
    canvas.setCreator("qng-contest")
    return canvas


FRAME_DOUBLE_GAP = 6.0  # outer to inner line of a "double" frame


def frame_inside(style: str, outer: Box) -> Box:
    """Inside edge of a frame ("double", "simple", "none") drawn on ``outer``."""
    return outer.inset({"double": FRAME_DOUBLE_GAP + 0.5, "simple": 0.75, "none": 0.0}[style])


def draw_frame(canvas: Canvas, style: str, hex_color: str, outer: Box) -> None:
    """A thick outer and thin inner line ("double"), one line ("simple") or nothing."""
    if style == "none":
        return
    canvas.setStrokeColor(color(hex_color))
    canvas.setLineWidth(2.4 if style == "double" else 1.5)
    canvas.rect(outer.x, outer.y, outer.width, outer.height)
    if style == "double":
        inner = outer.inset(FRAME_DOUBLE_GAP)
        canvas.setLineWidth(0.8)
        canvas.rect(inner.x, inner.y, inner.width, inner.height)


QR_QUIET_ZONE = 4  # modules of white around the symbol, as the QR standard requires


@lru_cache(maxsize=1024)
def _qr_runs(url: str) -> tuple[int, str]:
    """(modules per side, PDF rectangles in module units: one per horizontal dark run)."""
    matrix = segno.make_qr(url, error="m").matrix  # never Micro QR: phone apps can't read it
    rects = []
    for row, modules in enumerate(matrix):
        start = None
        for col, dark in enumerate((*modules, 0)):
            if dark and start is None:
                start = col
            elif not dark and start is not None:
                rects.append(f"{start} {row} {col - start} 1 re")
                start = None
    return len(matrix), " ".join(rects)


def draw_qr(canvas: Canvas, url: str, box: Box) -> None:
    """Draw ``url`` as a QR code filling the square ``box`` (quiet zone included).

    One path of merged runs is far faster than ReportLab's QR widget (one
    rectangle object per module) and gives a smaller file.
    """
    count, rects = _qr_runs(url)
    module = min(box.width, box.height) / (count + 2 * QR_QUIET_ZONE)
    left = box.x + QR_QUIET_ZONE * module
    top = box.top - QR_QUIET_ZONE * module
    canvas.addLiteral(
        # white backing so a background image cannot spoil the quiet zone; then a
        # y-down module grid so each run is "col row width 1 re"
        f"q 1 g {box.x:.3f} {box.y:.3f} {box.width:.3f} {box.height:.3f} re f "
        f"0 g {module:.5f} 0 0 {-module:.5f} {left:.3f} {top:.3f} cm {rects} f Q"
    )


def prepare_image(data: bytes, width: float, height: float, dpi: int = 200, *, ink: bool = False) -> ImageReader:
    """Decode once and downscale to what ``width`` x ``height`` points can show at ``dpi``.

    Uploaded photos are often 4000 px wide; every PDF would otherwise carry and
    re-compress all of it.  Opaque images become JPEG, which ReportLab embeds
    as-is instead of deflating the pixels again for every document.  ``ink``
    images (seal, signature) are flattened onto white and also become JPEG: drawn
    with ``draw_ink`` (multiply blending) white vanishes like paper under ink, so
    they need no alpha channel.  Other transparent images stay lossless with alpha.
    """
    image: Image.Image
    try:
        image = Image.open(io.BytesIO(data))
        image.load()
        if image.mode not in ("RGB", "RGBA", "L", "LA"):
            image = image.convert("RGBA")  # palettes (with transparency), CMYK, ...
    except Exception as exc:  # Pillow raises many types for bad input
        raise ValueError("not a readable image") from exc
    image.thumbnail((max(1, round(width / 72 * dpi)), max(1, round(height / 72 * dpi))))
    if image.mode in ("RGBA", "LA") and _lowest(image.getchannel("A")) < 255:
        if not ink:
            return ImageReader(image)
        paper = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, image.convert("RGBA"))
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=92)
    buffer.seek(0)
    return ImageReader(buffer)


def _lowest(band: Image.Image) -> float:
    low, _high = band.getextrema()  # one band: (min, max)
    if isinstance(low, tuple):
        raise TypeError("expected a single band")
    return low


# A prepared ImageReader is shared by every document of its template, and a JPEG
# one reads its bytes from a shared file object (seek, read) inside drawImage:
# serialise those calls so two threads never interleave on the same stream.
_image_lock = threading.Lock()


def draw_image(canvas: Canvas, reader: ImageReader, box: Box, mask: str | None = "auto") -> None:
    """Draw an image scaled into ``box``, keeping its aspect ratio, centred."""
    with _image_lock:
        canvas.drawImage(reader, box.x, box.y, box.width, box.height, mask=mask, preserveAspectRatio=True)


def draw_ink(canvas: Canvas, reader: ImageReader, box: Box, blend: bool = True) -> None:
    """Draw an ``ink`` image (see ``prepare_image``) so only its dark marks show.

    ``blend=False`` leaves the blend mode to the caller (for use inside a form).
    """
    canvas.saveState()
    if blend:
        canvas.setBlendMode("Multiply")
    draw_image(canvas, reader, box, mask=None)
    canvas.restoreState()
