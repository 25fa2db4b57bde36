"""Personal data at rest: the runtime's sealing boundary (see docs/security.md, "Personal data at rest").

A process's personal variables are those its forms mark (``civicflow:personal`` on a component)
plus those its ``civicflow:personal`` process property lists (:func:`civicflow.bpmn.personal_data`).
Whenever the runtime writes instance state, history payloads, outbox payloads or delivery jobs,
their values are sealed under the data subject's key; whenever it reads state back they are
opened. The engine and FEEL only ever see clear values, in memory.

The subject is the value of the variable the process names in ``civicflow:subject`` (the portal
sets it to the applicant: ``citizen:<account id>`` or ``guest:<reference>``), read from the
instance's root scope; without one, ``instance:<instance id>``.

Keys: :func:`keys_for_step` keeps one keyring (``civicflow.security.sealed_values.Keyring``) for a
step or a batch, so a subject's data key is read and unwrapped once per step, not per value.
Processes that declare nothing personal cost nothing: their documents are written as before.
The runtime and the security package are one layer and do not import each other: the keyring
comes from the security app through Django's app registry, as :class:`Keys` describes it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache, wraps
from typing import TYPE_CHECKING, Any, Final, ParamSpec, Protocol, TypeVar

from django.apps import apps

import civicflow.bpmn
from civicflow.engine import Event, Graph, InstanceState, dumps_state, loads_state
from civicflow.engine.serialize import dump_state, load_state
from civicflow.forms import personal_variables
from civicflow.runtime.forms import form_for_key
from civicflow.runtime.values import key_text

if TYPE_CHECKING:
    from civicflow.runtime.projection import Projection

__all__ = [
    "Declaration",
    "Keys",
    "Sealing",
    "attach_personal",
    "declaration",
    "dumps",
    "keyring",
    "keys_for_step",
    "loads",
    "open_payload",
    "seal_projection",
    "sealing_for",
    "with_keys",
]

_DECLARED: Final = "civicflow.personal.declared"  # graph extras: process id -> PersonalData
_RESOLVED: Final = "civicflow.personal.resolved"  # graph extras: process id -> Declaration | None (forms read)
_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


class Keys(Protocol):
    """The security app's keyring: data keys cached for one step, batch or request."""

    subjects: dict[str, str]  # the runtime's memo: instance id -> subject reference

    def reference(self, subject: str) -> str: ...
    def seal_document(self, doc: Any, names: Collection[str], ref: str) -> Any: ...
    def open_document(self, doc: Any, *, for_display: bool = False) -> Any: ...
    def has_sealed(self, text: str) -> bool: ...


_current: ContextVar[Keys | None] = ContextVar("civicflow_keyring", default=None)


@cache
def _new_keyring() -> Callable[[], Keys]:
    factory: Callable[[], Keys] = apps.get_app_config("security").keyring  # type: ignore[attr-defined]
    return factory


@dataclass(frozen=True, slots=True, kw_only=True)
class Declaration:
    """A process's personal variables (forms and process property together) and its subject variable."""

    names: frozenset[str]
    subject_variable: str | None = None


@dataclass(frozen=True, slots=True)
class Sealing:
    """How one instance's documents are sealed in this step: its personal names, under its subject's key."""

    names: frozenset[str]
    subject_ref: str
    keys: Keys

    def document(self, doc: Any) -> Any:
        return self.keys.seal_document(doc, self.names, self.subject_ref)


def attach_personal(graph: Graph, models: Iterable[civicflow.bpmn.Definitions]) -> Graph:
    """Keep the personal-data declarations of ``models``' processes with their compiled ``graph``."""
    graph.extras[_DECLARED] = {p.id: civicflow.bpmn.personal_data(p) for m in models for p in m.processes}
    return graph


def declaration(graph: Graph, process_id: str) -> Declaration | None:
    """The process's personal variables with its forms' marks added (read once per graph); None: nothing personal."""
    resolved: dict[str, Declaration | None] = graph.extras.setdefault(_RESOLVED, {})
    if process_id in resolved:
        return resolved[process_id]
    data = graph.extras.get(_DECLARED, {}).get(process_id)
    found = None
    if data is not None:
        names = set(data.variables)
        for ref in data.form_refs:
            form = form_for_key(ref)
            if form is not None:
                names |= personal_variables(form)
        if names:
            found = Declaration(names=frozenset(names), subject_variable=data.subject_variable)
    resolved[process_id] = found
    return found


