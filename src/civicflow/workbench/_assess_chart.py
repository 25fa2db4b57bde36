"""Assess's case-duration chart (the bars themselves: civicflow.web.charts)."""

from __future__ import annotations

from typing import Any

from civicflow.mining import format_seconds
from civicflow.web.charts import bar_chart

__all__ = ["duration_chart"]


def duration_chart(bins: list[dict[str, Any]]) -> str:
    """Bars of cases per duration bin, labelled with each bin's upper bound."""
    points: list[tuple[str, float | None]] = [(format_seconds(float(b["to"])), float(int(b["cases"]))) for b in bins]
    tallest = max((int(b["cases"]) for b in bins), default=0) or 1
    return bar_chart(points, top_label=str(tallest))
