from datetime import UTC, datetime
from pathlib import Path

import pytest

from civicflow.mining import OFFSET, TIMESTAMP, ColumnMapping, EventLogError, read_csv, read_parquet

LOGS = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs"
needs_logs = pytest.mark.skipif(not LOGS.is_dir(), reason=f"shared event logs not found at {LOGS}")
MAP = ColumnMapping(case="case", activity="act", timestamp="ts")


def test_mixed_offsets_become_utc_and_keep_their_offsets(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("case,act,ts\n1,a,2024-03-31T01:30:00+01:00\n1,b,2024-03-31T03:30:00+02:00\n")
    log = read_csv(path, MAP)
    assert log.events[TIMESTAMP].to_list() == [
        datetime(2024, 3, 31, 0, 30, tzinfo=UTC),
        datetime(2024, 3, 31, 1, 30, tzinfo=UTC),
    ]
    assert log.events[OFFSET].to_list() == [60, 120]


def test_naive_timestamps_need_a_time_zone(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("case,act,ts\n1,a,2024-03-31T01:30:00+01:00\n1,b,2024-03-31 03:30:00\n")
    with pytest.raises(EventLogError, match=r"line 3, row 2, column ts: .*no UTC offset"):
        read_csv(path, MAP)
    log = read_csv(path, ColumnMapping(case="case", activity="act", timestamp="ts", timezone="Europe/Amsterdam"))
    assert log.events[TIMESTAMP].to_list()[1] == datetime(2024, 3, 31, 1, 30, tzinfo=UTC)


def test_wrong_mapping_names_the_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("case,act,ts\n1,a,2024-01-01T00:00:00Z\n")
    with pytest.raises(EventLogError, match=r"'time' .* missing") as caught:
        read_csv(path, ColumnMapping(case="case", activity="act", timestamp="time"))
    assert caught.value.column == "time"


def test_first_unparsable_row_is_named(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("case,act,ts\n1,a,2024-01-01T00:00:00Z\n1,b,yesterday\n")
    with pytest.raises(EventLogError, match=r"l.csv, line 3, row 2, column ts: cannot parse timestamp 'yesterday'"):
        read_csv(path, MAP)


@needs_logs
def test_receipt_csv_and_parquet_match_the_readme() -> None:
    mapping = ColumnMapping(case="case:concept:name", activity="concept:name", timestamp="time:timestamp")
    log = read_csv(LOGS / "pm4py/receipt.csv", mapping)
    assert (log.case_count, log.event_count) == (1434, 8577)
    # The Parquet copy stores naive local times; Amsterdam is the municipality's zone.
    parquet = read_parquet(
        LOGS / "pm4py/receipt.parquet",
        ColumnMapping(
            case="case:concept:name", activity="concept:name", timestamp="time:timestamp", timezone="Europe/Amsterdam"
        ),
    )
    assert (parquet.case_count, parquet.event_count) == (1434, 8577)


def test_vectorised_iso_path_agrees_with_the_row_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from civicflow.mining import _csv

    path = tmp_path / "l.csv"
    path.write_text(
        "case,act,ts\n"
        "1,a,2024-03-31T01:59:59.5+01:00\n"
        "1,b,2024-03-31 03:00:00.123456+02:00\n"
        "2,a,2024-01-01T00:00:00Z\n"
        "2,b,2023-12-31T20:00:00-05:30\n",
        encoding="utf-8",
    )
    fast = read_csv(path, MAP)
    monkeypatch.setattr(_csv, "_iso_with_offsets", lambda column: None)
    slow = read_csv(path, MAP)
    assert fast.events.equals(slow.events)
    assert fast.events.schema == slow.events.schema
    assert fast.events[OFFSET].to_list() == [60, 120, 0, -330]
    assert fast.events[TIMESTAMP].to_list()[0] == datetime(2024, 3, 31, 0, 59, 59, 500000, tzinfo=UTC)
