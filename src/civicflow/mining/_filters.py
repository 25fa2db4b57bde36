"""Filters on event logs; each returns a log of the same kind as its input.

Case-level filters keep or drop whole cases; ``filter_time_frame`` with ``TimeFrameMode.EVENTS``
and ``filter_attribute`` with ``level="event"`` keep individual events.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from enum import StrEnum
from typing import Literal

import polars as pl

from civicflow.mining._columns import ACTIVITY, CASE, TIMESTAMP, L, events_of, rewrap, seconds
from civicflow.mining._variants import filter_variants

__all__ = [
    "TimeFrameMode",
    "filter_attribute",
    "filter_case_performance",
    "filter_end_activities",
    "filter_start_activities",
    "filter_time_frame",
    "filter_variants",
]


class TimeFrameMode(StrEnum):
    """How a case relates to a time frame to be kept."""

    CONTAINED = "contained"  # the whole case lies inside the frame
    INTERSECTING = "intersecting"  # some of the case lies inside the frame
    STARTED = "started"  # the case starts inside the frame
    EVENTS = "events"  # keep the events inside the frame, trimming cases


def _keep_cases(log: L, events: pl.DataFrame, condition: pl.Expr, *, exclude: bool = False) -> L:
    per_case = events.group_by(CASE).agg(condition.alias("_keep"))
    hit = per_case.filter(pl.col("_keep") ^ exclude)[CASE]
    return rewrap(log, events.filter(pl.col(CASE).is_in(hit.implode())))


def filter_time_frame(
    log: L, start: dt.datetime, end: dt.datetime, *, mode: TimeFrameMode = TimeFrameMode.CONTAINED
) -> L:
    """Keep cases (or events) by their position relative to ``[start, end]`` (aware datetimes)."""
    events = events_of(log)
    ts = pl.col(TIMESTAMP)
    lo, hi = pl.lit(start).dt.convert_time_zone("UTC"), pl.lit(end).dt.convert_time_zone("UTC")
    if mode is TimeFrameMode.EVENTS:
        return rewrap(log, events.filter(ts.dt.convert_time_zone("UTC").is_between(lo, hi)))
    first, last = ts.min().dt.convert_time_zone("UTC"), ts.max().dt.convert_time_zone("UTC")
    condition = {
        TimeFrameMode.CONTAINED: (first >= lo) & (last <= hi),
        TimeFrameMode.INTERSECTING: (first <= hi) & (last >= lo),
        TimeFrameMode.STARTED: first.is_between(lo, hi),
    }[mode]
    return _keep_cases(log, events, condition)


def filter_attribute(
    log: L,
    attribute: str,
    values: Iterable[object],
    *,
    level: Literal["case", "event"] = "case",
    exclude: bool = False,
) -> L:
    """Keep cases having an event whose ``attribute`` is in ``values`` (or just those events).

    With ``exclude``, drop them instead. An attribute the log does not have matches nothing.
    """
    events = events_of(log)
    if attribute not in events.columns:
        matches: pl.Expr = pl.lit(value=False)
    else:
        matches = pl.col(attribute).is_in(pl.Series(list(values)).implode()).fill_null(value=False)
    if level == "event":
        return rewrap(log, events.filter(matches ^ exclude))
    return _keep_cases(log, events, matches.any(), exclude=exclude)


def filter_start_activities(log: L, activities: Iterable[str], *, exclude: bool = False) -> L:
    """Keep cases whose first activity is one of ``activities``."""
    events = events_of(log)
    return _keep_cases(log, events, pl.col(ACTIVITY).first().is_in(list(activities)), exclude=exclude)


def filter_end_activities(log: L, activities: Iterable[str], *, exclude: bool = False) -> L:
    """Keep cases whose last activity is one of ``activities``."""
    events = events_of(log)
    return _keep_cases(log, events, pl.col(ACTIVITY).last().is_in(list(activities)), exclude=exclude)


def filter_case_performance(log: L, min_seconds: float = 0.0, max_seconds: float = float("inf")) -> L:
    """Keep cases whose duration (first to last event) is within ``[min_seconds, max_seconds]``."""
    events = events_of(log)
    duration = seconds(pl.col(TIMESTAMP).max() - pl.col(TIMESTAMP).min())
    return _keep_cases(log, events, duration.is_between(min_seconds, max_seconds))
