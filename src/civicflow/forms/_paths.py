"""Data paths: reading and writing nested values, HTML field names and ids, and flat HTML posts.

A path is a tuple of segments: object keys (``str``) and list indexes (``int``). In HTML a path is
written ``applicant.name`` or ``children[0].name``; ids replace the punctuation so that they are
valid in ``href="#..."`` links of the error summary.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from itertools import pairwise
from typing import Any

__all__ = ["MISSING", "Path", "get_path", "html_id", "html_name", "parse_html_name", "set_path", "unflatten"]

Path = tuple[str | int, ...]

# Submitted names are bounded: a form's own names are short, anything longer is forged.
_MAX_NAME_LENGTH = 1_000
_MAX_INDEX = 10_000
_NAME_TOKEN = re.compile(r"(\w+)|\[(\d{1,6})\]|\.", re.ASCII)


class _Missing:
    """Marks a value that is absent (as opposed to JSON null)."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()


def get_path(data: Any, path: Path) -> Any:
    """The value at ``path`` or :data:`MISSING` (never raises on foreign shapes)."""
    current = data
    for segment in path:
        if isinstance(segment, int):
            if not isinstance(current, list) or not 0 <= segment < len(current):
                return MISSING
            current = current[segment]
        else:
            if not isinstance(current, Mapping) or segment not in current:
                return MISSING
            current = current[segment]
    return current


def set_path(data: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    """Set ``value`` at an object path, creating the objects on the way."""
    current = data
    for segment in path[:-1]:
        child = current.get(segment)
        if not isinstance(child, dict):
            child = {}
            current[segment] = child
        current = child
    current[path[-1]] = value


def html_name(path: Path) -> str:
    """``("children", 0, "name")`` -> ``children[0].name``."""
    out: list[str] = []
    for segment in path:
        if isinstance(segment, int):
            out.append(f"[{segment}]")
        else:
            out.append(f".{segment}" if out else segment)
    return "".join(out)


def html_id(path: Path, prefix: str = "field") -> str:
    """An element id for ``path``: ``field-children-0-name``."""
    return "-".join([prefix, *(str(segment) for segment in path)])


def parse_html_name(name: str) -> Path | None:
    """Parse a name written by :func:`html_name`; None when it is not one."""
    if not name or len(name) > _MAX_NAME_LENGTH:
        return None
    segments: list[str | int] = []
    position = 0
    expect_word = True
    while position < len(name):
        match = _NAME_TOKEN.match(name, position)
        if match is None:
            return None
        word, index = match.group(1), match.group(2)
        if word is not None:
            if not expect_word:
                return None
            segments.append(word)
            expect_word = False
        elif index is not None:
            if expect_word or int(index) > _MAX_INDEX:
                return None
            segments.append(int(index))
        else:
            if expect_word:
                return None
            expect_word = True
        position = match.end()
    if expect_word or not isinstance(segments[0], str):
        return None
    return tuple(segments)


def unflatten(items: Iterable[tuple[str, str]] | Mapping[str, str | list[str]]) -> tuple[dict[str, Any], list[str]]:
    """Turn an HTML post (name/value pairs; repeated names allowed) into nested data.

    ``children[1].name`` becomes ``{"children": [..., {"name": ...}]}``: list items keep their
    order by index and gaps close up. A name given more than once yields a list of its values (a
    checklist posts one pair per ticked box). Returns the data and the names that could not be
    parsed or that clash with another name's shape (for example ``a`` and ``a.b``), which the
    caller reports as forged.
    """
    pairs: Iterable[tuple[str, Any]]
    if isinstance(items, Mapping):
        pairs = [
            (name, value)
            for name, values in items.items()
            for value in (values if isinstance(values, list) else [values])
        ]
    else:
        pairs = items
    root: dict[str, Any] = {}
    rejected: list[str] = []
    for name, value in pairs:
        path = parse_html_name(name)
        if path is None or not _insert(root, path, value):
            rejected.append(name)
    return _close_lists(root), rejected


def _insert(root: dict[Any, Any], path: Path, value: Any) -> bool:
    # Lists are built as dicts keyed by int and closed up at the end, so that indexes may arrive
    # in any order; a marker key tells list-dicts from object-dicts.
    current = root
    for segment, following in pairwise(path):
        child = current.get(segment)
        if child is None:
            child = {_LIST: True} if isinstance(following, int) else {}
            current[segment] = child
        if not isinstance(child, dict) or (_LIST in child) != isinstance(following, int):
            return False
        current = child
    last = path[-1]
    existing = current.get(last)
    if isinstance(existing, dict):
        return False
    if existing is None:
        current[last] = value
    elif isinstance(existing, _Repeated):
        existing.append(value)
    else:
        current[last] = _Repeated([existing, value])
    return True


_LIST = "\x00list"


class _Repeated(list[Any]):
    """Values of a name posted more than once."""


def _close_lists(node: Any) -> Any:
    if isinstance(node, _Repeated):
        return list(node)
    if not isinstance(node, dict):
        return node
    if _LIST in node:
        return [_close_lists(node[index]) for index in sorted(key for key in node if isinstance(key, int))]
    return {key: _close_lists(value) for key, value in node.items()}
