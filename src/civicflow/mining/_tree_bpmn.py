"""Process tree -> BPMN 2.0 XML with a left-to-right diagram (BPMNDI) that bpmn.io opens.

Activities become ``bpmn:task``; a choice becomes an exclusive split and join, parallel branches a
parallel split and join, a redo loop an exclusive join in front of the do part and an exclusive
split behind it whose second path runs through the redo part back to the join; tau is a plain
sequence flow. Each block is measured first (width, height and the height of its flow line) and
then placed, so blocks never overlap and every flow runs along right angles.

So that the model deploys as an executable draft, every exclusive split has its first path as the
default and a FEEL condition ``route_<gateway id> = <path number>`` on the others: the modeller
replaces these with real conditions, and until then a process instance takes the default path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

from lxml import etree

from civicflow.mining._tree import Operator, ProcessTree

__all__ = ["tree_to_bpmn"]

BPMN: Final = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI: Final = "http://www.omg.org/spec/BPMN/20100524/DI"
DC: Final = "http://www.omg.org/spec/DD/20100524/DC"
DI: Final = "http://www.omg.org/spec/DD/20100524/DI"
XSI: Final = "http://www.w3.org/2001/XMLSchema-instance"
_NSMAP: Final = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI}

TASK_W, TASK_H, GATEWAY, EVENT = 100, 80, 50, 36
H_GAP, V_GAP, LANE = 50, 40, 30
# a silent path still needs a row tall enough for the gateways on its line
EMPTY_H = GATEWAY

Box = tuple[float, float, float, float]  # x, y, width, height


@dataclass(frozen=True, slots=True)
class _Size:
    width: float
    height: float
    axis: float  # distance from the top of the block to its flow line


def _redo(tree: ProcessTree) -> ProcessTree:
    return ProcessTree.node(Operator.XOR, list(tree.children[1:]))


# bounded: a long-running process drawing many models must not keep every tree alive
@lru_cache(maxsize=4096)
def _measure(tree: ProcessTree) -> _Size | None:
    """The size of the block for ``tree``; None for a silent block (drawn as a plain flow)."""
    if tree.operator is None:
        return None if tree.label is None else _Size(TASK_W, TASK_H, TASK_H / 2)
    if tree.operator is Operator.SEQUENCE:
        sizes = [s for s in map(_measure, tree.children) if s is not None]
        if not sizes:
            return None
        axis = max(s.axis for s in sizes)
        return _Size(
            sum(s.width for s in sizes) + H_GAP * (len(sizes) - 1),
            max(axis + s.height - s.axis for s in sizes),
            axis,
        )
    if tree.operator is Operator.LOOP:
        body, redo = _row(tree.children[0]), _measure(_redo(tree))
        inner = max(body.width, 0 if redo is None else redo.width)
        below = LANE if redo is None else V_GAP + redo.height + LANE
        return _Size(2 * (GATEWAY + H_GAP) + inner, body.height + below, body.axis)
    rows = [_row(child) for child in tree.children]
    return _Size(
        2 * (GATEWAY + H_GAP) + max(r.width for r in rows),
        sum(r.height for r in rows) + V_GAP * (len(rows) - 1),
        rows[0].axis,
    )


def _row(tree: ProcessTree) -> _Size:
    size = _measure(tree)
    if size is None:
        return _Size(0, EMPTY_H, EMPTY_H / 2)
    # gateways sit on the row's flow line: keep half a gateway of room above and below it
    half = GATEWAY / 2
    axis = max(size.axis, half)
    return _Size(size.width, axis + max(size.height - size.axis, half), axis)


@dataclass(slots=True)
class _Builder:
    process: etree._Element
    plane: etree._Element
    boxes: dict[str, Box] = field(default_factory=dict)
    counter: int = 0
    flows: dict[str, etree._Element] = field(default_factory=dict)
    splits: set[str] = field(default_factory=set)
    # loop split -> its flow back to the redo part; the exit flow is drawn later by the parent
    loops: dict[str, str] = field(default_factory=dict)

    def next_id(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}_{self.counter}"

    def shape(self, tag: str, prefix: str, box: Box, name: str | None = None) -> str:
        element_id = self.next_id(prefix)
        element = etree.SubElement(self.process, f"{{{BPMN}}}{tag}", id=element_id)
        if name is not None:
            element.set("name", name)
        self.boxes[element_id] = box
        di = etree.SubElement(self.plane, f"{{{BPMNDI}}}BPMNShape", id=f"{element_id}_di", bpmnElement=element_id)
        if tag.endswith("Gateway"):
            di.set("isMarkerVisible", "true")
        x, y, w, h = box
        etree.SubElement(di, f"{{{DC}}}Bounds", x=_n(x), y=_n(y), width=_n(w), height=_n(h))
        return element_id

    def flow(self, source: str, target: str, points: list[tuple[float, float]] | None = None) -> str:
        flow_id = self.next_id("Flow")
        element = etree.Element(f"{{{BPMN}}}sequenceFlow", id=flow_id, sourceRef=source, targetRef=target)
        self.flows[flow_id] = element
        for node, tag in ((source, "outgoing"), (target, "incoming")):
            owner = self.process.find(f"*[@id='{node}']")
            if owner is not None:
                etree.SubElement(owner, f"{{{BPMN}}}{tag}").text = flow_id
        di = etree.SubElement(self.plane, f"{{{BPMNDI}}}BPMNEdge", id=f"{flow_id}_di", bpmnElement=flow_id)
        for x, y in points or self.route(source, target):
            etree.SubElement(di, f"{{{DI}}}waypoint", x=_n(x), y=_n(y))
        return flow_id

    def route(self, source: str, target: str) -> list[tuple[float, float]]:
        sx, sy, sw, sh = self.boxes[source]
        tx, ty, tw, th = self.boxes[target]
        s_mid, t_mid = sy + sh / 2, ty + th / 2
        if s_mid == t_mid:
            return [(sx + sw, s_mid), (tx, t_mid)]
        if source in self.splits:
            # leave a split from its top or bottom corner towards the branch row
            edge = sy + sh if t_mid > s_mid else sy
            return [(sx + sw / 2, edge), (sx + sw / 2, t_mid), (tx, t_mid)]
        edge = ty + th if s_mid > t_mid else ty
        return [(sx + sw, s_mid), (tx + tw / 2, s_mid), (tx + tw / 2, edge)]

    def condition(self, gateway: str, flows: list[str]) -> None:
        """First path the default; the others a placeholder condition the modeller replaces."""
        self.process.find(f"*[@id='{gateway}']").set("default", flows[0])  # type: ignore[union-attr]
        for number, flow_id in enumerate(flows[1:], start=2):
            expression = etree.SubElement(self.flows[flow_id], f"{{{BPMN}}}conditionExpression")
            expression.set(f"{{{XSI}}}type", "bpmn:tFormalExpression")
            expression.text = f"=route_{gateway} = {number}"

    def place(self, tree: ProcessTree, x: float, y: float) -> tuple[str, str] | None:
        """Draw ``tree`` with its top-left corner at (x, y); the ids of its entry and exit node."""
        size = _measure(tree)
        if size is None:
            return None
        if tree.operator is None:
            task = self.shape("task", "Activity", (x, y, TASK_W, TASK_H), tree.label)
            return task, task
        if tree.operator is Operator.SEQUENCE:
            ends: list[tuple[str, str]] = []
            for child in tree.children:
                child_size = _measure(child)
                if child_size is None:
                    continue
                placed = self.place(child, x, y + size.axis - child_size.axis)
                if placed is not None:
                    if ends:
                        self.flow(ends[-1][1], placed[0])
                    ends.append(placed)
                x += child_size.width + H_GAP
            return ends[0][0], ends[-1][1]
        if tree.operator is Operator.LOOP:
            return self.loop(tree, size, x, y)
        return self.branches(tree, size, x, y)

    def gateways(self, tree: ProcessTree, size: _Size, x: float, y: float) -> tuple[str, str]:
        kind = "parallelGateway" if tree.operator is Operator.PARALLEL else "exclusiveGateway"
        top = y + size.axis - GATEWAY / 2
        split = self.shape(kind, "Gateway", (x, top, GATEWAY, GATEWAY))
        join = self.shape(kind, "Gateway", (x + size.width - GATEWAY, top, GATEWAY, GATEWAY))
        self.splits.add(split)
        return split, join

    def branches(self, tree: ProcessTree, size: _Size, x: float, y: float) -> tuple[str, str]:
        split, join = self.gateways(tree, size, x, y)
        inner = x + GATEWAY + H_GAP
        outgoing: list[str] = []
        row_top = y
        for child in tree.children:
            row = _row(child)
            child_size = _measure(child)
            line = row_top + row.axis
            if child_size is None:
                outgoing.append(self.flow(split, join, self.bypass(split, join, line)))
            else:
                placed = self.place(child, inner, line - child_size.axis)
                assert placed is not None  # invariant narrowed for mypy, not a security check  # nosec B101
                outgoing.append(self.flow(split, placed[0]))
                self.flow(placed[1], join)
            row_top += row.height + V_GAP
        if tree.operator is Operator.XOR:
            self.condition(split, outgoing)
        return split, join

    def bypass(self, split: str, join: str, line: float) -> list[tuple[float, float]]:
        sx, sy, _, _ = self.boxes[split]
        jx, jy, _, _ = self.boxes[join]
        mid = sy + GATEWAY / 2
        if line == mid:
            return [(sx + GATEWAY, mid), (jx, mid)]
        return [
            (sx + GATEWAY / 2, sy + GATEWAY),
            (sx + GATEWAY / 2, line),
            (jx + GATEWAY / 2, line),
            (jx + GATEWAY / 2, jy + GATEWAY),
        ]

    def loop(self, tree: ProcessTree, size: _Size, x: float, y: float) -> tuple[str, str]:
        top = y + size.axis - GATEWAY / 2
        join = self.shape("exclusiveGateway", "Gateway", (x, top, GATEWAY, GATEWAY))
        split = self.shape("exclusiveGateway", "Gateway", (x + size.width - GATEWAY, top, GATEWAY, GATEWAY))
        inner = x + GATEWAY + H_GAP
        body = _row(tree.children[0])
        body_size = _measure(tree.children[0])
        if body_size is None:
            self.flow(join, split)
        else:
            placed = self.place(tree.children[0], inner, y + size.axis - body_size.axis)
            assert placed is not None  # invariant narrowed for mypy, not a security check  # nosec B101
            self.flow(join, placed[0])
            self.flow(placed[1], split)
        join_x, split_x = x + GATEWAY / 2, x + size.width - GATEWAY / 2
        gate_bottom = top + GATEWAY
        redo_tree = _redo(tree)
        redo = _measure(redo_tree)
        body_bottom = y + size.axis - body.axis + body.height
        if redo is None:
            lane = body_bottom + LANE / 2
            back = self.flow(
                split, join, [(split_x, gate_bottom), (split_x, lane), (join_x, lane), (join_x, gate_bottom)]
            )
        else:
            redo_top = body_bottom + V_GAP
            placed = self.place(redo_tree, inner, redo_top)
            assert placed is not None  # invariant narrowed for mypy, not a security check  # nosec B101
            line, upper, lower = redo_top + redo.axis, body_bottom + V_GAP / 2, redo_top + redo.height + LANE / 2
            back = self.flow(
                split,
                placed[0],
                [
                    (split_x, gate_bottom),
                    (split_x, upper),
                    (inner - H_GAP / 2, upper),
                    (inner - H_GAP / 2, line),
                    (inner, line),
                ],
            )
            right = inner + redo.width
            self.flow(
                placed[1],
                join,
                [
                    (right, line),
                    (right + H_GAP / 2, line),
                    (right + H_GAP / 2, lower),
                    (join_x, lower),
                    (join_x, gate_bottom),
                ],
            )
        self.loops[split] = back
        return join, split


def _n(value: float) -> str:
    return f"{value:g}"


def tree_to_bpmn(tree: ProcessTree, *, process_id: str = "discovered", name: str = "Discovered process") -> bytes:
    """BPMN 2.0 XML (UTF-8) for ``tree``: one executable process from a start to an end event."""
    definitions = etree.Element(
        f"{{{BPMN}}}definitions",
        nsmap=_NSMAP,
        id=f"{process_id}_definitions",
        targetNamespace="https://civicflow.org/bpmn/discovered",
        exporter="CivicFlow process discovery",
    )
    process = etree.SubElement(definitions, f"{{{BPMN}}}process", id=process_id, name=name, isExecutable="true")
    diagram = etree.SubElement(definitions, f"{{{BPMNDI}}}BPMNDiagram", id=f"{process_id}_diagram")
    plane = etree.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", id=f"{process_id}_plane", bpmnElement=process_id)
    builder = _Builder(process, plane)
    size = _measure(tree)
    axis = max(size.axis if size is not None else 0, EVENT / 2) + 2 * V_GAP
    start = builder.shape("startEvent", "StartEvent", (H_GAP, axis - EVENT / 2, EVENT, EVENT), "start")
    x: float = H_GAP + EVENT + H_GAP
    placed = None if size is None else builder.place(tree, x, axis - size.axis)
    x += 0 if size is None else size.width + H_GAP
    end = builder.shape("endEvent", "EndEvent", (x, axis - EVENT / 2, EVENT, EVENT), "end")
    if placed is None:
        builder.flow(start, end)
    else:
        builder.flow(start, placed[0])
        builder.flow(placed[1], end)
    for split, back in builder.loops.items():
        exit_flow = next(f for f, el in builder.flows.items() if el.get("sourceRef") == split and f != back)
        builder.condition(split, [exit_flow, back])
    # sequence flows after the flow nodes, the order modelling tools write them in
    for flow in builder.flows.values():
        process.append(flow)
    return bytes(etree.tostring(definitions, xml_declaration=True, encoding="UTF-8", pretty_print=True))
