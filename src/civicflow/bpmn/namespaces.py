"""XML namespace URIs of BPMN 2.0, its diagram interchange and the vendor extensions we read.

Elements are matched by namespace URI, never by prefix: files use ``bpmn:``, ``bpmn2:``,
``semantic:``, ``model:`` or no prefix for the same namespace.
"""

from __future__ import annotations

__all__ = [
    "ACTIVITI",
    "BIOC",
    "BPMN",
    "BPMNDI",
    "CAMUNDA",
    "COLOR",
    "DC",
    "DI",
    "FLOWABLE",
    "MODELER",
    "PRESENTATION_NAMESPACES",
    "STANDARD_PREFIXES",
    "XSI",
    "ZEEBE",
    "clark",
    "split_clark",
]

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CAMUNDA = "http://camunda.org/schema/1.0/bpmn"
ZEEBE = "http://camunda.org/schema/zeebe/1.0"
ACTIVITI = "http://activiti.org/bpmn"
FLOWABLE = "http://flowable.org/bpmn"
MODELER = "http://camunda.org/schema/modeler/1.0"
BIOC = "http://bpmn.io/schema/bpmn/biocolor/1.0"
COLOR = "http://www.omg.org/spec/BPMN/non-normative/color/1.0"

# Tool metadata and colours: kept for round trips but never worth a warning.
PRESENTATION_NAMESPACES = frozenset({MODELER, BIOC, COLOR, XSI, "http://www.w3.org/XML/1998/namespace"})

STANDARD_PREFIXES: dict[str, str] = {
    "bpmn": BPMN,
    "bpmndi": BPMNDI,
    "dc": DC,
    "di": DI,
    "xsi": XSI,
}


def clark(namespace: str, local: str) -> str:
    """``{namespace}local``, the key lxml uses for tags and attributes."""
    return f"{{{namespace}}}{local}"


def split_clark(name: str) -> tuple[str | None, str]:
    """Split a Clark name into (namespace or None, local name)."""
    if name.startswith("{"):
        namespace, _, local = name[1:].partition("}")
        return namespace, local
    return None, name
