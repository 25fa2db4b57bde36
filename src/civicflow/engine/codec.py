"""Events <-> compact JSON-ready dicts: the one history encoding, for files, rows and replay.

    >>> encode_event(TaskCreated(key=4, owner=3, element="review"))
    {'t': 'TaskCreated', 'key': 4, 'owner': 3, 'element': 'review'}

An encoded event is its class name under ``"t"`` plus every field that differs from its default,
under the field's own name (the runtime queries some of them, ``scope`` and ``role``, in SQL).
Datetimes are ISO 8601 text, tuples are lists, and variable values go through
:func:`~civicflow.engine.values.encode_value`, so numbers stay exact ``Decimal`` and FEEL temporal
values come back as themselves.

:data:`EVENT_FORMAT` numbers these rules. The container that stores encoded events records it
(a recorded history's header; the runtime's history table holds the current format only) and
passes it back to :func:`decode_event`; a change that would read old dicts differently gets a
new number, and decoding an unknown number fails instead of guessing.
"""

from __future__ import annotations

import dataclasses
import typing
from datetime import datetime
from enum import Enum
from typing import Any

from civicflow.engine import events as ev
from civicflow.engine.errors import StateFormatError
from civicflow.engine.values import decode_value, encode_value

__all__ = ["EVENT_FORMAT", "EVENT_TYPES", "decode_event", "encode_event"]

EVENT_FORMAT = 1

EVENT_TYPES: dict[str, type[ev.Event]] = {cls.__name__: cls for cls in typing.get_args(ev.Event)}


class _Kind(Enum):
    PLAIN = "plain"  # str, int, bool or None: JSON as it is
    TIME = "time"
    VALUE = "value"  # variable values: dicts and lists of engine values
    TUPLE = "tuple"  # tuples of names
    OUTPUT = "output"  # LoopAdvanced.output: (index, value)


_MISSING: Any = object()

# The kinds by annotation. Deriving them from the event classes' own annotations (instead of a
# list of field names) means a new field of a type seen here needs no codec change, and a field
# of a new type stops the import with a TypeError rather than being written wrongly.
_KINDS: dict[Any, _Kind] = {
    str: _Kind.PLAIN,
    int: _Kind.PLAIN,
    bool: _Kind.PLAIN,
    str | None: _Kind.PLAIN,
    int | None: _Kind.PLAIN,
    datetime: _Kind.TIME,
    datetime | None: _Kind.TIME,
    dict[str, Any]: _Kind.VALUE,
    dict[str, Any] | None: _Kind.VALUE,
    list[Any] | None: _Kind.VALUE,
    tuple[str, ...]: _Kind.TUPLE,
    tuple[int, Any] | None: _Kind.OUTPUT,
}

_Field = tuple[str, Any, _Kind]  # name, default (_MISSING when required), kind


def _describe(cls: type[Any]) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(cls)
    found: list[_Field] = []
    for f in dataclasses.fields(cls):
        kind = _KINDS.get(hints[f.name])
        if kind is None:
            raise TypeError(f"{cls.__name__}.{f.name}: no history encoding for {hints[f.name]!r}")
        default = f.default if f.default is not dataclasses.MISSING else _MISSING
        found.append((f.name, default, kind))
    return tuple(found)


_FIELDS: dict[type[Any], tuple[_Field, ...]] = {cls: _describe(cls) for cls in EVENT_TYPES.values()}


def _encode_field(kind: _Kind, value: Any) -> Any:
    if value is None or kind is _Kind.PLAIN:
        return value
    if kind is _Kind.TIME:
        return value.isoformat()
    if kind is _Kind.VALUE:
        return encode_value(value)
    if kind is _Kind.TUPLE:
        return list(value)
    index, item = value
    return [index, encode_value(item)]


def _decode_field(kind: _Kind, value: Any) -> Any:
    if value is None or kind is _Kind.PLAIN:
        return value
    if kind is _Kind.TIME:
        return datetime.fromisoformat(value)
    if kind is _Kind.VALUE:
        return decode_value(value)
    if kind is _Kind.TUPLE:
        return tuple(value)
    index, item = value
    return (int(index), decode_value(item))


def encode_event(event: ev.Event) -> dict[str, Any]:
    """A JSON-ready dict of ``event``: ``{"t": class name, field: value, ...}``, defaults left out."""
    cls = type(event)
    doc: dict[str, Any] = {"t": cls.__name__}
    for name, default, kind in _FIELDS[cls]:
        value = getattr(event, name)
        if default is not _MISSING and value == default:
            continue
        doc[name] = _encode_field(kind, value)
    return doc


def decode_event(doc: dict[str, Any], *, format: int = EVENT_FORMAT) -> ev.Event:  # noqa: A002 - the header's name
    """The event of an :func:`encode_event` dict written under ``format``.

    Raises :class:`~civicflow.engine.errors.StateFormatError` for an unknown format, an unknown
    event type or fields that do not fit it.
    """
    if format != EVENT_FORMAT:
        raise StateFormatError(f"unknown event format {format!r} (this engine reads {EVENT_FORMAT})")
    try:
        cls = EVENT_TYPES[doc["t"]]
    except (KeyError, TypeError) as exc:
        raise StateFormatError(f"not an engine event: {doc!r:.200}") from exc
    kwargs: dict[str, Any] = {}
    try:
        for name, _default, kind in _FIELDS[cls]:
            if name in doc:
                kwargs[name] = _decode_field(kind, doc[name])
        unknown = doc.keys() - kwargs.keys() - {"t"}
        if unknown:
            raise StateFormatError(f"{cls.__name__} has no fields {sorted(unknown)}")
        event: ev.Event = cls(**kwargs)  # TypeError when a required field is missing
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise StateFormatError(f"malformed {cls.__name__}: {exc}") from exc
    return event
