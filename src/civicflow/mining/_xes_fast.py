"""The fast path of XES import: a columnar parse in polars, taken only where it is exact.

The streaming lxml reader is the reference; this path reads the common shape of XES, every
``<trace>`` a run of flat attributes followed by its events, each a run of flat attributes, as
columns, and refuses anything else. One anchored regex (polars' Rust engine, a single forward
pass) first proves the whole body, from the first ``<trace>`` to the last ``</trace>``, has that
shape: nothing but whitespace between elements, attributes written ``<type key="k" value="v"/>``
with only the five scalar types, every typed value in the syntax both readers give the same value
(int: what fits in 64 bits; date: xs:dateTime with at most microseconds), no control characters
(lxml refuses them), only the five predefined entity references, trace attributes before the
events, no comments, CDATA, lists, containers or ids. The body is then split into traces and
events and each attribute key is cut out of them column by column. What is counted must add up:
one value per ``key=`` in the body; keys are sampled from the first and last events, a key the
sample missed is looked for in every event, and a key repeated in one element (the reference keeps
the last, a cut the first) leaves the file to the reference. Any doubt returns ``None``, and the
streaming reader reads the file and reports errors with their line.
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

try:  # ISA-L inflates about 2.5 times as fast as zlib; the result is the same
    from isal import isal_zlib as inflate
except ImportError:  # pragma: no cover - isal is a declared dependency; zlib is the same, slower
    import zlib as inflate  # type: ignore[no-redef]

from civicflow.mining._log import ACTIVITY, CASE, OFFSET, TIMESTAMP

__all__ = ["FastBody", "fast_body", "fill_defaults"]

_INFLATE_ERROR: Final[type[Exception]] = inflate.error  # type: ignore[assignment]  # isal's stub: an instance

_S: Final = r"[ \t\r\n]"
_D: Final = "[0-9]"  # ASCII digits: \d takes other scripts' digits too
_DATE: Final = (
    rf"{_D}{{4}}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]{_D}|3[01])T(?:[01]{_D}|2[0-3]):[0-5]{_D}:[0-5]{_D}"
    rf"(?:\.{_D}{{1,6}})?(?:Z|[+-](?:0{_D}|1[0-4]):[0-5]{_D})?"
)
# Attribute text: no quote, no markup, no control character (lxml refuses those, and normalises
# tabs and newlines in attribute values), entity references only the predefined five.
_TEXT: Final = r'(?:[^"<&\x00-\x1f\x{FFFE}\x{FFFF}]|&(?:amp|lt|gt|quot|apos);)*'
_KEY: Final = r'[^"<&\x00-\x1f\x{FFFE}\x{FFFF}]*'
_VALUES: Final = {
    "string": _TEXT,
    "int": rf"[-+]?{_D}{{1,18}}",
    "float": rf"[-+]?(?:{_D}+\.?{_D}*|\.{_D}+)(?:[eE][-+]?{_D}+)?",
    "boolean": "(?:true|false)",
    "date": _DATE,
}
_ATTR: Final = "(?:" + "|".join(rf'<{t} key="{_KEY}" value="{v}"{_S}*/>' for t, v in _VALUES.items()) + ")"
_ATTRS: Final = rf"(?:{_S}*{_ATTR})*{_S}*"
_TRACE: Final = rf"<trace>{_ATTRS}(?:<event>{_ATTRS}</event>{_S}*)*</trace>"
# One piece of the body: whole traces (all but the first piece start with the whitespace between).
_BODY: Final = rf"\A{_S}*{_TRACE}(?:{_S}*{_TRACE})*\z"
_PAIR: Final = r'<(string|int|float|boolean|date) key="([^"]*)"'
_DTYPES: Final = {"string": pl.Utf8, "int": pl.Int64, "float": pl.Float64, "boolean": pl.Boolean}
_ENTITIES: Final = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))
# Keys the reference treats specially in a row (the case id column, the offset it adds).
_RESERVED: Final = frozenset({CASE, OFFSET, "@@line"})
_SAMPLE: Final = 2000
_MAX_KEYS: Final = 200
_PIECE: Final = 1 << 20
# Most values are short: cutting a window after the key costs less than cutting the rest of the event.
_WINDOW: Final = 64
# Larger files take the streaming reader, whose memory grows with the log, not with the file.
_MAX_BYTES: Final = 1 << 31


@dataclass(frozen=True, slots=True, kw_only=True)
class FastBody:
    """What the fast path read: events and case attributes, plus the text around the body.

    ``envelope`` is the file without its body (header, globals and anything after the last
    trace), for the reference reader to take log attributes and ``<global>`` defaults from.
    """

    events: pl.DataFrame
    cases: pl.DataFrame
    envelope: bytes


def fast_body(name: str) -> FastBody | None:
    """Read ``name`` in columns if its body has the checked shape, else ``None`` (streaming reader)."""
    data = _decompressed(name)
    if data is None:
        return None
    first, last = data.find(b"<trace>"), data.rfind(b"</trace>")
    if first < 0 or last < first or data.find(b"<trace") != first or not _utf8_declared(data[:first]):
        return None
    end = last + len(b"</trace>")
    envelope = data[:first] + data[end:]
    try:
        pieces = pl.Series("body", _pieces(data, first, end), dtype=pl.Binary).cast(pl.Utf8)
    except pl.exceptions.ComputeError:
        return None  # not UTF-8
    del data
    if not pieces.str.contains(_BODY).all():
        return None
    # one per attribute (the grammar writes each as <type key="...">); polars' regex counts fastest
    keys = int(pieces.str.count_matches(' key="').sum())
    traces = pieces.str.split("<trace>").list.slice(1).explode().str.split("<event>")
    del pieces
    split = pl.DataFrame({"parts": traces}).with_row_index("trace")
    del traces
    heads = split["parts"].list.first()
    bodies = split.select("trace", pl.col("parts").list.slice(1)).explode("parts").drop_nulls("parts")
    del split
    if bodies.is_empty():
        return None
    table = _columns(heads, bodies["parts"], keys)
    if table is None:
        return None
    cases, events = table
    return _shape(cases, events.insert_column(0, bodies["trace"]), envelope)


def _pieces(data: bytes, first: int, end: int) -> list[bytes]:
    """The body in pieces of whole traces of about _PIECE bytes (polars is slow on one huge string)."""
    pieces = []
    start = first
    while start < end:
        stop = start + _PIECE
        if stop >= end:
            stop = end
        else:
            cut = data.rfind(b"</trace>", start, stop)
            if cut < 0:  # one trace longer than a piece
                cut = data.find(b"</trace>", start, end)
            stop = cut + len(b"</trace>")
        pieces.append(data[start:stop])
        start = stop
    return pieces


def _utf8_declared(head: bytes) -> bool:
    """The XML declaration names no encoding other than UTF-8 (the body is decoded as UTF-8)."""
    declared = re.search(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([^"']*)["']""", head)
    return declared is None or declared.group(1).lower() in (b"utf-8", b"utf8")


