"""Vietnamese-capable fonts for every PDF the system produces.

ReportLab's built-in fonts (Helvetica, Times, ...) are Latin-1 only: Vietnamese
letters such as "ệ" or "Ữ" would print as black boxes, and base-14 fonts are not
embedded, so the printed certificate would depend on the reader's machine.  We
therefore register TrueType fonts (embedded as subsets) under *stable logical
names*; callers use ``FONT_REGULAR`` etc. and never care whether Be Vietnam Pro
or the DejaVu fallback ended up behind the name.
"""

from __future__ import annotations

import threading
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

# Logical names: stable whatever file backs them, so layouts and tests can refer to them.
FONT_FAMILY = "ContestSans"
FONT_REGULAR = "ContestSans-Regular"
FONT_BOLD = "ContestSans-Bold"
FONT_ITALIC = "ContestSans-Italic"
FONT_BOLD_ITALIC = "ContestSans-BoldItalic"
FONT_SEMIBOLD = "ContestSans-SemiBold"

# Logical name -> file name, for each candidate family in order of preference.
_BE_VIETNAM_PRO = {
    FONT_REGULAR: "BeVietnamPro-Regular.ttf",
    FONT_BOLD: "BeVietnamPro-Bold.ttf",
    FONT_ITALIC: "BeVietnamPro-Italic.ttf",
    FONT_BOLD_ITALIC: "BeVietnamPro-BoldItalic.ttf",
    FONT_SEMIBOLD: "BeVietnamPro-SemiBold.ttf",
}
# DejaVu has no semibold; bold is the closest weight.
_DEJAVU = {
    FONT_REGULAR: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_ITALIC: "DejaVuSans-Oblique.ttf",
    FONT_BOLD_ITALIC: "DejaVuSans-BoldOblique.ttf",
    FONT_SEMIBOLD: "DejaVuSans-Bold.ttf",
}
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")


class FontUnavailableError(RuntimeError):
    """No Vietnamese-capable font could be found; we refuse to fall back to Helvetica."""


@dataclass(frozen=True)
class FontSet:
    """Which files back the logical font names in this process."""

    family: str  # human-readable, e.g. "Be Vietnam Pro"
    files: tuple[tuple[str, Path], ...]  # (logical name, file) pairs

    def path_of(self, logical_name: str) -> Path:
        return dict(self.files)[logical_name]


def _be_vietnam_pro_dir() -> Path | None:
    """Directory of the PyPI font package, or None when it is not installed."""
    try:
        import fontpkg_be_vietnam_pro
    except ImportError:
        return None
    return Path(fontpkg_be_vietnam_pro.ROOT) / "files"


def resolve_font_files(bvp_dir: Path | None, dejavu_dir: Path = DEJAVU_DIR) -> FontSet:
    """Pick the first family whose files all exist (pure: no registration).

    A family is taken whole or not at all, so bold and regular never come from
    different typefaces.
    """
    candidates: list[tuple[str, Path | None, dict[str, str]]] = [
        ("Be Vietnam Pro", bvp_dir, _BE_VIETNAM_PRO),
        ("DejaVu Sans", dejavu_dir, _DEJAVU),
    ]
    for family, directory, names in candidates:
        if directory is None:
            continue
        files = tuple((logical, directory / file) for logical, file in names.items())
        if all(path.is_file() for _, path in files):
            return FontSet(family=family, files=files)
    raise FontUnavailableError(
        "No Vietnamese TrueType font found: install the 'fontpkg-be-vietnam-pro' "
        f"package or DejaVu fonts in {dejavu_dir}"
    )


_lock = threading.Lock()
_registered: FontSet | None = None


def ensure_fonts() -> FontSet:
    """Register the fonts with ReportLab once per process (idempotent, thread-safe)."""
    global _registered
    if _registered is not None:  # fast path: no lock once done
        return _registered
    with _lock:
        if _registered is None:
            font_set = resolve_font_files(_be_vietnam_pro_dir())
            for logical, path in font_set.files:
                # asciiReadable would embed all of ASCII in every subset; without it
                # each PDF carries only the glyphs it uses (smaller, faster to write).
                # Text stays extractable through the ToUnicode map either way.
                pdfmetrics.registerFont(TTFont(logical, str(path), asciiReadable=False))
            # The family mapping makes <b>/<i> inside Platypus Paragraphs pick our
            # bold/italic files instead of failing over to Helvetica-Bold.
            pdfmetrics.registerFontFamily(
                FONT_FAMILY,
                normal=FONT_REGULAR,
                bold=FONT_BOLD,
                italic=FONT_ITALIC,
                boldItalic=FONT_BOLD_ITALIC,
            )
            _registered = font_set
    return _registered


