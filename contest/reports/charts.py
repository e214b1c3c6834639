"""Charts as inline SVG: drawn on the server, so they need no script and no
outside request (contests run in halls without internet). Each chart sits
beside a table with the same numbers, for screen readers and for copying; the
SVG itself is labelled as one image. One module for both wings: the reports
dashboard's bars and trends, and judging's judge-by-judge score distribution
(`judging` imports this; `contest` never imports `judging`). Pure: no Flask,
no database."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from statistics import mean

from contest.numbers import vn_number

PALETTE = ("#1f5fa8", "#c2410c", "#15803d", "#7e22ce")
BAR = 22
GAP = 8
LABEL_WIDTH = 300
PLOT_WIDTH = 420


INK = "#1b1b1f"


def _shorten(label: str, limit: int = 38) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _open(width: float, height: float, title: str, css_class: str = "chart") -> str:
    """The opening tag every chart shares: labelled as one image, sized by its viewBox."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'class="{css_class}" aria-label="{escape(title)}" font-size="13">'
    )


def bar_chart(title: str, rows: Sequence[tuple[str, float]], *, number: Callable[[float], str] = vn_number) -> str:
    """Horizontal bars, one per row, longest first as given. `number` writes the
    values (a page passes contest.i18n.format_number, for its language)."""
    peak = max((v for _, v in rows), default=0) or 1
    height = len(rows) * (BAR + GAP) + GAP
    width = LABEL_WIDTH + PLOT_WIDTH + 70
    parts = [_open(width, max(height, 40), title)]
    if not rows:
        parts.append('<text x="8" y="24" fill="#555">—</text>')
    for i, (label, value) in enumerate(rows):
        y = GAP + i * (BAR + GAP)
        length = PLOT_WIDTH * value / peak
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR * 0.7:.1f}" text-anchor="end" fill="{INK}">'
            f"<title>{escape(label)}</title>{escape(_shorten(label))}</text>"
        )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{max(length, 1):.1f}" height="{BAR}" rx="3" fill="{PALETTE[0]}"/>'
        )
        parts.append(
            f'<text x="{LABEL_WIDTH + length + 6:.1f}" y="{y + BAR * 0.7:.1f}" fill="{INK}">{number(value)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def trend_chart(
    title: str,
    years: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    number: Callable[[float], str] = vn_number,
) -> str:
    """One line per series across the years, with a legend; points carry their values."""
    width, height, left, top, bottom = 680, 280, 56, 16, 64
    plot_w, plot_h = width - left - 16, height - top - bottom
    peak = max((v for _, values in series for v in values), default=0) or 1

    def x(i: int) -> float:
        return left + (plot_w * i / (len(years) - 1) if len(years) > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (1 - v / peak)

    parts = [
        _open(width, height, title),
        f'<line x1="{left}" x2="{left + plot_w}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#888"/>',
        f'<text x="{left - 6}" y="{top + 5}" text-anchor="end" fill="#555">{number(peak)}</text>',
        f'<text x="{left - 6}" y="{top + plot_h}" text-anchor="end" fill="#555">0</text>',
    ]
    for i, year in enumerate(years):
        parts.append(
            f'<text x="{x(i):.1f}" y="{top + plot_h + 18}" text-anchor="middle" fill="{INK}">{escape(year)}</text>'
        )
    for n, (name, values) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in enumerate(values))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2.5"/>')
        for i, v in enumerate(values):
            parts.append(
                f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="4" fill="{colour}">'
                f"<title>{escape(name)} {escape(years[i])}: {number(v)}</title></circle>"
            )
        legend_x = left + n * 160
        parts.append(
            f'<rect x="{legend_x}" y="{height - 22}" width="14" height="14" fill="{colour}"/>'
            f'<text x="{legend_x + 20}" y="{height - 10}" fill="{INK}">{escape(_shorten(name, 20))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


# Judge-by-judge distribution of totals on a 0-100 scale (judging's diagnostics page).
DIST_ROW = 34
DIST_LABEL_WIDTH = 220
DIST_PLOT_WIDTH = 520
DIST_PAD = 12
PANEL_COLOUR = "#a4161a"
JUDGE_COLOUR = "#0b57d0"


def _dist_x(value: float) -> float:
    return DIST_LABEL_WIDTH + max(0.0, min(100.0, value)) / 100 * DIST_PLOT_WIDTH


def _dist_row(y: float, label: str, values: Sequence[float], colour: str) -> list[str]:
    parts = [f'<text x="{DIST_LABEL_WIDTH - 8}" y="{y + 5}" text-anchor="end">{escape(label)}</text>']
    if values:
        low, high, avg = min(values), max(values), mean(values)
        parts.append(
            f'<rect x="{_dist_x(low):.1f}" y="{y - 7}" width="{max(_dist_x(high) - _dist_x(low), 1):.1f}" '
            f'height="14" fill="{colour}" fill-opacity="0.18" stroke="{colour}"/>'
        )
        parts += [f'<circle cx="{_dist_x(v):.1f}" cy="{y}" r="3" fill="{colour}"/>' for v in values]
        parts.append(
            f'<line x1="{_dist_x(avg):.1f}" x2="{_dist_x(avg):.1f}" y1="{y - 10}" y2="{y + 10}" '
            f'stroke="{INK}" stroke-width="2"/>'
        )
    return parts


def judge_distribution_svg(by_judge: Mapping[str, Sequence[float]], panel: Sequence[float], *, panel_label: str) -> str:
    """One row per judge (dots: totals; box: range; bar: mean) under the panel's row."""
    rows = [(panel_label, list(panel), PANEL_COLOUR)] + [(name, list(v), JUDGE_COLOUR) for name, v in by_judge.items()]
    height = DIST_PAD * 2 + DIST_ROW * len(rows) + 24
    width = DIST_LABEL_WIDTH + DIST_PLOT_WIDTH + DIST_PAD * 2
    parts = [_open(width, height, panel_label, "plot"), f"<title>{escape(panel_label)}</title>"]
    for tick in range(0, 101, 10):
        x = _dist_x(tick)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{DIST_PAD}" y2="{height - 24}" stroke="#e3e5ea"/>')
        parts.append(f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle">{tick}</text>')
    for i, (label, values, colour) in enumerate(rows):
        parts += _dist_row(DIST_PAD + DIST_ROW * i + DIST_ROW / 2, label, values, colour)
    parts.append("</svg>")
    return "\n".join(parts)