def _decompressed(name: str) -> bytes | None:
    """The file's bytes, gunzipped into one buffer (GzipFile.read holds chunks and their join)."""
    raw = Path(name).read_bytes()
    if raw[:2] != b"\x1f\x8b":
        return raw if len(raw) <= _MAX_BYTES else None
    inflater = inflate.decompressobj(wbits=zlib.MAX_WBITS | 16)
    try:
        data = inflater.decompress(raw, _MAX_BYTES + 1)
    except (zlib.error, _INFLATE_ERROR):
        return None
    # too large, truncated, or more than one gzip member: the streaming reader takes it
    if len(data) > _MAX_BYTES or not inflater.eof or inflater.unused_data:
        return None
    return data


def _pairs(texts: pl.Series) -> list[tuple[str, str]]:
    """The (type, key) pairs written in ``texts``, in order of first use."""
    found = texts.str.extract_all(_PAIR).explode().drop_nulls().unique(maintain_order=True)
    return [_split_pair(item) for item in found.to_list()]


def _split_pair(item: str) -> tuple[str, str]:
    kind, _, key = item[1:].partition(' key="')
    return kind, key[:-1]


def _columns(heads: pl.Series, bodies: pl.Series, keys: int) -> tuple[pl.DataFrame, pl.DataFrame] | None:
    """Trace and event attribute columns, or None unless every ``key=`` of the body is one value."""
    trace_pairs = _pairs(heads)
    event_pairs = _pairs(pl.concat([bodies.head(_SAMPLE), bodies.tail(_SAMPLE)]))
    if not _usable(trace_pairs) or not _usable(event_pairs):
        return None
    cases = _cut(heads, trace_pairs)
    found = _cut(bodies, event_pairs)
    if _filled(cases) + _filled(found) != keys:
        # a key the sample missed, or one written twice in an element: look at every event
        missed = [pair for pair in _pairs(bodies) if pair not in event_pairs]
        if not missed or not _usable(event_pairs + missed):
            return None
        found = found.hstack(_cut(bodies, missed))
        event_pairs += missed
        if _filled(cases) + _filled(found) != keys:
            return None
    typed_cases = _typed(cases, trace_pairs, offsets=False)
    typed_events = _typed(found, event_pairs, offsets=True)
    if typed_cases is None or typed_events is None:
        return None
    return typed_cases, typed_events