def ink_extent(font_name: str) -> tuple[float, float]:
    """(above, below) the baseline per 1 pt of size, from the font's bounding box.

    Vietnamese capitals stack two marks ("Ẫ", "Ệ"), which the typographic ascent
    does not always cover; the bbox does, so boxes built from it are safe bounds.
    """
    ensure_fonts()
    face = pdfmetrics.getFont(font_name).face
    return face.bbox[3] / 1000.0, -face.bbox[1] / 1000.0


def text_width(text: str, font_name: str, size: float) -> float:
    """Advance width of ``text`` in points (TrueType metrics of the registered font)."""
    ensure_fonts()
    return pdfmetrics.stringWidth(text, font_name, size)


def missing_characters(text: str, font_name: str = FONT_REGULAR) -> str:
    """Characters of ``text`` the font has no glyph for, in order of first use.

    They would print as empty boxes (e.g. Chinese characters in a name), so
    callers can warn an organiser before certificates are issued.
    """
    ensure_fonts()
    has_glyph = pdfmetrics.getFont(font_name).face.charToGlyph
    missing = dict.fromkeys(c for c in text if not c.isspace() and ord(c) not in has_glyph)
    return "".join(missing)


# Unicode categories removed from user text: controls (Cc), invisible format
# characters (Cf: zero-width space, BOM, bidi overrides that could reorder a
# printed name) and lone surrogates (Cs), none of which has a glyph to print.
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
_KEPT_CONTROLS = frozenset({"\n"})


def nfc(text: str, *, keep_newlines: bool = True) -> str:
    """NFC-normalise and drop control/format characters.

    Vietnamese typed on some keyboards (or pasted from macOS) arrives decomposed
    (NFD: "e" + U+0302 + U+0303); the font only has glyphs for precomposed
    letters, and searching/comparing needs one form, so everything becomes NFC.
    Tabs become spaces; CR/LF variants become "\\n" (kept only when
    ``keep_newlines``, otherwise turned into spaces).
    """
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    if text.isprintable():  # common case: nothing to drop, skip the per-character loop
        return text
    out: list[str] = []
    for char in text:
        if char == "\t" or (char == "\n" and not keep_newlines):
            out.append(" ")
        elif char in _KEPT_CONTROLS or unicodedata.category(char) not in _DROPPED_CATEGORIES:
            out.append(char)
    # Dropping an invisible character can bring a letter and its mark together
    # ("A" + ZWSP + U+0301 → "A" + U+0301): normalise again so "Á" prints as one glyph.
    return unicodedata.normalize("NFC", "".join(out))


def nfc_line(text: str) -> str:
    """``nfc`` for single-line fields: all whitespace runs collapse to one space."""
    return " ".join(nfc(text, keep_newlines=False).split())


# --------------------------------------------------------------------------- fitting text
# Shared by certificates and reports: shrink-then-wrap a paragraph into a width.
# Widths scale linearly with size, so each word is measured once at 1 pt and
# every candidate size afterwards is plain arithmetic (this is the hot path when
# rendering hundreds of certificates).

SIZE_STEP = 0.25  # sizes are multiples of this, so output is stable and readable
ELLIPSIS = "…"


# Pure memoisation (a font's metrics never change in a process), bounded for a long-lived worker.
@lru_cache(maxsize=65536)
def _advance(text: str, font_name: str) -> float:
    """Width of ``text`` at 1 pt, memoised (names and titles repeat across a batch)."""
    return text_width(text, font_name, 1.0)


@dataclass(frozen=True)
class TextStyle:
    font: str
    size: float  # preferred (largest) size in points
    min_size: float  # never shrink below this
    max_lines: int  # never use more lines; beyond that the text is cut with "…"
    shrink_first: bool = True  # names/titles shrink before wrapping; body text wraps first
    leading: float = 1.22  # baseline distance as a multiple of the size


@dataclass(frozen=True)
class FittedText:
    font: str
    size: float
    leading: float
    lines: tuple[str, ...]
    widths: tuple[float, ...]  # advance width of each line at ``size``
    truncated: bool = False

    @property
    def height(self) -> float:
        """Ink height: top of the first line's marks to the bottom of the last line's descenders."""
        if not self.lines:
            return 0.0
        above, below = ink_extent(self.font)
        return (above + below + (len(self.lines) - 1) * self.leading) * self.size


def _quantise(size: float) -> float:
    return int(size / SIZE_STEP + 1e-9) * SIZE_STEP


def _split_long_word(word: str, font_name: str, limit: float) -> list[tuple[str, float]]:
    """Break a word wider than the line (URLs, names typed without spaces) by characters."""
    pieces: list[tuple[str, float]] = []
    current, current_w = "", 0.0
    for char in word:
        char_w = _advance(char, font_name)
        if current and current_w + char_w > limit:
            pieces.append((current, current_w))
            current, current_w = "", 0.0
        current, current_w = current + char, current_w + char_w
    if current:
        pieces.append((current, current_w))
    return pieces


