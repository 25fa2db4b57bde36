"""Bad input gives one clear EventLogError naming the file and the line, row, column or element."""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from civicflow.mining import (
    OFFSET,
    TIMESTAMP,
    ColumnMapping,
    EventLog,
    EventLogError,
    ObjectCentricLog,
    read_csv,
    read_ocel_json,
    read_ocel_sqlite,
    read_ocel_xml,
    read_parquet,
    read_xes,
)

LOGS = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs" / "pm4py"
needs_logs = pytest.mark.skipif(not LOGS.is_dir(), reason=f"shared event logs not found at {LOGS}")
MAP = ColumnMapping(case="case", activity="act", timestamp="ts")

XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
  <trace>
    <string key="concept:name" value="c1"/>
    <event>
      <string key="concept:name" value="a"/>
      <date key="time:timestamp" value="2024-03-31T01:30:00.000+01:00"/>
    </event>
  </trace>
</log>
"""
STAMP = '<date key="time:timestamp" value="2024-03-31T01:30:00.000+01:00"/>'
OCEL_XML = """<?xml version="1.0" encoding="UTF-8"?>
<log>
  <object-types><object-type name="case"><attributes/></object-type></object-types>
  <event-types><event-type name="start"><attributes/></event-type></event-types>
  <objects><object id="c1" type="case"><attributes/></object></objects>
  <events>
    <event id="e1" type="start" time="2024-01-01T10:00:00Z">
      <objects><relationship object-id="c1" qualifier="case"/></objects>
    </event>
  </events>
