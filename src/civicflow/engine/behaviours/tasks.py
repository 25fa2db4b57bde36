"""Tasks: none, manual, user, service (jobs), script (FEEL), business rule (DMN), send, receive."""

from __future__ import annotations

from typing import TYPE_CHECKING

from civicflow.engine import events as ev
from civicflow.engine.behaviours.waits import open_wait
from civicflow.engine.errors import ExpressionError
from civicflow.engine.graph import Node

if TYPE_CHECKING:
    from civicflow.engine.processor import Payload, Processor
    from civicflow.engine.state import ElementInstance

__all__ = [
    "activate_business_rule_task",
    "activate_job_task",
    "activate_pass_through",
    "activate_receive_task",
    "activate_script_task",
    "activate_send_task",
    "activate_user_task",
]


def activate_pass_through(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    p.complete_later(inst)


def activate_user_task(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    p.emit(
        ev.TaskCreated(
            key=p.new_key(),
            owner=inst.key,
            element=node.id,
            name=node.name,
            assignee=node.assignee,
            candidate_groups=node.candidate_groups,
            form_key=node.form_key,
        )
    )


def activate_job_task(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    p.emit(
        ev.JobCreated(
            key=p.new_key(), owner=inst.key, element=node.id, type=node.job_type or node.id, retries=node.retries
        )
    )


def activate_send_task(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    if node.job_type:
        activate_job_task(p, node, inst, payload)
        return
    p.emit(ev.MessageSent(owner=inst.key, name=node.message or node.id, variables={}))
    p.complete_later(inst)


def activate_receive_task(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    if payload is not None:  # chosen by an event-based gateway: the message has arrived
        if payload[1]:
            p.set_variables(inst.key, payload[1], local=bool(node.outputs))
        p.complete_later(inst)
        return
    open_wait(p, node, inst)


def _result(p: Processor, node: Node, inst: ElementInstance, value: object) -> None:
    if node.result_variable:
        p.set_variables(inst.key, {node.result_variable: value}, local=bool(node.outputs))


def activate_script_task(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    if node.job_type:
        activate_job_task(p, node, inst, payload)
        return
    script = node.script
    if script is None:
        p.incident(inst, "unsupported", "script task without a FEEL script")
        return
    try:
        value = script(p.visible(inst.key))
    except ExpressionError as exc:
        p.incident(inst, "script", str(exc))
        return
    _result(p, node, inst, value)
    p.complete_later(inst)


def activate_business_rule_task(p: Processor, node: Node, inst: ElementInstance, payload: Payload | None) -> None:
    if node.job_type:
        activate_job_task(p, node, inst, payload)
        return
    if node.decision is None:
        p.incident(inst, "unsupported", "business rule task without a decision")
        return
    try:
        outcome = p.ctx.decisions.evaluate(node.decision, p.visible(inst.key))
    except ExpressionError as exc:
        p.incident(inst, "decision", str(exc))
        return
    # which rules decided, for the audit trail (issue #11); references only, never the values
    p.emit(
        ev.DecisionEvaluated(
            key=inst.key,
            element=node.id,
            decision=outcome.decision,
            version=outcome.version,
            explanation=outcome.explanation,
        )
    )
    _result(p, node, inst, outcome.value)
    p.complete_later(inst)
