from datetime import UTC, datetime

import polars as pl

from civicflow.mining import CASE, INDEX, TIMESTAMP, EventLog


def test_from_events_sorts_by_case_then_time_keeping_ties_in_original_order() -> None:
    t0 = datetime(2024, 1, 1, tzinfo=UTC)
    t1 = datetime(2024, 1, 2, tzinfo=UTC)
    frame = pl.DataFrame(
        {CASE: ["b", "a", "a", "a"], "concept:name": ["x", "late", "tie1", "tie2"], TIMESTAMP: [t0, t1, t0, t0]}
    )
    log = EventLog.from_events(frame)
    assert log.events["concept:name"].to_list() == ["tie1", "tie2", "late", "x"]
    assert log.events[INDEX].to_list() == [2, 3, 1, 0]
    assert log.events.schema[TIMESTAMP] == pl.Datetime("us", "UTC")
    assert (log.case_count, log.event_count, log.activities) == (2, 4, ["late", "tie1", "tie2", "x"])
    assert log.cases[CASE].to_list() == ["a", "b"]
