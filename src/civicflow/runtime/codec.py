"""Engine events <-> history rows: the event type, its element id, and a compact JSON payload.

The encoding is the engine's own (:func:`civicflow.engine.encode_event`, format
:data:`~civicflow.engine.EVENT_FORMAT`); a row keeps its ``t`` in the ``type`` column and its
``element`` in a column of its own, and the payload is the rest. Fields at their defaults are
left out, so a one-task instance's full history stays a few hundred bytes.

Rows hold the current event format only: a format change ships a data migration that rewrites
them, since there is no format column to tell old rows apart.
"""

from __future__ import annotations

from typing import Any

from civicflow.engine import EVENT_TYPES, Event
from civicflow.engine import decode_event as decode_engine_event
from civicflow.engine import encode_event as encode_engine_event

__all__ = ["EVENT_TYPES", "decode_event", "encode_event"]


def encode_event(event: Event) -> tuple[str, str | None, dict[str, Any]]:
    """(type, element id, payload) of one event."""
    payload = encode_engine_event(event)
    type_name: str = payload.pop("t")
    element: str | None = payload.pop("element", None)
    return type_name, element, payload


def decode_event(type_name: str, element: str | None, payload: dict[str, Any]) -> Event | None:
    """The engine event of a history row; None for a runtime-only row (e.g. ``InstanceMigrated``)."""
    if type_name not in EVENT_TYPES:
        return None
    doc = {**payload, "t": type_name}
    if element is not None:
        doc["element"] = element
    return decode_engine_event(doc)
