"""Simple horizontal bar charts as inline SVG, rendered on the server.

No script and no style attributes (the pages' CSP allows neither); every chart has
a <title> and <desc> named by aria-labelledby, and the page puts a table with the
same figures beside it for screen readers and for copying. Colours are told apart
by text too (a legend and a value at every bar), never by colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 720
LABEL_WIDTH = 200
VALUE_WIDTH = 90
BAR_HEIGHT = 18
BAR_GAP = 4
GROUP_GAP = 14
TOP = 34
# Dark enough for white text and for contrast on white (WCAG 3:1 for graphics).
COLOURS = ("#1f5f8b", "#b35900", "#2e7d32", "#b3261e", "#5f5f5f")


@dataclass(frozen=True)
class Series:
    name: str
    values: list[float | None]
    colour: str = ""


def _fmt(value: float, unit: str) -> str:
    text = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}".replace(".", ",")
    return f"{text} {unit}".strip()


def _open(chart_id: str, title: str, desc: str, height: int) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(chart_id)}" '
        f'width="100%" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'font-family="inherit" font-size="13">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>',
    ]


def _legend(series: list[Series]) -> list[str]:
    parts, x = [], LABEL_WIDTH
    for i, s in enumerate(series):
        colour = s.colour or COLOURS[i % len(COLOURS)]
        parts.append(f'<rect x="{x}" y="8" width="14" height="14" fill="{colour}"/>'
                     f'<text x="{x + 20}" y="20">{escape(s.name)}</text>')
        x += 30 + 8 * len(s.name)
    return parts


def bar_chart(chart_id: str, title: str, desc: str, labels: list[str],
              series: list[Series], unit: str = "") -> Markup:
    """Grouped bars: one group a label, one bar a series; a missing value shows "–"."""
    present = [v for s in series for v in s.values if v is not None]
    top = max(present, default=0) or 1
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    group = len(series) * (BAR_HEIGHT + BAR_GAP) + GROUP_GAP
    height = TOP + group * max(len(labels), 1) + 4
    parts = _open(chart_id, title, desc, height) + _legend(series)
    for row, label in enumerate(labels):
        y0 = TOP + row * group
        middle = y0 + len(series) * (BAR_HEIGHT + BAR_GAP) / 2 + 4
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{middle:.0f}" text-anchor="end">'
                     f'{escape(label)}</text>')
        for i, s in enumerate(series):
            value = s.values[row]
            y = y0 + i * (BAR_HEIGHT + BAR_GAP)
            colour = s.colour or COLOURS[i % len(COLOURS)]
            width = 0.0 if value is None else max(1.0, area * value / top) if value else 0.0
            parts.append(f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" '
                         f'height="{BAR_HEIGHT}" fill="{colour}"/>')
            text = "–" if value is None else _fmt(value, unit)
            parts.append(f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + 13}">'
                         f'{escape(text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def stacked_bar_chart(chart_id: str, title: str, desc: str, labels: list[str],
                      series: list[Series]) -> Markup:
    """One bar a label, split into the series' shares; the total is written after it."""
    totals = [sum(s.values[i] or 0 for s in series) for i in range(len(labels))]
    top = max(totals, default=0) or 1
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + (BAR_HEIGHT + GROUP_GAP) * max(len(labels), 1) + 4
    parts = _open(chart_id, title, desc, height) + _legend(series)
    for row, label in enumerate(labels):
        y = TOP + row * (BAR_HEIGHT + GROUP_GAP)
        parts.append(f'<text x="{LABEL_WIDTH - 8}" y="{y + 13}" text-anchor="end">'
                     f'{escape(label)}</text>')
        x = float(LABEL_WIDTH)
        for i, s in enumerate(series):
            value = s.values[row] or 0
            if not value:
                continue
            width = area * value / top
            colour = s.colour or COLOURS[i % len(COLOURS)]
            parts.append(f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{BAR_HEIGHT}" '
                         f'fill="{colour}"/>')
            if width >= 22:
                parts.append(f'<text x="{x + width / 2:.1f}" y="{y + 13}" text-anchor="middle" '
                             f'fill="#ffffff">{_fmt(value, "")}</text>')
            x += width
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 13}">{_fmt(totals[row], "")}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
