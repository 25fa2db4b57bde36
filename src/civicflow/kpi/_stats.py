"""Ratios and duration percentiles (nearest-rank method)."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from civicflow.mining import BusinessCalendar

__all__ = ["DurationStats", "Ratio", "nearest_rank"]

PERCENTILES = (50, 90, 95)


def nearest_rank(values: Sequence[float], percent: int) -> float | None:
    """The nearest-rank percentile: the smallest value with at least ``percent``% of values at or below it.

    Sorted ascending, that is the value at 1-based rank ``ceil(percent / 100 * n)``. It is always one
    of the observed durations (no interpolation), which is what a citizen-facing figure should be.
    """
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(percent * len(ordered) / 100)) - 1]


@dataclass(frozen=True, slots=True, kw_only=True)
class Ratio:
    """``numerator / denominator``; ``value`` is None when nothing was counted."""

    numerator: int
    denominator: int

    @property
    def value(self) -> float | None:
        return None if self.denominator == 0 else self.numerator / self.denominator


@dataclass(frozen=True, slots=True, kw_only=True)
class DurationStats:
    """Nearest-rank p50/p90/p95 of durations in seconds, in calendar time and in working time."""

    count: int
    calendar: tuple[float | None, float | None, float | None]
    working: tuple[float | None, float | None, float | None]

    @classmethod
    def of(cls, spans: Sequence[tuple[dt.datetime, dt.datetime]], calendar: BusinessCalendar) -> DurationStats:
        seconds = [(end - start).total_seconds() for start, end in spans]
        frame = pl.DataFrame(
            {"s": [start for start, _ in spans], "e": [end for _, end in spans]},
            schema={"s": pl.Datetime("us", "UTC"), "e": pl.Datetime("us", "UTC")},
        )
        working = calendar.working_seconds(frame, "s", "e").to_list()
        p50, p90, p95 = PERCENTILES
        return cls(
            count=len(spans),
            calendar=(nearest_rank(seconds, p50), nearest_rank(seconds, p90), nearest_rank(seconds, p95)),
            working=(nearest_rank(working, p50), nearest_rank(working, p90), nearest_rank(working, p95)),
        )
