"""Cross-checks against figures pm4py computed once on the shared logs (tests/fixtures/pm4py).

bench/pm4py_fixtures.py wrote the fixtures with pm4py's own Python XES importer, so neither the
parser nor the analyses are shared with civicflow.mining. pm4py counts every event regardless of
lifecycle:transition, so the directly-follows graph here is the ``lifecycle_aware=False`` one and
conformance replays the events without that column. Conformance runs on the very net pm4py
discovered (the PNML next to each fixture).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from civicflow.mining import (
    LIFECYCLE,
    EventLog,
    align,
    directly_follows,
    directly_follows_graph,
    read_pnml,
    read_xes,
    token_replay,
    variants,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pm4py"
LOGS = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs"
CASES = sorted(FIXTURES.glob("*.json"))
# Logs above ~100k events take seconds to read and analyse: marked slow, still in the suite.
LARGE = 100_000

pytestmark = pytest.mark.skipif(not LOGS.is_dir(), reason=f"shared event logs not found at {LOGS}")


def _param(path: Path) -> Any:
    figures = json.loads(path.read_text())
    marks = [pytest.mark.slow] if figures["events"] > LARGE else []
    return pytest.param(path, id=path.stem, marks=marks)


@pytest.fixture(scope="module", params=[_param(p) for p in CASES])
def case(request: pytest.FixtureRequest) -> tuple[dict[str, Any], EventLog]:
    figures = json.loads(request.param.read_text())
    return figures, read_xes(LOGS / figures["log"])


def _digest(table: pl.DataFrame) -> str:
    """The fixture's variant digest (bench/pm4py_fixtures.variants_digest), from our table."""
    unit = chr(31)
    lines = sorted(f"{count}\t{unit.join(variant)}" for variant, count in table.select("variant", "count").iter_rows())
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def test_fixtures_cover_the_shared_logs() -> None:
    assert len(CASES) >= 10, "run bench/pm4py_fixtures.py (see bench/README.md)"


def test_sizes_and_directly_follows_counts(case: tuple[dict[str, Any], EventLog]) -> None:
    figures, log = case
    assert (log.case_count, log.event_count) == (figures["cases"], figures["events"])
    graph = directly_follows_graph(log, lifecycle_aware=False)
    assert sorted([a, b, n] for (a, b), n in graph.frequencies().items()) == figures["dfg"]
    assert graph.start_activities == figures["start_activities"]
    assert graph.end_activities == figures["end_activities"]


def test_per_edge_median_durations(case: tuple[dict[str, Any], EventLog]) -> None:
    figures, log = case
    edges = directly_follows(log, lifecycle_aware=False)
    ours = {(a, b): m for a, b, m in edges.select("source", "target", "median").iter_rows()}
    theirs = {(a, b): m for a, b, m in figures["median_seconds"]}
    assert ours.keys() == theirs.keys()
    # pm4py computes with float seconds from pandas nanoseconds, we from microseconds
    assert ours == {edge: pytest.approx(median, rel=1e-12, abs=1e-6) for edge, median in theirs.items()}


def test_variants(case: tuple[dict[str, Any], EventLog]) -> None:
    figures, log = case
    table = variants(log)
    assert table.height == figures["variant_count"]
    assert _digest(table) == figures["variants_sha256"]
    top = [[list(v), n] for v, n in table.head(len(figures["top_variants"])).select("variant", "count").iter_rows()]
    assert top == figures["top_variants"]


def _conformance_input(figures: dict[str, Any], log: EventLog) -> tuple[pl.DataFrame, Any]:
    return log.events.drop(LIFECYCLE, strict=False), read_pnml(FIXTURES / figures["discovery"]["pnml"])


def test_alignment_fitness_where_pm4py_finished(case: tuple[dict[str, Any], EventLog]) -> None:
    figures, log = case
    if not figures["alignments"].get("finished"):
        pytest.skip(f"pm4py's alignments did not finish on {figures['log']}")
    events, net = _conformance_input(figures, log)
    result = align(events, net)
    assert result.not_aligned == 0
    assert result.log_fitness == pytest.approx(figures["alignments"]["log_fitness"], abs=1e-6)
    assert result.average_fitness == pytest.approx(figures["alignments"]["average_trace_fitness"], abs=1e-6)


def test_token_replay_fitness_within_a_hundredth(case: tuple[dict[str, Any], EventLog]) -> None:
    figures, log = case
    if not figures["token_replay"].get("finished"):
        pytest.skip(f"pm4py's token replay did not finish on {figures['log']}")
    events, net = _conformance_input(figures, log)
    result = token_replay(events, net, precision=False)
    assert result.fitness == pytest.approx(figures["token_replay"]["log_fitness"], abs=0.01)
    assert result.average_trace_fitness == pytest.approx(figures["token_replay"]["average_trace_fitness"], abs=0.01)
    assert result.fitting_traces_share * 100 == pytest.approx(figures["token_replay"]["perc_fit_traces"], abs=1)


def test_token_replay_counts_of_the_most_frequent_variants(case: tuple[dict[str, Any], EventLog]) -> None:
    """Missing, consumed, remaining and produced tokens per variant, as pm4py counted them."""
    figures, log = case
    top = figures["token_replay"].get("top_variants")
    if not top:
        pytest.skip(f"no per-variant token replay counts for {figures['log']} (bench/pm4py_fixtures.py --refresh)")
    events, net = _conformance_input(figures, log)
    result = token_replay(events, net, precision=False)
    ours = {v.activities: [v.count, v.missing, v.consumed, v.remaining, v.produced] for v in result.variants}
    theirs = {tuple(activities): counts for activities, *counts in top}
    assert {variant: ours.get(variant) for variant in theirs} == theirs
