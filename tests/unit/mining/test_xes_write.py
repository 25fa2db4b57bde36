"""XES export: what is written reads back as the same log (events, case attributes, offsets)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from civicflow.mining import EventLog, read_xes, write_xes

LOGS = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs"
needs_logs = pytest.mark.skipif(not LOGS.is_dir(), reason=f"shared event logs not found at {LOGS}")


def _same(first: EventLog, second: EventLog) -> None:
    # The original event order (@@index) is renumbered on reading, so compare without it.
    assert_frame_equal(first.events.drop("@@index"), second.events.drop("@@index"), check_column_order=False)
    # Traces are written in event order (sorted by case), so the case table may come back reordered.
    key = "case:concept:name"
    assert_frame_equal(first.cases.sort(key), second.cases.sort(key), check_column_order=False)


@needs_logs
@pytest.mark.parametrize("name", ["pm4py/running-example.xes", "pm4py/08_receipt.xes.gz"])
def test_a_real_log_round_trips(tmp_path: Path, name: str) -> None:
    original = read_xes(LOGS / name)
    target = tmp_path / ("copy.xes.gz" if name.endswith(".gz") else "copy.xes")
    write_xes(original, target)
    _same(original, read_xes(target))


def test_typed_attributes_and_offsets_survive(tmp_path: Path) -> None:
    events = pl.DataFrame(
        {
            "case:concept:name": ["c1", "c1", "c2"],
            "concept:name": ["Apply", "Decide", "Apply"],
            "time:timestamp": [
                datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
                datetime(2026, 3, 2, 9, 30, tzinfo=UTC),
                datetime(2026, 3, 1, 23, 0, tzinfo=UTC),
            ],
            "time:offset": pl.Series([60, 60, 120], dtype=pl.Int32),
            "org:resource": ["ann", None, "bob"],
            "cost": [10, 20, 30],
            "approved": [None, True, False],
            "score": [0.5, 1.25, 2.0],
        }
    )
    cases = pl.DataFrame({"case:concept:name": ["c1", "c2"], "district": ["North", "South"]})
    log = EventLog.from_events(events, cases=cases, attributes={"source": "unit test"})
    write_xes(log, tmp_path / "typed.xes")
    text = (tmp_path / "typed.xes").read_text()
    assert 'value="2026-03-01T09:00:00.000+01:00"' in text  # written in the offset it was read with
    back = read_xes(tmp_path / "typed.xes")
    _same(log, back)
    assert back.attributes["source"] == "unit test"


def test_microseconds_survive_and_elements_carry_no_prefix(tmp_path: Path) -> None:
    events = pl.DataFrame(
        {
            "case:concept:name": ["1", "1"],
            "concept:name": ["a", "b"],
            "time:timestamp": [datetime(2025, 1, 11, 15, 34, 0, 382529, tzinfo=UTC), datetime(2025, 1, 12, tzinfo=UTC)],
        }
    )
    log = EventLog.from_events(events)
    write_xes(log, tmp_path / "l.xes")
    text = (tmp_path / "l.xes").read_text(encoding="utf-8")
    assert 'value="2025-01-11T15:34:00.382529+00:00"' in text
    assert 'value="2025-01-12T00:00:00.000+00:00"' in text
    assert "ns0:" not in text
    _same(read_xes(tmp_path / "l.xes"), log)
