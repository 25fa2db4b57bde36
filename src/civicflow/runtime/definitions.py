"""Compiled models, cached in-process: one graph per deployment, DMN models per resource."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import civicflow.bpmn
import civicflow.dmn
from civicflow.engine import ExpressionError, FeelEvaluator, Graph, compile_graph
from civicflow.runtime.clock import CurrentClock
from civicflow.runtime.models import DecisionDefinition, ProcessDefinition, Resource, ResourceKind

__all__ = ["RuntimeDecisions", "clear_caches", "compile_bpmn", "graph_for", "remember_graph"]

_lock = threading.Lock()
_graphs: dict[int, Graph] = {}  # deployment id -> graph
_definition_deployment: dict[int, int] = {}  # process definition id -> deployment id
_dmn_models: dict[int, civicflow.dmn.DmnModel] = {}  # resource id -> model


def compile_bpmn(models: list[civicflow.bpmn.Definitions]) -> Graph:
    """Compile the BPMN files of one deployment together (call activities resolve across them)."""
    return compile_graph(models, FeelEvaluator(clock=CurrentClock()))


def remember_graph(deployment_id: int, graph: Graph) -> None:
    with _lock:
        _graphs[deployment_id] = graph


def graph_for(definition_id: int) -> Graph:
    """The execution graph of a process definition, compiled once per process."""
    deployment_id = _definition_deployment.get(definition_id)
    if deployment_id is None:
        deployment_id = ProcessDefinition.objects.values_list("deployment_id", flat=True).get(pk=definition_id)
        _definition_deployment[definition_id] = deployment_id
    graph = _graphs.get(deployment_id)
    if graph is None:
        contents = Resource.objects.filter(deployment_id=deployment_id, kind=ResourceKind.BPMN).order_by("id")
        graph = compile_bpmn([civicflow.bpmn.load(r.content.encode()) for r in contents])
        remember_graph(deployment_id, graph)
    return graph


def clear_caches() -> None:
    """Forget compiled models (tests; a process that must see a database restored from backup)."""
    with _lock:
        _graphs.clear()
        _definition_deployment.clear()
        _dmn_models.clear()


def _dmn_model(resource_id: int) -> civicflow.dmn.DmnModel:
    model = _dmn_models.get(resource_id)
    if model is None:
        resource = Resource.objects.get(pk=resource_id)
        others = Resource.objects.filter(deployment_id=resource.deployment_id, kind=ResourceKind.DMN).exclude(
            pk=resource_id
        )
        model = civicflow.dmn.load(resource.content.encode(), imports=[o.content.encode() for o in others])
        with _lock:
            _dmn_models[resource_id] = model
    return model


class RuntimeDecisions:
    """The engine's decision port: the latest deployed version of a decision, by id or name."""

    def evaluate(self, decision_id: str, variables: Mapping[str, Any]) -> Any:
        definition = (
            DecisionDefinition.objects.filter(decision_id=decision_id).order_by("-version").first()
            or DecisionDefinition.objects.filter(name=decision_id).order_by("-version").first()
        )
        if definition is None:
            raise ExpressionError(f"no deployed DMN decision {decision_id!r}")
        model = _dmn_model(definition.resource_id)
        try:
            return model.evaluate(definition.decision_id, dict(variables)).value
        except civicflow.dmn.DmnError as exc:
            raise ExpressionError(f"decision {decision_id!r} failed: {exc}") from exc
