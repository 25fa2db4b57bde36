"""Write a reference process as BPMN 2.0 XML with Zeebe extensions and a laid-out diagram.

Maintainer tool: the reference .bpmn files are generated from the specs in ``_models`` so that
their diagrams stay tidy (left to right, one lane per department) when a model changes. Run
``python -m civicflow.services._models`` after editing a spec and commit the regenerated files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr  # escapes text for XML output, parses nothing  # nosec B406

_COL = 170  # horizontal distance between columns
_ROW = 130  # vertical distance between rows inside a lane
_X0 = 230  # centre x of column 0
_POOL_X = 120
_LABEL_BAND = 30

_SIZES = {
    "startEvent": (36, 36),
    "endEvent": (36, 36),
    "intermediateCatchEvent": (36, 36),
    "boundaryEvent": (36, 36),
    "exclusiveGateway": (50, 50),
    "inclusiveGateway": (50, 50),
    "parallelGateway": (50, 50),
}
_TASK = (100, 80)


@dataclass(frozen=True, slots=True, kw_only=True)
class Node:
    """One flow node. ``lane`` is a department key; ``col``/``row`` place it in the diagram."""

    id: str
    kind: str
    name: str
    lane: str = ""
    col: float = 0
    row: int = 0
    form: str = ""
    groups: str = ""
    assignee: str = ""
    due: str = ""
    job: str = ""
    retries: int = 3
    headers: tuple[tuple[str, str], ...] = ()
    decision: str = ""
    result: str = ""
    script: str = ""
    message: str = ""
    timer: str = ""
    attached: str = ""
    interrupting: bool = True
    outputs: tuple[tuple[str, str], ...] = ()
    inputs: tuple[tuple[str, str], ...] = ()
    terminate: bool = False
    default: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Flow:
    source: str
    target: str
    condition: str = ""
    name: str = ""
    below: bool = False  # draw a loop back under the shapes instead of over them

    @property
    def id(self) -> str:
        return f"Flow_{self.source}_{self.target}"


@dataclass(frozen=True, slots=True, kw_only=True)
class ProcessSpec:
    id: str
    name: str
    participant: str
    lanes: tuple[tuple[str, str], ...]  # (department key, lane name)
    messages: tuple[tuple[str, str], ...]  # (message name, correlation key FEEL)
    nodes: tuple[Node, ...]
    flows: tuple[Flow, ...]
    documentation: str = ""
    properties: tuple[tuple[str, str], ...] = ()  # zeebe:properties of the process (civicflow:subject ...)
    _index: dict[str, Node] = field(default_factory=dict, compare=False)


def email_headers(to: str, subject: tuple[str, str], body: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    """Task headers for the ``email`` connector: recipient (FEEL), then (English, Dutch) subject and body."""
    return (("to", to), ("subject", subject[0]), ("subject.nl", subject[1]), ("body", body[0]), ("body.nl", body[1]))


def _size(node: Node) -> tuple[int, int]:
    return _SIZES.get(node.kind, _TASK)


def _attr(name: str, value: str) -> str:
    return f" {name}={quoteattr(value)}"


def _extensions(n: Node) -> str:
    parts: list[str] = []
    if n.job:
        parts.append(f"<zeebe:taskDefinition{_attr('type', n.job)}{_attr('retries', str(n.retries))} />")
    if n.decision:
        parts.append(f"<zeebe:calledDecision{_attr('decisionId', n.decision)}{_attr('resultVariable', n.result)} />")
    if n.script:
        parts.append(f"<zeebe:script{_attr('expression', n.script)}{_attr('resultVariable', n.result)} />")
    if n.form:
        parts.append(f"<zeebe:formDefinition{_attr('formId', n.form)} />")
    if n.groups or n.assignee:
        a = (_attr("assignee", n.assignee) if n.assignee else "") + (
            _attr("candidateGroups", n.groups) if n.groups else ""
        )
        parts.append(f"<zeebe:assignmentDefinition{a} />")
    if n.due:
        parts.append(f"<zeebe:taskSchedule{_attr('dueDate', n.due)} />")
    if n.headers:
        items = "".join(f"<zeebe:header{_attr('key', k)}{_attr('value', v)} />" for k, v in n.headers)
        parts.append(f"<zeebe:taskHeaders>{items}</zeebe:taskHeaders>")
    if n.inputs or n.outputs:
        ins = "".join(f"<zeebe:input{_attr('source', s)}{_attr('target', t)} />" for s, t in n.inputs)
        outs = "".join(f"<zeebe:output{_attr('source', s)}{_attr('target', t)} />" for s, t in n.outputs)
        parts.append(f"<zeebe:ioMapping>{ins}{outs}</zeebe:ioMapping>")
    if not parts:
        return ""
    return "<bpmn:extensionElements>" + "".join(parts) + "</bpmn:extensionElements>"


def _timer(value: str) -> str:
    return (
        '<bpmn:timerEventDefinition><bpmn:timeDuration xsi:type="bpmn:tFormalExpression">'
        f"{escape(value)}</bpmn:timeDuration></bpmn:timerEventDefinition>"
    )


def _node_xml(n: Node, spec: ProcessSpec, message_ids: dict[str, str]) -> str:
    incoming = "".join(f"<bpmn:incoming>{f.id}</bpmn:incoming>" for f in spec.flows if f.target == n.id)
    outgoing = "".join(f"<bpmn:outgoing>{f.id}</bpmn:outgoing>" for f in spec.flows if f.source == n.id)
    attrs = _attr("id", n.id) + _attr("name", n.name)
    body = ""
    if n.kind == "boundaryEvent":
        attrs += _attr("attachedToRef", n.attached)
        if not n.interrupting:
            attrs += _attr("cancelActivity", "false")
    if n.kind == "receiveTask":
        attrs += _attr("messageRef", message_ids[n.message])
    if n.default:
        attrs += _attr("default", f"Flow_{n.id}_{n.default}")
    if n.kind in {"startEvent", "endEvent", "intermediateCatchEvent", "boundaryEvent"}:
        if n.timer:
            body = _timer(n.timer)
        elif n.message:
            body = f"<bpmn:messageEventDefinition{_attr('messageRef', message_ids[n.message])} />"
        elif n.terminate:
            body = "<bpmn:terminateEventDefinition />"
    return f"    <bpmn:{n.kind}{attrs}>{_extensions(n)}{incoming}{outgoing}{body}</bpmn:{n.kind}>\n"


def _flow_xml(f: Flow) -> str:
    attrs = _attr("id", f.id) + _attr("sourceRef", f.source) + _attr("targetRef", f.target)
    if f.name:
        attrs += _attr("name", f.name)
    if f.condition:
        cond = (
            '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">'
            f"{escape(f.condition)}</bpmn:conditionExpression>"
        )
        return f"    <bpmn:sequenceFlow{attrs}>{cond}</bpmn:sequenceFlow>\n"
    return f"    <bpmn:sequenceFlow{attrs} />\n"


@dataclass(slots=True)
class _Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


def _layout(spec: ProcessSpec) -> tuple[dict[str, _Box], list[tuple[str, _Box]], _Box]:
    rows = {key: 1 for key, _ in spec.lanes}
    for n in spec.nodes:
        if n.kind != "boundaryEvent":
            rows[n.lane] = max(rows[n.lane], n.row + 1)
    lane_boxes: list[tuple[str, _Box]] = []
    width = _X0 - _POOL_X + max(n.col for n in spec.nodes) * _COL + 140
    y = 80.0
    tops: dict[str, float] = {}
    for key, _ in spec.lanes:
        height = rows[key] * _ROW + 40
        tops[key] = y
        lane_boxes.append((key, _Box(_POOL_X + _LABEL_BAND, y, width - _LABEL_BAND, height)))
        y += height
    pool = _Box(_POOL_X, 80, width, y - 80)
    boxes: dict[str, _Box] = {}
    for n in spec.nodes:
        if n.kind == "boundaryEvent":
            continue
        w, h = _size(n)
        cx = _X0 + n.col * _COL
        cy = tops[n.lane] + 80 + n.row * _ROW
        boxes[n.id] = _Box(cx - w / 2, cy - h / 2, w, h)
    counts: dict[str, int] = {}
    for n in spec.nodes:
        if n.kind != "boundaryEvent":
            continue
        host = boxes[n.attached]
        i = counts.get(n.attached, 0)
        counts[n.attached] = i + 1
        boxes[n.id] = _Box(host.x + 14 + i * 40, host.y + host.h - 18, 36, 36)
    return boxes, lane_boxes, pool


def _waypoints(f: Flow, boxes: dict[str, _Box], kinds: dict[str, str]) -> list[tuple[float, float]]:
    s, t = boxes[f.source], boxes[f.target]
    gateway_kinds = {"exclusiveGateway", "inclusiveGateway", "parallelGateway"}
    if kinds[f.source] == "boundaryEvent":
        start = (s.cx, s.y + s.h)
        if abs(t.cy - start[1]) < 1:
            return [start, (t.x, t.cy)]
        if t.cx > s.cx:
            return [start, (s.cx, t.cy), (t.x, t.cy)]
        return [start, (s.cx, t.y + t.h + 30), (t.cx, t.y + t.h + 30), (t.cx, t.y + t.h)]
    if t.cx < s.cx - 1 and f.below:
        bottom = max(s.y + s.h, t.y + t.h) + 25
        return [(s.cx, s.y + s.h), (s.cx, bottom), (t.cx, bottom), (t.cx, t.y + t.h)]
    if t.cx < s.cx - 1:  # a loop back: over the top of both shapes
        top = min(s.y, t.y) - 25
        return [(s.cx, s.y), (s.cx, top), (t.cx, top), (t.cx, t.y)]
    if abs(s.cy - t.cy) < 1:
        return [(s.x + s.w, s.cy), (t.x, t.cy)]
    down = t.cy > s.cy
    if kinds[f.source] in gateway_kinds:
        start = (s.cx, s.y + s.h if down else s.y)
        return [start, (s.cx, t.cy), (t.x, t.cy)]
    if kinds[f.target] in gateway_kinds:
        end = (t.cx, t.y if down else t.y + t.h)
        return [(s.x + s.w, s.cy), (t.cx, s.cy), end]
    mid = (s.x + s.w + t.x) / 2
    return [(s.x + s.w, s.cy), (mid, s.cy), (mid, t.cy), (t.x, t.cy)]


def _bounds(b: _Box) -> str:
    return f'<dc:Bounds x="{b.x:g}" y="{b.y:g}" width="{b.w:g}" height="{b.h:g}" />'


def _label(b: _Box, kind: str) -> str:
    if kind in _SIZES:  # events and gateways carry their label below the shape
        bounds = f'<dc:Bounds x="{b.cx - 45:g}" y="{b.y + b.h + 5:g}" width="90" height="27" />'
        return f"<bpmndi:BPMNLabel>{bounds}</bpmndi:BPMNLabel>"
    return ""


def write_bpmn(spec: ProcessSpec) -> str:
    """The whole definitions document for one process spec."""
    ids = {n.id for n in spec.nodes}
    for f in spec.flows:
        if f.source not in ids or f.target not in ids:
            raise ValueError(f"flow {f.id} refers to an unknown node")
    message_ids = {name: f"Message_{name}" for name, _ in spec.messages}
    kinds = {n.id: n.kind for n in spec.nodes}
    boxes, lane_boxes, pool = _layout(spec)
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8"?>\n',
        (
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
            ' xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"'
            ' xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
            ' xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" xmlns:modeler="http://camunda.org/schema/modeler/1.0"'
            f' id="Definitions_{spec.id}" targetNamespace="https://civicflow.eu/reference-services"'
            ' exporter="CivicFlow reference services" exporterVersion="1"'
            ' modeler:executionPlatform="Camunda Cloud" modeler:executionPlatformVersion="8.5.0">\n'
        ),
    ]
    for name, key in spec.messages:
        out.append(
            f"  <bpmn:message{_attr('id', message_ids[name])}{_attr('name', name)}><bpmn:extensionElements>"
            f"<zeebe:subscription{_attr('correlationKey', key)} /></bpmn:extensionElements></bpmn:message>\n"
        )
    out.append(
        f'  <bpmn:collaboration id="Collaboration_{spec.id}">'
        f'<bpmn:participant id="Participant_{spec.id}"{_attr("name", spec.participant)}'
        f' processRef="{spec.id}" /></bpmn:collaboration>\n'
    )
    out.append(f'  <bpmn:process{_attr("id", spec.id)}{_attr("name", spec.name)} isExecutable="true">\n')
    if spec.documentation:
        out.append(f"    <bpmn:documentation>{escape(spec.documentation)}</bpmn:documentation>\n")
    if spec.properties:
        props = "".join(f"<zeebe:property{_attr('name', k)}{_attr('value', v)} />" for k, v in spec.properties)
        out.append(
            f"    <bpmn:extensionElements><zeebe:properties>{props}</zeebe:properties></bpmn:extensionElements>\n"
        )
    out.append(f'    <bpmn:laneSet id="LaneSet_{spec.id}">\n')
    for key, lane_name in spec.lanes:
        refs = "".join(f"<bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>" for n in spec.nodes if n.lane == key)
        lane_id = "Lane_" + key.replace("-", "_")
        out.append(f"      <bpmn:lane{_attr('id', lane_id)}{_attr('name', lane_name)}>{refs}</bpmn:lane>\n")
    out.append("    </bpmn:laneSet>\n")
    out.extend(_node_xml(n, spec, message_ids) for n in spec.nodes)
    out.extend(_flow_xml(f) for f in spec.flows)
    out.append("  </bpmn:process>\n")
    out.append(f'  <bpmndi:BPMNDiagram id="Diagram_{spec.id}">\n')
    out.append(f'    <bpmndi:BPMNPlane id="Plane_{spec.id}" bpmnElement="Collaboration_{spec.id}">\n')
    out.append(
        f'      <bpmndi:BPMNShape id="Participant_{spec.id}_di" bpmnElement="Participant_{spec.id}"'
        f' isHorizontal="true">{_bounds(pool)}</bpmndi:BPMNShape>\n'
    )
    for key, box in lane_boxes:
        lane_id = "Lane_" + key.replace("-", "_")
        out.append(
            f'      <bpmndi:BPMNShape id="{lane_id}_di" bpmnElement="{lane_id}" isHorizontal="true">'
            f"{_bounds(box)}</bpmndi:BPMNShape>\n"
        )
    for n in spec.nodes:
        b = boxes[n.id]
        marker = ' isMarkerVisible="true"' if n.kind == "exclusiveGateway" else ""
        out.append(
            f'      <bpmndi:BPMNShape id="{n.id}_di" bpmnElement="{n.id}"{marker}>{_bounds(b)}{_label(b, n.kind)}'
            "</bpmndi:BPMNShape>\n"
        )
    for f in spec.flows:
        points = "".join(f'<di:waypoint x="{x:g}" y="{y:g}" />' for x, y in _waypoints(f, boxes, kinds))
        out.append(f'      <bpmndi:BPMNEdge id="{f.id}_di" bpmnElement="{f.id}">{points}</bpmndi:BPMNEdge>\n')
    out.append("    </bpmndi:BPMNPlane>\n  </bpmndi:BPMNDiagram>\n</bpmn:definitions>\n")
    return "".join(out)
