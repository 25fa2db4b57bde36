"""Every model of the shared corpus that loads also compiles into an execution graph and starts
without a crash: what the engine cannot run becomes an incident, never a traceback."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from civicflow.bpmn import BpmnError, load
from civicflow.engine import (
    CommandRejectedError,
    Context,
    FeelEvaluator,
    InstanceState,
    StartInstance,
    VirtualClock,
    compile_graph,
    execute,
)

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
FILES = sorted([*DATA.glob("bpmn-corpus/**/*.bpmn"), *DATA.glob("bpmn-miwg/**/*.bpmn")])


@pytest.mark.skipif(not FILES, reason="../shared/data (bpmn-corpus, bpmn-miwg) is not available")
def test_corpus_models_compile_and_start() -> None:
    clock = VirtualClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))
    started = 0
    for path in FILES:
        try:
            definitions = load(path)
        except BpmnError:
            continue  # refused by the reader with a diagnostic: the reader's tests cover that
        graph = compile_graph(definitions, FeelEvaluator(clock))
        for process in graph.executable[:1]:
            try:
                execute(
                    graph, InstanceState(), StartInstance(process=process), Context(clock=clock, step_budget=20_000)
                )
            except CommandRejectedError:
                continue  # no start event to start from
            started += 1
    assert started >= len(FILES) * 0.9
