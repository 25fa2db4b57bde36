"""Directly-follows graph: frequency and performance of each pair of consecutive activities."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from civicflow.mining._columns import ACTIVITY, CASE, LIFECYCLE, TIMESTAMP, LogLike, events_of, seconds
from civicflow.mining._stats import boundary_counts

__all__ = ["DirectlyFollowsGraph", "directly_follows", "directly_follows_graph", "edge_durations"]


def _complete_only(events: pl.DataFrame) -> pl.DataFrame:
    """Keep complete events when the log records lifecycle transitions (one event per instance)."""
    if LIFECYCLE not in events.columns:
        return events
    transition = pl.col(LIFECYCLE).str.to_lowercase()
    if not events.select((transition == "start").any()).item():
        return events
    return events.filter(transition.is_null() | (transition == "complete"))


def edge_durations(log: LogLike, *, lifecycle_aware: bool = True) -> pl.DataFrame:
    """One row per directly-follows occurrence: case, ``source``, ``target``, ``duration`` (s).

    With ``lifecycle_aware`` and start/complete events present, the graph is built over complete
    events (one per activity instance); otherwise over every event as recorded.
    """
    events = events_of(log)
    if lifecycle_aware:
        events = _complete_only(events)
    return _pairs(events)


def _pairs(events: pl.DataFrame) -> pl.DataFrame:
    same_case = pl.col(CASE) == pl.col(CASE).shift(-1)
    return (
        events.select(
            pl.col(CASE),
            pl.col(ACTIVITY).alias("source"),
            pl.col(ACTIVITY).shift(-1).alias("target"),
            seconds(pl.col(TIMESTAMP).shift(-1) - pl.col(TIMESTAMP)).alias("duration"),
            same_case.alias("_same"),
        )
        .filter(pl.col("_same").fill_null(value=False))
        .drop("_same")
    )


def directly_follows(log: LogLike, *, lifecycle_aware: bool = True) -> pl.DataFrame:
    """Edges with ``frequency`` and ``mean``/``median``/``p90``/``min``/``max`` durations (s).

    Sorted by frequency descending, then source and target.
    """
    return _edge_table(edge_durations(log, lifecycle_aware=lifecycle_aware))


def _edge_table(pairs: pl.DataFrame) -> pl.DataFrame:
    return (
        pairs.group_by("source", "target")
        .agg(
            pl.len().alias("frequency"),
            pl.col("duration").mean().alias("mean"),
            pl.col("duration").median().alias("median"),
            pl.col("duration").quantile(0.9, "linear").alias("p90"),
            pl.col("duration").min().alias("min"),
            pl.col("duration").max().alias("max"),
        )
        .sort(["frequency", "source", "target"], descending=[True, False, False])
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class DirectlyFollowsGraph:
    """A DFG: activity frequencies, the edge table, and the start and end activities."""

    activities: dict[str, int]
    edges: pl.DataFrame
    start_activities: dict[str, int]
    end_activities: dict[str, int]

    def frequencies(self) -> dict[tuple[str, str], int]:
        """``{(source, target): frequency}``."""
        rows = self.edges.select("source", "target", "frequency").iter_rows()
        return {(s, t): f for s, t, f in rows}


def directly_follows_graph(log: LogLike, *, lifecycle_aware: bool = True) -> DirectlyFollowsGraph:
    """Build the full directly-follows graph of ``log``."""
    events = events_of(log)
    if lifecycle_aware:
        events = _complete_only(events)
    counts = events.group_by(ACTIVITY).len().sort(["len", ACTIVITY], descending=[True, False])
    # events are sorted once (events_of); the parts below reuse that order instead of re-sorting
    return DirectlyFollowsGraph(
        activities=dict(zip(counts[ACTIVITY].to_list(), counts["len"].to_list(), strict=True)),
        edges=_edge_table(_pairs(events)),
        start_activities=boundary_counts(events, first=True),
        end_activities=boundary_counts(events, first=False),
    )
