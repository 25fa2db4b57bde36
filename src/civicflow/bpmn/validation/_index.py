"""What the checks share: every element, its scope, and the root elements by id."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass, field

from civicflow.bpmn.model import (
    BaseElement,
    Definitions,
    FlowElement,
    FlowNode,
    Process,
    SequenceFlow,
    SubProcess,
    XmlNode,
)
from civicflow.bpmn.validation.diagnostics import CODES, Diagnostic

__all__ = ["Index", "Scope", "diagnostic", "walk"]


_NOT_ELEMENTS = frozenset({"ext", "extension_elements", "unmodelled", "attributes", "documentation"})


def _children(element: BaseElement) -> list[BaseElement]:
    children: list[BaseElement] = []
    for f in dataclasses.fields(element):
        if f.name in _NOT_ELEMENTS:
            continue
        value = getattr(element, f.name)
        if isinstance(value, BaseElement):
            children.append(value)
        elif isinstance(value, tuple):
            children.extend(v for v in value if isinstance(v, BaseElement))
    return children


def walk(element: BaseElement) -> Iterator[BaseElement]:
    """``element`` and every BaseElement inside it, depth first, in field order."""
    stack: list[BaseElement] = [element]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(_children(current)))


@dataclass(slots=True)
class Scope:
    """A process or subprocess with its direct flow elements."""

    container: Process | SubProcess
    process: Process
    nodes: dict[str, FlowNode] = field(default_factory=dict)
    flows: list[SequenceFlow] = field(default_factory=list)


@dataclass(slots=True)
class Index:
    definitions: Definitions
    by_id: dict[str, BaseElement] = field(default_factory=dict)
    scope_of: dict[str, Scope] = field(default_factory=dict)
    scopes: list[Scope] = field(default_factory=list)
    xml_ids: set[str] = field(default_factory=set)  # ids inside kept, untyped XML
    # Event definitions and loop characteristics rarely have ids: report them by their owner.
    _owners: dict[int, BaseElement] = field(default_factory=dict)

    @classmethod
    def build(cls, definitions: Definitions) -> Index:
        index = cls(definitions=definitions)
        for element in walk(definitions):
            if element.id and element.id not in index.by_id:
                index.by_id[element.id] = element
            for node in element.unmodelled:
                index.xml_ids.update(_xml_ids(node))
        for process in definitions.processes:
            index._add_scope(process, process)
        index._record_owners(definitions, definitions)
        return index

    def _record_owners(self, element: BaseElement, owner: BaseElement) -> None:
        stack = [(element, owner)]
        while stack:
            current, current_owner = stack.pop()
            if current.id:
                current_owner = current
            self._owners[id(current)] = current_owner
            stack.extend((child, current_owner) for child in _children(current))

    def owner(self, element: BaseElement) -> BaseElement:
        """``element`` if it has an id, else its nearest ancestor that has one."""
        return self._owners.get(id(element), element)

    def _add_scope(self, container: Process | SubProcess, process: Process) -> None:
        scope = Scope(container=container, process=process)
        self.scopes.append(scope)
        element: FlowElement
        for element in container.flow_elements:
            self.scope_of.setdefault(element.id, scope)
            if isinstance(element, SequenceFlow):
                scope.flows.append(element)
            elif isinstance(element, FlowNode):
                scope.nodes[element.id] = element
            if isinstance(element, SubProcess):
                self._add_scope(element, process)


def _xml_ids(node: XmlNode) -> Iterator[str]:
    stack = [node]
    while stack:
        current = stack.pop()
        for name, value in current.attributes:
            if name == "id":
                yield value
        stack.extend(current.children)


def diagnostic(
    code: str,
    message: str,
    element: BaseElement | None = None,
    line: int | None = None,
    *,
    index: Index | None = None,
) -> Diagnostic:
    """A diagnostic at ``element`` (reported by its owner's id when it has none itself)."""
    severity, _ = CODES[code]
    owner = index.owner(element) if index is not None and element is not None else element
    return Diagnostic(
        code=code,
        severity=severity,
        message=message,
        element_id=owner.id if owner is not None and owner.id else None,
        line=line if line is not None else (element.line if element is not None else None),
    )
