"""Which process variables a form marks as personal data (sealed at rest, see docs/security.md).

A component is personal when its form-js ``properties`` say ``"civicflow:personal": "true"``
(Camunda Modeler's custom properties panel writes strings). What is sealed is the process
variable the value lands in: the first segment of its data path, so a field inside a group with
a ``path`` marks the whole object bound to that path.
"""

from __future__ import annotations

from typing import Final

from civicflow.forms._model import Component, Form

__all__ = ["PERSONAL_PROPERTY", "personal_variables"]

PERSONAL_PROPERTY: Final = "civicflow:personal"
_TRUE: Final = frozenset({"true", "yes", "1"})


def _marked(component: Component) -> bool:
    return (component.property(PERSONAL_PROPERTY) or "").strip().lower() in _TRUE


def _collect(components: tuple[Component, ...], prefix: tuple[str, ...], *, inherited: bool, out: set[str]) -> None:
    for component in components:
        marked = inherited or _marked(component)
        path = prefix + component.path  # a keyed field's path is its key; a group's, its ``path``
        if marked and path:
            out.add(path[0])
        _collect(component.components, path, inherited=marked, out=out)


def personal_variables(form: Form) -> frozenset[str]:
    """The top-level variables holding values of components marked personal (a marked group marks its fields)."""
    found: set[str] = set()
    _collect(form.components, (), inherited=False, out=found)
    return frozenset(found)
