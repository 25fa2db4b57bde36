"""Small server-rendered SVG bar charts: Assess's case durations, the Performance trends.

The chart is decoration for sighted readers; the page's table holds the same numbers, so the
SVG is hidden from assistive technology. Colours are GOV.UK Frontend's (blue bars on white,
black text: both above 4.5:1).
"""

from __future__ import annotations

from html import escape
from typing import Any

from civicflow.mining import format_seconds

__all__ = ["bar_chart", "duration_chart"]

_WIDTH, _HEIGHT, _LEFT, _BOTTOM, _TOP = 640, 240, 48, 48, 16


def bar_chart(points: list[tuple[str, float | None]], *, top_label: str = "") -> str:
    """Bars of ``(label, value)``; a missing value has no bar and a dash, so it is not read as zero.

    Shared by the Assess duration chart and the Performance trends; ``top_label`` names the top
    of the scale (the largest value by default).
    """
    if not points:
        return ""
    tallest = max((v for _, v in points if v is not None), default=0.0) or 1.0
    plot_height = _HEIGHT - _BOTTOM - _TOP
    base = _TOP + plot_height
    step = (_WIDTH - _LEFT) / len(points)
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" class="workbench-assess-chart" '
            'aria-hidden="true" focusable="false" font-family="sans-serif" font-size="12">'
        ),
        f'<line x1="{_LEFT}" y1="{base}" x2="{_WIDTH}" y2="{base}" stroke="#0b0c0c"/>',
        f'<text x="4" y="{_TOP + 10}" fill="#0b0c0c">{escape(top_label or f"{tallest:g}")}</text>',
        f'<text x="4" y="{base}" fill="#0b0c0c">0</text>',
    ]
    for i, (label, value) in enumerate(points):
        x = _LEFT + i * step
        if value is None:
            parts.append(f'<text x="{x + step / 2:.1f}" y="{base - 4}" text-anchor="middle" fill="#0b0c0c">–</text>')
        else:
            height = plot_height * value / tallest
            parts.append(
                f'<rect x="{x + 2:.1f}" y="{base - height:.1f}" width="{step - 4:.1f}" '
                f'height="{height:.1f}" fill="#1d70b8"/>'
            )
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{_HEIGHT - _BOTTOM + 18}" text-anchor="middle" '
            f'fill="#0b0c0c">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def duration_chart(bins: list[dict[str, Any]]) -> str:
    """Bars of cases per duration bin, labelled with each bin's upper bound."""
    points: list[tuple[str, float | None]] = [(format_seconds(float(b["to"])), float(int(b["cases"]))) for b in bins]
    tallest = max((int(b["cases"]) for b in bins), default=0) or 1
    return bar_chart(points, top_label=str(tallest))
