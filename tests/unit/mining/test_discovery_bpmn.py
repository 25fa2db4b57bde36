"""Discovered trees as BPMN: read back by civicflow.bpmn, valid, compilable, laid out without overlaps."""

from __future__ import annotations

from itertools import combinations, pairwise
from pathlib import Path

import pytest
from lxml import etree

import civicflow.bpmn
from civicflow.engine import FeelEvaluator, NodeKind, compile_graph
from civicflow.mining import Operator, ProcessTree, discover_process_tree, read_xes, tree_html, tree_svg, tree_to_bpmn

LOGS = Path(__file__).resolve().parents[4] / "shared" / "data" / "eventlogs" / "pm4py"
DI = "{http://www.omg.org/spec/DD/20100524/DI}"
DC = "{http://www.omg.org/spec/DD/20100524/DC}"
BPMNDI = "{http://www.omg.org/spec/BPMN/20100524/DI}"

A, B, C, TAU = (ProcessTree.leaf(x) for x in ("a", "b", "c", None))


def _trees() -> list[tuple[str, ProcessTree]]:
    trees = [
        ("tau", TAU),
        ("leaf", A),
        ("choice with tau", ProcessTree.node(Operator.XOR, [TAU, A, ProcessTree.node(Operator.SEQUENCE, [B, C])])),
        ("parallel with tau", ProcessTree.node(Operator.PARALLEL, [A, TAU, B])),
        ("tau loop", ProcessTree.node(Operator.LOOP, [TAU, A, B])),
        ("loop with tau redo", ProcessTree.node(Operator.LOOP, [A, TAU])),
        (
            "nested loops",
            ProcessTree.node(
                Operator.SEQUENCE,
                [
                    ProcessTree.node(Operator.LOOP, [ProcessTree.node(Operator.LOOP, [A, B]), C]),
                    ProcessTree.node(Operator.XOR, [ProcessTree.node(Operator.LOOP, [B, TAU]), C]),
                ],
            ),
        ),
    ]
    for name in ("running-example.xes", "08_receipt.xes.gz", "13_SEPSIS_1t_per_variant.xes.gz"):
        log = read_xes(LOGS / name)
        trees.append((name, discover_process_tree(log)))
        trees.append((f"{name} IMf", discover_process_tree(log, noise_threshold=0.2)))
    return trees


TREES = _trees()


def _inside(box: tuple[float, float, float, float], x: float, y: float) -> bool:
    bx, by, bw, bh = box
    return bx < x < bx + bw and by < y < by + bh


def _crosses(box: tuple[float, float, float, float], p: tuple[float, float], q: tuple[float, float]) -> bool:
    """Does the axis-parallel segment p-q pass through the inside of the box?"""
    bx, by, bw, bh = box
    if p[0] == q[0]:
        low, high = sorted((p[1], q[1]))
        return bx < p[0] < bx + bw and low < by + bh and high > by
    low, high = sorted((p[0], q[0]))
    return by < p[1] < by + bh and low < bx + bw and high > bx


@pytest.mark.parametrize(("name", "tree"), TREES, ids=[n for n, _ in TREES])
def test_bpmn_reads_back_validates_and_compiles(name: str, tree: ProcessTree) -> None:
    data = tree_to_bpmn(tree, process_id="mined", name=f"Mined {name}")
    model = civicflow.bpmn.load(data)
    assert [d for d in civicflow.bpmn.validate(model) if d.severity is civicflow.bpmn.Severity.ERROR] == []
    (process,) = model.processes
    assert (process.id, process.name, process.is_executable) == ("mined", f"Mined {name}", True)
    graph = compile_graph([model], FeelEvaluator())
    tasks = [n for n in graph.nodes.values() if n.kind is NodeKind.TASK]
    assert len(tasks) == sum(1 for n in tree.walk() if n.label is not None)


@pytest.mark.parametrize(("name", "tree"), TREES, ids=[n for n, _ in TREES])
def test_layout_has_no_overlaps_and_flows_go_around_shapes(name: str, tree: ProcessTree) -> None:
    root = etree.fromstring(tree_to_bpmn(tree))
    boxes: dict[str, tuple[float, float, float, float]] = {}
    for shape in root.iter(f"{BPMNDI}BPMNShape"):
        bounds = shape.find(f"{DC}Bounds")
        assert bounds is not None
        boxes[shape.get("bpmnElement", "")] = tuple(float(bounds.get(k, "")) for k in ("x", "y", "width", "height"))  # type: ignore[assignment]
    for (a, (ax, ay, aw, ah)), (b, (bx, by, bw, bh)) in combinations(boxes.items(), 2):
        assert ax + aw <= bx or bx + bw <= ax or ay + ah <= by or by + bh <= ay, (a, b)
    flows = {f.get("id"): f for f in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}sequenceFlow")}
    for edge in root.iter(f"{BPMNDI}BPMNEdge"):
        flow = flows[edge.get("bpmnElement")]
        points = [(float(p.get("x", "")), float(p.get("y", ""))) for p in edge.iter(f"{DI}waypoint")]
        assert len(points) >= 2
        for p, q in pairwise(points):
            assert p[0] == q[0] or p[1] == q[1], "flows run along right angles"
            for element, box in boxes.items():
                assert not _crosses(box, p, q), (flow.get("id"), element)
        ends = (boxes[flow.get("sourceRef", "")], boxes[flow.get("targetRef", "")])
        assert not any(_inside(box, *points[0]) or _inside(box, *points[-1]) for box in ends)


def test_exclusive_splits_have_a_default_and_placeholder_conditions() -> None:
    tree = ProcessTree.node(
        Operator.SEQUENCE, [ProcessTree.node(Operator.XOR, [A, B, TAU]), ProcessTree.node(Operator.LOOP, [C, TAU])]
    )
    model = civicflow.bpmn.load(tree_to_bpmn(tree))
    (process,) = model.processes
    flows = [e for e in process.flow_elements if type(e).__name__ == "SequenceFlow"]
    conditions = sorted(f.condition_expression.raw for f in flows if f.condition_expression is not None)
    assert len(conditions) == 3  # two extra choice paths, one loop back
    assert all(c.startswith("=route_Gateway_") for c in conditions)


def test_svg_and_html_draw_every_task() -> None:
    tree = TREES[-2][1]
    svg = etree.fromstring(tree_svg(tree).encode())
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f"{ns}g[@class='task']")) == sum(1 for n in tree.walk() if n.label is not None)
    html = tree_html(tree, "Sepsis")
    assert html.startswith("<!doctype html>")
    assert "<svg" in html
    assert "<h1>Sepsis</h1>" in html
