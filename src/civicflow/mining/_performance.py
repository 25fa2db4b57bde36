"""Performance: activity instances, service vs waiting time, bottlenecks, rework and loops.

When a log records ``lifecycle:transition`` start and complete events, the n-th start of an
activity in a case is paired with its n-th complete: that pair is one activity instance. Service
time runs from an instance's start to its complete; waiting time from the latest complete of
another instance at or before this instance's start (in parallel branches the instance that
completed just before this one may have completed after it started: taking it would give negative
waiting times). Without start events an instance is its single event, service time is unknown
(null) and waiting time is the time since the previous event.
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl

from civicflow.mining._columns import ACTIVITY, CASE, LIFECYCLE, TIMESTAMP, LogLike, events_of, seconds
from civicflow.mining._dfg import directly_follows

__all__ = [
    "BottleneckMeasure",
    "activity_instances",
    "activity_performance",
    "bottlenecks",
    "has_lifecycle",
    "rework",
    "self_loops",
]


class BottleneckMeasure(StrEnum):
    """Which statistic of waiting time ranks bottleneck edges."""

    MEDIAN = "median"
    P90 = "p90"
    MEAN = "mean"


def has_lifecycle(events: pl.DataFrame) -> bool:
    """Whether ``events`` records both start and complete transitions."""
    if LIFECYCLE not in events.columns:
        return False
    transitions = set(events[LIFECYCLE].drop_nulls().str.to_lowercase().unique().to_list())
    return {"start", "complete"} <= transitions


def activity_instances(log: LogLike) -> pl.DataFrame:
    """One row per activity instance.

    Columns: case, activity, ``start``, ``complete`` (timestamps; ``start`` null when not
    recorded), ``previous`` (activity of the preceding instance in the case), ``service`` and
    ``waiting`` in seconds, and any other event columns of the complete event.
    """
    events = events_of(log)
    if has_lifecycle(events):
        transition = pl.col(LIFECYCLE).str.to_lowercase()
        nth = pl.int_range(pl.len()).over([CASE, ACTIVITY]).alias("_nth")
        starts = events.filter(transition == "start").select(CASE, ACTIVITY, nth, pl.col(TIMESTAMP).alias("start"))
        completes = events.filter(transition.is_null() | (transition == "complete")).with_columns(nth)
        instances = (
            completes.join(starts, on=[CASE, ACTIVITY, "_nth"], how="left")
            .drop("_nth")
            .rename({TIMESTAMP: "complete"})
            .sort([CASE, "complete"], maintain_order=True)
        )
        return _with_predecessors(instances)
    instances = events.rename({TIMESTAMP: "complete"}).with_columns(
        pl.lit(None, dtype=events.schema[TIMESTAMP]).alias("start")
    )
    return instances.with_columns(
        pl.col(ACTIVITY).shift(1).over(CASE).alias("previous"),
        pl.lit(None, dtype=pl.Float64).alias("service"),
        seconds(pl.col("complete") - pl.col("complete").shift(1).over(CASE)).alias("waiting"),
    )


def _with_predecessors(instances: pl.DataFrame) -> pl.DataFrame:
    """Add ``previous``, ``service`` and ``waiting`` to instances sorted by case and complete.

    The predecessor of an instance is the latest instance of its case, earlier in completion
    order, that completed at or before it began. Completion order is sorted, so those candidates
    form a prefix of the case: an as-of join finds the prefix's end, capped just before the
    instance itself (an instance never precedes itself, even with zero service time).
    """
    began = pl.coalesce("start", "complete")
    rows = instances.with_row_index("_i").with_columns(began.alias("_began"))
    completed = rows.select(
        CASE,
        pl.col("complete").alias("_key"),
        pl.col("_i").alias("_j"),
    )
    matched = (
        rows.select(CASE, "_i", pl.col("_began").alias("_key"))
        .sort("_key")
        .join_asof(completed.sort("_key"), on="_key", by=CASE, strategy="backward")
        .select("_i", "_j")
    )
    # an instance whose match lies at or after itself takes the one just before it in its case
    pred = pl.when(pl.col("_j") >= pl.col("_i")).then(pl.col("_i") - 1).otherwise(pl.col("_j"))
    first = pl.col("_i") == pl.col("_i").min().over(CASE)
    rows = rows.join(matched, on="_i", how="left").with_columns(
        pl.when(first | pl.col("_j").is_null()).then(None).otherwise(pred).alias("_p")
    )
    lookup = rows.select(
        pl.col("_i").alias("_p"), pl.col(ACTIVITY).alias("previous"), pl.col("complete").alias("_prev_complete")
    )
    return (
        rows.join(lookup, on="_p", how="left")
        .sort("_i")
        .with_columns(
            seconds(pl.col("complete") - pl.col("start")).alias("service"),
            seconds(pl.col("_began") - pl.col("_prev_complete")).alias("waiting"),
        )
        .drop("_i", "_j", "_p", "_began", "_prev_complete")
    )


def _stats(column: str) -> list[pl.Expr]:
    values = pl.col(column)
    return [
        values.mean().alias(f"{column}_mean"),
        values.median().alias(f"{column}_median"),
        values.quantile(0.9, "linear").alias(f"{column}_p90"),
    ]


def activity_performance(log: LogLike) -> pl.DataFrame:
    """Per activity: ``instances`` and mean/median/p90 of ``service`` and ``waiting`` (s)."""
    return (
        activity_instances(log)
        .group_by(ACTIVITY)
        .agg(pl.len().alias("instances"), *_stats("service"), *_stats("waiting"))
        .sort(["instances", ACTIVITY], descending=[True, False])
    )


def bottlenecks(
    log: LogLike, *, by: BottleneckMeasure = BottleneckMeasure.MEDIAN, top: int | None = None
) -> pl.DataFrame:
    """Edges (``source`` -> ``target``) ranked by waiting time before ``target``, longest first.

    Columns: source, target, frequency, ``waiting_mean``/``waiting_median``/``waiting_p90`` (s).
    """
    ranked = (
        activity_instances(log)
        .filter(pl.col("previous").is_not_null())
        .group_by(pl.col("previous").alias("source"), pl.col(ACTIVITY).alias("target"))
        .agg(pl.len().alias("frequency"), *_stats("waiting"))
        .sort([f"waiting_{by}", "frequency", "source", "target"], descending=[True, True, False, False])
    )
    return ranked if top is None else ranked.head(top)


def rework(log: LogLike) -> pl.DataFrame:
    """Activities repeated within a case.

    Columns: activity, ``cases`` (cases containing it), ``rework_cases`` (cases where it occurs
    more than once), ``repetitions`` (occurrences beyond the first, summed over cases). Only
    activities with rework, most repetitions first. Lifecycle logs count activity instances.
    """
    per_case = activity_instances(log).group_by(CASE, ACTIVITY).agg(pl.len().alias("n"))
    return (
        per_case.group_by(ACTIVITY)
        .agg(
            pl.len().alias("cases"),
            (pl.col("n") > 1).sum().alias("rework_cases"),
            (pl.col("n") - 1).sum().alias("repetitions"),
        )
        .filter(pl.col("repetitions") > 0)
        .sort(["repetitions", ACTIVITY], descending=[True, False])
    )


def self_loops(log: LogLike) -> pl.DataFrame:
    """Directly-follows edges from an activity to itself, with their frequency and durations."""
    return directly_follows(log).filter(pl.col("source") == pl.col("target"))
