"""The fast path of XES import: r4pm's Rust parser, taken only where it is exact.

r4pm (the parser behind pm4py's fast importer) is several times faster than the streaming lxml
reader, but lenient where CivicFlow must not be: an unparsable int becomes 0 and a bad date null,
a broken file can come back as an empty or partial table, tags need not match, time zone offsets
are dropped, values are not whitespace-normalised and list attributes come back as Rust debug
text. So one regex pass over the file body (from the first ``<trace`` to the last ``</trace>``,
in polars' Rust regex engine) tallies its structure and extracts every typed attribute: open and
close tags must balance, every typed value must have its type's syntax and every key one type,
and the table r4pm returns must have one row per ``</event>``, one case per ``<trace>`` and no
null identity; id/list/container attributes and values with tabs or newlines are left to the
reference. Anything else returns ``None`` and the streaming reader, the reference, reads the file
and reports errors with their line. Offsets come from the timestamps' text, which r4pm drops.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import polars as pl
import r4pm.df

from civicflow.mining._log import ACTIVITY, CASE, OFFSET, TIMESTAMP

__all__ = ["FastBody", "fast_body", "fill_defaults"]

_DATE: Final = (
    r"\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?"
    r"(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)?"
)
# What the reference reader accepts for each XES type (int: what fits in 64 bits).
_SYNTAX: Final = {
    "int": r"^[-+]?\d{1,18}$",
    "float": r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$",
    "boolean": r"^(?:true|false)$",
    "date": rf"^{_DATE}$",
}
# One pass: structure, attribute kinds left to the reference, every typed attribute with its key
# and value, and string values holding a tab or newline (XML normalises those, r4pm does not).
_MARKS: Final = (
    r"</?trace>|</?event>|<(?:list|container|id)[\s>/]"
    r'|<(?:int|float|boolean|date)\s+key="[^"]*"\s+value="[^"]*"'
    r'|value="[^"\t\n\r]*[\t\n\r]'
)
_TYPED: Final = r'^<(\w+)\s+key="([^"]*)"\s+value="([^"]*)"'
_REFERENCE: Final = r"&(?:amp|lt|gt|quot|apos|#\d{1,7}|#x[0-9a-fA-F]{1,6});"
_ZONE: Final = r"([+-])(\d\d):(\d\d)$"
_PIECE: Final = 16 << 20
# Larger files take the streaming reader, whose memory grows with the log, not with the file.
_MAX_BYTES: Final = 1 << 31


@dataclass(frozen=True, slots=True, kw_only=True)
class FastBody:
    """What the fast path read: events and case attributes, plus the text around the body.

    ``envelope`` is the file without its body (header, globals and anything after the last
    trace), for the reference reader to take log attributes and ``<global>`` defaults from.
    ``names_complete`` says every trace and every event has its own ``concept:name``, which
    matters when a ``<global>`` declares a default for it (r4pm applies it; the reference
    refuses to take an identity from a default).
    """

    events: pl.DataFrame
    cases: pl.DataFrame
    envelope: bytes
    names_complete: bool


def fast_body(name: str) -> FastBody | None:
    """Read ``name`` with r4pm if every check passes, else ``None`` (use the streaming reader)."""
    data = _decompressed(name)
    if data is None:
        return None
    first, last = data.find(b"<trace"), data.rfind(b"</trace>")
    if len(data) > _MAX_BYTES or first < 0 or last < first:
        return None
    end = last + len(b"</trace>")
    envelope = data[:first] + data[end:]
    if data.find(b"&", first, end) >= 0 and not _references_ok(data, first, end):
        return None
    # only needed when a <global> could supply a name (see FastBody)
    name_count = data.count(b'key="concept:name"', first, end) if b'key="concept:name"' in envelope else None
    order = _first_seen(data[first : first + 1_000_000])
    marks = _marks(data, first, end)
    del data
    if marks is None:
        return None
    typed_rows = marks.str.starts_with("<") & marks.str.contains(r'\skey="', literal=False)
    typed = marks.filter(typed_rows).str.extract_groups(_TYPED).struct.unnest()
    typed.columns = ["type", "key", "value"]
    tally = dict(marks.filter(~typed_rows).str.extract(r"^<?(/?\w+)").value_counts().iter_rows())
    traces, events = tally.get("trace", 0), tally.get("/event", 0)
    balanced = traces == tally.get("/trace") and events == tally.get("event") and events > 0
    if not balanced or any(tally.get(kind) for kind in ("list", "container", "id", "value")):
        return None
    if not _typed_ok(typed):
        return None
    zones = _zones(typed.filter((pl.col("type") == "date") & (pl.col("key") == TIMESTAMP))["value"], events)
    names = name_count is None or name_count == traces + events
    typed_keys = set(typed["key"].unique().to_list())
    del marks, typed
    try:
        table, _ = r4pm.df.import_xes(name)
    except Exception:  # noqa: BLE001 - any failure of the fast path hands over to the reference reader
        return None
    if zones is None or not _complete(table, events=events, traces=traces, typed_keys=typed_keys):
        return None
    return _shape(table, zones, order, envelope=envelope, names=names)


def _references_ok(data: bytes, first: int, end: int) -> bool:
    """Every ampersand starts a reference: lxml refuses a bare one, r4pm would keep it."""
    return data.count(b"&", first, end) == len(re.compile(_REFERENCE.encode()).findall(data, first, end))


def _marks(data: bytes, first: int, end: int) -> pl.Series | None:
    """The body's marks (see _MARKS) in document order; None if the body is not UTF-8.

    The body goes to polars in pieces of whole traces: a whole large log as one string costs
    several times its size in the regex engine's intermediate results.
    """
    pieces = []
    start = first
    while start < end:
        stop = _piece_end(data, start, end)
        try:
            text = pl.Series("piece", [data[start:stop].decode()])
        except UnicodeDecodeError:
            return None
        pieces.append(text.str.extract_all(_MARKS).explode().drop_nulls())
        start = stop
    return pl.concat(pieces) if pieces else None


def _piece_end(data: bytes, start: int, end: int) -> int:
    """End of the last whole trace within _PIECE bytes from ``start`` (of the first, if longer)."""
    if start + _PIECE >= end:
        return end
    cut = data.rfind(b"</trace>", start, start + _PIECE)
    if cut < 0:
        cut = data.find(b"</trace>", start, end)
    return end if cut < 0 else cut + len(b"</trace>")


def _decompressed(name: str) -> bytes | None:
    """The file's bytes, gunzipped into one buffer (GzipFile.read holds chunks and their join)."""
    raw = Path(name).read_bytes()
    if raw[:2] != b"\x1f\x8b":
        return raw if len(raw) <= _MAX_BYTES else None
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        data = inflater.decompress(raw, _MAX_BYTES + 1)
    except zlib.error:
        return None
    # too large, truncated, or more than one gzip member: the streaming reader takes it
    if len(data) > _MAX_BYTES or not inflater.eof or inflater.unused_data:
        return None
    return data


