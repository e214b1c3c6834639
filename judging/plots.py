"""A judge-by-judge picture of score distributions, as inline SVG (no scripts,
no outside requests): organizers would rather look than read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from statistics import mean

ROW = 34
LABEL_WIDTH = 220
PLOT_WIDTH = 520
PAD = 12


def _x(value: float) -> float:
    return LABEL_WIDTH + max(0.0, min(100.0, value)) / 100 * PLOT_WIDTH


def _row(y: float, label: str, values: Sequence[float], colour: str) -> list[str]:
    parts = [f'<text x="{LABEL_WIDTH - 8}" y="{y + 5}" text-anchor="end">{escape(label)}</text>']
    if values:
        low, high, avg = min(values), max(values), mean(values)
        parts.append(f'<rect x="{_x(low):.1f}" y="{y - 7}" width="{max(_x(high) - _x(low), 1):.1f}" height="14" '
                     f'fill="{colour}" fill-opacity="0.18" stroke="{colour}"/>')
        parts += [f'<circle cx="{_x(v):.1f}" cy="{y}" r="3" fill="{colour}"/>' for v in values]
        parts.append(f'<line x1="{_x(avg):.1f}" x2="{_x(avg):.1f}" y1="{y - 10}" y2="{y + 10}" stroke="#1b1b1f" '
                     f'stroke-width="2"/>')
    return parts


def judge_distribution_svg(by_judge: Mapping[str, Sequence[float]], panel: Sequence[float], *,
                           panel_label: str) -> str:
    """One row per judge (dots: totals; box: range; bar: mean) under the panel's row."""
    rows = [(panel_label, list(panel), "#a4161a")] + [(name, list(v), "#0b57d0") for name, v in by_judge.items()]
    height = PAD * 2 + ROW * len(rows) + 24
    width = LABEL_WIDTH + PLOT_WIDTH + PAD * 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'font-size="13" font-family="sans-serif" class="plot">',
             f'<title>{escape(panel_label)}</title>']
    for tick in range(0, 101, 10):
        x = _x(tick)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{PAD}" y2="{height - 24}" stroke="#e3e5ea"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{tick}</text>')
    for i, (label, values, colour) in enumerate(rows):
        parts += _row(PAD + ROW * i + ROW / 2, label, values, colour)
    parts.append("</svg>")
    return "\n".join(parts)
