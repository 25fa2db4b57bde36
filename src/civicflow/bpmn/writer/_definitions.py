"""``write(definitions) -> bytes``."""

from __future__ import annotations

from lxml import etree

from civicflow.bpmn.model import Collaboration, Definitions, Process
from civicflow.bpmn.namespaces import ACTIVITI, BPMN, BPMNDI, CAMUNDA, DC, DI, FLOWABLE, XSI, ZEEBE, clark
from civicflow.bpmn.writer._base import Writer
from civicflow.bpmn.writer._diagram import write_diagram
from civicflow.bpmn.writer._elements import write_artifact, write_container

__all__ = ["write"]

_PREFERRED = {
    BPMN: "bpmn",
    BPMNDI: "bpmndi",
    DC: "dc",
    DI: "di",
    XSI: "xsi",
    CAMUNDA: "camunda",
    ZEEBE: "zeebe",
    ACTIVITI: "activiti",
    FLOWABLE: "flowable",
}


def _nsmap(definitions: Definitions) -> dict[str | None, str]:
    """The source's bindings, plus the namespaces the writer may need under familiar prefixes."""
    # No default namespace: kept unqualified XML (e.g. a vendor's <Grid/>) must stay unqualified.
    nsmap: dict[str | None, str] = {prefix: uri for prefix, uri in definitions.namespaces if prefix}
    for uri, prefix in _PREFERRED.items():
        if uri in nsmap.values():
            continue
        candidate, n = prefix, 1
        while candidate in nsmap:
            n += 1
            candidate = f"{prefix}{n}"
        nsmap[candidate] = uri
    return nsmap


def _process(w: Writer, root: etree._Element, process: Process) -> None:
    el = w.start(root, "process", process)
    w.set(el, "name", process.name)
    w.set_bool(el, "isExecutable", process.is_executable)
    w.set(el, "processType", process.process_type)
    w.set_bool(el, "isClosed", process.is_closed)
    w.unmodelled(el, process)
    write_container(w, el, process.lane_sets, process.flow_elements, process.artifacts)


def _collaboration(w: Writer, root: etree._Element, collaboration: Collaboration) -> None:
    el = w.start(root, "collaboration", collaboration)
    w.set(el, "name", collaboration.name)
    w.set_bool(el, "isClosed", collaboration.is_closed)
    for participant in collaboration.participants:
        p = w.start(el, "participant", participant)
        w.set(p, "name", participant.name)
        w.set(p, "processRef", participant.process_ref)
        w.unmodelled(p, participant)
    for flow in collaboration.message_flows:
        f = w.start(el, "messageFlow", flow)
        w.set(f, "name", flow.name)
        f.set("sourceRef", flow.source_ref)
        f.set("targetRef", flow.target_ref)
        w.set(f, "messageRef", flow.message_ref)
        w.unmodelled(f, flow)
    for artifact in collaboration.artifacts:
        write_artifact(w, el, artifact)
    w.unmodelled(el, collaboration)


def write(definitions: Definitions) -> bytes:
    """BPMN 2.0 XML (UTF-8) with diagram interchange and Camunda/Zeebe extensions."""
    nsmap = _nsmap(definitions)
    bpmn_prefix = next((p for p, uri in nsmap.items() if uri == BPMN), None)
    w = Writer(bpmn_prefix)
    root = etree.Element(clark(BPMN, "definitions"), nsmap=nsmap)  # type: ignore[arg-type]
    holder = etree.Element("holder")
    # start() appends to a parent; build on a holder and move the children to the root.
    tmp = w.start(holder, "definitions", definitions)
    for name, value in tmp.attrib.items():
        root.set(name, value)
    for child in tmp:
        root.append(child)
    w.set(root, "name", definitions.name)
    root.set("targetNamespace", definitions.target_namespace)
    w.set(root, "expressionLanguage", definitions.expression_language)
    w.set(root, "typeLanguage", definitions.type_language)
    w.set(root, "exporter", definitions.exporter)
    w.set(root, "exporterVersion", definitions.exporter_version)
    for node in definitions.imports:
        w.node(root, node)
    for message in definitions.messages:
        el = w.start(root, "message", message)
        w.set(el, "name", message.name)
        w.set(el, "itemRef", message.item_ref)
        w.unmodelled(el, message)
    for signal in definitions.signals:
        el = w.start(root, "signal", signal)
        w.set(el, "name", signal.name)
        w.set(el, "structureRef", signal.structure_ref)
        w.unmodelled(el, signal)
    for error in definitions.errors:
        el = w.start(root, "error", error)
        w.set(el, "name", error.name)
        w.set(el, "errorCode", error.error_code)
        w.set(el, "structureRef", error.structure_ref)
        w.unmodelled(el, error)
    for escalation in definitions.escalations:
        el = w.start(root, "escalation", escalation)
        w.set(el, "name", escalation.name)
        w.set(el, "escalationCode", escalation.escalation_code)
        w.set(el, "structureRef", escalation.structure_ref)
        w.unmodelled(el, escalation)
    for store in definitions.data_stores:
        el = w.start(root, "dataStore", store)
        w.set(el, "name", store.name)
        w.set(el, "capacity", None if store.capacity is None else str(store.capacity))
        w.set_bool(el, "isUnlimited", store.is_unlimited)
        w.set(el, "itemSubjectRef", store.item_subject_ref)
        w.unmodelled(el, store)
    w.unmodelled(root, definitions)
    for collaboration in definitions.collaborations:
        _collaboration(w, root, collaboration)
    for process in definitions.processes:
        _process(w, root, process)
    for diagram in definitions.diagrams:
        write_diagram(w, root, diagram)
    # Source prefixes may be used inside attribute values (QNames), so only drop our own extras.
    keep = [prefix for prefix, _ in definitions.namespaces if prefix]
    if bpmn_prefix is not None:
        keep.append(bpmn_prefix)
    etree.cleanup_namespaces(root, keep_ns_prefixes=keep)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
