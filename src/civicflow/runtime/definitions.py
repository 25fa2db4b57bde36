"""Compiled models, cached in-process: one graph per BPMN file, one DMN model per DMN file.

Each BPMN file compiles on its own (element ids only need to be unique within a file); a file
whose call activities name processes of other files in its deployment compiles together with
those files, which then must not share element ids.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection

import civicflow.bpmn
import civicflow.dmn
from civicflow.engine import (
    DecisionOutcome,
    ExpressionError,
    FeelEvaluator,
    Graph,
    ModelNotExecutableError,
    NodeKind,
    compile_graph,
)
from civicflow.runtime.clock import CurrentClock
from civicflow.runtime.models import DecisionDefinition, ProcessDefinition, Resource, ResourceKind
from civicflow.runtime.personal import attach_personal
from civicflow.runtime.usertasks import attach_specs

__all__ = [
    "RuntimeDecisions",
    "clear_caches",
    "compile_bpmn",
    "compile_file",
    "definition_row",
    "graph_for",
    "remember_graph",
]

_lock = threading.Lock()
_graphs: dict[int, Graph] = {}  # BPMN resource id -> graph
_definition_resource: dict[int, int] = {}  # process definition id -> resource id
_dmn_models: dict[int, civicflow.dmn.DmnModel] = {}  # resource id -> model
_definition_rows: dict[int, ProcessDefinition] = {}  # id -> row; deployed rows never change


def compile_bpmn(models: list[civicflow.bpmn.Definitions]) -> Graph:
    return compile_graph(models, FeelEvaluator(clock=CurrentClock()))


def compile_file(main: civicflow.bpmn.Definitions, others: Sequence[civicflow.bpmn.Definitions] = ()) -> Graph:
    """The graph of one BPMN file, with the files of its deployment that its call activities need.

    The graph also keeps the user task read-model specs of those files (:mod:`civicflow.runtime.usertasks`).
    """
    graph = compile_bpmn([main])
    called = {
        node.call.process_id
        for node in graph.nodes.values()
        if node.kind is NodeKind.CALL_ACTIVITY and node.call is not None and node.call.process_id
    }
    missing = called - set(graph.processes)
    extra = [o for o in others if o is not main and any(p.id in missing for p in o.processes)]
    if not extra:
        return attach_personal(attach_specs(graph, [main]), [main])
    seen = set(graph.nodes)
    for other in extra:
        ids = set(compile_bpmn([other]).nodes)
        clash = sorted(seen & ids)
        if clash:
            raise ModelNotExecutableError(
                f"files linked by call activities share element ids {', '.join(clash[:5])}", element_id=clash[0]
            )
        seen |= ids
    return attach_personal(attach_specs(compile_bpmn([main, *extra]), [main, *extra]), [main, *extra])


def remember_graph(resource_id: int, graph: Graph) -> None:
    with _lock:
        _graphs[resource_id] = graph


def graph_for(definition_id: int) -> Graph:
    """The execution graph of a process definition, compiled once per file and process."""
    resource_id = _definition_resource.get(definition_id)
    if resource_id is None:
        resource_id = ProcessDefinition.objects.values_list("resource_id", flat=True).get(pk=definition_id)
        _definition_resource[definition_id] = resource_id
    graph = _graphs.get(resource_id)
    if graph is None:
        resource = Resource.objects.get(pk=resource_id)
        others = Resource.objects.filter(deployment_id=resource.deployment_id, kind=ResourceKind.BPMN).exclude(
            pk=resource_id
        )
        graph = compile_file(
            civicflow.bpmn.load(resource.content.encode()), [civicflow.bpmn.load(o.content.encode()) for o in others]
        )
        remember_graph(resource_id, graph)
    return graph


def clear_caches() -> None:
    """Forget compiled models (tests; a process that must see a database restored from backup)."""
    with _lock:
        _graphs.clear()
        _definition_resource.clear()
        _dmn_models.clear()
        _definition_rows.clear()


def definition_row(definition_id: int, process_id: str) -> ProcessDefinition | None:
    """The process definition row ``definition_id`` of ``process_id``, read once per process."""
    row = _definition_rows.get(definition_id)
    if row is None or row.process_id != process_id:  # (an id reused after a rolled-back test)
        row = ProcessDefinition.objects.filter(pk=definition_id).first()
        if row is not None:
            _definition_rows[definition_id] = row
    return row


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


def _latest_decision(decision_id: str) -> tuple[str, int, int] | None:
    """(decision id, resource id, version) of the latest version with that decision id, else name.

    One plain statement: a business rule task asks on every evaluation (a new deployment must
    count at once, in every process), and the ORM's two queries cost more than the decision.
    """
    table = DecisionDefinition._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT decision_id, resource_id, version FROM {table} WHERE decision_id = %s OR name = %s "  # noqa: S608 - our own table and column names; values are bound parameters  # nosec B608
            "ORDER BY CASE WHEN decision_id = %s THEN 0 ELSE 1 END, version DESC LIMIT 1",
            [decision_id, decision_id, decision_id],
        )
        row = cursor.fetchone()
    return (row[0], row[1], row[2]) if row is not None else None


class RuntimeDecisions:
    """The engine's decision port: the latest deployed version of a decision, by id or name."""

    def evaluate(self, decision_id: str, variables: Mapping[str, Any]) -> DecisionOutcome:
        found = _latest_decision(decision_id)
        if found is None:
            raise ExpressionError(f"no deployed DMN decision {decision_id!r}")
        found_id, resource_id, version = found
        model = _dmn_model(resource_id)
        try:
            result = model.evaluate(found_id, dict(variables))
        except civicflow.dmn.DmnError as exc:
            raise ExpressionError(f"decision {decision_id!r} failed: {exc}") from exc
        return DecisionOutcome(
            value=result.value,
            decision=found_id,
            version=version,
            explanation=civicflow.dmn.explanation_references(result.explanation),
        )
