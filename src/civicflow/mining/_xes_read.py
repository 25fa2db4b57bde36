"""Streaming XES (IEEE 1849) import into an :class:`EventLog`."""

from __future__ import annotations

import gzip
import io
import json
import re
import zlib
from datetime import UTC, datetime
from os import PathLike, fspath
from pathlib import Path
from typing import IO, Any, Final

import polars as pl
from lxml import etree

from civicflow.mining._errors import EventLogError
from civicflow.mining._log import ACTIVITY, CASE, OFFSET, TIMESTAMP, EventLog
from civicflow.mining._xes_fast import fast_body, fill_defaults

__all__ = ["Columns", "read_xes", "refuse_dtd", "xml_problem"]

_SCALARS: Final = frozenset({"string", "date", "int", "float", "boolean", "id"})
_NESTED: Final = frozenset({"list", "container"})
# Identity attributes are never taken from <global> defaults: a default timestamp or case id
# (pm4py writes 1970-01-01 and "__INVALID__") would hide exactly the errors a reader must report.
_NO_DEFAULT: Final = frozenset({ACTIVITY, TIMESTAMP})


def read_xes(path: str | PathLike[str]) -> EventLog:
    """Read a ``.xes`` or ``.xes.gz`` file (gzip is detected from its magic bytes)."""
    name = fspath(path)
    with Path(name).open("rb") as raw:
        head = raw.read(2)
    if not head:
        raise EventLogError("empty file, not an XES log", file=name)
    fast = _read_fast(name)
    if fast is not None:
        return fast
    gzipped = head == b"\x1f\x8b"
    stream: IO[bytes] = gzip.open(name, "rb") if gzipped else Path(name).open("rb")  # type: ignore[assignment]  # noqa: SIM115 - closed by the with below
    with stream:
        return _Reader(name).run(stream)


def xml_problem(exc: etree.XMLSyntaxError) -> str:
    """libxml2's message without the ", line L, column C" it appends: the error names those itself."""
    return re.sub(r", line \d+, column \d+$", "", str(exc.msg))


def refuse_dtd(element: Any, file: str, kind: str) -> None:
    """Refuse a document with a DOCTYPE: entity declarations are how XXE and billion-laughs start."""
    info = element.getroottree().docinfo
    if info.internalDTD is not None or info.doctype:
        raise EventLogError(f"the document has a DOCTYPE; DTDs are not allowed in {kind}", file=file)


class Columns:
    """Column-wise accumulation; a key first seen late is padded with nulls."""

    def __init__(self) -> None:
        self.data: dict[str, list[Any]] = {}
        self.height = 0

    def append(self, row: dict[str, Any]) -> None:
        for key, value in row.items():
            column = self.data.get(key)
            if column is None:
                column = self.data[key] = []
            if len(column) < self.height:
                column.extend([None] * (self.height - len(column)))
            column.append(value)
        self.height += 1

    def frame(self) -> pl.DataFrame:
        for column in self.data.values():
            column.extend([None] * (self.height - len(column)))
        return pl.DataFrame({key: _series(key, values) for key, values in self.data.items()})


