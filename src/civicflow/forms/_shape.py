"""Which names a form binds, to find forged ones: keys in the data (and files) the form does not show.

The shape is a tree of the form's data paths: a field is a leaf, a group path an object, a
dynamic list a list of item shapes. Expression fields are not in it: their value is computed on
the server, so a client sending one is forging it too.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from civicflow.forms._model import Component, ComponentType, Form
from civicflow.forms._paths import Path, html_name, parse_html_name

__all__ = ["forged_names"]

_LEAF = "leaf"


@dataclass(slots=True)
class _ListShape:
    item: dict[str, Any] = field(default_factory=dict)


def _build(components: tuple[Component, ...], shape: dict[str, Any], rel: tuple[str, ...]) -> None:
    for component in components:
        path = rel + component.path
        if component.type is ComponentType.GROUP:
            _build(component.components, shape, path)
        elif component.type is ComponentType.DYNAMICLIST:
            node = _ListShape()
            _put(shape, path, node)
            _build(component.components, node.item, ())
        elif component.is_input and component.path:
            _put(shape, path, _LEAF)


def _put(shape: dict[str, Any], path: tuple[str, ...], node: Any) -> None:
    current = shape
    for segment in path[:-1]:
        child = current.setdefault(segment, {})
        if not isinstance(child, dict):
            # A field and a deeper path share a prefix (a.b and a): the loader allows it; keep the leaf.
            return
        current = child
    existing = current.get(path[-1])
    if isinstance(existing, dict) and isinstance(node, dict):
        return
    current[path[-1]] = node


def shape_of(form: Form) -> dict[str, Any]:
    """The data shape ``form`` binds."""
    shape: dict[str, Any] = {}
    _build(form.components, shape, ())
    return shape


def forged_names(form: Form, data: Mapping[str, Any], files: Mapping[str, Any]) -> list[str]:
    """HTML names in ``data`` and ``files`` that the form does not bind."""
    shape = shape_of(form)
    found: list[str] = []
    _compare(data, shape, (), found)
    for name in files:
        path = parse_html_name(name)
        if path is None or not _binds_file(form, shape, path):
            found.append(name)
    return found


def _compare(data: Mapping[str, Any], shape: dict[str, Any], prefix: Path, found: list[str]) -> None:
    for key, value in data.items():
        if len(found) > 1_000:
            return
        name: Path = (*prefix, str(key))
        node = shape.get(key) if isinstance(key, str) else None
        if node is None:
            found.append(html_name(name))
        elif isinstance(node, dict):
            if isinstance(value, Mapping):
                _compare(value, node, name, found)
            elif value is not None:
                found.append(html_name(name))
        elif isinstance(node, _ListShape):
            if isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, Mapping):
                        _compare(item, node.item, (*name, index), found)
            elif value is not None:
                found.append(html_name(name))


def _binds_file(form: Form, shape: dict[str, Any], path: Path) -> bool:
    node: Any = shape
    for segment in path:
        if isinstance(segment, int):
            if not isinstance(node, _ListShape):
                return False
            node = node.item
        elif isinstance(node, dict):
            node = node.get(segment)
        else:
            return False
    return node == _LEAF and _is_file_path(form, path)


def _is_file_path(form: Form, path: Path) -> bool:
    keys = tuple(segment for segment in path if isinstance(segment, str))
    return any(
        component.type is ComponentType.FILEPICKER and keys[-len(component.path) :] == component.path
        for component in form.walk()
    )