def _usable(pairs: list[tuple[str, str]]) -> bool:
    """One type per key (the reference keeps mixed types as text), no reserved name, not too many."""
    names = {key for _, key in pairs}
    # each key is one pass over the events: many keys are the streaming reader's
    return len(names) == len(pairs) and not _RESERVED & names and len(names) <= _MAX_KEYS


def _cut(texts: pl.Series, pairs: list[tuple[str, str]]) -> pl.DataFrame:
    """One text column per key: the value of its first ``<type key="k" value="...``."""
    names = [key for _, key in pairs]
    if not pairs:
        return pl.DataFrame(height=texts.len())
    if (texts.str.len_bytes() != texts.str.len_chars()).any():
        # str.find counts bytes and str.slice characters: with non-ASCII text, cut by regex
        return pl.DataFrame(
            texts.str.extract(re.escape(f'<{kind} key="{key}" value="') + '([^"]*)"', 1).alias(key)
            for kind, key in pairs
        )
    text = pl.col("text")
    # where each key's first attribute value starts (markup cannot occur in values)
    starts = pl.DataFrame({"text": texts}).with_columns(
        (text.str.find(f'<{kind} key="{key}" value="', literal=True) + len(f'<{kind} key="{key}" value="'))
        .cast(pl.Int64)
        .alias(f"@{key}")
        for kind, key in pairs
    )
    # lazy, so that each window is cut once (common subexpressions)
    values = starts.lazy().select(_value(text, pl.col(f"@{key}"), _WINDOW).alias(key) for key in names).collect()
    # values longer than the window: cut those columns again without one
    long = [key for key in names if values[key].null_count() != starts[f"@{key}"].null_count()]
    if long:
        again = starts.lazy().select(_value(text, pl.col(f"@{key}"), None).alias(key) for key in long)
        values = values.with_columns(again.collect())
    return values


def _value(text: pl.Expr, start: pl.Expr, window: int | None) -> pl.Expr:
    """The text from ``start`` to the next quote (null if there is none within ``window``)."""
    rest = text.str.slice(start, window)
    return rest.str.head(rest.str.find('"', literal=True))


def _filled(frame: pl.DataFrame) -> int:
    return sum(frame.height - count for count in frame.null_count().row(0)) if frame.width else 0


def _typed(frame: pl.DataFrame, pairs: list[tuple[str, str]], *, offsets: bool) -> pl.DataFrame | None:
    """Each column in its XES type, as the reference converts it; None if a value does not convert.

    ``offsets``: add the timestamp's offsets column (the reference keeps them for events only).
    """
    columns = []
    try:
        for kind, key in pairs:
            text = frame[key]
            if kind == "date":
                stamps, minutes = _dates(text)
                if stamps.null_count() > text.null_count():
                    return None  # a value that is no date (say, 30 February)
                columns.append(stamps)
                if offsets and key == TIMESTAMP:
                    columns.append(minutes)
            elif kind == "boolean":
                columns.append(text == "true")
            elif kind == "string":
                columns.append(_unescaped(text) if text.str.contains("&", literal=True).any() else text)
            else:
                columns.append(text.cast(_DTYPES[kind], strict=True))
    except pl.exceptions.InvalidOperationError:
        return None
    return pl.DataFrame(columns) if columns else pl.DataFrame(height=frame.height)


