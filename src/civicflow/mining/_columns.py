"""XES standard column names and the accessor every analysis uses to reach the events table.

Analyses accept either an event log object (anything with an ``events`` polars DataFrame, such as
:class:`civicflow.mining.EventLog`) or a bare DataFrame with the XES column names; a bare frame is
sorted stably by case and timestamp, an event log is trusted to be sorted already.
"""

from __future__ import annotations

import dataclasses
from typing import Protocol, TypeVar, cast, runtime_checkable

import polars as pl

from civicflow.mining._log import ACTIVITY, CASE, INDEX, LIFECYCLE, RESOURCE, TIMESTAMP

__all__ = [
    "ACTIVITY",
    "CASE",
    "LIFECYCLE",
    "RESOURCE",
    "TIMESTAMP",
    "HasEvents",
    "LogLike",
    "events_of",
    "rewrap",
    "seconds",
]


@runtime_checkable
class HasEvents(Protocol):
    """An event log: a sorted polars DataFrame of events with XES column names."""

    @property
    def events(self) -> pl.DataFrame: ...


LogLike = pl.DataFrame | HasEvents
L = TypeVar("L", bound=LogLike)


def events_of(log: LogLike) -> pl.DataFrame:
    """The events table of ``log``, sorted by case, then timestamp, then original order."""
    if isinstance(log, pl.DataFrame):
        keys = [CASE, TIMESTAMP] + ([INDEX] if INDEX in log.columns else [])
        return log.sort(keys, maintain_order=True)
    return log.events


def rewrap(log: L, events: pl.DataFrame) -> L:
    """Return a log of the same kind as ``log`` holding only ``events`` (a filter's result)."""
    if isinstance(log, pl.DataFrame):
        return cast("L", events)
    changes: dict[str, object] = {"events": events}
    cases = getattr(log, "cases", None)
    if isinstance(cases, pl.DataFrame) and CASE in cases.columns:
        changes["cases"] = cases.filter(pl.col(CASE).is_in(events[CASE].unique().implode()))
    return dataclasses.replace(log, **changes)  # type: ignore[type-var]


def seconds(expr: pl.Expr) -> pl.Expr:
    """A Duration expression as float seconds (microsecond resolution)."""
    return expr.dt.total_microseconds() / 1_000_000