def _series(key: str, values: list[Any]) -> pl.Series:
    kinds = {type(v) for v in values if v is not None}
    if len(kinds) > 1:
        # One attribute written with different XES types: keep every value, as text.
        values = [None if v is None else _text(v) for v in values]
    if kinds == {datetime}:
        return pl.Series(key, values, dtype=pl.Datetime("us", "UTC"))
    return pl.Series(key, values, strict=False)


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.line = 0
        self.events = Columns()
        self.cases = Columns()
        self.attributes: dict[str, Any] = {}
        self.defaults: dict[str, dict[str, Any]] = {"trace": {}, "event": {}}
        self.pending: list[dict[str, Any]] = []
        self.offsets_differ = False
        self.first_offset: int | None = None

    def fail(self, message: str, *, line: int | None = None, column: int | None = None) -> EventLogError:
        # Line 0: nothing was read yet (say, a stream cut before its first element): name no line.
        return EventLogError(message, file=self.file, line=line or self.line or None, column=column)

    def run(self, stream: IO[bytes]) -> EventLog:
        parser = etree.iterparse(
            stream,
            events=("end",),
            # Only structural elements: attributes are read from their parent, which is much faster.
            tag=("{*}event", "{*}trace", "{*}global", "{*}log"),
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            huge_tree=False,
            remove_comments=True,
        )
        try:
            for number, (_, element) in enumerate(parser):
                if number == 0:
                    refuse_dtd(element, self.file, "XES")
                self.line = element.sourceline or self.line
                self.on_end(element)
        except etree.XMLSyntaxError as exc:
            line, column = exc.position if exc.position else (exc.lineno, 0)
            raise self.fail(f"not well-formed XES: {xml_problem(exc)}", line=line, column=column) from exc
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise self.fail(f"truncated or corrupt gzip stream after this line ({exc})") from exc
        return self.build()

    def on_end(self, element: Any) -> None:
        tag = etree.QName(element).localname
        parent = element.getparent()
        parent_tag = etree.QName(parent).localname if parent is not None else None
        if tag == "event":
            if parent_tag != "trace":
                raise self.fail("event outside a trace has no case id")
            self.pending.append(self.event_row(element))
            # Remove only the event: the trace's own attributes may precede it and are read at its end.
            element.clear(keep_tail=False)
            parent.remove(element)
        elif tag == "trace":
            self.end_trace(element)
            if parent is not None:
                self.harvest(parent)
        elif tag == "global":
            scope = element.get("scope", "event")
            self.defaults.setdefault(scope, {}).update(self.attrs(element))
        elif tag == "log":
            self.harvest(element)

    def harvest(self, log: Any) -> None:
        """Read log-level attributes and drop every finished child of <log>."""
        self.attributes.update(self.attrs(log))
        del log[:]

    def event_row(self, element: Any) -> dict[str, Any]:
        row = self.attrs(element)
        for key, value in self.defaults["event"].items():
            if key not in _NO_DEFAULT:
                row.setdefault(key, value)
        stamp = row.get(TIMESTAMP)
        if not isinstance(stamp, tuple):
            raise self.fail("event has no time:timestamp date attribute", line=element.sourceline)
        row[TIMESTAMP], offset = stamp
        row[OFFSET] = offset
        if self.first_offset is None:
            self.first_offset = offset
        elif offset != self.first_offset:
            self.offsets_differ = True
        row["@@line"] = element.sourceline
        return row

    def end_trace(self, element: Any) -> None:
        row = self.attrs(element)
        for key, value in self.defaults["trace"].items():
            if key not in _NO_DEFAULT:
                row.setdefault(key, value)
        case = row.pop(ACTIVITY, None)
        if case is None:
            raise self.fail("trace has no concept:name, so its events have no case id", line=element.sourceline)
        case = _text(case[0] if isinstance(case, tuple) else case)
        self.cases.append({CASE: case, **{k: _plain(v) for k, v in row.items()}})
        for event in self.pending:
            event.pop("@@line")
            self.events.append({CASE: case, **{k: _plain(v) for k, v in event.items()}})
        self.pending.clear()

    def attrs(self, element: Any) -> dict[str, Any]:
        row: dict[str, Any] = {}
        for child in element:
            if isinstance(child.tag, str) and etree.QName(child).localname in _SCALARS | _NESTED:
                key, value = self.attr(child)
                row[key] = value
        return row

    def attr(self, element: Any) -> tuple[str, Any]:
        kind = etree.QName(element).localname
        key = element.get("key")
        if key is None:
            raise self.fail(f"<{kind}> attribute without a key", line=element.sourceline)
        if kind in _NESTED:
            return key, json.dumps(self.nested(element), ensure_ascii=False, sort_keys=kind == "container")
        raw = element.get("value")
        if raw is None:
            raise self.fail(f"attribute {key!r} has no value", line=element.sourceline)
        try:
            return key, _convert(kind, raw)
        except ValueError as exc:
            raise self.fail(f"attribute {key!r}: {kind} value {raw!r} is invalid", line=element.sourceline) from exc

    def nested(self, element: Any) -> Any:
        kind = etree.QName(element).localname
        children = [c for c in element if isinstance(c.tag, str)]
        values = next((c for c in children if etree.QName(c).localname == "values"), None)
        if kind == "list":
            items = [c for c in (values if values is not None else children) if isinstance(c.tag, str)]
            return [_json(self.attr(c)[1]) for c in items if etree.QName(c).localname in _SCALARS | _NESTED]
        return {k: _json(v) for k, v in self.attrs(element).items()}

    def build(self) -> EventLog:
        events = self.events.frame()
        if events.is_empty():
            events = pl.DataFrame(
                schema={CASE: pl.Utf8, ACTIVITY: pl.Utf8, TIMESTAMP: pl.Datetime("us", "UTC"), OFFSET: pl.Int32}
            )
        if ACTIVITY not in events.columns:
            events = events.with_columns(pl.lit(None, pl.Utf8).alias(ACTIVITY))
        if self.offsets_differ:
            events = events.with_columns(pl.col(OFFSET).cast(pl.Int32))
        else:
            events = events.drop(OFFSET)
        cases = self.cases.frame() if self.cases.height else pl.DataFrame(schema={CASE: pl.Utf8})
        return EventLog.from_events(events, cases=cases, attributes=self.attributes)


def _convert(kind: str, raw: str) -> Any:
    if kind == "date":
        return _parse_date(raw)
    if kind == "int":
        return int(raw)
    if kind == "float":
        return float(raw)
    if kind == "boolean":
        lowered = raw.strip().lower()
        if lowered not in {"true", "false", "1", "0"}:
            raise ValueError(raw)
        return lowered in {"true", "1"}
    return raw


def _parse_date(raw: str) -> tuple[datetime, int]:
    """An xs:dateTime as (UTC instant, offset in minutes); a missing offset means UTC."""
    moment = datetime.fromisoformat(raw.strip())
    offset = moment.utcoffset()
    if offset is None:
        return moment.replace(tzinfo=UTC), 0
    return moment.astimezone(UTC), int(offset.total_seconds() // 60)


def _plain(value: Any) -> Any:
    return value[0] if isinstance(value, tuple) else value


def _json(value: Any) -> Any:
    value = _plain(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _read_fast(name: str) -> EventLog | None:
    """The columnar fast path (see ``_xes_fast``), with log attributes and globals read by ``_Reader``."""
    body = fast_body(name)
    if body is None:
        return None
    envelope = _Reader(name)
    try:
        envelope.run(io.BytesIO(body.envelope))
    except EventLogError:
        return None  # the whole file is read again, so the error names its own line
    events = fill_defaults(body.events, envelope.defaults["event"])
    cases = fill_defaults(body.cases, envelope.defaults["trace"])
    if events is None or cases is None:
        return None
    return EventLog.from_events(events, cases=cases, attributes=envelope.attributes)
