"""Cross-checks against an independent, loop-based implementation on real logs.

The reference below reads the CSV with the standard library and walks each trace in Python;
it shares no code with civicflow.mining. Headline figures of the running example are also
written out by hand.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import polars as pl
import pytest

from civicflow.mining import EventLog, directly_follows_graph, log_statistics, variants

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs" / "pm4py"
LOGS = ["running-example.csv", "roadtraffic100traces.csv"]


def _traces(path: Path) -> dict[str, list[tuple[dt.datetime, int, str]]]:
    traces: dict[str, list[tuple[dt.datetime, int, str]]] = defaultdict(list)
    with path.open(newline="", encoding="utf-8") as handle:
        for index, row in enumerate(csv.DictReader(handle)):
            stamp = dt.datetime.fromisoformat(row["time:timestamp"])
            traces[row["case:concept:name"]].append((stamp, index, row["concept:name"]))
    return {case: sorted(events) for case, events in traces.items()}


def _reference(path: Path) -> dict[str, object]:
    dfg: Counter[tuple[str, str]] = Counter()
    gaps: dict[tuple[str, str], list[float]] = defaultdict(list)
    seqs: Counter[tuple[str, ...]] = Counter()
    starts: Counter[str] = Counter()
    ends: Counter[str] = Counter()
    for events in _traces(path).values():
        names = tuple(name for _, _, name in events)
        seqs[names] += 1
        starts[names[0]] += 1
        ends[names[-1]] += 1
        for (t1, _, a), (t2, _, b) in itertools.pairwise(events):
            dfg[a, b] += 1
            gaps[a, b].append((t2 - t1).total_seconds())
    medians = {edge: statistics.median(values) for edge, values in gaps.items()}
    return {"dfg": dict(dfg), "variants": dict(seqs), "starts": dict(starts), "ends": dict(ends), "medians": medians}


def _load(path: Path) -> EventLog:
    frame = pl.read_csv(path, infer_schema_length=0).with_columns(
        pl.col("time:timestamp").str.to_datetime(time_zone="UTC")
    )
    return EventLog.from_events(frame)


@pytest.mark.parametrize("name", LOGS)
def test_dfg_variants_and_boundaries_match_reference(name: str) -> None:
    expected = _reference(DATA / name)
    log = _load(DATA / name)
    dfg = directly_follows_graph(log)
    assert dfg.frequencies() == expected["dfg"]
    assert dfg.start_activities == expected["starts"]
    assert dfg.end_activities == expected["ends"]
    medians = {(s, t): m for s, t, m in dfg.edges.select("source", "target", "median").rows()}
    assert medians == pytest.approx(expected["medians"])
    found = {tuple(v): n for v, n in variants(log).select("variant", "count").rows()}
    assert found == expected["variants"]


def test_running_example_by_hand() -> None:
    stats = log_statistics(_load(DATA / "running-example.csv"))
    assert (stats.cases, stats.events, stats.activities, stats.variants) == (6, 42, 8, 6)
    assert stats.start_activities == {"register request": 6}
    assert stats.end_activities == {"pay compensation": 3, "reject request": 3}
    dfg = directly_follows_graph(_load(DATA / "running-example.csv")).frequencies()
    # cases 3, 5, 6 / 2, 4 / 1
    assert dfg["register request", "examine casually"] == 3
    assert dfg["register request", "check ticket"] == 2
    assert dfg["register request", "examine thoroughly"] == 1
    assert dfg["decide", "reinitiate request"] == 3
    assert dfg["reinitiate request", "examine casually"] == 1
