"""Template filter for file pickers: the documents already uploaded for a field."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template

register = template.Library()


@register.filter
def uploaded_for(uploaded: Any, name: str) -> list[Any]:
    """``uploaded[name]`` (a file picker's documents) or an empty list."""
    if isinstance(uploaded, Mapping):
        found = uploaded.get(name)
        return list(found) if found else []
    return []
