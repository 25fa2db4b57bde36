"""A server-rendered SVG bar chart of one published KPI over the months of the transparency page.

The approach of the workbench's Assess chart (``workbench/_assess_chart.py``; the portal may not
import the workbench): the chart is decoration for sighted readers, the page's table beside it holds
the same numbers, so the SVG is hidden from assistive technology. A month whose figure is not
published has no bar and a dash above its label, so a gap is not read as zero. GOV.UK Frontend
colours: blue bars, black text on white (both above 4.5:1).
"""

from __future__ import annotations

from html import escape

__all__ = ["month_chart"]

_WIDTH, _HEIGHT, _LEFT, _BOTTOM, _TOP = 640, 220, 64, 36, 20


def month_chart(points: list[tuple[str, float | None]], *, ceiling: float | None = None, caption: str = "") -> str:
    """Bars of ``(month label, value)``; ``ceiling`` fixes the top of the scale (100 for percentages).

    ``caption`` labels the top of the scale (the largest value, or the ceiling, by default).
    """
    if not points:
        return ""
    values = [v for _, v in points if v is not None]
    top = ceiling if ceiling is not None else (max(values, default=0.0) or 1.0)
    plot = _HEIGHT - _BOTTOM - _TOP
    step = (_WIDTH - _LEFT) / len(points)
    base = _TOP + plot
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" '
            'class="portal-transparency-chart" aria-hidden="true" focusable="false" font-family="sans-serif" '
            'font-size="15">'
        ),
        f'<line x1="{_LEFT}" y1="{base}" x2="{_WIDTH}" y2="{base}" stroke="#0b0c0c"/>',
        f'<text x="4" y="{_TOP + 12}" fill="#0b0c0c">{escape(caption or _number(top))}</text>',
        f'<text x="4" y="{base}" fill="#0b0c0c">0</text>',
    ]
    for i, (label, value) in enumerate(points):
        x = _LEFT + i * step
        middle = x + step / 2
        if value is None:
            parts.append(f'<text x="{middle:.1f}" y="{base - 4}" text-anchor="middle" fill="#0b0c0c">–</text>')
        else:
            height = plot * min(value, top) / top
            parts.append(
                f'<rect x="{x + 3:.1f}" y="{base - height:.1f}" width="{step - 6:.1f}" height="{height:.1f}" '
                'fill="#1d70b8"/>'
            )
        parts.append(
            f'<text x="{middle:.1f}" y="{_HEIGHT - 10}" text-anchor="middle" fill="#0b0c0c">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _number(value: float) -> str:
    return f"{value:g}"
