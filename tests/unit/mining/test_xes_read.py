import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from civicflow.mining import OFFSET, TIMESTAMP, EventLogError, read_xes

LOGS = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs"
needs_logs = pytest.mark.skipif(not LOGS.is_dir(), reason=f"shared event logs not found at {LOGS}")

GOOD = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
  <string key="creator" value="test"/>
  <global scope="event"><string key="kind" value="plain"/></global>
  <trace>
    <string key="concept:name" value="c1"/>
    <event>
      <string key="concept:name" value="a"/>
      <date key="time:timestamp" value="2024-03-31T01:30:00.000+01:00"/>
      <int key="n" value="3"/><float key="x" value="1.5"/><boolean key="ok" value="true"/>
      <list key="tags"><values><string key="t" value="u"/><int key="t" value="2"/></values></list>
    </event>
    <event>
      <string key="concept:name" value="b"/>
      <date key="time:timestamp" value="2024-03-31T03:30:00.000+02:00"/>
      <string key="kind" value="special"/>
    </event>
  </trace>
</log>
"""


def test_reads_types_defaults_and_exact_offsets(tmp_path: Path) -> None:
    path = tmp_path / "ok.xes"
    path.write_text(GOOD)
    log = read_xes(path)
    events = log.events
    assert events["concept:name"].to_list() == ["a", "b"]
    assert events[TIMESTAMP].to_list() == [
        datetime(2024, 3, 31, 0, 30, tzinfo=UTC),
        datetime(2024, 3, 31, 1, 30, tzinfo=UTC),
    ]
    assert events[OFFSET].to_list() == [60, 120]
    assert events["n"].to_list() == [3, None]
    assert events["ok"].to_list() == [True, None]
    assert events["tags"].to_list() == ['["u", 2]', None]
    assert events["kind"].to_list() == ["plain", "special"]
    assert log.attributes == {"creator": "test"}


@pytest.mark.parametrize(
    ("text", "message", "line"),
    [
        (GOOD.replace('<string key="concept:name" value="c1"/>', ""), "trace has no concept:name", 5),
        (
            GOOD.replace('<date key="time:timestamp" value="2024-03-31T03:30:00.000+02:00"/>', ""),
            "no time:timestamp",
            13,
        ),
        (GOOD.replace("</event>\n    <event>", "</event>\n    <evnt>", 1), "not well-formed", 17),
        ("just text, not XML", "not well-formed", 1),
    ],
)
def test_bad_xes_names_file_and_line(tmp_path: Path, text: str, message: str, line: int) -> None:
    path = tmp_path / "bad.xes"
    path.write_text(text)
    with pytest.raises(EventLogError, match=message) as caught:
        read_xes(path)
    assert (caught.value.file, caught.value.line) == (str(path), line)
    assert f"bad.xes, line {line}" in str(caught.value)


def test_truncated_gzip_is_a_clear_error(tmp_path: Path) -> None:
    whole = gzip.compress(GOOD.encode() * 1)
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(EventLogError, match="truncated or corrupt gzip") as caught:
        read_xes(path)
    assert caught.value.file == str(path)
    # Cut before its first element ended: no line to name (test_bad_input covers a later cut).
    assert caught.value.line is None


# Counts: cases and events from the README table of ../shared/data/eventlogs; activity counts
# measured once with this reader (8 is the textbook figure for the running example).
@needs_logs
@pytest.mark.parametrize(
    ("name", "cases", "events", "activities"),
    [
        ("pm4py/running-example.xes", 6, 42, 8),
        ("pm4py/08_receipt.xes.gz", 1434, 8577, 27),
        ("simod/ConsultaDataMining201618.xes.gz", 954, 13740, None),
    ],
)
def test_real_logs_match_published_counts(name: str, cases: int, events: int, activities: int | None) -> None:
    log = read_xes(LOGS / name)
    assert (log.case_count, log.event_count) == (cases, events)
    if activities is not None:
        assert len(log.activities) == activities


@needs_logs
def test_real_log_without_trace_ids_is_refused_with_its_line() -> None:
    with pytest.raises(
        EventLogError, match=r"19_roadtraffic_1t_per_variant.xes.gz, line \d+: (trace has no|event has no)"
    ):
        read_xes(LOGS / "pm4py/19_roadtraffic_1t_per_variant.xes.gz")
