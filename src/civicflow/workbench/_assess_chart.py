"""A small server-rendered SVG bar chart: the case-duration distribution of the Assess page.

The chart is decoration for sighted readers; the page's table holds the same numbers, so the
SVG is hidden from assistive technology. Colours are GOV.UK Frontend's (blue bars on white,
black text: both above 4.5:1).
"""

from __future__ import annotations

from html import escape
from typing import Any

from civicflow.mining import format_seconds

__all__ = ["duration_chart"]

_WIDTH, _HEIGHT, _LEFT, _BOTTOM, _TOP = 640, 240, 48, 48, 16


def duration_chart(bins: list[dict[str, Any]]) -> str:
    """Bars of cases per duration bin, labelled with each bin's upper bound."""
    if not bins:
        return ""
    tallest = max(int(b["cases"]) for b in bins) or 1
    plot_height = _HEIGHT - _BOTTOM - _TOP
    step = (_WIDTH - _LEFT) / len(bins)
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" class="workbench-assess-chart" '
            'aria-hidden="true" focusable="false" font-family="sans-serif" font-size="12">'
        ),
        f'<line x1="{_LEFT}" y1="{_TOP + plot_height}" x2="{_WIDTH}" y2="{_TOP + plot_height}" stroke="#0b0c0c"/>',
        f'<text x="4" y="{_TOP + 10}" fill="#0b0c0c">{tallest}</text>',
        f'<text x="4" y="{_TOP + plot_height}" fill="#0b0c0c">0</text>',
    ]
    for i, item in enumerate(bins):
        height = plot_height * int(item["cases"]) / tallest
        x = _LEFT + i * step
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{_TOP + plot_height - height:.1f}" width="{step - 4:.1f}" '
            f'height="{height:.1f}" fill="#1d70b8"/>'
        )
        label = escape(format_seconds(float(item["to"])))
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{_HEIGHT - _BOTTOM + 18}" text-anchor="middle" '
            f'fill="#0b0c0c">{label}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
