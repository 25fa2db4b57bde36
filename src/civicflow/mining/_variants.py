"""Trace variants: the distinct activity sequences of a log, with counts and shares."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import polars as pl

from civicflow.mining._columns import ACTIVITY, CASE, L, LogLike, events_of, rewrap

__all__ = ["case_variants", "filter_variants", "variants"]


def case_variants(log: LogLike) -> pl.DataFrame:
    """One row per case: ``case:concept:name`` and ``variant`` (the list of its activities)."""
    return events_of(log).group_by(CASE, maintain_order=True).agg(pl.col(ACTIVITY).alias("variant"))


def variants(log: LogLike) -> pl.DataFrame:
    """Columns ``variant`` (list of activities), ``count`` and ``share`` (0-1).

    Sorted by count descending, ties by the variant's activities joined with commas.
    """
    per_case = case_variants(log)
    total = max(per_case.height, 1)
    return (
        per_case.group_by("variant")
        .agg(pl.len().alias("count"))
        .with_columns(
            (pl.col("count") / total).alias("share"),
            pl.col("variant").list.join(",").alias("_key"),
        )
        .sort(["count", "_key"], descending=[True, False])
        .drop("_key")
    )


def filter_variants(log: L, keep: Iterable[Sequence[str]], *, exclude: bool = False) -> L:
    """Keep the cases whose activity sequence is one of ``keep`` (or drop them with ``exclude``)."""
    wanted = pl.Series("variant", [list(v) for v in keep], dtype=pl.List(pl.Utf8))
    per_case = case_variants(log)
    hit = per_case.filter(pl.col("variant").is_in(wanted.implode()) ^ exclude)[CASE]
    events = events_of(log)
    return rewrap(log, events.filter(pl.col(CASE).is_in(hit.implode())))