def _dates(text: pl.Series) -> tuple[pl.Series, pl.Series]:
    """UTC instants and the minutes east of UTC written with them (none written: UTC).

    The grammar fixed the layout: 19 characters of date and time (parsed by polars' fast path for
    exactly that format), then an optional fraction of up to six digits and an optional ``Z`` or
    ``+hh:mm``, which are cut by position: a general strptime costs several times as much.
    """
    value = pl.col(text.name)
    rest = value.str.slice(19)
    sign = value.str.slice(-6, 1)
    hours, minutes = (
        value.str.slice(-5, 2).cast(pl.Int32, strict=False),
        value.str.slice(-2, 2).cast(pl.Int32, strict=False),
    )
    offset = (
        pl.when(sign == "+").then(hours * 60 + minutes).when(sign == "-").then(-(hours * 60 + minutes)).otherwise(0)
    )
    zone = pl.when(sign.is_in(["+", "-"])).then(6).when(rest.str.ends_with("Z")).then(1).otherwise(0)
    fraction = (
        pl.when(rest.str.starts_with("."))
        .then(rest.str.slice(1, rest.str.len_bytes() - zone - 1))
        .otherwise(pl.lit(""))
    )
    micros = fraction.str.pad_end(6, "0").cast(pl.Int64)
    local = value.str.slice(0, 19).str.to_datetime("%Y-%m-%dT%H:%M:%S", time_unit="us", strict=False, cache=False)
    instant = local + pl.duration(microseconds=micros) - pl.duration(minutes=offset)
    frame = (
        text.to_frame()
        .lazy()
        .select(instant.dt.replace_time_zone("UTC").alias(text.name), offset.cast(pl.Int32).alias(OFFSET))
        .collect()
    )
    return frame[text.name], frame[OFFSET]


def _unescaped(text: pl.Series) -> pl.Series:
    for entity, char in _ENTITIES:
        text = text.str.replace_all(entity, char, literal=True)
    return text


def _shape(cases: pl.DataFrame, events: pl.DataFrame, envelope: bytes) -> FastBody | None:
    """Case ids onto events, the reference's columns: offsets only where they differ."""
    if ACTIVITY not in cases.columns or cases.schema[ACTIVITY] != pl.Utf8 or cases[ACTIVITY].null_count():
        return None  # the reference refuses a trace without a case id
    if cases[ACTIVITY].n_unique() != cases.height:
        return None  # the reference keeps two traces with one id as two case rows
    if not isinstance(events.schema.get(TIMESTAMP), pl.Datetime) or events[TIMESTAMP].null_count():
        return None  # an event without a timestamp: the reference names its line
    if ACTIVITY in events.columns and events.schema[ACTIVITY] != pl.Utf8:
        return None
    if events[OFFSET].n_unique() == 1:
        events = events.drop(OFFSET)
    ids = cases[ACTIVITY].rename(CASE)
    events = events.with_columns(ids.gather(events["trace"])).drop("trace")
    if ACTIVITY not in events.columns:
        events = events.with_columns(pl.lit(None, pl.Utf8).alias(ACTIVITY))
    cases = cases.rename({ACTIVITY: CASE}).select(CASE, pl.exclude(CASE))
    return FastBody(events=events.select(CASE, pl.exclude(CASE)), cases=cases, envelope=envelope)


def fill_defaults(frame: pl.DataFrame, defaults: Mapping[str, Any]) -> pl.DataFrame | None:
    """Give rows without an attribute its ``<global>`` default, as the reference reader does.

    Identities (case and activity names, timestamps) never come from a default. ``None`` if a
    default's type differs from the column's where it would fill a gap (the reference would then
    hold the column as text).
    """
    fills = []
    for key, raw in defaults.items():
        if key in (CASE, ACTIVITY, TIMESTAMP):
            continue
        if key in _RESERVED:
            return None  # the reference overwrites or drops these columns
        value = raw[0] if isinstance(raw, tuple) else raw
        dtype = _dtype_of(value)
        if key in frame.columns:
            if not frame[key].null_count():
                continue
            if frame.schema[key] != dtype:
                return None
            fills.append(pl.col(key).fill_null(pl.lit(value, dtype=dtype)))
        else:
            fills.append(pl.lit(value, dtype=dtype).alias(key))
    return frame.with_columns(fills) if fills else frame


def _dtype_of(value: Any) -> pl.DataType:
    if isinstance(value, datetime):
        return pl.Datetime("us", "UTC")
    if isinstance(value, bool):
        return pl.Boolean()
    if isinstance(value, int):
        return pl.Int64()
    if isinstance(value, float):
        return pl.Float64()
    return pl.Utf8()
