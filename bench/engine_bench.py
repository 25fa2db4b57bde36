"""In-memory BPMN execution: CivicFlow against SpiffWorkflow 3.2 on the same 12-node model.

Run from the repository root:  .venv/bin/python bench/engine_bench.py [--instances N] [--json]

Figures are instances per CPU-second (time.process_time), measured side by side in one process.
SpiffWorkflow is optional (``pip install SpiffWorkflow==3.2.0``); it runs model_spiff.bpmn, the
same process with Python scripts. Each finished instance is checked (y = "A", z1 = 8, z3 = 10).
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from civicflow.bpmn import load
from civicflow.engine import (
    CompleteTask,
    Context,
    FeelEvaluator,
    InstanceState,
    StartInstance,
    VirtualClock,
    compile_graph,
    dumps_state,
    execute,
)

BENCH = Path(__file__).resolve().parents[2] / "shared" / "bench" / "engine"


def _check(variables: dict[str, Any]) -> None:
    if variables.get("y") != "A" or variables.get("z1") != 8 or variables.get("z3") != 10:
        raise SystemExit(f"wrong result: {variables}")


def civicflow_run(instances: int, *, serialize: bool) -> float:
    clock = VirtualClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    graph = compile_graph(load(BENCH / "model_feel.bpmn"), FeelEvaluator(clock))
    ctx = Context(clock=clock)
    start = StartInstance()
    begin = time.process_time()
    for _ in range(instances):
        state = InstanceState()
        events = execute(graph, state, start, ctx)
        if serialize:
            dumps_state(state)
    elapsed = time.process_time() - begin
    values: dict[str, Any] = {}
    for event in events:
        values.update(getattr(event, "variables", None) or {})
    _check(values)
    return instances / elapsed


def waiting_state_bytes() -> int:
    """The 12-node model with p1..p3 as user tasks: serialized state while it waits at all three."""
    text = (BENCH / "model_feel.bpmn").read_text(encoding="utf-8")
    for name in ("p1", "p2", "p3"):
        head = f'<bpmn:scriptTask id="{name}" name="{name}">'
        start = text.index(head)
        end = text.index("</bpmn:extensionElements>", start) + len("</bpmn:extensionElements>")
        text = text[:start] + f'<bpmn:userTask id="{name}" name="{name}">' + text[end:]
        close = text.index("</bpmn:scriptTask>", start)
        text = text[:close] + "</bpmn:userTask>" + text[close + len("</bpmn:scriptTask>") :]
    clock = VirtualClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    graph = compile_graph(load(text.encode()), FeelEvaluator(clock))
    state = InstanceState()
    execute(graph, state, StartInstance(variables={"applicant": "A. Jansen", "area": 40}), Context(clock=clock))
    if len(state.tasks) != 3:
        raise SystemExit("the waiting variant should wait at three user tasks")
    size = len(dumps_state(state).encode())
    for task in sorted(state.tasks):
        execute(graph, state, CompleteTask(task=task), Context(clock=clock))
    return size


def multi_instance_seconds(items: int) -> float:
    xml = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="mi" targetNamespace="urn:bench">
  <bpmn:process id="mi" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:scriptTask id="each"><bpmn:extensionElements>
      <zeebe:script expression="=item * 2" resultVariable="doubled"/></bpmn:extensionElements>
      <bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>
        <zeebe:loopCharacteristics inputCollection="=items" inputElement="item" outputCollection="results"
          outputElement="=doubled"/></bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics>
    </bpmn:scriptTask>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="each"/>
    <bpmn:sequenceFlow id="f2" sourceRef="each" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>"""
    clock = VirtualClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    graph = compile_graph(load(xml.encode()), FeelEvaluator(clock))
    state = InstanceState()
    begin = time.perf_counter()
    events = execute(graph, state, StartInstance(variables={"items": list(range(items))}), Context(clock=clock))
    elapsed = time.perf_counter() - begin
    results = next(e.variables["results"] for e in events if "results" in (getattr(e, "variables", None) or {}))
    if len(results) != items or results[-1] != Decimal(2 * (items - 1)) or state.status.value != "completed":
        raise SystemExit("multi-instance result is wrong")
    return elapsed


def spiff_run(instances: int, *, serialize: bool) -> float | None:
    try:
        from SpiffWorkflow.bpmn.parser import BpmnParser
        from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
        from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    except ImportError:
        return None
    parser = BpmnParser()
    parser.add_bpmn_file(str(BENCH / "model_spiff.bpmn"))
    spec = parser.get_spec("bench")
    serializer = BpmnWorkflowSerializer()
    begin = time.process_time()
    for _ in range(instances):
        workflow = BpmnWorkflow(spec)
        workflow.do_engine_steps()
        if serialize:
            serializer.serialize_json(workflow)
    elapsed = time.process_time() - begin
    if not workflow.is_completed():
        raise SystemExit("SpiffWorkflow did not complete the instance")
    _check(workflow.data)
    return instances / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=20_000)
    parser.add_argument("--spiff-instances", type=int, default=500)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    civicflow_run(500, serialize=False)  # warm the caches
    result: dict[str, Any] = {
        "civicflow_per_cpu_s": round(civicflow_run(args.instances, serialize=False)),
        "civicflow_serialized_per_cpu_s": round(civicflow_run(args.instances, serialize=True)),
        "waiting_state_bytes": waiting_state_bytes(),
        "multi_instance_10000_s": round(multi_instance_seconds(10_000), 3),
    }
    spiff = spiff_run(args.spiff_instances, serialize=False)
    if spiff is not None:
        result["spiff_per_cpu_s"] = round(spiff)
        result["spiff_serialized_per_cpu_s"] = round(spiff_run(args.spiff_instances, serialize=True) or 0)
        result["ratio"] = round(result["civicflow_per_cpu_s"] / spiff, 1)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for name, value in result.items():
        print(f"{name:32} {value}")


if __name__ == "__main__":
    main()
