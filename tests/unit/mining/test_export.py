"""CSV and Parquet export round-trips through read_csv/read_parquet."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from civicflow.mining import (
    INDEX,
    OFFSET,
    TIMESTAMP,
    ColumnMapping,
    EventLog,
    EventLogError,
    read_csv,
    read_parquet,
    read_xes,
    write_csv,
    write_parquet,
)

LOGS = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs" / "pm4py"
needs_logs = pytest.mark.skipif(not LOGS.is_dir(), reason=f"shared event logs not found at {LOGS}")
XES_NAMES = ColumnMapping(
    case="case:concept:name", activity="concept:name", timestamp="time:timestamp", resource="org:resource"
)


def _mixed_zones() -> EventLog:
    events = pl.DataFrame(
        {
            "case:concept:name": ["1", "1", "2"],
            "concept:name": ["a", "b", "a"],
            "org:resource": ["Burgerzaken", "Vergunningen", None],
            TIMESTAMP: [
                datetime(2024, 3, 31, 0, 30, 0, 123456, tzinfo=UTC),
                datetime(2024, 3, 31, 1, 30, tzinfo=UTC),
                datetime(2024, 1, 2, 23, 0, tzinfo=UTC),
            ],
            OFFSET: pl.Series([60, 120, -300], dtype=pl.Int32),
            "cost": [1.5, None, 3.0],
        }
    )
    cases = pl.DataFrame({"case:concept:name": ["1", "2"], "channel": ["portal", "desk"]})
    return EventLog.from_events(events, cases=cases)


def test_csv_keeps_instants_and_offsets(tmp_path: Path) -> None:
    log = _mixed_zones()
    write_csv(log, tmp_path / "l.csv")
    text = (tmp_path / "l.csv").read_text(encoding="utf-8").splitlines()
    assert text[0] == "case:concept:name,concept:name,org:resource,time:timestamp,cost,case:channel"
    assert text[1].split(",")[3] == "2024-03-31T01:30:00.123456+01:00"
    back = read_csv(tmp_path / "l.csv", XES_NAMES)
    same = ["case:concept:name", "concept:name", "org:resource", TIMESTAMP, OFFSET]
    assert back.events.select(same).equals(log.events.select(same))
    # CSV carries no types: the float column comes back as its text.
    assert back.events["cost"].to_list() == ["1.5", None, "3.0"]
    assert back.events["case:channel"].to_list() == ["portal", "portal", "desk"]


def test_parquet_keeps_types_instants_and_offsets(tmp_path: Path) -> None:
    log = _mixed_zones()
    write_parquet(log, tmp_path / "l.parquet")
    back = read_parquet(tmp_path / "l.parquet", XES_NAMES)
    assert back.events.select(log.events.columns).drop(INDEX).equals(log.events.drop(INDEX))
    assert back.events.schema[OFFSET] == pl.Int32


@needs_logs
@pytest.mark.parametrize("name", ["running-example.xes", "08_receipt.xes.gz"])
def test_real_logs_round_trip(tmp_path: Path, name: str) -> None:
    log = read_xes(LOGS / name)
    mapping = ColumnMapping(case="case:concept:name", activity="concept:name", timestamp="time:timestamp")
    write_parquet(log, tmp_path / "l.parquet")
    from_parquet = read_parquet(tmp_path / "l.parquet", mapping)
    assert from_parquet.events.select(log.events.columns).drop(INDEX).equals(log.events.drop(INDEX))
    write_csv(log, tmp_path / "l.csv")
    from_csv = read_csv(tmp_path / "l.csv", mapping)
    core = ["case:concept:name", "concept:name", TIMESTAMP]
    assert from_csv.events.select(core).equals(log.events.select(core))
    assert (from_csv.case_count, from_csv.event_count) == (log.case_count, log.event_count)


def test_unwritable_target_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(EventLogError, match=r"missing/l.csv: cannot write"):
        write_csv(_mixed_zones(), tmp_path / "missing" / "l.csv")
