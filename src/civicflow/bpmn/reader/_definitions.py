"""The root: definitions, root elements, processes and collaborations."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from civicflow.bpmn.model import (
    Collaboration,
    DataStore,
    Definitions,
    Diagram,
    Error,
    Escalation,
    Message,
    MessageFlow,
    Participant,
    Process,
    Signal,
)
from civicflow.bpmn.namespaces import BPMN, BPMNDI, clark
from civicflow.bpmn.reader._base import Context, ElementReader, to_node
from civicflow.bpmn.reader._containers import container_fields, read_artifact
from civicflow.bpmn.reader._diagram import read_diagram
from civicflow.bpmn.reader._nodes import finish
from civicflow.bpmn.reader._xml import LoadOptions, parse_xml, read_source

__all__ = ["load"]


def _process(ctx: Context, el: etree._Element) -> Process:
    r = ElementReader(ctx, el)
    r.require_id()
    return finish(
        r,
        Process,
        name=r.attr("name"),
        is_executable=r.opt_bool("isExecutable"),
        process_type=r.attr("processType"),
        is_closed=r.opt_bool("isClosed"),
        **container_fields(ctx, r),
    )


def _collaboration(ctx: Context, el: etree._Element) -> Collaboration:
    r = ElementReader(ctx, el)
    participants = []
    for child in r.children("participant"):
        p = ElementReader(ctx, child)
        participants.append(finish(p, Participant, name=p.attr("name"), process_ref=p.ref("processRef")))
    flows = []
    for child in r.children("messageFlow"):
        f = ElementReader(ctx, child)
        flows.append(
            finish(
                f,
                MessageFlow,
                name=f.attr("name"),
                source_ref=f.ref("sourceRef") or "",
                target_ref=f.ref("targetRef") or "",
                message_ref=f.ref("messageRef"),
            )
        )
    artifacts = []
    for child in r.el:
        if isinstance(child.tag, str) and etree.QName(child).namespace == BPMN:
            artifact = read_artifact(ctx, child)
            if artifact is not None:
                r.mark(child)
                artifacts.append(artifact)
    return finish(
        r,
        Collaboration,
        name=r.attr("name"),
        is_closed=r.opt_bool("isClosed"),
        participants=tuple(participants),
        message_flows=tuple(flows),
        artifacts=tuple(artifacts),
    )


def load(source: str | Path | bytes, *, options: LoadOptions | None = None) -> Definitions:
    """Read a BPMN 2.0 file (path or bytes) into an immutable :class:`Definitions`.

    Raises :class:`BpmnParseError` with file, line and element id when the input is not
    well-formed, not BPMN, refused by a safety limit, or structurally unreadable.
    """
    opts = options or LoadOptions()
    data, file = read_source(source, opts)
    root = parse_xml(data, file)
    ctx = Context(file=file)
    if root.tag != clark(BPMN, "definitions"):
        raise ctx.error(f"root element is {etree.QName(root).localname!r}, not BPMN 2.0 definitions", root)
    r = ElementReader(ctx, root)
    messages, signals, errors, escalations, stores = [], [], [], [], []
    processes, collaborations = [], []
    for child in root:
        if not isinstance(child.tag, str) or etree.QName(child).namespace != BPMN:
            continue
        local = etree.QName(child).localname
        c = ElementReader(ctx, child)
        if local == "message":
            messages.append(finish(c, Message, name=c.attr("name"), item_ref=c.ref("itemRef")))
        elif local == "signal":
            signals.append(finish(c, Signal, name=c.attr("name"), structure_ref=c.ref("structureRef")))
        elif local == "error":
            errors.append(
                finish(
                    c, Error, name=c.attr("name"), error_code=c.attr("errorCode"), structure_ref=c.ref("structureRef")
                )
            )
        elif local == "escalation":
            escalations.append(
                finish(
                    c,
                    Escalation,
                    name=c.attr("name"),
                    escalation_code=c.attr("escalationCode"),
                    structure_ref=c.ref("structureRef"),
                )
            )
        elif local == "dataStore":
            stores.append(
                finish(
                    c,
                    DataStore,
                    name=c.attr("name"),
                    capacity=c.int_attr("capacity"),
                    is_unlimited=c.opt_bool("isUnlimited"),
                    item_subject_ref=c.ref("itemSubjectRef"),
                )
            )
        elif local == "process":
            processes.append(_process(ctx, child))
        elif local == "collaboration":
            collaborations.append(_collaboration(ctx, child))
        else:
            continue
        r.mark(child)
    diagrams: list[Diagram] = [read_diagram(ctx, d) for d in r.children("BPMNDiagram", BPMNDI)]
    imports = r.children("import")

    namespaces = tuple(sorted((str(k or ""), str(v)) for k, v in root.nsmap.items()))
    return finish(
        r,
        Definitions,
        name=r.attr("name"),
        target_namespace=r.attr("targetNamespace") or "",
        expression_language=r.attr("expressionLanguage"),
        type_language=r.attr("typeLanguage"),
        exporter=r.attr("exporter"),
        exporter_version=r.attr("exporterVersion"),
        namespaces=namespaces,
        imports=tuple(to_node(i) for i in imports),
        messages=tuple(messages),
        signals=tuple(signals),
        errors=tuple(errors),
        escalations=tuple(escalations),
        data_stores=tuple(stores),
        collaborations=tuple(collaborations),
        processes=tuple(processes),
        diagrams=tuple(diagrams),
    )
