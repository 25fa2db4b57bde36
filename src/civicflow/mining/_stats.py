"""Log statistics: counts, start and end activities, case durations, events per case."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from civicflow.mining._columns import ACTIVITY, CASE, TIMESTAMP, LogLike, events_of, seconds

__all__ = [
    "LogStatistics",
    "Summary",
    "boundary_counts",
    "case_durations",
    "end_activities",
    "log_statistics",
    "start_activities",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Summary:
    """Distribution of a numeric quantity; quantiles interpolate linearly (as numpy does)."""

    min: float
    median: float
    mean: float
    p90: float
    max: float

    @classmethod
    def of(cls, values: pl.Series) -> Summary:
        """Summarise ``values``; an empty series summarises to zeros."""
        if values.len() == 0:
            return cls(min=0.0, median=0.0, mean=0.0, p90=0.0, max=0.0)
        row = (
            values.cast(pl.Float64)
            .to_frame("v")
            .select(
                pl.col("v").min().alias("min"),
                pl.col("v").median().alias("median"),
                pl.col("v").mean().alias("mean"),
                pl.col("v").quantile(0.9, "linear").alias("p90"),
                pl.col("v").max().alias("max"),
            )
            .row(0, named=True)
        )
        return cls(**{k: float(v) for k, v in row.items()})


@dataclass(frozen=True, slots=True, kw_only=True)
class LogStatistics:
    """Headline figures of an event log; durations are in seconds."""

    cases: int
    events: int
    activities: int
    variants: int
    start_activities: dict[str, int]
    end_activities: dict[str, int]
    case_duration: Summary
    events_per_case: Summary


def boundary_counts(events: pl.DataFrame, *, first: bool) -> dict[str, int]:
    """Cases per first (or last) activity of ``events`` already sorted by case and time."""
    case = pl.col(CASE)
    # sorted by case, a case's first event is where the case id changes: no group_by needed
    boundary = case != (case.shift(1) if first else case.shift(-1))
    counts = (
        events.filter(boundary.fill_null(value=True))
        .group_by(ACTIVITY)
        .len()
        .sort(["len", ACTIVITY], descending=[True, False])
    )
    return dict(zip(counts[ACTIVITY].to_list(), counts["len"].to_list(), strict=True))


def _boundary_activities(log: LogLike, *, first: bool) -> dict[str, int]:
    return boundary_counts(events_of(log), first=first)


def start_activities(log: LogLike) -> dict[str, int]:
    """Number of cases starting with each activity, most frequent first."""
    return _boundary_activities(log, first=True)


def end_activities(log: LogLike) -> dict[str, int]:
    """Number of cases ending with each activity, most frequent first."""
    return _boundary_activities(log, first=False)


def case_durations(log: LogLike) -> pl.DataFrame:
    """One row per case: ``case:concept:name``, ``start``, ``end``, ``duration`` (s), ``events``."""
    return (
        events_of(log)
        .group_by(CASE, maintain_order=True)
        .agg(
            pl.col(TIMESTAMP).min().alias("start"),
            pl.col(TIMESTAMP).max().alias("end"),
            pl.len().alias("events"),
        )
        .with_columns(seconds(pl.col("end") - pl.col("start")).alias("duration"))
        .select(CASE, "start", "end", "duration", "events")
    )


def log_statistics(log: LogLike) -> LogStatistics:
    """Counts, start/end activities and the distributions of case duration and length."""
    events = events_of(log)
    per_case = case_durations(events)
    variant_count = (
        events.group_by(CASE, maintain_order=True).agg(pl.col(ACTIVITY)).select(pl.col(ACTIVITY).n_unique()).item()
    )
    return LogStatistics(
        cases=per_case.height,
        events=events.height,
        activities=events[ACTIVITY].n_unique(),
        variants=int(variant_count) if per_case.height else 0,
        start_activities=start_activities(events),
        end_activities=end_activities(events),
        case_duration=Summary.of(per_case["duration"]),
        events_per_case=Summary.of(per_case["events"]),
    )
