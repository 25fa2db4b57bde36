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
from collections.abc import Callable
from datetime import datetime
from typing import Any

from civicflow.engine import events as ev
from civicflow.engine.errors import StateFormatError
from civicflow.engine.values import decode_value, encode_value

__all__ = ["EVENT_FORMAT", "EVENT_TYPES", "decode_event", "encode_event"]

EVENT_FORMAT = 1

EVENT_TYPES: dict[str, type[ev.Event]] = {cls.__name__: cls for cls in typing.get_args(ev.Event)}


_Convert = Callable[[Any], Any] | None  # None: the JSON value is the field value


def _output_out(value: tuple[int, Any]) -> list[Any]:
    return [value[0], encode_value(value[1])]


def _output_in(value: list[Any]) -> tuple[int, Any]:
    index, item = value
    return (int(index), decode_value(item))


def _time_out(value: datetime) -> str:
    return value.isoformat()


# (encode, decode) per annotation. Deriving them from the event classes' own annotations
# (instead of a list of field names) means a new field of a type seen here needs no codec
# change, and a field of a new type stops the import with a TypeError rather than being written
# wrongly.
_PLAIN: tuple[_Convert, _Convert] = (None, None)
_TIME: tuple[_Convert, _Convert] = (_time_out, datetime.fromisoformat)
_VALUE: tuple[_Convert, _Convert] = (encode_value, decode_value)
_CONVERTERS: dict[Any, tuple[_Convert, _Convert]] = {
    str: _PLAIN,
    int: _PLAIN,
    bool: _PLAIN,
    str | None: _PLAIN,
    int | None: _PLAIN,
    datetime: _TIME,
    datetime | None: _TIME,
    dict[str, Any]: _VALUE,
    dict[str, Any] | None: _VALUE,
    list[Any] | None: _VALUE,
    tuple[str, ...]: (list, tuple),
    tuple[int, Any] | None: (_output_out, _output_in),
}

# No field value equals this, so "value == default" never skips a required field.
_REQUIRED: Any = object()

_Field = tuple[str, Any, _Convert, _Convert]  # name, default, encode, decode


def _describe(cls: type[Any]) -> tuple[_Field, ...]:
    hints = typing.get_type_hints(cls)
    found: list[_Field] = []
    for f in dataclasses.fields(cls):
        converters = _CONVERTERS.get(hints[f.name])
        if converters is None:
            raise TypeError(f"{cls.__name__}.{f.name}: no history encoding for {hints[f.name]!r}")
        default = f.default if f.default is not dataclasses.MISSING else _REQUIRED
        found.append((f.name, default, *converters))
    return tuple(found)


_FIELDS: dict[type[Any], tuple[_Field, ...]] = {cls: _describe(cls) for cls in EVENT_TYPES.values()}
_FIELDS_BY_NAME: dict[str, tuple[type[Any], tuple[_Field, ...]]] = {
    name: (cls, _FIELDS[cls]) for name, cls in EVENT_TYPES.items()
}


def encode_event(event: ev.Event) -> dict[str, Any]:
    """A JSON-ready dict of ``event``: ``{"t": class name, field: value, ...}``, defaults left out."""
    cls = type(event)
    doc: dict[str, Any] = {"t": cls.__name__}
    for name, default, encode, _decode in _FIELDS[cls]:
        value = getattr(event, name)
        if value == default:
            continue
        doc[name] = value if encode is None or value is None else encode(value)
    return doc


def decode_event(doc: dict[str, Any], *, format: int = EVENT_FORMAT) -> ev.Event:  # noqa: A002 - the header's name
    """The event of an :func:`encode_event` dict written under ``format``.

    Raises :class:`~civicflow.engine.errors.StateFormatError` for an unknown format, an unknown
    event type or fields that do not fit it.
    """
    if format != EVENT_FORMAT:
        raise StateFormatError(f"unknown event format {format!r} (this engine reads {EVENT_FORMAT})")
    try:
        cls, fields = _FIELDS_BY_NAME[doc["t"]]
    except (KeyError, TypeError) as exc:
        raise StateFormatError(f"not an engine event: {doc!r:.200}") from exc
    kwargs: dict[str, Any] = {}
    try:
        for name, _default, _encode, decode in fields:
            value = doc.get(name, _REQUIRED)
            if value is not _REQUIRED:
                kwargs[name] = value if decode is None or value is None else decode(value)
        if len(kwargs) != len(doc) - 1:
            unknown = sorted(doc.keys() - kwargs.keys() - {"t"})
            raise StateFormatError(f"{cls.__name__} has no fields {unknown}")
        event: ev.Event = cls(**kwargs)  # TypeError when a required field is missing
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise StateFormatError(f"malformed {cls.__name__}: {exc}") from exc
    return event
