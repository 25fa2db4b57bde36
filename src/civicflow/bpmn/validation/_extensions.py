"""Warnings for extensions that are kept but not understood."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from civicflow.bpmn.model import BaseElement, XmlNode
from civicflow.bpmn.namespaces import ACTIVITI, BPMN, CAMUNDA, FLOWABLE, PRESENTATION_NAMESPACES, ZEEBE, split_clark
from civicflow.bpmn.validation._index import Index, diagnostic, walk
from civicflow.bpmn.validation.diagnostics import Diagnostic

__all__ = ["check_extensions"]

_OURS = {CAMUNDA: "camunda", ZEEBE: "zeebe", ACTIVITI: "activiti", FLOWABLE: "flowable"}
# Camunda/Zeebe attributes that only matter to their modelers or their history service.
_HARMLESS = frozenset(
    {
        "historyTimeToLive",
        "versionTag",
        "isStartableInTasklist",
        "modelerTemplate",
        "modelerTemplateVersion",
        "modelerTemplateIcon",
        "diagramRelationId",
        "exclusive",
        "jobPriority",
        "taskPriority",
        "candidateStarterGroups",
        "candidateStarterUsers",
    }
)


def _names(element: BaseElement) -> Iterator[tuple[str, str]]:
    """(namespace, local name) of every kept extension attribute and element."""
    for name, _ in element.attributes:
        ns, local = split_clark(name)
        if ns is not None and ns != BPMN and ns not in PRESENTATION_NAMESPACES:
            yield ns, local
    node: XmlNode
    for node in element.extension_elements:
        yield node.namespace or "", node.local_name


def check_extensions(index: Index) -> Iterator[Diagnostic]:
    foreign: Counter[str] = Counter()
    for element in walk(index.definitions):
        ours = []
        for ns, local in _names(element):
            if ns in _OURS:
                if local not in _HARMLESS:
                    ours.append(f"{_OURS[ns]}:{local}")
            else:
                foreign[ns] += 1
        if ours:
            names = ", ".join(sorted(set(ours)))
            yield diagnostic("BPMN100", f"extension kept but not interpreted: {names}", element)
    for ns, count in sorted(foreign.items()):
        yield diagnostic(
            "BPMN101",
            f"{count} extension item(s) in namespace {ns or '(none)'!r} kept but ignored",
            index.definitions,
        )
