"""Compile a BPMN model (civicflow.bpmn) into an execution :class:`Graph`, once per deployment.

What the engine cannot run (a JavaScript script, a JUEL condition) does not stop compilation: the
node gets a ``problem`` and raises an incident when a token reaches it, so that the rest of the
model still runs.

The work is split by concept: ``_context`` (the deployment's tables and expression compiling),
``_containers`` (processes and subprocesses, their flows and nodes), ``_events`` (event
definitions), ``_activities`` (tasks, call activities, loops) and ``_analysis`` (what needs the
whole graph: compensation handlers, join upstream sets, the fast-path flags).
"""

from __future__ import annotations

from collections.abc import Iterable

from civicflow.bpmn import model as m
from civicflow.engine.compiler._analysis import finish
from civicflow.engine.compiler._containers import compile_container
from civicflow.engine.compiler._context import CompileContext, Constant
from civicflow.engine.errors import ModelNotExecutableError
from civicflow.engine.graph import Graph, NodeKind
from civicflow.engine.ports import ExpressionEvaluator

__all__ = ["Constant", "compile_graph"]


def compile_graph(definitions: m.Definitions | Iterable[m.Definitions], evaluator: ExpressionEvaluator) -> Graph:
    """Compile one or several BPMN files (a deployment) into one execution graph."""
    defs = [definitions] if isinstance(definitions, m.Definitions) else list(definitions)
    ctx = CompileContext(defs, evaluator)
    processes: list[str] = []
    executable: list[str] = []
    for d in defs:
        for process in d.processes:
            if process.id in ctx.nodes:
                raise ModelNotExecutableError("duplicate process id", element_id=process.id)
            processes.append(process.id)
            if process.is_executable is not False:
                executable.append(process.id)
            compile_container(ctx, process, process.id, parent=None, name=process.name, kind=NodeKind.PROCESS)
    finish(ctx)
    message_starts: dict[str, tuple[str, str]] = {}
    for node in ctx.nodes.values():
        if node.kind is NodeKind.START and node.container == node.process and node.message:
            message_starts.setdefault(node.message, (node.process, node.id))
        if node.kind is NodeKind.EVENT_BASED and node.instantiate and node.container == node.process:
            for flow in node.outgoing:
                target = ctx.nodes.get(flow.target)
                if target is not None and target.message:
                    message_starts.setdefault(target.message, (node.process, target.id))
    messages = {k: (v.name or k) for k, v in ctx.messages.items()}
    return Graph(
        nodes=ctx.nodes,
        processes=tuple(processes),
        executable=tuple(executable or processes),
        message_starts=message_starts,
        messages=messages,
        extras={"problems": dict(ctx.problems)},
        ad_hoc=frozenset(n.id for n in ctx.nodes.values() if n.kind is NodeKind.AD_HOC_SUB_PROCESS),
    )
