"""Template filter for prefilled fields: the "Prefilled from: ..." note of a field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def prefill_note(notes: Any, name: str) -> Any:
    """``notes[name]`` (``id`` and ``text`` of a prefilled field's note) or None."""
    return notes.get(name) if isinstance(notes, Mapping) else None
