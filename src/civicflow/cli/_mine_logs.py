"""Reading and writing event logs for ``civicflow mine``, by file name; errors end the command."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Final

import polars as pl

from civicflow import mining
from civicflow.cli._common import fail, setup_django
from civicflow.mining import EventLog, ObjectCentricLog

__all__ = ["ENGINE", "is_ocel", "read_log", "read_ocel", "write_log"]

# ``engine:`` (every process) or ``engine:PROCESS_KEY`` reads the engine's own history.
ENGINE: Final = "engine:"
_CASE_FORMATS: Final = (".xes", ".xes.gz", ".csv", ".parquet")
_OCEL_FORMATS: Final = (".jsonocel", ".xmlocel", ".xmlocel.gz", ".sqlite")
_ERRORS: Final = (mining.EventLogError, OSError, pl.exceptions.PolarsError, sqlite3.Error)


def is_ocel(path: Path) -> bool:
    return path.name.lower().endswith(_OCEL_FORMATS)


def _check_source(path: Path) -> None:
    if not path.is_file():
        fail(f"{path}: no such file")
    if not path.name.lower().endswith(_CASE_FORMATS + _OCEL_FORMATS):
        fail(f"{path}: unsupported log format (use {', '.join(_CASE_FORMATS + _OCEL_FORMATS)} or {ENGINE}[KEY])")


def read_ocel(path: Path) -> ObjectCentricLog:
    """Read an OCEL 2.0 log (JSON, XML or SQLite; OCEL 1.0 JSON too)."""
    _check_source(path)
    name = path.name.lower()
    try:
        if name.endswith(".jsonocel"):
            return mining.read_ocel_json(path)
        if name.endswith((".xmlocel", ".xmlocel.gz")):
            return mining.read_ocel_xml(path)
        # Read-only: reading a log never changes the database it came in.
        with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as connection:
            return mining.read_ocel_sqlite(connection, name=str(path))
    except sqlite3.Error as error:
        fail(f"{path}: not a readable OCEL SQLite database ({error})")
    except _ERRORS as error:
        fail(str(error))


def read_log(
    path: Path, mapping: mining.ColumnMapping, object_type: str | None = None, attributes: Sequence[str] = ()
) -> EventLog:
    """Read any supported log; an OCEL log is flattened by ``object_type``. From the engine's history,
    ``attributes`` names the (non-personal) start variables to put in the case table."""
    source = str(path)
    if source.startswith(ENGINE) and not path.exists():
        return _engine_log(source.removeprefix(ENGINE) or None, attributes)
    if is_ocel(path):
        ocel = read_ocel(path)
        if object_type is None:
            fail(f"{path}: an OCEL log needs --object-type (one of {', '.join(ocel.object_type_names)})")
        try:
            return mining.flatten(ocel, object_type)
        except mining.EventLogError as error:
            fail(f"{path}: {error}")
    _check_source(path)
    name = path.name.lower()
    try:
        if name.endswith(".csv"):
            return mining.read_csv(path, mapping)
        if name.endswith(".parquet"):
            return mining.read_parquet(path, mapping)
        return mining.read_xes(path)
    except _ERRORS as error:
        fail(str(error))


def _engine_log(process_key: str | None, attributes: Sequence[str] = ()) -> EventLog:
    setup_django()
    from django.db import DatabaseError

    from civicflow.runtime.mining_log import engine_event_log

    try:
        return engine_event_log(process_key=process_key, attributes=attributes)
    except DatabaseError as error:
        fail(f"engine history: {error}")


def write_log(log: EventLog | ObjectCentricLog, out: Path) -> None:
    """Write ``log`` in the format ``out`` names; a case log written as OCEL gets one object per case."""
    name = out.name.lower()
    if not name.endswith(_CASE_FORMATS + _OCEL_FORMATS):
        fail(f"{out}: unsupported output format (use {', '.join(_CASE_FORMATS + _OCEL_FORMATS)})")
    try:
        if is_ocel(out):
            ocel = log if isinstance(log, ObjectCentricLog) else mining.to_ocel(log)
            _write_ocel(ocel, out)
        elif isinstance(log, ObjectCentricLog):
            fail(f"{out}: an OCEL log becomes a case log only by flattening: give --object-type")
        elif name.endswith(".csv"):
            mining.write_csv(log, out)
        elif name.endswith(".parquet"):
            mining.write_parquet(log, out)
        else:
            mining.write_xes(log, out)
    except _ERRORS as error:
        fail(str(error))


def _write_ocel(ocel: ObjectCentricLog, out: Path) -> None:
    name = out.name.lower()
    if name.endswith(".jsonocel"):
        mining.write_ocel_json(ocel, out)
    elif name.endswith((".xmlocel", ".xmlocel.gz")):
        mining.write_ocel_xml(ocel, out)
    else:
        if out.exists():
            fail(f"{out}: already exists; OCEL SQLite is written into a new database")
        with closing(sqlite3.connect(out)) as connection:
            mining.write_ocel_sqlite(ocel, connection)
