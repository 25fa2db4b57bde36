"""OCEL 2.0 SQLite through a caller's DB-API connection (the core never opens a database itself).

Layout (OCEL 2.0 specification): ``event``/``object`` (id, type), ``event_map_type``/
``object_map_type`` (type -> table suffix), ``event_<suffix>`` (id, time, attributes),
``object_<suffix>`` (id, time, changed field, attributes), ``event_object`` and
``object_object`` (qualified relations).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Final, Protocol

from civicflow.mining._errors import EventLogError
from civicflow.mining._ocel import EPOCH, ObjectCentricLog, OcelBuilder
from civicflow.mining._ocel_records import event_records, format_time, object_records

__all__ = ["DbConnection", "DbCursor", "read_ocel_sqlite", "write_ocel_sqlite"]

_SQL_TYPES: Final = {"string": "TEXT", "integer": "INTEGER", "float": "REAL", "boolean": "BOOLEAN", "time": "TIMESTAMP"}
_OCEL_TYPES: Final = {
    "TEXT": "string",
    "INTEGER": "integer",
    "REAL": "float",
    "BOOLEAN": "boolean",
    "TIMESTAMP": "time",
}


class DbCursor(Protocol):
    """The part of a DB-API 2.0 (PEP 249) cursor the OCEL SQLite reader and writer use."""

    def execute(self, operation: str, parameters: Sequence[Any] = ..., /) -> Any: ...
    def executemany(self, operation: str, seq_of_parameters: Any, /) -> Any: ...
    def fetchall(self) -> list[Any]: ...


class DbConnection(Protocol):
    """A DB-API 2.0 connection to an SQLite database (``sqlite3.connect(path)``)."""

    def cursor(self) -> Any: ...
    def commit(self) -> None: ...


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _rows(cursor: DbCursor, sql: str, parameters: Sequence[Any] = ()) -> list[Any]:
    cursor.execute(sql, parameters)
    return cursor.fetchall()


def _columns(cursor: DbCursor, table: str) -> list[tuple[str, str]]:
    return [(str(row[1]), str(row[2] or "").upper()) for row in _rows(cursor, f"PRAGMA table_info({_quote(table)})")]


def _map_types(cursor: DbCursor, scope: str) -> list[Any]:
    """(type name, table suffix) rows; ``scope`` is "event" or "object", never caller text."""
    return _rows(cursor, f"SELECT ocel_type, ocel_type_map FROM {scope}_map_type")  # noqa: S608 - our own table and column names; values are bound parameters  # nosec B608


def read_ocel_sqlite(
    connection: DbConnection, *, name: str = "<sqlite>", timezone: str | None = None
) -> ObjectCentricLog:
    """Read an OCEL 2.0 SQLite database; ``name`` (the file) is used in error messages."""
    cursor: DbCursor = connection.cursor()
    builder = OcelBuilder(name, timezone=timezone)
    tables = {str(r[0]) for r in _rows(cursor, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    missing = [t for t in ("event", "object", "event_object", "event_map_type", "object_map_type") if t not in tables]
    if missing:
        raise EventLogError(f"not an OCEL 2.0 database: missing table(s) {', '.join(missing)}", file=name)
    for scope in ("object", "event"):
        for type_name, suffix in _map_types(cursor, scope):
            table = f"{scope}_{suffix}"
            if table not in tables:
                raise EventLogError(f"type {type_name!r} names missing table {table!r}", file=name)
            columns = _columns(cursor, table)
            attributes = {c: _OCEL_TYPES.get(kind, "string") for c, kind in columns if not c.startswith("ocel_")}
            builder.declare(scope, str(type_name), attributes, f"table {table}")
    _read_objects(cursor, builder)
    _read_events(cursor, builder)
    for eid, oid, qualifier in _rows(cursor, "SELECT ocel_event_id, ocel_object_id, ocel_qualifier FROM event_object"):
        builder.relate(str(eid), str(oid), qualifier, "table event_object")
    if "object_object" in tables:
        query = "SELECT ocel_source_id, ocel_target_id, ocel_qualifier FROM object_object"
        for source, target, qualifier in _rows(cursor, query):
            builder.relate_objects(str(source), str(target), qualifier, "table object_object")
    return builder.build()


def _typed_rows(cursor: DbCursor, scope: str) -> list[tuple[str, str, dict[str, Any]]]:
    """(type, table, row) for every row of every per-type attribute table of ``scope``.

    SQLite has no boolean or time storage class: booleans arrive as 0/1 and times as text, and
    OcelBuilder types them by the declared column type.
    """
    found: list[tuple[str, str, dict[str, Any]]] = []
    for type_name, suffix in _map_types(cursor, scope):
        table = f"{scope}_{suffix}"
        names = [c for c, _ in _columns(cursor, table)]
        rows = _rows(cursor, f"SELECT * FROM {_quote(table)} ORDER BY rowid")  # noqa: S608 - quoted identifier  # nosec B608
        found.extend((str(type_name), table, dict(zip(names, values, strict=True))) for values in rows)
    return found


def _read_objects(cursor: DbCursor, builder: OcelBuilder) -> None:
    for oid, object_type in _rows(cursor, "SELECT ocel_id, ocel_type FROM object ORDER BY rowid"):
        builder.add_object(oid, object_type, "table object")
    for _, table, row in _typed_rows(cursor, "object"):
        oid = str(row.pop("ocel_id"))
        where = f"table {table}, object {oid!r}"
        if oid not in builder.object_ids:
            raise builder.fail(where, "object is not in table object")
        time = row.pop("ocel_time", None)
        changed = row.pop("ocel_changed_field", None)
        for attribute, value in row.items():
            if value is not None and (changed is None or attribute == changed):
                builder.add_object_value(oid, attribute, time, value, where)


def _read_events(cursor: DbCursor, builder: OcelBuilder) -> None:
    kinds = dict(_rows(cursor, "SELECT ocel_id, ocel_type FROM event ORDER BY rowid"))
    details: dict[str, tuple[Any, list[tuple[str, Any]]]] = {}
    for _, table, row in _typed_rows(cursor, "event"):
        eid = str(row.pop("ocel_id"))
        details[eid] = (row.pop("ocel_time", None), [(k, v) for k, v in row.items() if v is not None])
        if eid not in kinds:
            raise builder.fail(f"table {table}", f"event {eid!r} is not in table event")
    for eid, event_type in kinds.items():
        time, attributes = details.get(str(eid), (None, []))
        builder.add_event(str(eid), event_type, time, attributes, f"event {eid!r}")


def _suffixes(names: list[str]) -> dict[str, str]:
    """A table suffix per type name: letters and digits only, unique."""
    taken: set[str] = set()
    result = {}
    for name in names:
        base = re.sub(r"[^A-Za-z0-9]", "", name.title()) or "Type"
        suffix, n = base, 1
        while suffix.lower() in taken:
            n += 1
            suffix = f"{base}{n}"
        taken.add(suffix.lower())
        result[name] = suffix
    return result


def write_ocel_sqlite(log: ObjectCentricLog, connection: DbConnection) -> None:
    """Write ``log`` into an empty SQLite database as OCEL 2.0 tables, then commit."""
    cursor: DbCursor = connection.cursor()
    for scope, types in (("event", log.event_types), ("object", log.object_types)):
        suffixes = _suffixes(list(types))
        cursor.execute(f"CREATE TABLE {scope} (ocel_id TEXT PRIMARY KEY, ocel_type TEXT)")
        cursor.execute(f"CREATE TABLE {scope}_map_type (ocel_type TEXT PRIMARY KEY, ocel_type_map TEXT)")
        cursor.executemany(f"INSERT INTO {scope}_map_type VALUES (?, ?)", list(suffixes.items()))  # noqa: S608 - fixed names  # nosec B608
        extra = "ocel_time TIMESTAMP" if scope == "event" else "ocel_time TIMESTAMP, ocel_changed_field TEXT"
        for type_name, suffix in suffixes.items():
            columns = ", ".join(f"{_quote(a)} {_SQL_TYPES[k]}" for a, k in types[type_name].items())
            cursor.execute(
                f"CREATE TABLE {_quote(f'{scope}_{suffix}')} (ocel_id TEXT, {extra}{', ' if columns else ''}{columns})"
            )
    cursor.execute("CREATE TABLE event_object (ocel_event_id TEXT, ocel_object_id TEXT, ocel_qualifier TEXT)")
    cursor.execute("CREATE TABLE object_object (ocel_source_id TEXT, ocel_target_id TEXT, ocel_qualifier TEXT)")
    event_suffix = _suffixes(list(log.event_types))
    object_suffix = _suffixes(list(log.object_types))
    for record in event_records(log):
        cursor.execute("INSERT INTO event VALUES (?, ?)", (record.id, record.type))
        _insert(
            cursor,
            f"event_{event_suffix[record.type]}",
            {"ocel_id": record.id, "ocel_time": record.time},
            record.attributes,
        )
        cursor.executemany(
            "INSERT INTO event_object VALUES (?, ?, ?)", [(record.id, o, q) for o, q in record.relationships]
        )
    epoch = format_time(EPOCH)
    for item in object_records(log):
        cursor.execute("INSERT INTO object VALUES (?, ?)", (item.id, item.type))
        table = f"object_{object_suffix[item.type]}"
        initial = [(n, v) for n, _, v in item.attributes[: item.initial]]
        _insert(cursor, table, {"ocel_id": item.id, "ocel_time": epoch, "ocel_changed_field": None}, initial)
        for name, time, value in item.attributes[item.initial :]:
            _insert(cursor, table, {"ocel_id": item.id, "ocel_time": time, "ocel_changed_field": name}, [(name, value)])
        cursor.executemany(
            "INSERT INTO object_object VALUES (?, ?, ?)", [(item.id, o, q) for o, q in item.relationships]
        )
    connection.commit()


def _insert(cursor: DbCursor, table: str, fixed: dict[str, Any], attributes: list[tuple[str, Any]]) -> None:
    row = {**fixed, **{name: _sql(value) for name, value in attributes}}
    names = ", ".join(_quote(n) for n in row)
    marks = ", ".join("?" for _ in row)
    cursor.execute(f"INSERT INTO {_quote(table)} ({names}) VALUES ({marks})", list(row.values()))  # noqa: S608 - quoted identifiers  # nosec B608


def _sql(value: Any) -> Any:
    if hasattr(value, "tzinfo"):
        return format_time(value)
    return value
