"""Helpers: compile a BPMN text and drive one instance on a virtual clock."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from civicflow.bpmn import load
from civicflow.engine import Context, FeelEvaluator, Graph, SequentialIds, VirtualClock, compile_graph
from civicflow.engine.runtime import InMemoryRuntime

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="d" targetNamespace="urn:t">'
)


def graph_of(body: str, clock: VirtualClock | None = None) -> Graph:
    return compile_graph(load((HEAD + body + "</bpmn:definitions>").encode()), FeelEvaluator(clock))


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(datetime(2026, 1, 5, 9, 0, tzinfo=UTC))


def runtime(body: str, clock: VirtualClock, *, restore: bool = False) -> InMemoryRuntime:
    return InMemoryRuntime(graph_of(body, clock), Context(clock=clock, ids=SequentialIds()), restore=restore)
