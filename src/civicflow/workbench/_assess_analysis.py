"""The Assess section's analyses of one log, computed once per log and kept as JSON.

Every figure a page shows comes from ``civicflow.mining``; this module only runs the analyses,
cuts the tables to what a page can show, and caches the result in the instance folder
(``assess/cache/<digest>.json``, the log's content digest) so that a big log is analysed once,
not on every request. Durations are seconds.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from django.conf import settings

from civicflow.mining import (
    ACTIVITY,
    CASE,
    LIFECYCLE,
    RESOURCE,
    DirectlyFollowsGraph,
    EventLog,
    bottlenecks,
    case_durations,
    directly_follows_graph,
    handover_of_work,
    log_statistics,
    rework,
    self_loops,
)
from civicflow.workbench._assess_logs import DEPARTMENT

__all__ = ["VERSION", "analysis", "dfg_of", "network_of"]

VERSION = 1  # bump when the cached shape changes: older files are then recomputed
_ROWS = 50  # longest ranked table (bottlenecks, rework, handovers) a page shows
_PERCENTILES = (10, 25, 50, 75, 90, 95)
_BINS = 10


def analysis(digest: str, load: Callable[[], EventLog | None]) -> dict[str, Any] | None:
    """The cached analysis of the log ``digest``; ``load`` reads the log when it must be computed."""
    path = Path(settings.INSTANCE_DIR) / "assess" / "cache" / f"{digest}.json"
    if path.exists():
        cached: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if cached.get("version") == VERSION:
            return cached
    log = load()
    if log is None:
        return None
    result = _compute(log) if log.event_count else {"version": VERSION, "stats": {"cases": 0, "events": 0}}
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".part", delete=False, encoding="utf-8") as handle:
        json.dump(result, handle)
    Path(handle.name).replace(path)
    return result


def _compute(log: EventLog) -> dict[str, Any]:
    stats = log_statistics(log)
    dfg = directly_follows_graph(log)
    return {
        "version": VERSION,
        "stats": {
            "cases": stats.cases,
            "events": stats.events,
            "activities": stats.activities,
            "variants": stats.variants,
            "median_duration": stats.case_duration.median,
            "mean_duration": stats.case_duration.mean,
        },
        "activities": dfg.activities,
        "start": dfg.start_activities,
        "end": dfg.end_activities,
        "edges": dfg.edges.select("source", "target", "frequency", "mean", "median", "p90").to_dicts(),
        "bottlenecks": bottlenecks(log, top=_ROWS)
        .select("source", "target", "frequency", "waiting_median", "waiting_p90", "waiting_mean")
        .to_dicts(),
        "rework": rework(log).head(_ROWS).rename({ACTIVITY: "activity"}).to_dicts(),
        "self_loops": self_loops(log).select("source", "frequency", "median").head(_ROWS).to_dicts(),
        "handover": {
            "resource": _network(log, by_department=False),
            "department": _network(log, by_department=True) if DEPARTMENT in log.events.columns else None,
        },
        "durations": _durations(case_durations(log)["duration"]),
    }


def _performed(log: EventLog, *, by_department: bool) -> pl.DataFrame:
    """Completed work with a known performer: who (or which department) did each step."""
    events = log.events
    if LIFECYCLE in events.columns:
        transition = pl.col(LIFECYCLE).str.to_lowercase()
        events = events.filter(transition.is_null() | (transition == "complete"))
    column = DEPARTMENT if by_department else RESOURCE
    if column not in events.columns:
        return events.head(0).with_columns(pl.lit(None, dtype=pl.Utf8).alias(RESOURCE))
    # Steps nobody performed (automatic ones) are left out: the network is between people or
    # departments, and the work passes from one to the next across the automatic steps.
    return events.filter(pl.col(column).is_not_null()).with_columns(pl.col(column).cast(pl.Utf8).alias(RESOURCE))


def _network(log: EventLog, *, by_department: bool) -> dict[str, Any]:
    performed = _performed(log, by_department=by_department)
    edges = handover_of_work(performed).head(_ROWS * 4)
    counts = performed.group_by(RESOURCE).len().sort(["len", RESOURCE], descending=[True, False])
    first = performed.group_by(CASE, maintain_order=True).agg(pl.col(RESOURCE).first()).group_by(RESOURCE).len()
    return {
        "nodes": dict(zip(counts[RESOURCE].to_list(), counts["len"].to_list(), strict=True)),
        "start": dict(zip(first[RESOURCE].to_list(), first["len"].to_list(), strict=True)),
        "edges": edges.to_dicts(),
    }


def _durations(values: pl.Series) -> dict[str, Any]:
    if values.len() == 0:
        return {"percentiles": [], "bins": []}
    frame = values.cast(pl.Float64).to_frame("d")
    column = frame["d"]
    low, high = float(column.min()), float(column.max())  # type: ignore[arg-type]  # a Float64 column's min
    percentiles = [[p, float(frame.select(pl.col("d").quantile(p / 100, "linear")).item())] for p in _PERCENTILES]
    percentiles.append([100, high])
    width = (high - low) / _BINS or 1.0
    index = ((pl.col("d") - low) / width).floor().clip(0, _BINS - 1).cast(pl.Int32)
    counts = dict(frame.group_by(index.alias("bin")).len().iter_rows())
    bins = [
        {"from": low + i * width, "to": low + (i + 1) * width, "cases": int(counts.get(i, 0))} for i in range(_BINS)
    ]
    if high == low:
        bins = [{"from": low, "to": high, "cases": values.len()}]
    return {"percentiles": percentiles, "bins": bins}


def dfg_of(result: dict[str, Any], *, min_frequency: int, top: int) -> DirectlyFollowsGraph:
    """The process map cut to the ``top`` most frequent activities and edges seen ``min_frequency`` times."""
    activities = dict(list(result["activities"].items())[:top])
    schema = {"source": pl.Utf8, "target": pl.Utf8, "frequency": pl.Int64}
    schema.update(dict.fromkeys(("mean", "median", "p90"), pl.Float64))
    edges = pl.DataFrame(result["edges"], schema=schema, orient="row").filter(
        (pl.col("frequency") >= min_frequency)
        & pl.col("source").is_in(list(activities))
        & pl.col("target").is_in(list(activities))
    )
    return DirectlyFollowsGraph(
        activities=activities,
        edges=edges,
        start_activities={a: n for a, n in result["start"].items() if a in activities},
        end_activities={a: n for a, n in result["end"].items() if a in activities},
    )


def network_of(network: dict[str, Any], *, top: int) -> DirectlyFollowsGraph:
    """The ``top`` busiest performers' handover network, shaped as a DFG for the same renderer."""
    nodes = dict(list(network["nodes"].items())[:top])
    rows = [
        {"source": e["source"], "target": e["target"], "frequency": e["handovers"], "median": None}
        for e in network["edges"]
        if e["source"] in nodes and e["target"] in nodes
    ]
    edges = pl.DataFrame(
        rows, schema={"source": pl.Utf8, "target": pl.Utf8, "frequency": pl.Int64, "median": pl.Float64}
    )
    start = {p: n for p, n in network["start"].items() if p in nodes}
    return DirectlyFollowsGraph(activities=nodes, edges=edges, start_activities=start, end_activities={})
