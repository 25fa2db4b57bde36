"""Small server-rendered SVG bar charts, shared by the workbench (Assess, Performance) and the portal.

A chart is decoration for sighted readers: every page that shows one has a table beside it with
the same numbers, so the SVG is hidden from assistive technology. A missing value has no bar and a
dash above its label, so a gap is not read as zero. Colours are GOV.UK Frontend's (blue bars on
white, black text: both above 4.5:1).
"""

from __future__ import annotations

from html import escape

__all__ = ["bar_chart"]

_WIDTH, _HEIGHT, _LEFT, _BOTTOM, _TOP = 640, 240, 56, 48, 16


def bar_chart(
    points: list[tuple[str, float | None]],
    *,
    top_label: str = "",
    ceiling: float | None = None,
    css_class: str = "workbench-assess-chart",
    font_size: int = 12,
) -> str:
    """Bars of ``(label, value)`` as an SVG string ("" without points).

    ``ceiling`` fixes the top of the scale (100 for percentages; values above it are cut), else
    the largest value is the top; ``top_label`` names the top of the scale (its number by default).
    """
    if not points:
        return ""
    top = ceiling if ceiling is not None else (max((v for _, v in points if v is not None), default=0.0) or 1.0)
    plot_height = _HEIGHT - _BOTTOM - _TOP
    base = _TOP + plot_height
    step = (_WIDTH - _LEFT) / len(points)
    parts = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {_HEIGHT}" class="{escape(css_class)}" '
            f'aria-hidden="true" focusable="false" font-family="sans-serif" font-size="{font_size}">'
        ),
        f'<line x1="{_LEFT}" y1="{base}" x2="{_WIDTH}" y2="{base}" stroke="#0b0c0c"/>',
        f'<text x="4" y="{_TOP + 10}" fill="#0b0c0c">{escape(top_label or f"{top:g}")}</text>',
        f'<text x="4" y="{base}" fill="#0b0c0c">0</text>',
    ]
    for i, (label, value) in enumerate(points):
        x = _LEFT + i * step
        middle = x + step / 2
        if value is None:
            parts.append(f'<text x="{middle:.1f}" y="{base - 4}" text-anchor="middle" fill="#0b0c0c">–</text>')
        else:
            height = plot_height * min(value, top) / top
            parts.append(
                f'<rect x="{x + 2:.1f}" y="{base - height:.1f}" width="{step - 4:.1f}" '
                f'height="{height:.1f}" fill="#1d70b8"/>'
            )
        parts.append(
            f'<text x="{middle:.1f}" y="{_HEIGHT - _BOTTOM + 18}" text-anchor="middle" '
            f'fill="#0b0c0c">{escape(label)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
