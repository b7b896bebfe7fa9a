"""Small server-rendered SVG charts for the dashboard: no JavaScript, no build step.

Every label can come from a crawled page (site names, engine ids), so all text is XML-escaped here;
the returned markup is safe to place in a template as it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape

from markupsafe import Markup

PALETTE = ("#2563eb", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#6b7280", "#db2777")
ROW = 22
LABEL_WIDTH = 150
CHART_WIDTH = 560


def _legend(names: Sequence[str], colors: Mapping[str, str], y: float) -> str:
    items, x = [], 0.0
    for name in names:
        items.append(
            f'<rect x="{x}" y="{y}" width="10" height="10" fill="{colors[name]}"/>'
            f'<text x="{x + 14}" y="{y + 9}">{escape(name)}</text>'
        )
        x += 24 + 7 * len(name)
    return "".join(items)


def colors_for(names: Sequence[str]) -> dict[str, str]:
    """A stable colour per series name, in order."""
    return {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(names)}


def stacked_bars(
    title: str, rows: Sequence[tuple[str, Mapping[str, float]]], series: Sequence[str]
) -> Markup:
    """Horizontal stacked bars, one per row label, each split by ``series`` (counts or rates).

    ``rows``: (label, {series name: value}); bars share one scale, the longest row's total.
    """
    colors = colors_for(series)
    longest = max((sum(values.values()) for _, values in rows), default=0) or 1
    scale = (CHART_WIDTH - LABEL_WIDTH - 60) / longest
    height = ROW * len(rows) + 40
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, (label, values) in enumerate(rows):
        y, x = i * ROW, float(LABEL_WIDTH)
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>')
        for name in series:
            width = values.get(name, 0) * scale
            if width > 0:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y + 3}" width="{width:.1f}" height="{ROW - 6}" '
                    f'fill="{colors[name]}"><title>{escape(label)}: {escape(name)} '
                    f"{_number(values.get(name, 0))}</title></rect>"
                )
                x += width
        parts.append(f'<text x="{x + 4:.1f}" y="{y + 15}">{_number(sum(values.values()))}</text>')
    parts.append(_legend(series, colors, ROW * len(rows) + 12))
    parts.append("</svg>")
    return Markup("".join(parts))


def grouped_bars(
    title: str, rows: Sequence[tuple[str, Mapping[str, float]]], series: Sequence[str], unit: str = ""
) -> Markup:
    """Per row label, one bar per series side by side (rates that must not be added up)."""
    colors = colors_for(series)
    top = max((v for _, values in rows for v in values.values()), default=0) or 1
    scale = (CHART_WIDTH - LABEL_WIDTH - 70) / top
    bar = 12
    block = bar * len(series) + 8
    height = block * len(rows) + 30
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    for i, (label, values) in enumerate(rows):
        y0 = i * block
        middle = y0 + block / 2 + 3
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{middle:.1f}" text-anchor="end">{escape(label)}</text>')
        for k, name in enumerate(series):
            value = values.get(name, 0)
            y = y0 + 4 + k * bar
            width = value * scale
            shown = f"{_number(value)}{escape(unit)}"
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{bar - 2}" '
                f'fill="{colors[name]}">'
                f"<title>{escape(label)}: {escape(name)} {shown}</title></rect>"
                f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + bar - 3}">{shown}</text>'
            )
    parts.append(_legend(series, colors, block * len(rows) + 10))
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(title: str, xs: Sequence[str], series: Mapping[str, Sequence[float | None]]) -> Markup:
    """Lines over the labels ``xs`` (weeks, days), one per series; None leaves a gap."""
    names = list(series)
    colors = colors_for(names)
    top = max((v for values in series.values() for v in values if v is not None), default=0) or 1
    left, width, plot_height = 40, CHART_WIDTH - 60, 160
    step = width / max(len(xs) - 1, 1)
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {CHART_WIDTH} {plot_height + 60}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        f'<line x1="{left}" y1="{plot_height}" x2="{left + width}" y2="{plot_height}" stroke="#999"/>',
        f'<text x="{left - 4}" y="12" text-anchor="end">{_number(top)}</text>',
        f'<text x="{left - 4}" y="{plot_height}" text-anchor="end">0</text>',
    ]
    for i, x_label in enumerate(xs):
        if len(xs) <= 8 or i % max(1, len(xs) // 8) == 0:
            parts.append(
                f'<text x="{left + i * step:.1f}" y="{plot_height + 16}" text-anchor="middle">'
                f"{escape(x_label)}</text>"
            )
    for name in names:
        points = [
            f"{left + i * step:.1f},{plot_height - (v / top) * (plot_height - 10):.1f}"
            for i, v in enumerate(series[name])
            if v is not None
        ]
        if len(points) == 1:
            cx, cy = points[0].split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colors[name]}"/>')
        elif points:
            parts.append(
                f'<polyline fill="none" stroke="{colors[name]}" stroke-width="2" points="{" ".join(points)}">'
                f"<title>{escape(name)}</title></polyline>"
            )
    parts.append(_legend(names, colors, plot_height + 32))
    parts.append("</svg>")
    return Markup("".join(parts))


def _number(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"
