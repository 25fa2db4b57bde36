"""Social networks: handover of work and working together, between resources or departments.

Events without a resource count as the resource ``UNKNOWN_RESOURCE``; a resource missing from a
department mapping counts as the department ``UNKNOWN_RESOURCE`` too. Neither ever fails.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from civicflow.mining._columns import CASE, RESOURCE, LogLike, events_of

__all__ = ["UNKNOWN_RESOURCE", "handover_of_work", "working_together"]

UNKNOWN_RESOURCE = "(unknown)"


def _performers(log: LogLike, departments: Mapping[str, str] | None) -> pl.DataFrame:
    """Events as (case, performer), performer being the resource or its department."""
    events = events_of(log)
    if RESOURCE in events.columns:
        resource = pl.col(RESOURCE).cast(pl.Utf8)
    else:
        resource = pl.lit(None, dtype=pl.Utf8)
    performer = resource.fill_null(UNKNOWN_RESOURCE)
    if departments is not None:
        performer = resource.replace_strict(dict(departments), default=None, return_dtype=pl.Utf8).fill_null(
            UNKNOWN_RESOURCE
        )
    return events.select(pl.col(CASE), performer.alias("performer"))


def handover_of_work(
    log: LogLike, *, departments: Mapping[str, str] | None = None, include_self: bool = False
) -> pl.DataFrame:
    """Who passes work to whom: consecutive events of a case performed by ``source`` then ``target``.

    Columns: source, target, ``handovers`` (occurrences), ``cases`` (distinct cases), sorted by
    handovers descending. With ``departments`` (resource -> department) the network is between
    departments. Handovers from a performer to itself are left out unless ``include_self``.
    """
    rows = _performers(log, departments)
    pairs = rows.select(
        pl.col(CASE),
        pl.col("performer").alias("source"),
        pl.col("performer").shift(-1).alias("target"),
        (pl.col(CASE) == pl.col(CASE).shift(-1)).fill_null(value=False).alias("_same"),
    ).filter(pl.col("_same"))
    if not include_self:
        pairs = pairs.filter(pl.col("source") != pl.col("target"))
    return (
        pairs.group_by("source", "target")
        .agg(pl.len().alias("handovers"), pl.col(CASE).n_unique().alias("cases"))
        .sort(["handovers", "source", "target"], descending=[True, False, False])
    )


def working_together(log: LogLike, *, departments: Mapping[str, str] | None = None) -> pl.DataFrame:
    """Pairs of performers active in the same case.

    Columns: ``a``, ``b`` (``a`` < ``b``), ``cases`` (number of shared cases), sorted by cases
    descending.
    """
    present = _performers(log, departments).unique()
    return (
        present.join(present, on=CASE, suffix="_other")
        .filter(pl.col("performer") < pl.col("performer_other"))
        .group_by(pl.col("performer").alias("a"), pl.col("performer_other").alias("b"))
        .agg(pl.len().alias("cases"))
        .sort(["cases", "a", "b"], descending=[True, False, False])
    )
