"""Object-centric event logs (OCEL 2.0) as polars frames.

An :class:`ObjectCentricLog` holds events, objects, event-to-object and object-to-object
relations, and object attribute changes over time. The readers (JSON, XML, SQLite) all feed the
same :class:`OcelBuilder`, so every format yields the same frames for the same content.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from civicflow.mining._errors import EventLogError
from civicflow.mining._log import OFFSET
from civicflow.mining._xes_read import Columns
from civicflow.mining._xes_write import xes_kind

__all__ = [
    "OCEL_ACTIVITY",
    "OCEL_EID",
    "OCEL_FIELD",
    "OCEL_OID",
    "OCEL_OID_2",
    "OCEL_QUALIFIER",
    "OCEL_TIMESTAMP",
    "OCEL_TYPE",
    "ObjectCentricLog",
    "OcelBuilder",
    "with_used_types",
]

# Column names follow the OCEL standard's pandas/pm4py convention.
OCEL_EID: Final = "ocel:eid"
OCEL_ACTIVITY: Final = "ocel:activity"
OCEL_TIMESTAMP: Final = "ocel:timestamp"
OCEL_OID: Final = "ocel:oid"
OCEL_TYPE: Final = "ocel:type"
OCEL_QUALIFIER: Final = "ocel:qualifier"
OCEL_OID_2: Final = "ocel:oid_2"
OCEL_FIELD: Final = "ocel:field"

# OCEL 2.0 marks an object's initial attribute values with the Unix epoch.
EPOCH: Final = datetime(1970, 1, 1, tzinfo=UTC)
ATTRIBUTE_TYPES: Final = frozenset({"string", "time", "integer", "float", "boolean"})
_RESERVED: Final = frozenset(
    {OCEL_EID, OCEL_ACTIVITY, OCEL_TIMESTAMP, OCEL_OID, OCEL_TYPE, OCEL_QUALIFIER, OCEL_OID_2, OCEL_FIELD, OFFSET}
)
_STAMP: Final = pl.Datetime("us", "UTC")

TypeSchema = Mapping[str, Mapping[str, str]]
# (element named in errors, source line when the format has lines)
_At = tuple[str, int | None]


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectCentricLog:
    """An OCEL 2.0 log.

    ``events``: ``ocel:eid``, ``ocel:activity``, ``ocel:timestamp`` (UTC), ``time:offset`` (minutes,
    only when some event was written with a non-UTC offset) and one column per event attribute.
    ``objects``: ``ocel:oid``, ``ocel:type`` and the initial value of each object attribute.
    ``relations``: ``ocel:eid``, ``ocel:oid``, ``ocel:qualifier`` (event to object).
    ``object_relations``: ``ocel:oid``, ``ocel:oid_2``, ``ocel:qualifier`` (object to object).
    ``object_changes``: ``ocel:oid``, ``ocel:timestamp``, ``ocel:field`` and the new value in the
    column of that attribute. ``event_types``/``object_types`` map each type to its attributes'
    OCEL types (string, time, integer, float, boolean).
    """

    events: pl.DataFrame
    objects: pl.DataFrame
    relations: pl.DataFrame
    object_relations: pl.DataFrame
    object_changes: pl.DataFrame
    event_types: TypeSchema = field(default_factory=dict)
    object_types: TypeSchema = field(default_factory=dict)

    @property
    def object_type_names(self) -> list[str]:
        """Object types that are declared or used, sorted."""
        used = set(self.objects[OCEL_TYPE].unique().to_list())
        return sorted(used | set(self.object_types))

    def equals(self, other: ObjectCentricLog, *, offsets: bool = True) -> bool:
        """Same frames (column order aside) and type declarations; ``offsets=False`` compares instants only."""
        frames = ("events", "objects", "relations", "object_relations", "object_changes")
        for name in frames:
            mine, theirs = getattr(self, name), getattr(other, name)
            if not offsets:
                mine, theirs = mine.drop(OFFSET, strict=False), theirs.drop(OFFSET, strict=False)
            if set(mine.columns) != set(theirs.columns):
                return False
            theirs = theirs.select(mine.columns)
            # DataFrame.equals compares values only: 1 (integer) equals 1.0 (float) there.
            if mine.schema != theirs.schema or not mine.equals(theirs):
                return False
        return _plain(self.event_types) == _plain(other.event_types) and _plain(self.object_types) == _plain(
            other.object_types
        )


def _plain(types: TypeSchema) -> dict[str, dict[str, str]]:
    return {name: dict(attributes) for name, attributes in types.items()}


def zone_of(name: str | None) -> ZoneInfo | None:
    """The zone that naive timestamps are read in (``None``: UTC)."""
    if name is None:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise EventLogError(f"unknown time zone {name!r}") from exc


def parse_instant(raw: Any, zone: ZoneInfo | None) -> tuple[datetime, int]:
    """An ISO 8601 date-time as (UTC instant, offset in minutes); naive values are read in ``zone``."""
    moment = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw).strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone or UTC)
    offset = moment.utcoffset()
    minutes = 0 if offset is None else int(offset.total_seconds() // 60)
    return moment.astimezone(UTC), minutes


def attribute_kind(dtype: pl.DataType) -> str:
    """The OCEL attribute type of a polars column (XES and OCEL name the same types differently)."""
    kind = xes_kind(dtype)
    return {"int": "integer", "date": "time"}.get(kind, kind)


def _typed(kind: str | None, raw: Any, zone: ZoneInfo | None) -> Any:
    if raw is None or kind is None:
        return raw
    if kind == "string":
        return raw if isinstance(raw, str) else str(raw)
    if kind == "time":
        return parse_instant(raw, zone)[0]
    if kind == "boolean":
        if isinstance(raw, bool):
            return raw
        lowered = str(raw).strip().lower()
        if lowered not in {"true", "false", "1", "0"}:
            raise ValueError(raw)
        return lowered in {"true", "1"}
    if isinstance(raw, bool):
        raise ValueError(raw)
    if kind == "integer":
        return raw if isinstance(raw, int) else int(str(raw).strip())
    return float(raw)


class OcelBuilder:
    """Collects an OCEL log element by element and checks it; the readers' common back end.

    ``where`` arguments name the element for errors ("event 'e1'", "events[0]"); ``line`` is the
    source line when the format has one.
    """

    def __init__(self, file: str, *, timezone: str | None = None) -> None:
        self.file = file
        self.zone = zone_of(timezone)
        self.event_types: dict[str, dict[str, str]] = {}
        self.object_types: dict[str, dict[str, str]] = {}
        self.events = Columns()
        self.offsets: list[int] = []
        self.event_ids: dict[str, int] = {}
        self.object_ids: dict[str, int] = {}
        self.objects = Columns()
        self.object_rows: list[dict[str, Any]] = []
        self.changes: list[tuple[int, datetime, int, dict[str, Any]]] = []
        self.relations: list[tuple[str, str, str, str, int | None]] = []
        self.object_relations: list[tuple[str, str, str, str, int | None]] = []

    def fail(self, where: str, message: str, line: int | None = None) -> EventLogError:
        return EventLogError(f"{where}: {message}", file=self.file, line=line)

    def declare(
        self, scope: str, name: str, attributes: Mapping[str, str], where: str, line: int | None = None
    ) -> None:
        """Declare an event type (``scope="event"``) or object type and its attributes' types."""
        for attribute, kind in attributes.items():
            if kind not in ATTRIBUTE_TYPES:
                raise self.fail(where, f"attribute {attribute!r} has unknown type {kind!r}", line)
            self._check_name(attribute, where, line)
        table = self.event_types if scope == "event" else self.object_types
        table.setdefault(name, {}).update(attributes)

    def _check_name(self, attribute: str, where: str, line: int | None) -> None:
        if attribute in _RESERVED:
            raise self.fail(where, f"attribute name {attribute!r} is reserved", line)

    def _value(self, table: Mapping[str, Mapping[str, str]], type_name: str, name: str, raw: Any, at: _At) -> Any:
        where, line = at
        self._check_name(name, where, line)
        kind = table.get(type_name, {}).get(name)
        try:
            return _typed(kind, raw, self.zone)
        except (ValueError, TypeError) as exc:
            raise self.fail(where, f"attribute {name!r}: {kind} value {raw!r} is invalid", line) from exc

    def time(self, raw: Any, where: str, line: int | None = None) -> tuple[datetime, int]:
        if raw is None or raw == "":
            raise self.fail(where, "has no time", line)
        try:
            return parse_instant(raw, self.zone)
        except (ValueError, TypeError) as exc:
            raise self.fail(where, f"cannot parse time {raw!r}", line) from exc

    def add_event(  # noqa: PLR0917 - the fields of an OCEL event, in the standard's order
        self,
        eid: Any,
        activity: Any,
        time: Any,
        attributes: list[tuple[str, Any]],
        where: str,
        line: int | None = None,
    ) -> None:
        if not isinstance(eid, str) or not eid:
            raise self.fail(where, "event has no id", line)
        if not isinstance(activity, str) or not activity:
            raise self.fail(where, f"event {eid!r} has no type", line)
        if eid in self.event_ids:
            raise self.fail(where, f"event id {eid!r} is used twice", line)
        instant, offset = self.time(time, f"{where} (event {eid!r})", line)
        row = {OCEL_EID: eid, OCEL_ACTIVITY: activity, OCEL_TIMESTAMP: instant}
        for name, raw in attributes:
            row[name] = self._value(self.event_types, activity, name, raw, (f"{where} (event {eid!r})", line))
        self.event_ids[eid] = len(self.event_ids)
        self.offsets.append(offset)
        self.events.append(row)

    def add_object(self, oid: Any, object_type: Any, where: str, line: int | None = None) -> None:
        if not isinstance(oid, str) or not oid:
            raise self.fail(where, "object has no id", line)
        if not isinstance(object_type, str) or not object_type:
            raise self.fail(where, f"object {oid!r} has no type", line)
        if oid in self.object_ids:
            raise self.fail(where, f"object id {oid!r} is used twice", line)
        self.object_ids[oid] = len(self.object_ids)
        self.object_rows.append({OCEL_OID: oid, OCEL_TYPE: object_type})

    def add_object_value(  # noqa: PLR0917 - the fields of an OCEL object attribute value
        self, oid: str, name: str, time: Any, raw: Any, where: str, line: int | None = None
    ) -> None:
        """An attribute value of an object from ``time`` on (the epoch: its initial value)."""
        row = self.object_rows[self.object_ids[oid]]
        instant = EPOCH if time is None else self.time(time, where, line)[0]
        value = self._value(self.object_types, row[OCEL_TYPE], name, raw, (where, line))
        if instant == EPOCH and name not in row:
            row[name] = value
        else:
            self.changes.append((self.object_ids[oid], instant, len(self.changes), {name: value}))

    def relate(self, source: str, target: str, qualifier: Any, where: str, line: int | None = None) -> None:
        """Event-to-object relation (``source`` an event id) checked when the log is built."""
        self.relations.append((source, target, "" if qualifier is None else str(qualifier), where, line))

    def relate_objects(self, source: str, target: str, qualifier: Any, where: str, line: int | None = None) -> None:
        self.object_relations.append((source, target, "" if qualifier is None else str(qualifier), where, line))

    def build(self) -> ObjectCentricLog:
        for source, target, _, where, line in self.relations:
            if source not in self.event_ids:
                raise self.fail(where, f"relation from unknown event {source!r}", line)
            if target not in self.object_ids:
                raise self.fail(where, f"event {source!r} refers to unknown object {target!r}", line)
        for source, target, _, where, line in self.object_relations:
            if source not in self.object_ids:
                raise self.fail(where, f"relation from unknown object {source!r}", line)
            if target not in self.object_ids:
                raise self.fail(where, f"object {source!r} refers to unknown object {target!r}", line)
        events = self.events.frame()
        if events.is_empty():
            events = pl.DataFrame(schema={OCEL_EID: pl.Utf8, OCEL_ACTIVITY: pl.Utf8, OCEL_TIMESTAMP: _STAMP})
        if any(self.offsets):
            events = events.with_columns(pl.Series(OFFSET, self.offsets, dtype=pl.Int32))
        events = events.with_columns(pl.col(OCEL_TIMESTAMP).cast(_STAMP)).sort(OCEL_TIMESTAMP, maintain_order=True)
        objects = Columns()
        for row in self.object_rows:
            objects.append(row)
        object_frame = (
            objects.frame() if self.object_rows else pl.DataFrame(schema={OCEL_OID: pl.Utf8, OCEL_TYPE: pl.Utf8})
        )
        changes = Columns()
        for index, instant, _, values in sorted(self.changes, key=lambda c: (c[0], c[1], c[2])):
            name = next(iter(values))
            changes.append(
                {OCEL_OID: self.object_rows[index][OCEL_OID], OCEL_TIMESTAMP: instant, OCEL_FIELD: name, **values}
            )
        change_frame = (
            changes.frame().with_columns(pl.col(OCEL_TIMESTAMP).cast(_STAMP))
            if self.changes
            else pl.DataFrame(schema={OCEL_OID: pl.Utf8, OCEL_TIMESTAMP: _STAMP, OCEL_FIELD: pl.Utf8})
        )
        position = {eid: i for i, eid in enumerate(events[OCEL_EID].to_list())}
        relations = sorted(
            ((position[s], i, s, t, q) for i, (s, t, q, _, _) in enumerate(self.relations)), key=lambda r: r[:2]
        )
        links = sorted(
            ((self.object_ids[s], i, s, t, q) for i, (s, t, q, _, _) in enumerate(self.object_relations)),
            key=lambda r: r[:2],
        )
        log = ObjectCentricLog(
            events=events,
            objects=object_frame,
            relations=_pairs([r[2:] for r in relations], OCEL_EID, OCEL_OID),
            object_relations=_pairs([r[2:] for r in links], OCEL_OID, OCEL_OID_2),
            object_changes=change_frame,
            event_types=self.event_types,
            object_types=self.object_types,
        )
        return with_used_types(log)


