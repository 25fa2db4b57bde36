"""Deploy BPMN, DMN and form files: validate and compile everything first, then store it at once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from django.db import transaction

import civicflow.bpmn
import civicflow.dmn
from civicflow.engine import Graph, ModelNotExecutableError, NodeKind, Trigger
from civicflow.runtime.clock import current_clock
from civicflow.runtime.definitions import compile_file, remember_graph
from civicflow.runtime.errors import DeploymentError
from civicflow.runtime.models import (
    DecisionDefinition,
    Deployment,
    MessageSubscription,
    ProcessDefinition,
    Resource,
    ResourceKind,
    SignalSubscription,
)
from civicflow.runtime.start_timers import replace_start_timers

__all__ = ["DeployFile", "DeploymentResult", "deploy"]

DeployFile = Path | str | tuple[str, bytes | str]
"""A path, or (file name, content)."""

_KINDS = {".bpmn": ResourceKind.BPMN, ".xml": ResourceKind.BPMN, ".dmn": ResourceKind.DMN, ".form": ResourceKind.FORM}


@dataclass(frozen=True, slots=True, kw_only=True)
class DeploymentResult:
    """The stored deployment and, per process and decision, the definition now current.

    ``new`` holds the keys of definitions this deployment created; the others were unchanged
    (same content hash) and keep their version.
    """

    deployment: Deployment
    processes: tuple[ProcessDefinition, ...]
    decisions: tuple[DecisionDefinition, ...]
    new: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Checked:
    name: str
    kind: ResourceKind
    text: str
    digest: str
    bpmn: civicflow.bpmn.Definitions | None = None
    dmn: civicflow.dmn.DmnModel | None = None


def _read(item: DeployFile) -> tuple[str, bytes]:
    if isinstance(item, tuple):
        name, content = item
        return name, content.encode() if isinstance(content, str) else content
    path = Path(item)
    try:
        return path.name, path.read_bytes()
    except OSError as exc:
        raise DeploymentError(f"cannot read the file: {exc.strerror or exc}", file=str(path)) from exc


def _kind(name: str) -> ResourceKind:
    lowered = name.lower()
    if lowered.endswith(".form.json"):
        return ResourceKind.FORM
    kind = _KINDS.get(Path(lowered).suffix)
    if kind is None:
        raise DeploymentError("not a .bpmn, .dmn or .form file", file=name)
    return kind


def _check_bpmn(name: str, data: bytes) -> civicflow.bpmn.Definitions:
    try:
        model = civicflow.bpmn.load(data)
    except civicflow.bpmn.BpmnError as exc:
        raise DeploymentError("cannot be read as BPMN", file=name, diagnostics=[str(exc)]) from exc
    errors = [d for d in civicflow.bpmn.validate(model) if d.severity is civicflow.bpmn.Severity.ERROR]
    if errors:
        found = [
            f"{d.code}{f' line {d.line}' if d.line else ''}{f' {d.element_id}' if d.element_id else ''}: {d.message}"
            for d in errors
        ]
        raise DeploymentError(f"{len(errors)} validation error(s)", file=name, diagnostics=found)
    return model


def _check(items: Iterable[DeployFile]) -> list[_Checked]:
    raw = [_read(item) for item in items]
    if not raw:
        raise DeploymentError("nothing to deploy")
    names = [name for name, _ in raw]
    if len(set(names)) != len(names):
        raise DeploymentError(
            "two files have the same name", diagnostics=sorted({n for n in names if names.count(n) > 1})
        )
    dmn_sources = [data for name, data in raw if _kind(name) is ResourceKind.DMN]
    checked: list[_Checked] = []
    for name, data in raw:
        kind = _kind(name)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DeploymentError("is not UTF-8 text", file=name) from exc
        digest = hashlib.sha256(data).hexdigest()
        if kind is ResourceKind.BPMN:
            checked.append(_Checked(name, kind, text, digest, bpmn=_check_bpmn(name, data)))
        elif kind is ResourceKind.DMN:
            others = [d for d in dmn_sources if d is not data]
            try:
                model = civicflow.dmn.load(data, imports=others)
            except civicflow.dmn.DmnError as exc:
                raise DeploymentError("cannot be read as DMN", file=name, diagnostics=[str(exc)]) from exc
            checked.append(_Checked(name, kind, text, digest, dmn=model))
        else:
            try:
                form = json.loads(text)
            except json.JSONDecodeError as exc:
                raise DeploymentError("is not a JSON form schema", file=name, diagnostics=[str(exc)]) from exc
            if not isinstance(form, dict):
                raise DeploymentError("a form schema must be a JSON object", file=name)
            checked.append(_Checked(name, kind, text, digest))
    return checked


def _compile(checked: list[_Checked]) -> dict[str, Graph]:
    """A graph per BPMN file name; a file that does not compile refuses the whole deployment."""
    models = [c.bpmn for c in checked if c.bpmn is not None]
    graphs: dict[str, Graph] = {}
    for c in checked:
        if c.bpmn is None:
            continue
        try:
            graphs[c.name] = compile_file(c.bpmn, models)
        except ModelNotExecutableError as exc:
            raise DeploymentError("the model cannot be compiled", file=c.name, diagnostics=[str(exc)]) from exc
    return graphs


def _process_ids(model: civicflow.bpmn.Definitions) -> list[tuple[str, str]]:
    processes = [p for p in model.processes if p.is_executable is not False] or list(model.processes)
    return [(p.id, p.name or "") for p in processes]


def deploy(files: Iterable[DeployFile], *, name: str | None = None) -> DeploymentResult:
    """Deploy files together; a new version of a process or decision only when its file changed.

    Every file is read, validated and compiled before anything is stored: a refused deployment
    (:class:`DeploymentError`, listing the diagnostics) leaves the database untouched.
    """
    checked = _check(files)
    graphs = _compile(checked)
    now = current_clock().now()
    new: set[str] = set()
    processes: list[ProcessDefinition] = []
    decisions: list[DecisionDefinition] = []
    with transaction.atomic():
        deployment = Deployment.objects.create(name=name or ", ".join(c.name for c in checked), created=now)
        for c in checked:
            resource = Resource.objects.create(
                deployment=deployment, name=c.name, kind=c.kind, content=c.text, content_hash=c.digest
            )
            graph = graphs.get(c.name)
            if c.bpmn is not None and graph is not None:
                for process_id, process_name in _process_ids(c.bpmn):
                    definition, created = _version_process(deployment, resource, process_id, process_name, now)
                    processes.append(definition)
                    if created:
                        new.add(definition.key)
                        _start_subscriptions(definition, graph)
                # only once committed: a rolled-back id may be reused by SQLite
                transaction.on_commit(partial(remember_graph, resource.pk, graph))
            if c.dmn is not None:
                for decision in c.dmn.definitions.decisions:
                    decision_definition, created = _version_decision(
                        deployment, resource, decision.id, decision.name, checked=c, now=now
                    )
                    decisions.append(decision_definition)
                    if created:
                        new.add(decision_definition.key)
    return DeploymentResult(
        deployment=deployment, processes=tuple(processes), decisions=tuple(decisions), new=frozenset(new)
    )


def _version_process(
    deployment: Deployment, resource: Resource, process_id: str, name: str, now: datetime
) -> tuple[ProcessDefinition, bool]:
    latest = ProcessDefinition.objects.filter(process_id=process_id).order_by("-version").first()
    if latest is not None and latest.content_hash == resource.content_hash:
        return latest, False
    version = 1 if latest is None else latest.version + 1
    definition = ProcessDefinition.objects.create(
        deployment=deployment,
        resource=resource,
        process_id=process_id,
        version=version,
        key=f"{process_id}:{version}",
        name=name,
        content_hash=resource.content_hash,
        created=now,
    )
    return definition, True


def _version_decision(
    deployment: Deployment, resource: Resource, decision_id: str | None, name: str, *, checked: _Checked, now: datetime
) -> tuple[DecisionDefinition, bool]:
    key_id = decision_id or name
    latest = DecisionDefinition.objects.filter(decision_id=key_id).order_by("-version").first()
    if latest is not None and latest.content_hash == resource.content_hash:
        return latest, False
    version = 1 if latest is None else latest.version + 1
    definition = DecisionDefinition.objects.create(
        deployment=deployment,
        resource=resource,
        decision_id=key_id,
        version=version,
        key=f"{key_id}:{version}",
        name=name,
        model_name=checked.dmn.name if checked.dmn is not None else "",
        content_hash=resource.content_hash,
        created=now,
    )
    return definition, True


def _start_subscriptions(definition: ProcessDefinition, graph: Graph) -> None:
    """Message, signal and timer start events of the newest version replace those of older versions."""
    replace_start_timers(definition, graph)
    MessageSubscription.objects.filter(definition__process_id=definition.process_id).delete()
    SignalSubscription.objects.filter(definition__process_id=definition.process_id).delete()
    process = definition.process_id
    for node in graph.nodes.values():
        if node.kind is not NodeKind.START or node.container != process:
            continue
        if node.trigger is Trigger.MESSAGE and node.message:
            MessageSubscription.objects.create(name=node.message, definition=definition, element_id=node.id)
        elif node.trigger is Trigger.SIGNAL and node.signal:
            SignalSubscription.objects.create(name=node.signal, definition=definition, element_id=node.id)
