"""Hot-path constructors for the events the processor writes most (same classes, same objects).

A frozen dataclass's generated ``__init__`` stores every field through ``object.__setattr__``
(to get round its own frozen ``__setattr__``), about 0.1 µs a field, and keyword arguments cost
more on top. A straight-through instance of a 12-node model writes some 35 of these events, so
the processor builds them by setting the slots through their descriptors instead: two to three
times faster, and the result is the very same frozen, slotted event, equal to the one built with
keywords (``tests/unit/engine/test_fast_events.py`` checks each against its class).

Each function sets *every* field of its class: a slot left unset would raise on first read.
When a field is added to one of these event classes, add it here too (the test fails until then).
"""

from __future__ import annotations

from typing import Any

from civicflow.engine.events import ElementActivated, ElementCompleted, ElementPassed, SequenceFlowTaken, VariablesSet

__all__ = ["element_activated", "element_completed", "element_passed", "flow_taken", "variables_set"]

_new = object.__new__


def _setters(cls: type[Any], *names: str) -> tuple[Any, ...]:
    slots = vars(cls)
    if set(names) != set(cls.__slots__):  # a new field would otherwise stay unset
        raise TypeError(f"{cls.__name__} fields changed: update civicflow.engine.fast_events")
    return tuple(slots[name].__set__ for name in names)


_EA = _setters(ElementActivated, "key", "element", "scope", "flow", "role", "joined", "origin")
_EC = _setters(ElementCompleted, "key", "element")
_EP = _setters(ElementPassed, "key", "element", "scope", "flow", "joined")
_SF = _setters(SequenceFlowTaken, "flow", "scope", "target", "into_join")
_VS = _setters(VariablesSet, "scope", "variables")


def element_activated(
    key: int,
    element: str,
    scope: int,
    flow: str | None,
    *,
    joined: tuple[str, ...] = (),
    role: str = "",
    origin: int = 0,
    _set: tuple[Any, ...] = _EA,  # bound at definition: no global lookups per call
) -> ElementActivated:
    e: ElementActivated = _new(ElementActivated)
    set_key, set_element, set_scope, set_flow, set_role, set_joined, set_origin = _set
    set_key(e, key)
    set_element(e, element)
    set_scope(e, scope)
    set_flow(e, flow)
    set_role(e, role)
    set_joined(e, joined)
    set_origin(e, origin)
    return e


def element_completed(key: int, element: str, _set: tuple[Any, ...] = _EC) -> ElementCompleted:
    e: ElementCompleted = _new(ElementCompleted)
    _set[0](e, key)
    _set[1](e, element)
    return e


def element_passed(
    key: int, element: str, scope: int, flow: str | None, joined: tuple[str, ...] = (), _set: tuple[Any, ...] = _EP
) -> ElementPassed:
    e: ElementPassed = _new(ElementPassed)
    _set[0](e, key)
    _set[1](e, element)
    _set[2](e, scope)
    _set[3](e, flow)
    _set[4](e, joined)
    return e


def flow_taken(
    flow: str, scope: int, target: str, *, into_join: bool, _set: tuple[Any, ...] = _SF
) -> SequenceFlowTaken:
    e: SequenceFlowTaken = _new(SequenceFlowTaken)
    _set[0](e, flow)
    _set[1](e, scope)
    _set[2](e, target)
    _set[3](e, into_join)
    return e


def variables_set(scope: int, variables: dict[str, Any], _set: tuple[Any, ...] = _VS) -> VariablesSet:
    e: VariablesSet = _new(VariablesSet)
    _set[0](e, scope)
    _set[1](e, variables)
    return e
