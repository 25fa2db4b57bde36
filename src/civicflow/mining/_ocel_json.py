"""OCEL JSON: read OCEL 2.0 (``.jsonocel``) and the older OCEL 1.0 layout, write OCEL 2.0."""

from __future__ import annotations

import json
from datetime import datetime
from os import PathLike, fspath
from pathlib import Path
from typing import Any, Final

from civicflow.mining._errors import EventLogError
from civicflow.mining._ocel import ObjectCentricLog, OcelBuilder
from civicflow.mining._ocel_records import event_records, format_time, object_records

__all__ = ["DEFAULT_MAX_BYTES", "read_ocel_json", "write_ocel_json"]

# json.loads holds the whole document in memory: refuse sizes no municipal log reaches.
DEFAULT_MAX_BYTES: Final = 512 * 1024 * 1024


def read_ocel_json(
    path: str | PathLike[str], *, timezone: str | None = None, max_bytes: int = DEFAULT_MAX_BYTES
) -> ObjectCentricLog:
    """Read an OCEL 2.0 JSON log (OCEL 1.0 JSON is recognised and read too).

    Times without a UTC offset are read in ``timezone`` (an IANA name), else as UTC.
    """
    name = fspath(path)
    data = _load(name, max_bytes)
    builder = OcelBuilder(name, timezone=timezone)
    if isinstance(data, dict) and "ocel:events" in data:
        _read_ocel1(data, builder)
    elif isinstance(data, dict) and ("events" in data or "objects" in data):
        _read_ocel2(data, builder)
    else:
        raise EventLogError(
            "not an OCEL JSON log: expected 'objectTypes', 'eventTypes', 'objects' and 'events'", file=name
        )
    return builder.build()


def _load(name: str, max_bytes: int) -> Any:
    with Path(name).open("rb") as stream:
        raw = stream.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise EventLogError(f"larger than the {max_bytes}-byte limit for OCEL JSON", file=name)
    if not raw.strip():
        raise EventLogError("empty file, not an OCEL JSON log", file=name)
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise EventLogError(f"not valid JSON: {exc.msg}", file=name, line=exc.lineno, column=exc.colno) from exc
    except UnicodeDecodeError as exc:
        raise EventLogError(f"not UTF-8 text at byte {exc.start}", file=name) from exc
    except RecursionError as exc:
        raise EventLogError("JSON nested too deeply", file=name) from exc


def _items(container: Any, key: str, where: str, builder: OcelBuilder) -> list[Any]:
    value = container.get(key, []) if isinstance(container, dict) else None
    if value is None:
        return []
    if not isinstance(value, list):
        raise builder.fail(f"{where}{key}", "expected a list")
    return value


def _record(item: Any, where: str, builder: OcelBuilder) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise builder.fail(where, "expected a JSON object")
    return item


def _read_ocel2(data: dict[str, Any], builder: OcelBuilder) -> None:
    for scope, key in (("object", "objectTypes"), ("event", "eventTypes")):
        for i, item in enumerate(_items(data, key, "", builder)):
            where = f"{key}[{i}]"
            declared = _record(item, where, builder)
            attributes: dict[str, str] = {}
            for j, attribute in enumerate(_items(declared, "attributes", f"{where}.", builder)):
                spec = _record(attribute, f"{where}.attributes[{j}]", builder)
                attributes[str(spec.get("name"))] = str(spec.get("type"))
            builder.declare(scope, str(declared.get("name")), attributes, where)
    objects = [_record(item, f"objects[{i}]", builder) for i, item in enumerate(_items(data, "objects", "", builder))]
    for i, item in enumerate(objects):
        builder.add_object(item.get("id"), item.get("type"), f"objects[{i}]")
    for i, item in enumerate(objects):
        where = f"objects[{i}]"
        for j, attribute in enumerate(_items(item, "attributes", f"{where}.", builder)):
            value = _record(attribute, f"{where}.attributes[{j}]", builder)
            builder.add_object_value(
                item["id"], str(value.get("name")), value.get("time"), value.get("value"), f"{where}.attributes[{j}]"
            )
        for j, link in enumerate(_items(item, "relationships", f"{where}.", builder)):
            target = _record(link, f"{where}.relationships[{j}]", builder)
            builder.relate_objects(
                item["id"], str(target.get("objectId")), target.get("qualifier"), f"{where}.relationships[{j}]"
            )
    for i, raw in enumerate(_items(data, "events", "", builder)):
        where = f"events[{i}]"
        item = _record(raw, where, builder)
        values = [
            (str(a.get("name")), a.get("value"))
            for j, a in enumerate(_items(item, "attributes", f"{where}.", builder))
            if _record(a, f"{where}.attributes[{j}]", builder)
        ]
        builder.add_event(item.get("id"), item.get("type"), item.get("time"), values, where)
        for j, link in enumerate(_items(item, "relationships", f"{where}.", builder)):
            target = _record(link, f"{where}.relationships[{j}]", builder)
            builder.relate(
                item["id"], str(target.get("objectId")), target.get("qualifier"), f"{where}.relationships[{j}]"
            )


def _read_ocel1(data: dict[str, Any], builder: OcelBuilder) -> None:
    """OCEL 1.0: objects and events keyed by id, unqualified relations, no attribute history."""
    objects = data.get("ocel:objects", {})
    events = data["ocel:events"]
    if not isinstance(objects, dict) or not isinstance(events, dict):
        raise builder.fail("ocel:events", "OCEL 1.0 events and objects must be JSON objects keyed by id")
    for oid, raw in objects.items():
        where = f"ocel:objects[{oid!r}]"
        item = _record(raw, where, builder)
        builder.add_object(oid, item.get("ocel:type"), where)
        for name, value in _record(item.get("ocel:ovmap", {}), where, builder).items():
            builder.add_object_value(oid, name, None, value, where)
    for eid, raw in events.items():
        where = f"ocel:events[{eid!r}]"
        item = _record(raw, where, builder)
        vmap = _record(item.get("ocel:vmap", {}), where, builder)
        builder.add_event(eid, item.get("ocel:activity"), item.get("ocel:timestamp"), list(vmap.items()), where)
        for oid in _items(item, "ocel:omap", f"{where}.", builder):
            builder.relate(eid, str(oid), None, where)


def _json_value(value: Any) -> Any:
    return format_time(value) if isinstance(value, datetime) else value


def write_ocel_json(log: ObjectCentricLog, path: str | PathLike[str]) -> None:
    """Write ``log`` as OCEL 2.0 JSON."""

    def types(table: dict[str, dict[str, str]] | Any) -> list[dict[str, Any]]:
        return [
            {"name": name, "attributes": [{"name": a, "type": kind} for a, kind in attributes.items()]}
            for name, attributes in table.items()
        ]

    document = {
        "objectTypes": types(log.object_types),
        "eventTypes": types(log.event_types),
        "objects": [
            {
                "id": record.id,
                "type": record.type,
                "attributes": [
                    {"name": name, "time": time, "value": _json_value(value)} for name, time, value in record.attributes
                ],
                "relationships": [{"objectId": o, "qualifier": q} for o, q in record.relationships],
            }
            for record in object_records(log)
        ],
        "events": [
            {
                "id": record.id,
                "type": record.type,
                "time": record.time,
                "attributes": [{"name": name, "value": _json_value(value)} for name, value in record.attributes],
                "relationships": [{"objectId": o, "qualifier": q} for o, q in record.relationships],
            }
            for record in event_records(log)
        ],
    }
    with Path(path).open("w", encoding="utf-8") as stream:
        json.dump(document, stream, ensure_ascii=False, indent=1)
