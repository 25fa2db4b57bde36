"""CSV and Parquet import with a column mapping."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from os import PathLike, fspath
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from civicflow.mining._errors import EventLogError
from civicflow.mining._log import ACTIVITY, CASE, INDEX, LIFECYCLE, OFFSET, RESOURCE, TIMESTAMP, EventLog

__all__ = ["ColumnMapping", "read_csv", "read_parquet", "write_csv", "write_parquet"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ColumnMapping:
    """Which source columns hold case, activity and timestamp; how to read naive timestamps."""

    case: str
    activity: str
    timestamp: str
    resource: str | None = None
    lifecycle: str | None = None
    timestamp_format: str | None = None
    timezone: str | None = None


def read_csv(path: str | PathLike[str], mapping: ColumnMapping, *, separator: str = ",") -> EventLog:
    """Read a CSV file; every column is read as text so timestamps are parsed exactly once, here."""
    name = fspath(path)
    try:
        frame = pl.read_csv(name, separator=separator, infer_schema=False)
    except (pl.exceptions.ComputeError, pl.exceptions.NoDataError) as exc:
        raise EventLogError(f"not a readable CSV file: {exc}", file=name) from exc
    # A CSV data row n sits on line n + 1 (the header is line 1).
    return _map(frame, mapping, name, line_shift=1)


def read_parquet(path: str | PathLike[str], mapping: ColumnMapping) -> EventLog:
    """Read a Parquet file."""
    name = fspath(path)
    try:
        frame = pl.read_parquet(Path(name))
    except pl.exceptions.PolarsError as exc:
        raise EventLogError(f"not a readable Parquet file: {exc}", file=name) from exc
    return _map(frame, mapping, name, line_shift=None)


def _map(frame: pl.DataFrame, mapping: ColumnMapping, file: str, *, line_shift: int | None) -> EventLog:
    wanted = {CASE: mapping.case, ACTIVITY: mapping.activity, TIMESTAMP: mapping.timestamp}
    if mapping.resource is not None:
        wanted[RESOURCE] = mapping.resource
    if mapping.lifecycle is not None:
        wanted[LIFECYCLE] = mapping.lifecycle
    for role, source in wanted.items():
        if source not in frame.columns:
            raise EventLogError(
                f"mapped column {source!r} (for {role}) is missing; the file has {', '.join(frame.columns)}",
                file=file,
                column=source,
            )
    stamps, offsets = _timestamps(frame[mapping.timestamp], mapping, file, line_shift)
    sources = set(wanted.values())
    events = frame.select(
        *(pl.col(source).alias(role) for role, source in wanted.items() if role != TIMESTAMP),
        # An unmapped column named like a role (say "concept:name" when activity="Activity") yields to it.
        *(pl.col(c) for c in frame.columns if c not in sources and c not in wanted),
    ).with_columns(stamps.alias(TIMESTAMP))
    if offsets is not None:
        events = events.with_columns(offsets.alias(OFFSET))
    missing = events.select(
        pl.col(CASE).is_null().arg_max().alias("first"), pl.col(CASE).is_null().any().alias("any")
    ).row(0)
    if missing[1]:
        row = int(missing[0]) + 1
        raise EventLogError(
            "case id is empty",
            file=file,
            row=row,
            line=None if line_shift is None else row + line_shift,
            column=mapping.case,
        )
    return EventLog.from_events(events)


def _timestamps(
    column: pl.Series, mapping: ColumnMapping, file: str, line_shift: int | None
) -> tuple[pl.Series, pl.Series | None]:
    zone = None
    if mapping.timezone is not None:
        try:
            zone = ZoneInfo(mapping.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise EventLogError(f"unknown time zone {mapping.timezone!r}", file=file) from exc
    dtype = column.dtype
    if isinstance(dtype, pl.Datetime) and dtype.time_zone is not None:
        return column.dt.convert_time_zone("UTC").dt.cast_time_unit("us"), None
    if dtype == pl.Utf8 and mapping.timestamp_format is None:
        fast = _iso_with_offsets(column)
        if fast is not None:
            return fast
    instants: list[datetime | None] = []
    offsets: list[int | None] = []
    for index, value in enumerate(column.to_list()):
        row = index + 1
        where = {"file": file, "row": row, "column": mapping.timestamp}
        where["line"] = None if line_shift is None else row + line_shift
        if value is None:
            raise EventLogError("timestamp is empty", **where)  # type: ignore[arg-type]
        try:
            moment = _parse(value, mapping.timestamp_format)
        except ValueError as exc:
            raise EventLogError(f"cannot parse timestamp {value!r}", **where) from exc  # type: ignore[arg-type]
        if moment.tzinfo is None:
            if zone is None:
                raise EventLogError(
                    f"timestamp {value!r} has no UTC offset; give ColumnMapping(timezone=...)",
                    **where,  # type: ignore[arg-type]
                )
            moment = moment.replace(tzinfo=zone)
        offset = moment.utcoffset()
        offsets.append(None if offset is None else int(offset.total_seconds() // 60))
        instants.append(moment.astimezone(UTC))
    stamps = pl.Series(TIMESTAMP, instants, dtype=pl.Datetime("us", "UTC"))
    distinct = set(offsets)
    return stamps, (pl.Series(OFFSET, offsets, dtype=pl.Int32) if len(distinct) > 1 else None)


# The common shape, ISO 8601 with an offset on every value, parsed by polars in one pass; anything
# else (naive values, other layouts, empty or bad values) goes through the row loop, which
# names the first row that fails.
_ISO_OFFSET = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$"


def _iso_with_offsets(column: pl.Series) -> tuple[pl.Series, pl.Series | None] | None:
    if column.null_count() or not column.str.contains(_ISO_OFFSET).all():
        return None
    text = column.str.replace(r"Z$", "+00:00").str.replace(r"^(\d{4}-\d{2}-\d{2}) ", "${1}T")
    try:
        stamps = text.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%z", time_unit="us", time_zone="UTC")
    except pl.exceptions.PolarsError:
        return None  # say, a 25th hour: the row loop reports it
    parts = text.str.extract_groups(r"([+-])(\d{2}):(\d{2})$")
    sign = pl.when(parts.struct.field("1") == "-").then(-1).otherwise(1)
    minutes = pl.select(
        (sign * (parts.struct.field("2").cast(pl.Int32) * 60 + parts.struct.field("3").cast(pl.Int32))).alias(OFFSET)
    ).to_series()
    return stamps.alias(TIMESTAMP), (minutes.cast(pl.Int32) if minutes.n_unique() > 1 else None)


def _parse(value: object, pattern: str | None) -> datetime:
    if isinstance(value, datetime):
        return value
    text = str(value).strip()
    if pattern is not None:
        return datetime.strptime(text, pattern)  # noqa: DTZ007 - naive results are localized by the caller
    return datetime.fromisoformat(text)


def _flat(log: EventLog) -> pl.DataFrame:
    """Events with case attributes as ``case:<name>`` columns (the usual flat-table convention)."""
    events = log.events.drop(INDEX, strict=False)
    extra = [c for c in log.cases.columns if c != CASE]
    if extra and log.cases.height:
        cases = log.cases.select(CASE, *(pl.col(c).alias(f"case:{c}") for c in extra))
        events = events.join(
            cases.drop([f"case:{c}" for c in extra if f"case:{c}" in events.columns]), on=CASE, how="left"
        )
    return events


def write_csv(log: EventLog, path: str | PathLike[str]) -> None:
    """Write ``log`` as CSV that :func:`read_csv` reads back with the XES column names.

    Timestamps are written in ISO 8601 with the offset they were read with (``time:offset``),
    else in UTC, so instants and offsets survive; other columns come back as text.
    """
    events = _flat(log)
    stamp = pl.col(TIMESTAMP).dt.strftime("%Y-%m-%dT%H:%M:%S%.6f+00:00")
    if OFFSET in events.columns:
        stamp = _with_offset(pl.col(TIMESTAMP), pl.col(OFFSET).fill_null(0))
    events = events.with_columns(stamp.alias(TIMESTAMP)).drop(OFFSET, strict=False)
    nested = [c for c, dtype in events.schema.items() if dtype.is_nested() or dtype == pl.Object]
    events = events.with_columns(pl.col(c).cast(pl.Utf8) for c in nested)
    try:
        events.write_csv(fspath(path))
    except OSError as exc:
        raise EventLogError(f"cannot write: {exc.strerror}", file=fspath(path)) from exc


def _with_offset(stamp: pl.Expr, minutes: pl.Expr) -> pl.Expr:
    """ISO 8601 local time with its ``+HH:MM`` offset, vectorised (no Python per row)."""
    local = (stamp.dt.replace_time_zone(None) + pl.duration(minutes=minutes)).dt.strftime("%Y-%m-%dT%H:%M:%S%.6f")
    size = minutes.abs()
    hours = (size // 60).cast(pl.Utf8).str.zfill(2)
    rest = (size % 60).cast(pl.Utf8).str.zfill(2)
    return pl.format("{}{}{}:{}", local, pl.when(minutes < 0).then(pl.lit("-")).otherwise(pl.lit("+")), hours, rest)


def write_parquet(log: EventLog, path: str | PathLike[str]) -> None:
    """Write ``log`` as Parquet: typed columns, UTC timestamps and the ``time:offset`` column kept."""
    try:
        _flat(log).write_parquet(Path(path))
    except OSError as exc:
        raise EventLogError(f"cannot write: {exc.strerror}", file=fspath(path)) from exc