def _wrap(words: list[str], font_name: str, limit: float) -> list[tuple[str, float]]:
    """Greedy line breaking at spaces; ``limit`` and the returned widths are at 1 pt."""
    space = _advance(" ", font_name)
    lines: list[tuple[str, float]] = []
    current: list[str] = []
    current_w = 0.0
    for word in words:
        width = _advance(word, font_name)
        pieces = [(word, width)] if width <= limit else _split_long_word(word, font_name, limit)
        for piece, piece_w in pieces:
            if current and current_w + space + piece_w <= limit:
                current.append(piece)
                current_w += space + piece_w
                continue
            if current:
                lines.append((" ".join(current), current_w))
            current, current_w = [piece], piece_w
    if current:
        lines.append((" ".join(current), current_w))
    return lines


def _largest_size(words: list[str], style: TextStyle, width: float, lines: int) -> float | None:
    """Largest size in [min_size, size] at which the words wrap into at most ``lines``."""

    def fits(size: float) -> bool:
        return len(_wrap(words, style.font, width / size)) <= lines

    if lines == 1:  # one line: the size follows directly from the total width
        total = _advance(" ".join(words), style.font)  # 0 for a lone combining mark
        size = _quantise(min(style.size, width / total) if total > 0 else style.size)
        return size if size >= style.min_size else None
    low, high = _quantise(style.min_size), _quantise(style.size)
    if not fits(low):
        return None
    if fits(high):
        return high
    while high - low > SIZE_STEP:  # invariant: fits(low), not fits(high)
        middle = _quantise((low + high) / 2)
        if middle <= low:
            break
        low, high = (middle, high) if fits(middle) else (low, middle)
    return low


def _truncated(words: list[str], style: TextStyle, width: float) -> FittedText:
    """At the minimum size and still too long: keep max_lines lines, end with "…"."""
    size = style.min_size
    limit = width / size
    kept = _wrap(words, style.font, limit)[: style.max_lines]
    last = kept[-1][0]
    while last and _advance(last.rstrip() + ELLIPSIS, style.font) > limit:
        last = last[:-1]
    last = last.rstrip() + ELLIPSIS
    kept[-1] = (last, _advance(last, style.font))
    return FittedText(
        style.font,
        size,
        style.leading,
        tuple(t for t, _ in kept),
        tuple(w * size for _, w in kept),
        truncated=True,
    )


def fit_text(text: str, style: TextStyle, width: float) -> FittedText:
    """Choose a size and line breaks so every line is at most ``width`` points wide.

    With ``shrink_first`` the text first shrinks (down to ``min_size``) on one
    line, then tries 2, 3 ... ``max_lines`` lines at the largest size that fits;
    otherwise it wraps at the largest size first.  Text that fits nowhere is cut.
    """
    if width <= 0:
        raise ValueError("width must be positive")
    words = text.split()
    if not words:
        return FittedText(style.font, style.size, style.leading, (), ())
    counts = range(1, style.max_lines + 1) if style.shrink_first else (style.max_lines,)
    for count in counts:
        size = _largest_size(words, style, width, count)
        if size is not None:
            lines = _wrap(words, style.font, width / size)
            return FittedText(
                style.font,
                size,
                style.leading,
                tuple(t for t, _ in lines),
                tuple(w * size for _, w in lines),
            )
    return _truncated(words, style, width)


def fit_stack(items: list[tuple[str, TextStyle]], width: float, height: float, gap: float) -> list[FittedText] | None:
    """Fit paragraphs stacked with ``gap`` between them into ``width`` x ``height``.

    First each paragraph fits its width; if the stack is too tall, all sizes
    shrink together (keeping the hierarchy) towards their minimums; if even
    that is too tall, the paragraph with most lines loses a line (cut with
    "…").  Returns None when one line each at minimum size is still too tall.
    """
    limits = [style.max_lines for _, style in items]
    scale = 1.0
    while True:
        styles = [
            replace(style, size=max(style.min_size, style.size * scale), max_lines=limit)
            for (_, style), limit in zip(items, limits, strict=True)
        ]
        fits = [fit_text(text, st, width) for (text, _), st in zip(items, styles, strict=True)]
        total = sum(f.height for f in fits) + gap * max(0, len(fits) - 1)
        if total <= height:
            return fits
        if any(st.size > st.min_size for st in styles):
            # Heights are nearly proportional to sizes: jump close to the answer
            # instead of creeping down (each round refits every paragraph).
            scale *= min(0.97, max(0.6, height / total))
            continue
        multi = [i for i, f in enumerate(fits) if len(f.lines) > 1]
        if not multi:
            return None
        tallest = max(multi, key=lambda i: fits[i].height)
        limits[tallest] = len(fits[tallest].lines) - 1