def _typed_ok(typed: pl.DataFrame) -> bool:
    """Every typed value has its type's syntax, and no key is written with two XES types.

    r4pm turns an unparsable value into 0, false or null and a key with several types into
    JSON text; the reference refuses the first and keeps each value's own text for the second.
    """
    valid = pl.lit(value=False)
    for kind, pattern in _SYNTAX.items():
        valid = pl.when(pl.col("type") == kind).then(pl.col("value").str.contains(pattern)).otherwise(valid)
    checks = typed.select(valid.all().alias("valid"), pl.col("type").n_unique().over("key").max().alias("kinds"))
    return typed.is_empty() or (bool(checks["valid"][0]) and checks["kinds"][0] == 1)


def _complete(table: pl.DataFrame, *, events: int, traces: int, typed_keys: set[str]) -> bool:
    """r4pm read every event, each with a case and a timestamp, and every trace as its own case."""
    if table.height != events or CASE not in table.columns or TIMESTAMP not in table.columns:
        return False
    if table[CASE].null_count() or table[TIMESTAMP].null_count() or table[CASE].n_unique() != traces:
        return False
    # a key written both as a string and as a typed value comes back from r4pm as text
    text_columns = {c.removeprefix("case:") for c, dtype in table.schema.items() if dtype == pl.Utf8 and c != CASE}
    return not text_columns & typed_keys


def _zones(stamps: pl.Series, events: int) -> pl.Series | None:
    """Minutes east of UTC of each event's timestamp, in document order; None unless one per event."""
    if stamps.len() != events:
        return None
    parts = stamps.str.extract_groups(_ZONE).struct.unnest()
    sign = pl.when(pl.col("1") == "-").then(-1).otherwise(1)
    minutes = (sign * (pl.col("2").cast(pl.Int32) * 60 + pl.col("3").cast(pl.Int32))).fill_null(0)
    return parts.select(minutes.cast(pl.Int32).alias(OFFSET)).to_series()


def _first_seen(body: bytes) -> dict[str, int]:
    """Position of each attribute key's first use, to give columns the reference reader's order."""
    keys: dict[str, int] = {}
    for match in re.finditer(rb'key="([^"]*)"', body[:1_000_000]):
        keys.setdefault(match.group(1).decode("utf-8", "replace"), match.start())
    return keys


def _shape(table: pl.DataFrame, zones: pl.Series, order: dict[str, int], *, envelope: bytes, names: bool) -> FastBody:
    table = table.with_columns(
        pl.col(c).dt.cast_time_unit("us").dt.replace_time_zone("UTC")
        for c, dtype in table.schema.items()
        if isinstance(dtype, pl.Datetime)
    )
    if zones.n_unique() > 1:
        table = table.with_columns(zones)
    case_columns = [c for c in table.columns if c.startswith("case:") and c != CASE]
    cases = (
        table.select(CASE, *case_columns)
        .unique(CASE, keep="first", maintain_order=True)
        .rename({c: c.removeprefix("case:") for c in case_columns})
    )
    # the reference reader's column order: by first use in the file, the offset after the timestamp
    rest = sorted(
        (c for c in table.columns if c not in case_columns and c != CASE),
        key=lambda c: (order.get(TIMESTAMP if c == OFFSET else c, len(order) + 1), c),
    )
    if ACTIVITY not in table.columns:
        table = table.with_columns(pl.lit(None, pl.Utf8).alias(ACTIVITY))
        rest.append(ACTIVITY)
    return FastBody(events=table.select(CASE, *rest), cases=cases, envelope=envelope, names_complete=names)


def fill_defaults(frame: pl.DataFrame, defaults: Mapping[str, Any]) -> pl.DataFrame:
    """Give rows without an attribute its ``<global>`` default, as the reference reader does.

    r4pm applies event defaults but not trace defaults; filling both here makes either exact.
    Identities (case and activity names, timestamps) never come from a default.
    """
    fills = []
    for key, raw in defaults.items():
        if key in (CASE, ACTIVITY, TIMESTAMP):
            continue
        value = raw[0] if isinstance(raw, tuple) else raw
        dtype = pl.Datetime("us", "UTC") if isinstance(value, datetime) else frame.schema.get(key)
        literal = pl.lit(value, dtype=dtype)
        fills.append(pl.col(key).fill_null(literal) if key in frame.columns else literal.alias(key))
    return frame.with_columns(fills) if fills else frame
