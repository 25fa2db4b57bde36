"""Tiny event logs written as strings: one case per string, one event per letter (or per item)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from civicflow.mining import ACTIVITY, CASE, TIMESTAMP, EventLog


def log_of(*traces: str | Sequence[str]) -> EventLog:
    """Cases ``case0``, ``case1`` ... with one event a minute."""
    rows = [
        {CASE: f"case{i}", ACTIVITY: activity, TIMESTAMP: j * 60_000_000}
        for i, trace in enumerate(traces)
        for j, activity in enumerate(trace)
    ]
    schema = {CASE: pl.Utf8, ACTIVITY: pl.Utf8, TIMESTAMP: pl.Int64}
    frame = pl.DataFrame(rows, schema=schema).with_columns(pl.col(TIMESTAMP).cast(pl.Datetime("us", "UTC")))
    return EventLog.from_events(frame)
