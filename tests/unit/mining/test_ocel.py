"""OCEL 2.0 JSON/XML/SQLite reading, writing and flattening."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicflow.mining import (
    CASE,
    OCEL_EID,
    OCEL_OID,
    OFFSET,
    EventLogError,
    ObjectCentricLog,
    flatten,
    read_ocel_json,
    read_ocel_sqlite,
    read_ocel_xml,
    variants,
    write_ocel_json,
    write_ocel_sqlite,
    write_ocel_xml,
)

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs" / "pm4py"
needs_logs = pytest.mark.skipif(not DATA.is_dir(), reason=f"shared event logs not found at {DATA}")

# A hand-checked fixture: two orders, two items; e1 places order o1 with both items, e4 places o2
# with item i1 again, e5 ships both orders at once.
SMALL: dict[str, Any] = {
    "objectTypes": [
        {"name": "order", "attributes": [{"name": "total", "type": "float"}]},
        {"name": "item", "attributes": [{"name": "weight", "type": "integer"}, {"name": "fragile", "type": "boolean"}]},
    ],
    "eventTypes": [
        {"name": "place order", "attributes": [{"name": "channel", "type": "string"}]},
        {"name": "pick item", "attributes": [{"name": "due", "type": "time"}]},
        {"name": "ship", "attributes": []},
    ],
    "objects": [
        {"id": "o1", "type": "order", "attributes": [{"name": "total", "time": "1970-01-01T00:00:00Z", "value": 9.5}]},
        {
            "id": "o2",
            "type": "order",
            "attributes": [
                {"name": "total", "time": "1970-01-01T00:00:00Z", "value": "4"},
                {"name": "total", "time": "2024-03-02T10:00:00+01:00", "value": 5.25},
            ],
            "relationships": [{"objectId": "o1", "qualifier": "follows"}],
        },
        {"id": "i1", "type": "item", "attributes": [{"name": "weight", "time": "1970-01-01T00:00:00Z", "value": 3}]},
        {
            "id": "i2",
            "type": "item",
            "attributes": [
                {"name": "weight", "time": "1970-01-01T00:00:00Z", "value": 7},
                {"name": "fragile", "time": "1970-01-01T00:00:00Z", "value": True},
            ],
        },
    ],
    "events": [
        {
            "id": "e1",
            "type": "place order",
            "time": "2024-03-01T09:00:00+01:00",
            "attributes": [{"name": "channel", "value": "web"}],
            "relationships": [
                {"objectId": "o1", "qualifier": "order"},
                {"objectId": "i1", "qualifier": "line"},
                {"objectId": "i2", "qualifier": "line"},
            ],
        },
        {
            "id": "e2",
            "type": "pick item",
            "time": "2024-03-01T10:00:00Z",
            "attributes": [{"name": "due", "value": "2024-03-03T12:00:00Z"}],
            "relationships": [{"objectId": "i1", "qualifier": "picked"}],
        },
        {"id": "e3", "type": "pick item", "time": "2024-03-01T11:00:00Z", "relationships": [{"objectId": "i2"}]},
        {
            "id": "e4",
            "type": "place order",
            "time": "2024-03-01T12:00:00Z",
            "attributes": [{"name": "channel", "value": "desk"}],
            "relationships": [{"objectId": "o2", "qualifier": "order"}, {"objectId": "i1", "qualifier": "line"}],
        },
        {
            "id": "e5",
            "type": "ship",
            "time": "2024-03-02T08:00:00Z",
            "relationships": [{"objectId": "o1", "qualifier": "shipped"}, {"objectId": "o2", "qualifier": "shipped"}],
        },
    ],
}


@pytest.fixture
def small(tmp_path: Path) -> ObjectCentricLog:
    path = tmp_path / "small.jsonocel"
    path.write_text(json.dumps(SMALL), encoding="utf-8")
    return read_ocel_json(path)


def test_small_log_frames_are_typed(small: ObjectCentricLog) -> None:
    assert small.events[OCEL_EID].to_list() == ["e1", "e2", "e3", "e4", "e5"]
    assert small.events[OFFSET].to_list() == [60, 0, 0, 0, 0]
    assert small.events["due"].to_list() == [None, datetime(2024, 3, 3, 12, tzinfo=UTC), None, None, None]
    assert small.objects.select(OCEL_OID, "total", "weight", "fragile").rows() == [
        ("o1", 9.5, None, None),
        ("o2", 4.0, None, None),
        ("i1", None, 3, None),
        ("i2", None, 7, True),
    ]
    assert small.object_changes.select(OCEL_OID, "ocel:timestamp", "ocel:field", "total").rows() == [
        ("o2", datetime(2024, 3, 2, 9, tzinfo=UTC), "total", 5.25)
    ]
    assert small.relations.height == 9
    assert small.relations.filter(pl.col(OCEL_EID) == "e3")["ocel:qualifier"].to_list() == [""]
    assert small.object_relations.rows() == [("o2", "o1", "follows")]


def test_flattening_counts_by_hand(small: ObjectCentricLog) -> None:
    orders = flatten(small, "order")
    # o1: e1, e5; o2: e4, e5 -- the shipment e5 is copied into both cases.
    assert orders.events.group_by(CASE).agg(pl.col(OCEL_EID)).sort(CASE).rows() == [
        ("o1", ["e1", "e5"]),
        ("o2", ["e4", "e5"]),
    ]
    assert orders.cases.rows() == [("o1", 9.5), ("o2", 4.0)]
    items = flatten(small, "item")
    # i1: e1, e2, e4; i2: e1, e3.
    assert (items.case_count, items.event_count) == (2, 5)
    assert sorted(variants(items)["variant"].to_list()) == [
        ["place order", "pick item"],
        ["place order", "pick item", "place order"],
    ]
    assert items.events[OFFSET].to_list()[:1] == [60]
    with pytest.raises(EventLogError, match=r"no object type 'invoice'; the log has item, order"):
        flatten(small, "invoice")


def _sqlite_round_trip(log: ObjectCentricLog, path: Path) -> ObjectCentricLog:
    connection = sqlite3.connect(path)
    try:
        write_ocel_sqlite(log, connection)
        return read_ocel_sqlite(connection, name=str(path))
    finally:
        connection.close()


def _json_xml_sqlite_json(original: ObjectCentricLog, folder: Path) -> None:
    """Write and read ``original`` through XML, then SQLite, then JSON: equal at every stage."""
    write_ocel_xml(original, folder / "a.xmlocel")
    from_xml = read_ocel_xml(folder / "a.xmlocel")
    assert from_xml.equals(original)
    from_sqlite = _sqlite_round_trip(from_xml, folder / "b.sqlite")
    assert from_sqlite.equals(original)
    write_ocel_json(from_sqlite, folder / "c.jsonocel")
    assert read_ocel_json(folder / "c.jsonocel").equals(original)


def test_round_trip_json_xml_sqlite_json(small: ObjectCentricLog, tmp_path: Path) -> None:
    _json_xml_sqlite_json(small, tmp_path)


def test_equals_notices_a_changed_value(small: ObjectCentricLog) -> None:
    changed = ObjectCentricLog(
        events=small.events.with_columns(pl.col("channel").str.replace("web", "app")),
        objects=small.objects,
        relations=small.relations,
        object_relations=small.object_relations,
        object_changes=small.object_changes,
        event_types=small.event_types,
        object_types=small.object_types,
    )
    assert not changed.equals(small)


@needs_logs
def test_example_json_and_xml_hold_the_same_log() -> None:
    from_json = read_ocel_json(DATA / "ocel20_example.jsonocel")
    assert (from_json.events.height, from_json.objects.height, from_json.relations.height) == (13, 9, 20)
    assert from_json.object_relations.height == 7
    assert from_json.object_changes.height == 3
    # The XML copy writes times without an offset, in Central European time (JSON: 14:00Z, XML: 15:00).
    assert not read_ocel_xml(DATA / "ocel20_example.xmlocel").equals(from_json, offsets=False)
    from_xml = read_ocel_xml(DATA / "ocel20_example.xmlocel", timezone="Europe/Amsterdam")
    assert from_xml.equals(from_json, offsets=False)
    assert set(from_xml.events[OFFSET].to_list()) == {60}


@needs_logs
@pytest.mark.parametrize(
    ("write", "read"),
    [
        (write_ocel_xml, read_ocel_xml),
        (write_ocel_json, read_ocel_json),
    ],
)
def test_example_round_trips(
    tmp_path: Path, write: Callable[[ObjectCentricLog, Path], None], read: Callable[[Path], ObjectCentricLog]
) -> None:
    original = read_ocel_xml(DATA / "ocel20_example.xmlocel", timezone="Europe/Amsterdam")
    write(original, tmp_path / "copy")
    assert read(tmp_path / "copy").equals(original)
    assert _sqlite_round_trip(original, tmp_path / "copy.sqlite").equals(original)


@needs_logs
def test_example_flattened_per_purchase_order() -> None:
    log = flatten(read_ocel_json(DATA / "ocel20_example.jsonocel"), "Purchase Order")
    # PO1: created (e3), quantity changed (e4), two invoices (e5, e6); PO2: created (e10).
    assert log.events.group_by(CASE).agg(pl.col(OCEL_EID)).sort(CASE).rows() == [
        ("PO1", ["e3", "e4", "e5", "e6"]),
        ("PO2", ["e10"]),
    ]


@needs_logs
def test_recruiting_red_is_ocel_1_and_is_read() -> None:
    log = read_ocel_json(DATA / "recruiting-red.jsonocel")
    assert (log.events.height, log.objects.height, log.relations.height) == (6607, 1051, 6877)
    assert log.object_type_names == ["applications", "offers"]
    assert set(log.relations["ocel:qualifier"].unique().to_list()) == {""}
    applications = flatten(log, "applications")
    assert applications.case_count == 916
    assert applications.events[OCEL_EID].n_unique() <= log.events.height


# Property (STYLE.md 12): any OCEL 2.0 log survives JSON -> XML -> SQLite -> JSON unchanged.
KINDS = ("string", "integer", "float", "boolean", "time")
# XML 1.0 cannot carry most control characters; everything else may appear in names and values.
TEXT = st.text(alphabet=" ab\té\n\r€<&\"'", max_size=8) | st.text(
    st.characters(codec="utf-8", exclude_categories=("Cc", "Cs"), include_characters="\t\n\r "), max_size=12
)
MOMENTS = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(UTC))
OFFSETS = st.sampled_from([0, 60, 120, -300, -330, 345])


def _value(kind: str) -> st.SearchStrategy[Any]:
    return {
        "string": TEXT,
        "integer": st.integers(-(2**53), 2**53),
        "float": st.floats(allow_nan=False, allow_infinity=False),
        "boolean": st.booleans(),
        "time": MOMENTS.map(lambda m: m.isoformat()),
    }[kind]


@st.composite
def ocel_documents(draw: st.DrawFn) -> dict[str, Any]:
    type_names = draw(st.lists(TEXT.filter(bool), min_size=1, max_size=3, unique=True))
    # Attribute names are unique per type so that each column has one type.
    object_types = {
        name: {f"o{i}_{a}": draw(st.sampled_from(KINDS)) for a in range(draw(st.integers(0, 3)))}
        for i, name in enumerate(type_names)
    }
    activities = draw(st.lists(TEXT.filter(bool), min_size=1, max_size=3, unique=True))
    event_types = {
        name: {f"e{i}_{a}": draw(st.sampled_from(KINDS)) for a in range(draw(st.integers(0, 2)))}
        for i, name in enumerate(activities)
    }
    objects = []
    for n in range(draw(st.integers(1, 6))):
        object_type = draw(st.sampled_from(type_names))
        values = []
        for attribute, kind in object_types[object_type].items():
            if draw(st.booleans()):
                values.append({"name": attribute, "time": "1970-01-01T00:00:00Z", "value": draw(_value(kind))})
            values.extend(
                {"name": attribute, "time": moment.isoformat(), "value": draw(_value(kind))}
                for moment in draw(st.lists(MOMENTS, max_size=2))
            )
        objects.append({"id": f"o{n}", "type": object_type, "attributes": values, "relationships": []})
    ids = [o["id"] for o in objects]
    for item in objects:
        item["relationships"] = [
            {"objectId": target, "qualifier": draw(TEXT)} for target in draw(st.lists(st.sampled_from(ids), max_size=2))
        ]
    events = []
    for n in range(draw(st.integers(0, 8))):
        activity = draw(st.sampled_from(activities))
        moment = draw(MOMENTS).astimezone(timezone(timedelta(minutes=draw(OFFSETS))))
        events.append(
            {
                "id": f"e{n}",
                "type": activity,
                "time": moment.isoformat(),
                "attributes": [
                    {"name": attribute, "value": draw(_value(kind))}
                    for attribute, kind in event_types[activity].items()
                    if draw(st.booleans())
                ],
                "relationships": [
                    {"objectId": target, "qualifier": draw(TEXT)}
                    for target in draw(st.lists(st.sampled_from(ids), max_size=3))
                ],
            }
        )

    def declared(types: dict[str, dict[str, str]]) -> list[dict[str, Any]]:
        return [{"name": n, "attributes": [{"name": a, "type": k} for a, k in t.items()]} for n, t in types.items()]

    return {
        "objectTypes": declared(object_types),
        "eventTypes": declared(event_types),
        "objects": objects,
        "events": events,
    }


@settings(max_examples=60, deadline=None)
@given(document=ocel_documents())
def test_every_format_round_trips(document: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "in.jsonocel").write_text(json.dumps(document), encoding="utf-8")
        _json_xml_sqlite_json(read_ocel_json(work / "in.jsonocel"), work)
