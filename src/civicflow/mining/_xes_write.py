"""XES export (IEEE 1849): streamed, one trace at a time, gzip when the name ends in ``.gz``.

Each column becomes an XES attribute typed by its polars dtype (string, date, int, float,
boolean). Dates are written in the offset they were read with when the log keeps ``time:offset``,
otherwise in UTC. List and container attributes were read as JSON text and are written back as
strings: the values survive a round trip, the nesting does not.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from os import PathLike
from pathlib import Path
from typing import IO, Any, cast

import polars as pl
from lxml import etree

from civicflow.mining._log import CASE, INDEX, OFFSET, TIMESTAMP, EventLog

__all__ = ["write_xes", "xes_kind"]

_NS = "http://www.xes-standard.org/"
_EXTENSIONS = (
    ("Concept", "concept", "http://www.xes-standard.org/concept.xesext"),
    ("Time", "time", "http://www.xes-standard.org/time.xesext"),
    ("Organizational", "org", "http://www.xes-standard.org/org.xesext"),
    ("Lifecycle", "lifecycle", "http://www.xes-standard.org/lifecycle.xesext"),
)
_SKIP = frozenset({CASE, INDEX, OFFSET})


# Elements written whole (attributes, extensions) are created without a namespace: inside <log>,
# which declares XES as the default namespace, they are XES elements, and lxml writes them
# without an ns0: prefix and its declaration on every one.
def _tag(name: str) -> str:
    return f"{{{_NS}}}{name}"


def xes_kind(dtype: pl.DataType) -> str:
    """The XES attribute type of a polars column."""
    if dtype == pl.Boolean:
        return "boolean"
    if dtype.is_integer():
        return "int"
    if dtype.is_float():
        return "float"
    if isinstance(dtype, pl.Datetime):
        return "date"
    return "string"


def _value(kind: str, value: Any, offset: int | None) -> str:
    if kind == "date":
        moment: datetime = value
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        if offset:
            moment = moment.astimezone(timezone(timedelta(minutes=offset)))
        # Milliseconds as most XES tools write them, microseconds when the instant has them.
        return moment.isoformat(timespec="microseconds" if moment.microsecond % 1000 else "milliseconds")
    if kind == "boolean":
        return "true" if value else "false"
    return str(value)


def _attributes(row: Mapping[str, Any], kinds: Mapping[str, str], offset: int | None) -> Iterator[Any]:
    for key, kind in kinds.items():
        value = row.get(key)
        if value is None:
            continue
        yield etree.Element(kind, key=key, value=_value(kind, value, offset if key == TIMESTAMP else None))


@contextmanager
def _open(path: str | PathLike[str]) -> Iterator[IO[bytes]]:
    target = Path(path)
    with target.open("wb") as plain:
        if target.name.endswith(".gz"):
            with gzip.GzipFile(fileobj=plain, mode="wb") as zipped:
                yield cast(IO[bytes], zipped)
        else:
            yield plain


def write_xes(log: EventLog, path: str | PathLike[str]) -> None:
    """Write ``log`` as XES to ``path`` (gzip-compressed when it ends in ``.gz``)."""
    events = log.events
    event_kinds = {name: xes_kind(dtype) for name, dtype in events.schema.items() if name not in _SKIP}
    case_kinds = {name: xes_kind(dtype) for name, dtype in log.cases.schema.items() if name != CASE}
    case_rows = {row[CASE]: row for row in log.cases.iter_rows(named=True)}
    has_offset = OFFSET in events.columns
    with _open(path) as raw, etree.xmlfile(raw, encoding="utf-8") as xf:
        xf.write_declaration()
        with xf.element(_tag("log"), {"xes.version": "1.0", "xes.features": "nested-attributes"}, nsmap={None: _NS}):
            for name, prefix, uri in _EXTENSIONS:
                xf.write(etree.Element("extension", name=name, prefix=prefix, uri=uri))
            for key, value in log.attributes.items():
                if isinstance(value, str | int | float | bool):
                    kind = "boolean" if isinstance(value, bool) else xes_kind(pl.Series([value]).dtype)
                    xf.write(etree.Element(kind, key=key, value=_value(kind, value, None)))
            # Events are sorted by case, so each case's events are one contiguous run.
            for (case,), group in events.group_by(CASE, maintain_order=True):
                with xf.element(_tag("trace")):
                    xf.write(etree.Element("string", key="concept:name", value=str(case)))
                    for attribute in _attributes(case_rows.get(case, {}), case_kinds, None):
                        xf.write(attribute)
                    for row in group.iter_rows(named=True):
                        with xf.element(_tag("event")):
                            offset = row.get(OFFSET) if has_offset else None
                            for attribute in _attributes(row, event_kinds, offset):
                                xf.write(attribute)
