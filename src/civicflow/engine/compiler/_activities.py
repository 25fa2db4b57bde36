"""Activities: job, script, business rule, message and user tasks, call activities, loops."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from civicflow.bpmn import model as m
from civicflow.bpmn.expressions import Expression
from civicflow.engine.compiler._context import CompileContext
from civicflow.engine.compiler._events import message_name
from civicflow.engine.graph import CallSpec, LoopSpec, MultiInstanceSpec
from civicflow.engine.ports import CompiledExpression

__all__ = ["activity_fields"]

_FEEL_SCRIPTS = frozenset({"feel", "text/feel", "application/feel"})


def activity_fields(ctx: CompileContext, n: m.Activity, fields: dict[str, Any]) -> None:
    """Fill a node's activity fields (job, script, decision, message, assignment, call, loop)."""
    ext = n.ext
    fields["for_compensation"] = n.is_for_compensation
    if isinstance(n, m.ServiceTask | m.SendTask | m.BusinessRuleTask | m.ScriptTask):
        td = ext.task_definition
        if td is not None:
            job_type = td.job_type or td.java_class or td.delegate_expression or td.expression
            if job_type and not (isinstance(n, m.BusinessRuleTask | m.ScriptTask) and td.type is None):
                fields["job_type"] = job_type
            if td.retries is not None and td.retries.raw.strip().lstrip("=").strip().isdigit():
                fields["retries"] = int(td.retries.raw.strip().lstrip("=").strip())
        if isinstance(n, m.ServiceTask) and "job_type" not in fields:
            fields["job_type"] = n.id
    if isinstance(n, m.ScriptTask) and "job_type" not in fields:
        _script(ctx, n, fields)
    if isinstance(n, m.BusinessRuleTask) and "job_type" not in fields:
        cd = ext.called_decision
        if cd is None or cd.decision_id.raw.strip() == "":
            ctx.problems.setdefault(n.id, "business rule task without a decision")
        else:
            fields["decision"] = cd.decision_id.raw.strip().lstrip("=").strip()
            fields["result_variable"] = cd.result_variable or ext.result_variable
    if isinstance(n, m.SendTask | m.ReceiveTask):
        name, key = message_name(ctx, n.message_ref)
        fields["message"] = name or n.id
        fields["correlation_key"] = key
    if isinstance(n, m.UserTask):
        a = ext.assignment
        if a is not None:
            fields["assignee"] = a.assignee.raw if a.assignee is not None else None
            if a.candidate_groups is not None:
                fields["candidate_groups"] = tuple(g.strip() for g in a.candidate_groups.raw.split(",") if g.strip())
        if ext.form is not None:
            fields["form_key"] = ext.form.form_key or ext.form.form_id
    if isinstance(n, m.CallActivity):
        fields["call"] = _call(ctx, n)
    if isinstance(n, m.AdHocSubProcess):
        fields["condition"] = ctx.expr(n.id, n.completion_condition)
        fields["sequential"] = n.ordering is m.AdHocOrdering.SEQUENTIAL
        fields["cancel_remaining"] = n.cancel_remaining_instances is not False
    lc = n.loop_characteristics
    if isinstance(lc, m.MultiInstanceLoopCharacteristics):
        fields["multi_instance"] = _multi_instance(ctx, n, lc)
    elif isinstance(lc, m.StandardLoopCharacteristics):
        fields["loop"] = LoopSpec(
            condition=ctx.expr(n.id, lc.loop_condition),
            test_before=lc.test_before,
            maximum=lc.loop_maximum,
        )


def _script(ctx: CompileContext, n: m.ScriptTask, fields: dict[str, Any]) -> None:
    ext = n.ext
    if ext.script is not None:
        fields["script"] = ctx.expr(n.id, ext.script.expression)
        fields["result_variable"] = ext.script.result_variable
        return
    fmt = (n.script_format or "feel").strip().lower()
    if fmt not in _FEEL_SCRIPTS:
        ctx.problems.setdefault(n.id, f"script format {n.script_format!r} is not supported (only FEEL)")
        return
    if n.script is None or not n.script.strip():
        ctx.problems.setdefault(n.id, "script task without a script")
        return
    text = n.script.strip()
    fields["script"] = ctx.text(n.id, text[1:].strip() if text.startswith("=") else text)
    fields["result_variable"] = ext.result_variable


def _call(ctx: CompileContext, n: m.CallActivity) -> CallSpec:
    ce = n.ext.called_element
    if ce is None:
        if not n.called_element:
            ctx.problems.setdefault(n.id, "call activity without a called element")
        return CallSpec(process_id=n.called_element)
    target = ce.process_id
    spec_id: str | None = n.called_element
    spec_expr: CompiledExpression | None = None
    if target is not None:
        if target.is_static:
            spec_id = target.raw.strip()
        else:
            spec_expr = ctx.expr(n.id, target)
    inputs = tuple(_variable_mappings(ctx, n.id, ce.inputs))
    outputs = tuple(_variable_mappings(ctx, n.id, ce.outputs))
    all_in = any(v.all_variables for v in ce.inputs)
    all_out = any(v.all_variables for v in ce.outputs)
    c7 = ce.dialect is not m.Dialect.ZEEBE
    return CallSpec(
        process_id=spec_id,
        process_expression=spec_expr,
        propagate_parent=all_in if c7 else ce.propagate_all_parent_variables is not False,
        propagate_child=all_out if c7 else ce.propagate_all_child_variables is not False,
        inputs=inputs,
        outputs=outputs,
        all_in=all_in,
        all_out=all_out,
    )


def _variable_mappings(
    ctx: CompileContext, owner: str, mappings: Iterable[m.VariableMapping]
) -> Iterable[tuple[str, CompiledExpression]]:
    for v in mappings:
        if v.all_variables or v.business_key is not None:
            continue
        source = v.source_expression or v.source
        if source is None:
            continue
        compiled = ctx.expr(owner, Expression(raw=source) if v.source_expression else Expression(raw="=" + source))
        if compiled is not None:
            yield (v.target or v.source or "", compiled)


def _multi_instance(ctx: CompileContext, n: m.Activity, lc: m.MultiInstanceLoopCharacteristics) -> MultiInstanceSpec:
    loop = lc.ext.loop or n.ext.loop
    collection = output_element = None
    input_element = output_collection = None
    if loop is not None:
        collection = ctx.expr(n.id, loop.input_collection)
        input_element = loop.input_element
        output_collection = loop.output_collection
        output_element = ctx.expr(n.id, loop.output_element)
    if collection is None and lc.loop_data_input_ref:
        collection = ctx.text(n.id, lc.loop_data_input_ref)
    if input_element is None and lc.input_data_item is not None:
        input_element = lc.input_data_item.name or lc.input_data_item.id
    if output_collection is None and lc.loop_data_output_ref:
        output_collection = lc.loop_data_output_ref
    if output_element is None and lc.output_data_item is not None:
        output_element = ctx.text(n.id, lc.output_data_item.name or lc.output_data_item.id)
    cardinality = ctx.expr(n.id, lc.loop_cardinality, static=False) if lc.loop_cardinality else None
    if collection is None and cardinality is None:
        ctx.problems.setdefault(n.id, "multi-instance without a collection or cardinality")
    return MultiInstanceSpec(
        sequential=lc.is_sequential,
        collection=collection,
        cardinality=cardinality,
        input_element=input_element,
        output_collection=output_collection,
        output_element=output_element,
        completion=ctx.expr(n.id, lc.completion_condition),
    )