@contextmanager
def keys_for_step() -> Iterator[Keys]:
    """One keyring for the enclosed step or batch (nested uses share the outer one)."""
    outer = _current.get()
    if outer is not None:
        yield outer
        return
    ring = _new_keyring()()
    token = _current.set(ring)
    try:
        yield ring
    finally:
        _current.reset(token)


P = ParamSpec("P")
R = TypeVar("R")


def with_keys(function: Callable[P, R]) -> Callable[P, R]:
    """Run ``function`` inside :func:`keys_for_step` (for batch entry points)."""

    @wraps(function)
    def keyed(*args: P.args, **kwargs: P.kwargs) -> R:
        with keys_for_step():
            return function(*args, **kwargs)

    return keyed


def keyring() -> Keys:
    """The current step's keyring, or a fresh one outside a step."""
    return _current.get() or _new_keyring()()


def _subject_value(state: InstanceState, variable: str, events: Iterable[Event]) -> Any:
    root = state.elements.get(state.root)
    if root is not None:
        return (root.variables or {}).get(variable)
    # the step ended the instance (its root scope is gone): the value the step's events set
    value = None
    for event in events:
        if type(event).__name__ == "VariablesSet" and event.scope == state.root:  # type: ignore[union-attr]
            value = event.variables.get(variable, value)  # type: ignore[union-attr]
    return value


def subject_reference(state: InstanceState, variable: str | None, events: Iterable[Event] = ()) -> str:
    """The stored reference of an instance's data subject: its subject variable's value, else ``instance:<id>``.

    Remembered for the step, so the step that ends the instance (and removes its variables)
    seals under the subject the instance had when it was read.
    """
    keys = keyring()
    value = _subject_value(state, variable, events) if variable else None
    if value is None or value == "":
        known = keys.subjects.get(state.instance_id)
        if known is not None:
            return known
        subject = f"instance:{state.instance_id}"
    else:
        subject = key_text(value) or f"instance:{state.instance_id}"
    ref = keys.subjects[state.instance_id] = keys.reference(subject)
    return ref


def sealing_for(graph: Graph, state: InstanceState, events: Iterable[Event] = ()) -> Sealing | None:
    """How to seal this instance's documents now; None when its process declares nothing personal."""
    found = declaration(graph, state.process)
    if found is None:
        return None
    return Sealing(found.names, subject_reference(state, found.subject_variable, events), keyring())


def dumps(graph: Graph, state: InstanceState, events: Iterable[Event] = ()) -> str:
    """The stored text of ``state``: ``dumps_state`` with the personal variables sealed (``events``: the step's)."""
    sealing = sealing_for(graph, state, events)
    if sealing is None:
        return dumps_state(state)
    return _ENCODER.encode(sealing.document(dump_state(state)))


def loads(text: str, *, for_display: bool = False, graph: Graph | None = None) -> InstanceState:
    """The state of stored text, sealed values opened.

    An erased subject's values are null to the engine; pages ask ``for_display`` to get the
    ``ERASED`` marker instead (it prints "erased" in the active language). A step passes its
    ``graph``: the instance's subject is then noted for the step's writes.
    """
    keys = keyring()
    if keys.has_sealed(text):
        state = load_state(keys.open_document(json.loads(text), for_display=for_display))
    else:
        state = loads_state(text)
    found = declaration(graph, state.process) if graph is not None else None
    if found is not None:
        subject_reference(state, found.subject_variable)
    return state


def seal_projection(p: Projection, graph: Graph, state: InstanceState, events: Iterable[Event] = ()) -> None:
    """Seal the personal values of a step's history, outbox and delivery payloads (before they are written)."""
    sealing = sealing_for(graph, state, events)
    if sealing is None:
        return
    for row in p.history:
        row.payload = sealing.document(row.payload)
    for message in p.outbox:
        message.payload = sealing.document(message.payload)
    for job in p.deliveries:
        job.payload = sealing.document(job.payload)


def open_payload(payload: Any, *, for_display: bool = True) -> Any:
    """A stored payload (history, outbox, job) with its sealed values opened (see :func:`loads` on erased ones)."""
    if payload is None:
        return None
    return keyring().open_document(payload, for_display=for_display)
