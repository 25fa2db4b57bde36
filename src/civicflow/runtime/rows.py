"""Plain SQL for the statements every step runs: read a row, insert rows, update and delete by key.

A step writes a handful of rows, and building each statement through the ORM's query compiler
(lookups, joins, ordering, typed parameters) cost several times the CPU the database spends on
it: most of a demo load went there. These helpers write the same statements as text, with each
field's own database value (``get_db_prep_save``) as parameter and the ORM's own converters on
what comes back, so the rows written and the objects read are exactly what the ORM gives.
Only the runtime's own tables go through here, by model and field name.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar
from uuid import UUID

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Field, Model

from civicflow.runtime.models import ProcessInstance

__all__ = [
    "Columns",
    "columns",
    "delete_by_keys",
    "get_row",
    "insert_rows",
    "update_by_keys",
    "update_instances",
    "values_in",
]

M = TypeVar("M", bound=Model)
Converter = Any  # Django's converters: (value, expression, connection) -> value

# (instance id, old version, state text, event count, status, has incident, ended or None)
InstanceRow = tuple[UUID, int, str, int, str, bool, Any]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(field: Any) -> str:
    """A field's quoted column (django-stubs type ``column`` as optional until the model is set up)."""
    return _q(field.column or field.attname)


@dataclass(frozen=True, slots=True)
class Columns:
    """Some fields of a model, read by plain SQL: in the model's field order, always with the pk."""

    model: type[Model]
    names: tuple[str, ...]  # attnames
    sql: str  # the quoted column list, for a SELECT or a RETURNING
    converters: tuple[tuple[Any, tuple[Converter, ...]], ...]  # (column expression, its converters) per field

    def values(self, row: Sequence[Any]) -> list[Any]:
        """A fetched row's values as the ORM turns them into Python (UUIDs, aware datetimes, JSON ...)."""
        out = []
        for value, (col, converters) in zip(row, self.converters, strict=True):
            for convert in converters:
                value = convert(value, col, connection)
            out.append(value)
        return out

    def on(self, alias: str) -> str:
        """The column list qualified by a table alias (for a join)."""
        return ", ".join(f"{alias}.{column}" for column in self.sql.split(", "))

    def objects(self, rows: Sequence[Sequence[Any]]) -> list[Any]:
        """Model instances of fetched rows, the fields not read deferred (as ``QuerySet.only`` makes them)."""
        return [self.model.from_db(connection.alias, list(self.names), self.values(row)) for row in rows]


@cache
def _columns(model: type[Model], names: frozenset[str] | None, vendor: str) -> Columns:
    # Kept per process and vendor: the converters depend on the value, the field and the settings
    # only (a datetime's time zone), so one thread's connection's may serve every thread.
    meta = model._meta
    fields = [f for f in meta.concrete_fields if names is None or f.primary_key or f.attname in names]
    converters = []
    for f in fields:
        col = f.get_col(meta.db_table)
        converters.append((col, (*connection.ops.get_db_converters(col), *col.get_db_converters(connection))))
    sql = ", ".join(_column(f) for f in fields)
    return Columns(model=model, names=tuple(f.attname for f in fields), sql=sql, converters=tuple(converters))


def columns(model: type[Model], names: Collection[str] | None = None) -> Columns:
    """The fields ``names`` (attnames; all when None) of ``model``, in its field order and with its pk."""
    return _columns(model, frozenset(names) if names is not None else None, connection.vendor)


def values_in(model: type[Model], pks: Collection[Any], names: Sequence[str]) -> list[tuple[Any, ...]]:
    """``model.objects.filter(pk__in=pks).values_list(*names)``, in the order of ``pks``.

    A pk without a row is left out. The order is the caller's, not the database's: SQLite
    returns an ``IN`` list in key order, which for uuid4 keys is a new order every run, and the
    batches that step instances in this order create their tasks, jobs and subscriptions in it.
    """
    if not pks:
        return []
    meta = model._meta
    read = columns(model, names)
    at = [read.names.index(name) for name in names]
    at_pk = read.names.index(meta.pk.attname)
    wanted = list(dict.fromkeys(meta.pk.to_python(pk) for pk in pks))
    keys = [meta.pk.get_db_prep_value(pk, connection) for pk in wanted]
    marks = ", ".join(["%s"] * len(keys))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {read.sql} FROM {_q(meta.db_table)} WHERE {_column(meta.pk)} IN ({marks})", keys)  # noqa: S608 - our own table and column names; values are bound parameters  # nosec B608
        found = {values[at_pk]: values for values in map(read.values, cursor.fetchall())}
    return [tuple(values[i] for i in at) for pk in wanted if (values := found.get(pk)) is not None]


