"""Engine events <-> history rows: the event type, its element id, and a compact JSON payload.

The payload leaves out ``element`` (a column of its own) and every field at its default, so a
one-task instance's full history stays a few hundred bytes.
"""

from __future__ import annotations

import dataclasses
import typing
from datetime import datetime
from typing import Any

from civicflow.engine import Event
from civicflow.runtime.values import decode_value, encode_value

__all__ = ["EVENT_TYPES", "decode_event", "encode_event"]

EVENT_TYPES: dict[str, type[Any]] = {cls.__name__: cls for cls in typing.get_args(Event)}
_VALUE_FIELDS = frozenset({"variables", "items", "output"})
_TIME_FIELDS = frozenset({"at", "due", "expires"})
_TUPLE_FIELDS = frozenset({"joined", "candidate_groups"})
_MISSING = object()


_FIELDS: dict[type[Any], tuple[tuple[str, Any], ...]] = {}


def _fields(cls: type[Any]) -> tuple[tuple[str, Any], ...]:
    """(name, default) per field; the default is ``_MISSING`` for required fields."""
    cached = _FIELDS.get(cls)
    if cached is not None:
        return cached
    found = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            default: Any = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = _MISSING
        found.append((f.name, default))
    _FIELDS[cls] = fields = tuple(found)
    return fields


def encode_event(event: Event) -> tuple[str, str | None, dict[str, Any]]:
    """(type, element id, payload) of one event."""
    cls = type(event)
    element: str | None = None
    payload: dict[str, Any] = {}
    for name, default in _fields(cls):
        value = getattr(event, name)
        if name == "element":
            element = value
            continue
        if value is None and default is None:
            continue
        if default is not _MISSING and value == default:
            continue
        if isinstance(value, datetime):
            payload[name] = value.isoformat()
        elif name in _VALUE_FIELDS:
            payload[name] = encode_value(value)
        elif isinstance(value, tuple):
            payload[name] = list(value)
        else:
            payload[name] = value
    return cls.__name__, element, payload


def decode_event(type_name: str, element: str | None, payload: dict[str, Any]) -> Event | None:
    """The engine event of a history row; None for a runtime-only row (e.g. ``InstanceMigrated``)."""
    cls = EVENT_TYPES.get(type_name)
    if cls is None:
        return None
    kwargs: dict[str, Any] = {}
    for name, _default in _fields(cls):
        if name == "element":
            kwargs[name] = element
            continue
        if name not in payload:
            continue
        value = payload[name]
        if name in _TIME_FIELDS and value is not None:
            value = datetime.fromisoformat(value)
        elif name in _VALUE_FIELDS:
            value = decode_value(value)
            if name == "output" and value is not None:
                value = (int(value[0]), value[1])
        elif name in _TUPLE_FIELDS:
            value = tuple(value)
        kwargs[name] = value
    event: Event = cls(**kwargs)
    return event
