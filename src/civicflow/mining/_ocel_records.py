"""An :class:`ObjectCentricLog` as per-event and per-object records: what the OCEL writers emit."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import polars as pl

from civicflow.mining._log import OFFSET
from civicflow.mining._ocel import (
    EPOCH,
    OCEL_ACTIVITY,
    OCEL_EID,
    OCEL_FIELD,
    OCEL_OID,
    OCEL_OID_2,
    OCEL_QUALIFIER,
    OCEL_TIMESTAMP,
    OCEL_TYPE,
    ObjectCentricLog,
)

__all__ = ["EventRecord", "ObjectRecord", "event_records", "format_time", "object_records", "text_of"]


@dataclass(frozen=True, slots=True, kw_only=True)
class EventRecord:
    id: str
    type: str
    time: str
    attributes: list[tuple[str, Any]]
    relationships: list[tuple[str, str]]


@dataclass(frozen=True, slots=True, kw_only=True)
class ObjectRecord:
    id: str
    type: str
    # (name, time as written, value): the first ``initial`` are the values at the epoch.
    attributes: list[tuple[str, str, Any]]
    initial: int
    relationships: list[tuple[str, str]]


def format_time(moment: datetime, offset: int | None = None) -> str:
    """ISO 8601 with the original offset when known, else UTC ("Z")."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if offset:
        return moment.astimezone(timezone(timedelta(minutes=offset))).isoformat()
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def text_of(value: Any) -> str:
    """An attribute value as OCEL XML text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return format_time(value)
    return str(value)


def _grouped(frame: pl.DataFrame, key: str, target: str) -> dict[str, list[tuple[str, str]]]:
    grouped: dict[str, list[tuple[str, str]]] = {}
    for source, other, qualifier in frame.select(key, target, OCEL_QUALIFIER).iter_rows():
        grouped.setdefault(source, []).append((other, qualifier))
    return grouped


def event_records(log: ObjectCentricLog) -> Iterator[EventRecord]:
    relations = _grouped(log.relations, OCEL_EID, OCEL_OID)
    fixed = {OCEL_EID, OCEL_ACTIVITY, OCEL_TIMESTAMP, OFFSET}
    for row in log.events.iter_rows(named=True):
        yield EventRecord(
            id=row[OCEL_EID],
            type=row[OCEL_ACTIVITY],
            time=format_time(row[OCEL_TIMESTAMP], row.get(OFFSET)),
            attributes=[(k, v) for k, v in row.items() if k not in fixed and v is not None],
            relationships=relations.get(row[OCEL_EID], []),
        )


def object_records(log: ObjectCentricLog) -> Iterator[ObjectRecord]:
    relations = _grouped(log.object_relations, OCEL_OID, OCEL_OID_2)
    changes: dict[str, list[tuple[str, str, Any]]] = {}
    for row in log.object_changes.iter_rows(named=True):
        name = row[OCEL_FIELD]
        changes.setdefault(row[OCEL_OID], []).append((name, format_time(row[OCEL_TIMESTAMP]), row.get(name)))
    epoch = format_time(EPOCH)
    for row in log.objects.iter_rows(named=True):
        oid = row[OCEL_OID]
        initial = [(k, epoch, v) for k, v in row.items() if k not in {OCEL_OID, OCEL_TYPE} and v is not None]
        yield ObjectRecord(
            id=oid,
            type=row[OCEL_TYPE],
            attributes=initial + changes.get(oid, []),
            initial=len(initial),
            relationships=relations.get(oid, []),
        )