def get_row(model: type[M], pk: Any, names: Collection[str] | None = None) -> M | None:
    """The row ``pk`` of ``model`` (only the fields ``names``, the others deferred), or None.

    The same object ``model.objects.filter(pk=pk).only(*names).first()`` gives.
    """
    meta = model._meta
    read = columns(model, names)
    try:
        key = meta.pk.get_db_prep_value(meta.pk.to_python(pk), connection)
    except Exception:  # noqa: BLE001 - a malformed key: the ORM raises its own error for it
        return model._default_manager.filter(pk=pk).only(*read.names).first()
    if isinstance(key, int) and not -(2**63) <= key < 2**63:
        return None  # no row has it; SQLite would raise OverflowError binding it (the ORM answers none too)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {read.sql} FROM {_q(meta.db_table)} WHERE {_column(meta.pk)} = %s", [key])  # noqa: S608 - our own table and column names; values are bound parameters  # nosec B608
        found = cursor.fetchone()
    if found is None:
        return None
    instance: M = read.objects([found])[0]
    return instance


def _db_value(model: type[Model], name: str, value: Any) -> Any:
    field: Field[Any, Any] = model._meta.get_field(name)  # type: ignore[assignment]
    return field.get_db_prep_save(value, connection)


# Field types whose database value is the Python value itself when it is exactly this type (or
# None): ``get_db_prep_save`` returns such values unchanged, so the call is skipped.
_AS_IS: dict[str, type] = {
    "AutoField": int,
    "BigAutoField": int,
    "BigIntegerField": int,
    "BooleanField": bool,
    "CharField": str,
    "IntegerField": int,
    "PositiveIntegerField": int,
    "PositiveSmallIntegerField": int,
    "SmallIntegerField": int,
    "TextField": str,
}

# Field types whose database value is computed once per distinct value in a statement: a step's
# rows share their instance id and timestamp.
_SAME_FOR_EQUAL = frozenset({"DateTimeField", "ForeignKey", "UUIDField"})

ValueSpec = tuple[Any, str, type | None, bool, bool]  # field, attname, type as is, own pre_save, reuse


@dataclass(frozen=True, slots=True)
class _Insert:
    """One model's INSERT statement, worked out once: the text around the rows and each field's preparation."""

    head: str  # INSERT INTO table (columns) VALUES
    row: str  # (%s, ...)
    tail: str  # RETURNING id, or nothing
    specs: tuple[ValueSpec, ...]
    per_statement: int  # rows per statement, within the backend's parameter limit