def _pairs(rows: list[tuple[str, str, str]], source: str, target: str) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={source: pl.Utf8, target: pl.Utf8, OCEL_QUALIFIER: pl.Utf8}, orient="row")


def with_used_types(log: ObjectCentricLog) -> ObjectCentricLog:
    """Declare every attribute a type actually uses, so that writing and reading back is exact."""
    event_types = {name: dict(attributes) for name, attributes in log.event_types.items()}
    object_types = {name: dict(attributes) for name, attributes in log.object_types.items()}
    _fold(event_types, log.events, OCEL_ACTIVITY, (OCEL_EID, OCEL_ACTIVITY, OCEL_TIMESTAMP, OFFSET))
    typed_changes = log.object_changes.join(log.objects.select(OCEL_OID, OCEL_TYPE), on=OCEL_OID, how="left")
    _fold(object_types, log.objects, OCEL_TYPE, (OCEL_OID, OCEL_TYPE))
    _fold(object_types, typed_changes, OCEL_TYPE, (OCEL_OID, OCEL_TYPE, OCEL_TIMESTAMP, OCEL_FIELD))
    return ObjectCentricLog(
        events=log.events,
        objects=log.objects,
        relations=log.relations,
        object_relations=log.object_relations,
        object_changes=log.object_changes,
        event_types=event_types,
        object_types=object_types,
    )


def _fold(types: dict[str, dict[str, str]], frame: pl.DataFrame, key: str, fixed: tuple[str, ...]) -> None:
    attributes = [c for c in frame.columns if c not in fixed]
    for name in frame[key].unique(maintain_order=True).to_list():
        declared = types.setdefault(name, {})
        if not attributes:
            continue
        used = frame.filter(pl.col(key) == name).select(pl.col(attributes).is_not_null().any()).row(0, named=True)
        for attribute, present in used.items():
            if present and attribute not in declared:
                declared[attribute] = attribute_kind(frame.schema[attribute])
