"""Between object-centric and case-centric logs: flattening per object type, and back."""

from __future__ import annotations

from typing import Final

import polars as pl

from civicflow.mining._errors import EventLogError
from civicflow.mining._log import ACTIVITY, CASE, INDEX, OFFSET, TIMESTAMP, EventLog
from civicflow.mining._ocel import (
    OCEL_ACTIVITY,
    OCEL_EID,
    OCEL_FIELD,
    OCEL_OID,
    OCEL_OID_2,
    OCEL_QUALIFIER,
    OCEL_TIMESTAMP,
    OCEL_TYPE,
    ObjectCentricLog,
    with_used_types,
)

__all__ = ["flatten", "to_ocel"]

_STAMP: Final = pl.Datetime("us", "UTC")


def flatten(log: ObjectCentricLog, object_type: str) -> EventLog:
    """One case per object of ``object_type`` holding every event related to it (OCEL flattening).

    An event related to several objects of the type appears once in each of their cases; the
    objects' initial attribute values become case attributes.
    """
    types = log.object_type_names
    if object_type not in types:
        raise EventLogError(f"no object type {object_type!r}; the log has {', '.join(types) or 'none'}")
    objects = log.objects.filter(pl.col(OCEL_TYPE) == object_type)
    related = (
        log.relations.join(objects.select(OCEL_OID), on=OCEL_OID, how="semi")
        .unique([OCEL_EID, OCEL_OID], keep="first", maintain_order=True)
        .select(OCEL_EID, OCEL_OID)
    )
    events = log.events.with_row_index(INDEX).join(related, on=OCEL_EID, how="inner")
    events = events.rename({OCEL_OID: CASE, OCEL_ACTIVITY: ACTIVITY, OCEL_TIMESTAMP: TIMESTAMP})
    events = _drop_empty(events, (INDEX, CASE, ACTIVITY, TIMESTAMP, OCEL_EID, OFFSET))
    cases = objects.filter(pl.col(OCEL_OID).is_in(events[CASE].implode())).drop(OCEL_TYPE).rename({OCEL_OID: CASE})
    return EventLog.from_events(events, cases=_drop_empty(cases, (CASE,)), attributes={"ocel:object-type": object_type})


def _drop_empty(frame: pl.DataFrame, keep: tuple[str, ...]) -> pl.DataFrame:
    """Drop attribute columns that no row of ``frame`` fills (other types' attributes)."""
    return frame.select([c for c in frame.columns if c in keep or frame[c].null_count() < frame.height])


def to_ocel(log: EventLog, *, object_type: str = "case") -> ObjectCentricLog:
    """``log`` as an OCEL log: one object of ``object_type`` per case, related to its events.

    Event ids are ``ocel:eid`` when the log has them (a flattened log), else ``e1``, ``e2`` ...
    in log order; case attributes become the objects' initial attribute values. Flattening the
    result by ``object_type`` gives back the events and case attributes.
    """
    events = log.events.drop(INDEX, strict=False)
    if OCEL_EID not in events.columns:
        events = events.with_columns(pl.format("e{}", pl.int_range(1, pl.len() + 1)).alias(OCEL_EID))
    elif events[OCEL_EID].is_duplicated().any():
        raise EventLogError("ocel:eid repeats: a log flattened from OCEL keeps its events once per object")
    clashes = sorted({OCEL_OID, OCEL_TYPE, OCEL_QUALIFIER, OCEL_FIELD, OCEL_OID_2} & set(events.columns))
    if clashes:
        raise EventLogError(f"event attribute(s) {', '.join(clashes)} clash with OCEL column names")
    relations = events.select(OCEL_EID, pl.col(CASE).alias(OCEL_OID), pl.lit("case", pl.Utf8).alias(OCEL_QUALIFIER))
    events = events.rename({ACTIVITY: OCEL_ACTIVITY, TIMESTAMP: OCEL_TIMESTAMP}).drop(CASE)
    events = events.select(OCEL_EID, OCEL_ACTIVITY, OCEL_TIMESTAMP, pl.exclude(OCEL_EID, OCEL_ACTIVITY, OCEL_TIMESTAMP))
    events = events.sort(OCEL_TIMESTAMP, maintain_order=True)
    cases = (
        log.cases if log.cases.height else relations.select(pl.col(OCEL_OID).unique(maintain_order=True).alias(CASE))
    )
    objects = cases.rename({CASE: OCEL_OID}).select(
        OCEL_OID, pl.lit(object_type, pl.Utf8).alias(OCEL_TYPE), pl.exclude(OCEL_OID)
    )
    position = events.select(OCEL_EID).with_row_index("_at")
    relations = relations.join(position, on=OCEL_EID).sort("_at", maintain_order=True).drop("_at")
    empty = pl.DataFrame(schema={OCEL_OID: pl.Utf8, OCEL_OID_2: pl.Utf8, OCEL_QUALIFIER: pl.Utf8})
    return with_used_types(
        ObjectCentricLog(
            events=events,
            objects=objects,
            relations=relations,
            object_relations=empty,
            object_changes=pl.DataFrame(schema={OCEL_OID: pl.Utf8, OCEL_TIMESTAMP: _STAMP, OCEL_FIELD: pl.Utf8}),
        )
    )
