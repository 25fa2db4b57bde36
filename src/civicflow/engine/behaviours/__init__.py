"""One behaviour per element kind, registered once in :data:`BEHAVIOURS`.

``activate`` runs when a token arrives (after input mappings and boundary subscriptions);
``leave`` runs after the element completed and takes its outgoing sequence flows.
Termination is generic (the processor cancels what an instance waits on), so no kind needs
its own ``on_terminate``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from civicflow.engine.graph import Node, NodeKind

if TYPE_CHECKING:
    from civicflow.engine.processor import Payload, Processor
    from civicflow.engine.state import ElementInstance

__all__ = ["BEHAVIOURS", "Behaviour"]

Activate = Callable[["Processor", Node, "ElementInstance", "Payload | None"], None]
Leave = Callable[["Processor", Node, "ElementInstance"], None]


@dataclass(frozen=True, slots=True)
class Behaviour:
    activate: Activate
    leave: Leave


def _table() -> dict[NodeKind, Behaviour]:
    from civicflow.engine.behaviours import event_nodes as e
    from civicflow.engine.behaviours import gateways as g
    from civicflow.engine.behaviours import scopes as s
    from civicflow.engine.behaviours import tasks as t
    from civicflow.engine.behaviours.flows import leave_activity

    return {
        NodeKind.PROCESS: Behaviour(s.activate_process, leave_activity),
        NodeKind.START: Behaviour(e.activate_start, leave_activity),
        NodeKind.END: Behaviour(e.activate_end, leave_activity),
        NodeKind.CATCH: Behaviour(e.activate_catch, leave_activity),
        NodeKind.THROW: Behaviour(e.activate_throw, e.leave_throw),
        NodeKind.BOUNDARY: Behaviour(e.activate_boundary, leave_activity),
        NodeKind.TASK: Behaviour(t.activate_pass_through, leave_activity),
        NodeKind.MANUAL_TASK: Behaviour(t.activate_pass_through, leave_activity),
        NodeKind.USER_TASK: Behaviour(t.activate_user_task, leave_activity),
        NodeKind.SERVICE_TASK: Behaviour(t.activate_job_task, leave_activity),
        NodeKind.SCRIPT_TASK: Behaviour(t.activate_script_task, leave_activity),
        NodeKind.BUSINESS_RULE_TASK: Behaviour(t.activate_business_rule_task, leave_activity),
        NodeKind.SEND_TASK: Behaviour(t.activate_send_task, leave_activity),
        NodeKind.RECEIVE_TASK: Behaviour(t.activate_receive_task, leave_activity),
        NodeKind.SUB_PROCESS: Behaviour(s.activate_sub_process, leave_activity),
        NodeKind.TRANSACTION: Behaviour(s.activate_sub_process, leave_activity),
        NodeKind.EVENT_SUB_PROCESS: Behaviour(s.activate_event_sub_process, leave_activity),
        NodeKind.AD_HOC_SUB_PROCESS: Behaviour(s.activate_ad_hoc, leave_activity),
        NodeKind.CALL_ACTIVITY: Behaviour(s.activate_call_activity, leave_activity),
        NodeKind.EXCLUSIVE: Behaviour(g.activate_exclusive, g.leave_chosen),
        NodeKind.PARALLEL: Behaviour(g.activate_parallel, g.leave_all),
        NodeKind.INCLUSIVE: Behaviour(g.activate_inclusive, g.leave_chosen),
        NodeKind.COMPLEX: Behaviour(g.activate_inclusive, g.leave_chosen),
        NodeKind.EVENT_BASED: Behaviour(g.activate_event_based, g.leave_none),
    }


BEHAVIOURS: dict[NodeKind, Behaviour] = _table()