@cache
def _insert(model: type[Model], with_pk: bool, returning: bool, vendor: str) -> _Insert:
    fields = [f for f in model._meta.concrete_fields if with_pk or not f.primary_key]
    specs = tuple(
        (
            f,
            f.attname,
            _AS_IS.get(f.get_internal_type()),
            type(f).pre_save is not Field.pre_save,
            f.get_internal_type() in _SAME_FOR_EQUAL,
        )
        for f in fields
    )
    return _Insert(
        head=f"INSERT INTO {_q(model._meta.db_table)} ({', '.join(_column(f) for f in fields)}) VALUES ",  # noqa: S608 - our own table and column names; values are bound parameters  # nosec B608
        row="(" + ", ".join(["%s"] * len(fields)) + ")",
        tail=f" RETURNING {_column(model._meta.pk)}" if returning else "",
        specs=specs,
        per_statement=min(1000, (connection.features.max_query_params or 65535) // len(fields)),
    )


def _db_values(specs: tuple[ValueSpec, ...], row: Model, conn: Any, seen: dict[tuple[int, Any], Any]) -> list[Any]:
    """``field.get_db_prep_save(field.pre_save(row, add=True))`` per field, as ``bulk_create`` sends them."""
    out = []
    for i, (field, attname, plain, own_pre_save, reuse) in enumerate(specs):
        value = field.pre_save(row, add=True) if own_pre_save else getattr(row, attname)
        if plain is not None and (value is None or type(value) is plain):
            pass  # the database value is the value
        elif reuse:
            key = (i, value)
            if key not in seen:
                seen[key] = field.get_db_prep_save(value, conn)
            value = seen[key]
        else:
            value = field.get_db_prep_save(value, conn)
        out.append(value)
    return out


def insert_rows(model: type[Model], rows: Sequence[Model], *, returning_ids: bool = False) -> None:
    """Insert ``rows`` with plain ``INSERT ... VALUES``; with ``returning_ids`` their new ids are set on them.

    ``bulk_create`` spent twice the CPU on this (its compiler, typed arrays on PostgreSQL, a
    ``RETURNING id`` mostly nobody needs). The values are the fields' own database values, so
    the rows are the same; statements are bounded by the backend's parameter limit.
    """
    if not rows:
        return
    conn = connections[DEFAULT_DB_ALIAS]  # not the proxy: it costs a lookup per attribute
    if returning_ids and not conn.features.can_return_rows_from_bulk_insert:
        model._default_manager.bulk_create(rows)  # (SQLite before 3.35): the ORM finds the ids its own way
        return
    # the id column only when the rows carry one (a UUID key); else the database numbers them
    plan = _insert(model, getattr(rows[0], model._meta.pk.attname) is not None, returning_ids, conn.vendor)
    seen: dict[tuple[int, Any], Any] = {}
    with conn.cursor() as cursor:
        for start in range(0, len(rows), plan.per_statement):
            chunk = rows[start : start + plan.per_statement]
            params = [value for row in chunk for value in _db_values(plan.specs, row, conn, seen)]
            cursor.execute(plan.head + ", ".join([plan.row] * len(chunk)) + plan.tail, params)
            if not returning_ids:
                continue
            # rows of a multi-row VALUES come back in order on PostgreSQL and SQLite (bulk_create relies on it too)
            for row, (new_id,) in zip(chunk, cursor.fetchall(), strict=True):
                row.pk = new_id
                row._state.adding, row._state.db = False, conn.alias


def _keys_where(model: type[Model], keys: Sequence[tuple[Any, Collection[int]]]) -> tuple[str, list[Any]]:
    """``(instance_id = %s AND key IN (...)) OR ...`` and its parameters."""
    instance, key = (_column(model._meta.get_field(name)) for name in ("instance", "key"))
    parts, params = [], []
    for instance_id, instance_keys in keys:
        marks = ", ".join(["%s"] * len(instance_keys))
        parts.append(f"({instance} = %s AND {key} IN ({marks}))")
        params.append(_db_value(model, "instance", instance_id))
        params.extend(instance_keys)
    return " OR ".join(parts), params


def delete_by_keys(model: type[Model], keys: Sequence[tuple[Any, Collection[int]]]) -> int:
    """Delete the rows of ``(instance id, keys)`` pairs in one statement; the number deleted.

    For the runtime's wait tables (jobs, subscriptions), which nothing references: what the
    ORM's fast delete of ``filter(instance_id=..., key__in=...) | ...`` sends.
    """
    keys = [(i, k) for i, k in keys if k]
    if not keys:
        return 0
    where, params = _keys_where(model, keys)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {_q(model._meta.db_table)} WHERE {where}", params)  # noqa: S608 - our own table and column names; values are bound parameters  # nosec B608
        deleted: int = cursor.rowcount
    return deleted


def update_by_keys(model: type[Model], instance_id: Any, keys: Collection[int], **changes: Any) -> int:
    """``filter(instance_id=instance_id, key__in=keys).update(**changes)`` as one plain statement."""
    if not keys:
        return 0
    fields: list[Field[Any, Any]] = [model._meta.get_field(name) for name in changes]  # type: ignore[misc]
    sets = ", ".join(f"{_column(f)} = %s" for f in fields)
    where, params = _keys_where(model, [(instance_id, keys)])
    values = [f.get_db_prep_save(value, connection) for f, value in zip(fields, changes.values(), strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {_q(model._meta.db_table)} SET {sets} WHERE {where}", [*values, *params])  # noqa: S608 - our own table and column names; values are bound parameters  # nosec B608
        updated: int = cursor.rowcount
    return updated


def update_instances(rows: Sequence[InstanceRow]) -> set[UUID]:
    """Write instance rows with their version check (``WHERE version = old``); the ids that matched.

    Each row: (id, old version, state, event count, status, has incident, ended or None: keep).
    One statement for all rows on PostgreSQL, one per row elsewhere.
    """
    table = _q(ProcessInstance._meta.db_table)
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            values = ", ".join(
                ["(%s::uuid, %s::integer, %s, %s::integer, %s, %s::boolean, %s::timestamptz)"] * len(rows)
            )
            cursor.execute(
                f"UPDATE {table} AS p SET state = v.state, version = p.version + 1, "  # noqa: S608 - names are ours  # nosec B608
                "event_count = v.event_count, status = v.status, has_incident = v.has_incident, "
                "ended = COALESCE(v.ended, p.ended) "
                f"FROM (VALUES {values}) AS v(id, old, state, event_count, status, has_incident, ended) "
                "WHERE p.id = v.id AND p.version = v.old RETURNING p.id",
                [v for i, old, st, n, s, inc, end in rows for v in (str(i), old, st, n, s, inc, adapt(end))],
            )
            return {UUID(str(r[0])) for r in cursor.fetchall()}
        matched = set()
        for instance_id, old, state, count, status, incident, end in rows:
            cursor.execute(
                f"UPDATE {table} SET state = %s, version = version + 1, event_count = %s, status = %s, "  # noqa: S608 - our own table and column names; values are bound parameters  # nosec B608
                "has_incident = %s, ended = COALESCE(%s, ended) WHERE id = %s AND version = %s",
                [state, count, status, incident, adapt(end), instance_id.hex, old],
            )
            if cursor.rowcount == 1:
                matched.add(instance_id)
        return matched
