"""A bar chart as inline SVG, drawn on the server: no JavaScript, no CDN."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from .templatetags.reports_tags import yen

WIDTH, HEIGHT = 720, 260
LEFT, RIGHT, TOP, BOTTOM = 70, 10, 20, 40


def bar_chart(
    labels: Sequence[str], values: Sequence[Decimal], previous: Sequence[Decimal], *, title: str
) -> SafeString:
    """Bars for `values`, with last year's `previous` as a thin grey bar beside each."""
    top = max([Decimal(1), *values, *previous])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / max(len(values), 1)
    bar = slot * 0.55

    def height(value: Decimal) -> float:
        return float(max(value, Decimal(0)) / top) * plot_h

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_h}" stroke="#999"/>',
    ]
    for step in range(5):
        value = top * step / 4
        y = TOP + plot_h - float(step) / 4 * plot_h
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="#555">'
            f"{escape(yen(value))}</text>"
        )
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="#eee"/>')
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        x = LEFT + index * slot + (slot - bar) / 2
        h_now = height(value)
        h_before = height(previous[index]) if index < len(previous) else 0
        parts.append(
            f'<rect x="{x - bar * 0.2:.1f}" y="{TOP + plot_h - h_before:.1f}" width="{bar * 0.3:.1f}" '
            f'height="{h_before:.1f}" fill="#c8c8c8"/>'
        )
        parts.append(
            f'<rect x="{x + bar * 0.15:.1f}" y="{TOP + plot_h - h_now:.1f}" width="{bar * 0.85:.1f}" '
            f'height="{h_now:.1f}" fill="#3b6fb6"><title>{escape(label)}: {escape(yen(value))}</title></rect>'
        )
        parts.append(
            f'<text x="{x + bar / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="10" text-anchor="middle" '
            f'fill="#333">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped
