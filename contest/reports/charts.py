"""The dashboard's charts as inline SVG: drawn on the server, so they need no
script and no outside request (contests run in halls without internet). Each
chart sits beside a table with the same numbers, for screen readers and for
copying; the SVG itself is labelled as one image."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from contest.numbers import vn_number

PALETTE = ("#1f5fa8", "#c2410c", "#15803d", "#7e22ce")
BAR = 22
GAP = 8
LABEL_WIDTH = 300
PLOT_WIDTH = 420


def _shorten(label: str, limit: int = 38) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(title: str, rows: Sequence[tuple[str, float]]) -> str:
    """Horizontal bars, one per row, longest first as given."""
    peak = max((v for _, v in rows), default=0) or 1
    height = len(rows) * (BAR + GAP) + GAP
    width = LABEL_WIDTH + PLOT_WIDTH + 70
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {max(height, 40)}" role="img" '
             f'class="chart" aria-label="{escape(title)}" font-size="13">']
    if not rows:
        parts.append('<text x="8" y="24" fill="#555">—</text>')
    for i, (label, value) in enumerate(rows):
        y = GAP + i * (BAR + GAP)
        length = PLOT_WIDTH * value / peak
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR * 0.7:.1f}" text-anchor="end" fill="#1b1b1f">'
                     f'<title>{escape(label)}</title>{escape(_shorten(label))}</text>')
        parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{max(length, 1):.1f}" height="{BAR}" rx="3" '
                     f'fill="{PALETTE[0]}"/>')
        parts.append(f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + BAR * 0.7:.1f}" fill="#1b1b1f">'
                     f'{vn_number(value)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def trend_chart(title: str, years: Sequence[str], series: Sequence[tuple[str, Sequence[float]]]) -> str:
    """One line per series across the years, with a legend; points carry their values."""
    width, height, left, top, bottom = 680, 280, 56, 16, 64
    plot_w, plot_h = width - left - 16, height - top - bottom
    peak = max((v for _, values in series for v in values), default=0) or 1

    def x(i: int) -> float:
        return left + (plot_w * i / (len(years) - 1) if len(years) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / peak)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" class="chart" '
             f'aria-label="{escape(title)}" font-size="13">',
             f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#888"/>',
             f'<text x="{left - 6}" y="{top + 5}" text-anchor="end" fill="#555">{vn_number(peak)}</text>',
             f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" fill="#555">0</text>']
    for i, year in enumerate(years):
        parts.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 18}" text-anchor="middle" fill="#1b1b1f">'
                     f'{escape(year)}</text>')
    for n, (name, values) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for i, v in enumerate(values):
            parts.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="4" fill="{colour}">'
                         f'<title>{escape(name)} {escape(years[i])}: {vn_number(v)}</title></circle>')
        legend_x = left + n * 160
        parts.append(f'<rect x="{legend_x}" y="{height - 22}" width="14" height="14" fill="{colour}"/>'
                     f'<text x="{legend_x + 20}" y="{height - 10}" fill="#1b1b1f">{escape(_shorten(name, 20))}</text>')
    parts.append("</svg>")
    return "".join(parts)
