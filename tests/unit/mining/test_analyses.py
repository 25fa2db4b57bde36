"""Analyses on a hand-built log whose figures are worked out in the comments."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from civicflow.mining import (
    UNKNOWN_RESOURCE,
    BottleneckMeasure,
    EventLog,
    TimeFrameMode,
    activity_instances,
    activity_performance,
    bottlenecks,
    directly_follows,
    directly_follows_graph,
    filter_attribute,
    filter_case_performance,
    filter_end_activities,
    filter_start_activities,
    filter_time_frame,
    filter_variants,
    handover_of_work,
    log_statistics,
    rework,
    self_loops,
    variants,
    working_together,
)

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


def _at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


# c1: A(0) B(10) C(30)        by ann, bob, ann
# c2: A(0) B(20) B(25) C(60)  by ann, None, bob, ann   (self-loop B->B, rework of B)
# c3: A(100) C(130)           by cid, ann
ROWS = [
    ("c1", "A", 0, "ann"),
    ("c1", "B", 10, "bob"),
    ("c1", "C", 30, "ann"),
    ("c2", "A", 0, "ann"),
    ("c2", "B", 20, None),
    ("c2", "B", 25, "bob"),
    ("c2", "C", 60, "ann"),
    ("c3", "A", 100, "cid"),
    ("c3", "C", 130, "ann"),
]


def _frame(rows: list[tuple[str, str, int, str | None]] = ROWS) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "case:concept:name": [r[0] for r in rows],
            "concept:name": [r[1] for r in rows],
            "time:timestamp": [_at(r[2]) for r in rows],
            "org:resource": [r[3] for r in rows],
        },
        schema_overrides={"time:timestamp": pl.Datetime("us", "UTC")},
    )


@pytest.fixture
def log() -> EventLog:
    return EventLog.from_events(_frame())


def test_statistics(log: EventLog) -> None:
    stats = log_statistics(log)
    assert (stats.cases, stats.events, stats.activities, stats.variants) == (3, 9, 3, 3)
    assert stats.start_activities == {"A": 3}
    assert stats.end_activities == {"C": 3}
    # durations 30, 60, 30 minutes
    assert stats.case_duration.min == 1800
    assert stats.case_duration.median == 1800
    assert stats.case_duration.mean == 2400
    assert stats.case_duration.p90 == pytest.approx(1800 + 0.8 * 1800)
    assert stats.case_duration.max == 3600
    assert stats.events_per_case.max == 4


def test_statistics_accepts_unsorted_bare_frame() -> None:
    shuffled = _frame()[[8, 2, 0, 5, 1, 7, 3, 6, 4]]
    assert log_statistics(shuffled).start_activities == {"A": 3}


def test_variants_sorted_with_shares(log: EventLog) -> None:
    table = variants(log)
    assert table["variant"].to_list() == [["A", "B", "B", "C"], ["A", "B", "C"], ["A", "C"]]
    assert table["count"].to_list() == [1, 1, 1]
    assert table["share"].sum() == pytest.approx(1.0)


def test_dfg_frequency_and_performance(log: EventLog) -> None:
    dfg = directly_follows_graph(log)
    assert dfg.frequencies() == {("A", "B"): 2, ("B", "C"): 2, ("B", "B"): 1, ("A", "C"): 1}
    assert dfg.activities == {"A": 3, "B": 3, "C": 3}
    ab = dfg.edges.filter(pl.col("source") == "A", pl.col("target") == "B").row(0, named=True)
    # 10 and 20 minutes
    assert (ab["mean"], ab["median"], ab["p90"]) == (900.0, 900.0, pytest.approx(1140.0))


def test_self_loops_and_rework(log: EventLog) -> None:
    assert self_loops(log).select("source", "frequency").rows() == [("B", 1)]
    assert rework(log).rows() == [("B", 2, 1, 1)]


def test_bottleneck_ranking(log: EventLog) -> None:
    ranked = bottlenecks(log, by=BottleneckMeasure.MEDIAN)
    # B->C waits 20 and 35 min (median 27.5), A->C 30 min, A->B 10/20 (15), B->B 5
    assert ranked.select("source", "target").rows()[:2] == [("A", "C"), ("B", "C")]
    assert ranked["waiting_median"].to_list()[:2] == [1800.0, 1650.0]
    assert bottlenecks(log, by=BottleneckMeasure.P90, top=1).select("source", "target").rows() == [("B", "C")]


def test_handover_counts_missing_resources_as_unknown(log: EventLog) -> None:
    handovers = {(s, t): n for s, t, n, _ in handover_of_work(log).rows()}
    assert handovers == {
        ("ann", "bob"): 1,
        ("bob", "ann"): 2,
        ("ann", UNKNOWN_RESOURCE): 1,
        (UNKNOWN_RESOURCE, "bob"): 1,
        ("cid", "ann"): 1,
    }


def test_handover_between_departments() -> None:
    departments = {"ann": "intake", "bob": "review", "cid": "intake"}
    handovers = {(s, t): n for s, t, n, _ in handover_of_work(_frame(), departments=departments).rows()}
    assert handovers == {
        ("intake", "review"): 1,
        ("review", "intake"): 2,
        ("intake", UNKNOWN_RESOURCE): 1,
        (UNKNOWN_RESOURCE, "review"): 1,
    }


def test_social_networks_without_resource_column() -> None:
    frame = _frame().drop("org:resource")
    assert handover_of_work(frame).height == 0
    assert working_together(frame).height == 0


def test_working_together(log: EventLog) -> None:
    pairs = {(a, b): n for a, b, n in working_together(log).rows()}
    assert pairs == {("ann", "bob"): 2, (UNKNOWN_RESOURCE, "ann"): 1, (UNKNOWN_RESOURCE, "bob"): 1, ("ann", "cid"): 1}


def _lifecycle_frame() -> pl.DataFrame:
    # c1: A start 0, A complete 10, B start 30, B complete 45, A start 50, A complete 70
    rows = [
        ("A", "start", 0),
        ("A", "complete", 10),
        ("B", "start", 30),
        ("B", "complete", 45),
        ("A", "start", 50),
        ("A", "complete", 70),
    ]
    return pl.DataFrame(
        {
            "case:concept:name": ["c1"] * len(rows),
            "concept:name": [r[0] for r in rows],
            "lifecycle:transition": [r[1] for r in rows],
            "time:timestamp": [_at(r[2]) for r in rows],
        },
        schema_overrides={"time:timestamp": pl.Datetime("us", "UTC")},
    )


def test_service_and_waiting_time_with_lifecycle() -> None:
    instances = activity_instances(_lifecycle_frame())
    assert instances["concept:name"].to_list() == ["A", "B", "A"]
    assert instances["service"].to_list() == [600.0, 900.0, 1200.0]
    assert instances["waiting"].to_list() == [None, 1200.0, 300.0]
    per_activity = {r["concept:name"]: r for r in activity_performance(_lifecycle_frame()).iter_rows(named=True)}
    assert per_activity["A"]["service_mean"] == 900.0
    assert per_activity["B"]["waiting_median"] == 1200.0


def test_waiting_time_in_parallel_branches_counts_from_the_latest_complete_before_the_start() -> None:
    # A, then B and C in parallel (C starts after B and finishes first), then D after both.
    # Minutes: A 0-10 | B starts 15, C starts 20, C completes 30, B completes 40 | D 45-50.
    rows = [
        ("A", "start", 0),
        ("A", "complete", 10),
        ("B", "start", 15),
        ("C", "start", 20),
        ("C", "complete", 30),
        ("B", "complete", 40),
        ("D", "start", 45),
        ("D", "complete", 50),
    ]
    frame = pl.DataFrame(
        {
            "case:concept:name": ["c1"] * len(rows),
            "concept:name": [r[0] for r in rows],
            "lifecycle:transition": [r[1] for r in rows],
            "time:timestamp": [_at(r[2]) for r in rows],
        },
        schema_overrides={"time:timestamp": pl.Datetime("us", "UTC")},
    )
    instances = activity_instances(frame)
    assert instances["concept:name"].to_list() == ["A", "C", "B", "D"]
    # B waited from A's complete (10) to its start (15), not from C's complete (30): never negative
    assert instances["previous"].to_list() == [None, "A", "A", "B"]
    assert instances["waiting"].to_list() == [None, 600.0, 300.0, 300.0]
    assert instances["service"].to_list() == [600.0, 600.0, 1500.0, 300.0]


def test_dfg_over_lifecycle_log_uses_one_event_per_instance() -> None:
    edges = directly_follows(_lifecycle_frame())
    assert edges.select("source", "target", "frequency", "median").rows() == [
        ("A", "B", 1, 2100.0),
        ("B", "A", 1, 1500.0),
    ]
    raw = directly_follows(_lifecycle_frame(), lifecycle_aware=False)
    assert raw["frequency"].sum() == 5


def test_filters(log: EventLog) -> None:
    def cases(result: EventLog) -> list[str]:
        return sorted(result.events["case:concept:name"].unique().to_list())

    assert cases(filter_variants(log, [["A", "C"]])) == ["c3"]
    assert cases(filter_variants(log, [["A", "C"]], exclude=True)) == ["c1", "c2"]
    assert cases(filter_start_activities(log, ["A"])) == ["c1", "c2", "c3"]
    assert cases(filter_end_activities(log, ["B"])) == []
    assert cases(filter_attribute(log, "org:resource", ["cid"])) == ["c3"]
    assert filter_attribute(log, "org:resource", ["bob"], level="event").events.height == 2
    assert cases(filter_attribute(log, "no such column", ["x"])) == []
    assert cases(filter_case_performance(log, 0, 1800)) == ["c1", "c3"]
    assert cases(filter_time_frame(log, _at(0), _at(40))) == ["c1"]
    assert cases(filter_time_frame(log, _at(50), _at(110), mode=TimeFrameMode.INTERSECTING)) == ["c2", "c3"]
    assert cases(filter_time_frame(log, _at(50), _at(110), mode=TimeFrameMode.STARTED)) == ["c3"]
    assert filter_time_frame(log, _at(50), _at(110), mode=TimeFrameMode.EVENTS).events.height == 2
    filtered = filter_variants(log, [["A", "C"]])
    assert isinstance(filtered, EventLog)
    assert filtered.cases["case:concept:name"].to_list() == ["c3"]
