"""Property: any OCEL 2.0 log survives JSON -> XML -> SQLite -> JSON unchanged (STYLE.md 12)."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from civicflow.mining import (
    ObjectCentricLog,
    read_ocel_json,
    read_ocel_sqlite,
    read_ocel_xml,
    write_ocel_json,
    write_ocel_sqlite,
    write_ocel_xml,
)

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


def _through_sqlite(log: ObjectCentricLog, path: Path) -> ObjectCentricLog:
    connection = sqlite3.connect(path)
    try:
        write_ocel_sqlite(log, connection)
        return read_ocel_sqlite(connection)
    finally:
        connection.close()


@settings(max_examples=60, deadline=None)
@given(document=ocel_documents())
def test_every_format_round_trips(document: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        (work / "in.jsonocel").write_text(json.dumps(document), encoding="utf-8")
        original = read_ocel_json(work / "in.jsonocel")
        write_ocel_xml(original, work / "a.xmlocel")
        from_xml = read_ocel_xml(work / "a.xmlocel")
        assert from_xml.equals(original)
        from_sqlite = _through_sqlite(from_xml, work / "b.sqlite")
        assert from_sqlite.equals(original)
        write_ocel_json(from_sqlite, work / "c.jsonocel")
        assert read_ocel_json(work / "c.jsonocel").equals(original)