</log>
"""
DOCTYPE_XXE = '<!DOCTYPE log [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
DOCTYPE_LAUGHS = (
    "<!DOCTYPE log ["
    '<!ENTITY l0 "lol">' + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10)) + "]>\n"
)


def _error(read: Callable[[], EventLog | ObjectCentricLog], pattern: str) -> EventLogError:
    with pytest.raises(EventLogError, match=pattern) as caught:
        read()
    assert "\n" not in str(caught.value), "errors are one line"
    return caught.value


def _xes(tmp_path: Path, text: str, name: str = "log.xes") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- XES ---------------------------------------------------------------------------------------


def test_truncated_xes_gz_names_the_last_line_read(tmp_path: Path) -> None:
    traces = "".join(XES[XES.index("<trace>") : XES.index("</log>")].replace("c1", f"case {n}") for n in range(5000))
    whole = gzip.compress((XES[: XES.index("<trace>")] + traces + "</log>").encode())
    path = tmp_path / "cut.xes.gz"
    path.write_bytes(whole[: len(whole) // 2])
    error = _error(lambda: read_xes(path), r"cut.xes.gz, line \d+: truncated or corrupt gzip")
    assert error.line is not None
    assert error.line > 1


@needs_logs
def test_real_xes_with_traces_without_case_ids() -> None:
    error = _error(
        lambda: read_xes(LOGS / "19_roadtraffic_1t_per_variant.xes.gz"),
        # Its traces have no concept:name and its events no time:timestamp; the first one found is named.
        r"19_roadtraffic_1t_per_variant.xes.gz, line 4: event has no time:timestamp",
    )
    assert error.line is not None


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (XES.replace('<string key="concept:name" value="c1"/>', ""), r"line 3: trace has no concept:name"),
        (XES.replace(STAMP, ""), r"line 5: event has no time:timestamp"),
        (XES.replace("2024-03-31T01:30:00.000+01:00", "31/03/2024 01:30"), r"line 7: .*date value '31/03/2024"),
        (XES.replace('value="c1"', ""), r"line 4: attribute 'concept:name' has no value"),
        (XES.replace("</event>", "<event>", 1), r"line \d+, column \d+: not well-formed XES"),
        ("", r"log.xes: empty file, not an XES log"),
        (XES.replace("<log", DOCTYPE_XXE + "<log"), r"log.xes: .*DOCTYPE|external entity"),
        (XES.replace("<log", DOCTYPE_LAUGHS + "<log").replace('"c1"', '"&l9;"'), r"log.xes.*(DOCTYPE|amplification)"),
        (
            XES.replace(STAMP, STAMP + '<list key="deep">' * 300 + "</list>" * 300),
            r"line \d+, column \d+: not well-formed XES: Excessive depth",
        ),
    ],
    ids=[
        "no-case-id",
        "no-timestamp",
        "bad-timestamp",
        "no-value",
        "not-well-formed",
        "empty",
        "xxe",
        "laughs",
        "deep",
    ],
)
def test_bad_xes(tmp_path: Path, text: str, pattern: str) -> None:
    _error(lambda: read_xes(_xes(tmp_path, text)), pattern)


def test_doctype_is_refused_before_any_entity_is_used(tmp_path: Path) -> None:
    # An internal DTD that libxml2 would expand without complaint is still refused.
    text = XES.replace("<log", '<!DOCTYPE log [<!ENTITY x "c1">]>\n<log').replace('"c1"', '"&x;"', 1)
    _error(lambda: read_xes(_xes(tmp_path, text)), r"log.xes: the document has a DOCTYPE")


# --- CSV and Parquet ---------------------------------------------------------------------------


def test_wrong_mapping_names_the_missing_column_and_lists_the_present_ones(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("id,task,when\n1,a,2024-01-01T00:00:00Z\n", encoding="utf-8")
    error = _error(
        lambda: read_csv(path, MAP),
        r"l.csv, column case: mapped column 'case' .* is missing; the file has id, task, when",
    )
    assert error.column == "case"


def test_mixed_offsets_are_exact_in_utc(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text(
        "case,act,ts\n1,a,2024-03-31T01:59:59.999999+01:00\n1,b,2024-03-31T03:00:00+02:00\n2,a,2024-01-01T00:00:00-05:30\n",
        encoding="utf-8",
    )
    log = read_csv(path, MAP)
    assert log.events[TIMESTAMP].to_list() == [
        datetime(2024, 3, 31, 0, 59, 59, 999999, tzinfo=UTC),
        datetime(2024, 3, 31, 1, 0, tzinfo=UTC),
        datetime(2024, 1, 1, 5, 30, tzinfo=UTC),
    ]
    assert log.events[OFFSET].to_list() == [60, 120, -330]


def test_naive_and_aware_mixed_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("case,act,ts\n1,a,2024-03-31T01:30:00+01:00\n1,b,2024-03-31T02:30:00+01:00\n1,c,2024-03-31 04:00\n")
    _error(
        lambda: read_csv(path, MAP), r"l.csv, line 4, row 3, column ts: timestamp '2024-03-31 04:00' has no UTC offset"
    )


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (
            "case,act,ts\n1,a,2024-01-01T00:00:00Z\n1,b,31/12/2024\n",
            r"line 3, row 2, column ts: cannot parse timestamp",
        ),
        ("case,act,ts\n1,a,2024-01-01T00:00:00Z\n1,b,\n", r"line 3, row 2, column ts: timestamp is empty"),
        ("case,act,ts\n1,a,2024-01-01T00:00:00Z\n,b,2024-01-01T00:00:00Z\n", r"line 3, row 2, column case: case id"),
        ("", r"l.csv: not a readable CSV file"),
    ],
    ids=["bad-timestamp", "empty-timestamp", "empty-case", "empty-file"],
)
def test_bad_csv(tmp_path: Path, text: str, pattern: str) -> None:
    path = tmp_path / "l.csv"
    path.write_text(text, encoding="utf-8")
    _error(lambda: read_csv(path, MAP), pattern)


def test_bad_parquet(tmp_path: Path) -> None:
    path = tmp_path / "l.parquet"
    path.write_bytes(b"PAR1 but cut short")
    _error(lambda: read_parquet(path, MAP), r"l.parquet: not a readable Parquet file")


def test_unknown_zone_is_named(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("case,act,ts\n1,a,2024-01-01 00:00\n", encoding="utf-8")
    mapping = ColumnMapping(case="case", activity="act", timestamp="ts", timezone="Europe/Atlantis")
    _error(lambda: read_csv(path, mapping), r"l.csv: unknown time zone 'Europe/Atlantis'")


# --- OCEL --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        (
            OCEL_XML.replace('object-id="c1"', 'object-id="c9"'),
            r"line 8: <event id='e1'>: event 'e1' refers to unknown",
        ),
        (OCEL_XML.replace('time="2024-01-01T10:00:00Z"', 'time="noon"'), r"line 7: .*cannot parse time 'noon'"),
        (OCEL_XML.replace(' time="2024-01-01T10:00:00Z"', ""), r"line 7: .*has no time"),
        (OCEL_XML.replace("</events>", "</evnts>"), r"line 10, column \d+: not well-formed OCEL XML"),
        (OCEL_XML.replace("<log>", DOCTYPE_XXE + "<log>"), r"log.xmlocel: .*(DOCTYPE|external entity)"),
        (OCEL_XML.replace("<log>", DOCTYPE_LAUGHS + "<log>").replace('"c1"', '"&l9;"', 1), r"(DOCTYPE|amplification)"),
        (OCEL_XML.replace("<log>", "<ocel>").replace("</log>", "</ocel>"), r"line 1: <ocel>: root must be <log>"),
        ("", r"log.xmlocel: empty file"),
    ],
    ids=["unknown-object", "bad-time", "no-time", "not-well-formed", "xxe", "laughs", "wrong-root", "empty"],
)
def test_bad_ocel_xml(tmp_path: Path, text: str, pattern: str) -> None:
    _error(lambda: read_ocel_xml(_xes(tmp_path, text, "log.xmlocel")), pattern)


GOOD_JSON = {
    "objectTypes": [{"name": "case", "attributes": [{"name": "size", "type": "integer"}]}],
    "eventTypes": [{"name": "start", "attributes": []}],
    "objects": [
        {"id": "c1", "type": "case", "attributes": [{"name": "size", "time": "1970-01-01T00:00:00Z", "value": 2}]}
    ],
    "events": [{"id": "e1", "type": "start", "time": "2024-01-01T10:00:00Z", "relationships": [{"objectId": "c1"}]}],
}


@pytest.mark.parametrize(
    ("before", "after", "pattern"),
    [
        (
            '"value": 2',
            '"value": "two"',
            r"objects\[0\].attributes\[0\]: attribute 'size': integer value 'two' is invalid",
        ),
        (
            '"objectId": "c1"',
            '"objectId": "c2"',
            r"events\[0\].relationships\[0\]: event 'e1' refers to unknown object 'c2'",
        ),
        ('"id": "e1"', '"id": ""', r"events\[0\]: event has no id"),
        (
            '"time": "2024-01-01T10:00:00Z"',
            '"time": "2024-13-01"',
            r"events\[0\] \(event 'e1'\): cannot parse time '2024-13-01'",
        ),
        ('"type": "integer"', '"type": "number"', r"objectTypes\[0\]: attribute 'size' has unknown type 'number'"),
        ('"events": [', '"events": {"x": [', r"log.jsonocel, line 1, column \d+: not valid JSON"),
    ],
    ids=["typed-value", "unknown-object", "no-id", "bad-time", "unknown-type", "broken-json"],
)
def test_bad_ocel_json(tmp_path: Path, before: str, after: str, pattern: str) -> None:
    path = tmp_path / "log.jsonocel"
    text = json.dumps(GOOD_JSON)
    assert before in text
    path.write_text(text.replace(before, after), encoding="utf-8")
    _error(lambda: read_ocel_json(path), pattern)


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("", r"log.jsonocel: empty file"),
        ("[1, 2]", r"log.jsonocel: not an OCEL JSON log"),
        ('{"events": ' + "[" * 100_000 + "]" * 100_000 + "}", r"log.jsonocel: JSON nested too deeply"),
    ],
    ids=["empty", "not-ocel", "deep"],
)
def test_bad_ocel_json_documents(tmp_path: Path, text: str, pattern: str) -> None:
    path = tmp_path / "log.jsonocel"
    path.write_text(text, encoding="utf-8")
    _error(lambda: read_ocel_json(path), pattern)


def test_ocel_json_size_is_bounded(tmp_path: Path) -> None:
    path = tmp_path / "log.jsonocel"
    path.write_text(json.dumps(GOOD_JSON), encoding="utf-8")
    _error(lambda: read_ocel_json(path, max_bytes=100), r"larger than the 100-byte limit")


def test_sqlite_that_is_not_ocel(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "other.sqlite")
    try:
        connection.execute("CREATE TABLE event (ocel_id TEXT, ocel_type TEXT)")
        _error(
            lambda: read_ocel_sqlite(connection, name="other.sqlite"),
            r"other.sqlite: not an OCEL 2.0 database: missing table\(s\) object, event_object",
        )
    finally:
        connection.close()
