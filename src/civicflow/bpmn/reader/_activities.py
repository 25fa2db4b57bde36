"""Tasks, subprocesses, call activities and loop characteristics."""

from __future__ import annotations

from typing import Any

from lxml import etree

from civicflow.bpmn.model import (
    AdHocOrdering,
    AdHocSubProcess,
    BusinessRuleTask,
    CallActivity,
    DataItem,
    LoopCharacteristics,
    ManualTask,
    MultiInstanceLoopCharacteristics,
    ReceiveTask,
    ScriptTask,
    SendTask,
    ServiceTask,
    StandardLoopCharacteristics,
    SubProcess,
    Task,
    Transaction,
    UserTask,
)
from civicflow.bpmn.reader._base import Context, ElementReader
from civicflow.bpmn.reader._nodes import finish, flow_node_fields

__all__ = ["ACTIVITY_READERS", "read_sub_process"]


def _data_item(ctx: Context, el: etree._Element | None) -> DataItem | None:
    if el is None:
        return None
    r = ElementReader(ctx, el)
    return finish(r, DataItem, name=r.attr("name"), item_subject_ref=r.ref("itemSubjectRef"))


def _loop(ctx: Context, r: ElementReader) -> LoopCharacteristics | None:
    mi = r.child("multiInstanceLoopCharacteristics")
    if mi is not None:
        m = ElementReader(ctx, mi)
        return finish(
            m,
            MultiInstanceLoopCharacteristics,
            is_sequential=m.bool_attr("isSequential", default=False),
            loop_cardinality=m.expression_child("loopCardinality"),
            loop_data_input_ref=(m.child_refs("loopDataInputRef") or (None,))[0],
            loop_data_output_ref=(m.child_refs("loopDataOutputRef") or (None,))[0],
            input_data_item=_data_item(ctx, m.child("inputDataItem")),
            output_data_item=_data_item(ctx, m.child("outputDataItem")),
            completion_condition=m.expression_child("completionCondition"),
            behavior=m.attr("behavior"),
            one_behavior_event_ref=m.ref("oneBehaviorEventRef"),
            none_behavior_event_ref=m.ref("noneBehaviorEventRef"),
        )
    standard = r.child("standardLoopCharacteristics")
    if standard is not None:
        s = ElementReader(ctx, standard)
        return finish(
            s,
            StandardLoopCharacteristics,
            test_before=s.bool_attr("testBefore", default=False),
            loop_maximum=s.int_attr("loopMaximum"),
            loop_condition=s.expression_child("loopCondition"),
        )
    return None


def _activity_fields(ctx: Context, r: ElementReader) -> dict[str, Any]:
    fields = flow_node_fields(r)
    fields["is_for_compensation"] = r.bool_attr("isForCompensation", default=False)
    fields["default"] = r.ref("default")
    fields["loop_characteristics"] = _loop(ctx, r)
    return fields


def read_task(ctx: Context, el: etree._Element) -> Task:
    r = ElementReader(ctx, el)
    return finish(r, Task, **_activity_fields(ctx, r))


def read_manual_task(ctx: Context, el: etree._Element) -> ManualTask:
    r = ElementReader(ctx, el)
    return finish(r, ManualTask, **_activity_fields(ctx, r))


def read_user_task(ctx: Context, el: etree._Element) -> UserTask:
    r = ElementReader(ctx, el)
    return finish(r, UserTask, **_activity_fields(ctx, r), implementation=r.attr("implementation"))


def read_service_task(ctx: Context, el: etree._Element) -> ServiceTask:
    r = ElementReader(ctx, el)
    return finish(
        r,
        ServiceTask,
        **_activity_fields(ctx, r),
        implementation=r.attr("implementation"),
        operation_ref=r.ref("operationRef"),
    )


def read_script_task(ctx: Context, el: etree._Element) -> ScriptTask:
    r = ElementReader(ctx, el)
    script = r.child("script")
    return finish(
        r,
        ScriptTask,
        **_activity_fields(ctx, r),
        script_format=r.attr("scriptFormat"),
        script=None if script is None else "".join(str(t) for t in script.itertext()),
    )


def read_business_rule_task(ctx: Context, el: etree._Element) -> BusinessRuleTask:
    r = ElementReader(ctx, el)
    return finish(r, BusinessRuleTask, **_activity_fields(ctx, r), implementation=r.attr("implementation"))


def read_send_task(ctx: Context, el: etree._Element) -> SendTask:
    r = ElementReader(ctx, el)
    return finish(
        r,
        SendTask,
        **_activity_fields(ctx, r),
        message_ref=r.ref("messageRef"),
        implementation=r.attr("implementation"),
        operation_ref=r.ref("operationRef"),
    )


def read_receive_task(ctx: Context, el: etree._Element) -> ReceiveTask:
    r = ElementReader(ctx, el)
    return finish(
        r,
        ReceiveTask,
        **_activity_fields(ctx, r),
        message_ref=r.ref("messageRef"),
        instantiate=r.bool_attr("instantiate", default=False),
        implementation=r.attr("implementation"),
        operation_ref=r.ref("operationRef"),
    )


def read_call_activity(ctx: Context, el: etree._Element) -> CallActivity:
    r = ElementReader(ctx, el)
    return finish(r, CallActivity, **_activity_fields(ctx, r), called_element=r.ref("calledElement"))


def read_sub_process(ctx: Context, el: etree._Element) -> SubProcess:
    from civicflow.bpmn.reader._containers import container_fields

    r = ElementReader(ctx, el)
    fields = _activity_fields(ctx, r)
    fields["triggered_by_event"] = r.bool_attr("triggeredByEvent", default=False)
    fields.update(container_fields(ctx, r))
    local = r.local_name
    if local == "transaction":
        return finish(r, Transaction, **fields, method=r.attr("method"))
    if local == "adHocSubProcess":
        ordering = r.attr("ordering")
        try:
            parsed = None if ordering is None else AdHocOrdering(ordering)
        except ValueError:
            raise ctx.error(f"unknown ordering {ordering!r}", el, el.get("id")) from None
        return finish(
            r,
            AdHocSubProcess,
            **fields,
            completion_condition=r.expression_child("completionCondition"),
            ordering=parsed,
            cancel_remaining_instances=r.opt_bool("cancelRemainingInstances"),
        )
    return finish(r, SubProcess, **fields)


ACTIVITY_READERS = {
    "task": read_task,
    "userTask": read_user_task,
    "manualTask": read_manual_task,
    "serviceTask": read_service_task,
    "scriptTask": read_script_task,
    "businessRuleTask": read_business_rule_task,
    "sendTask": read_send_task,
    "receiveTask": read_receive_task,
    "callActivity": read_call_activity,
    "subProcess": read_sub_process,
    "transaction": read_sub_process,
    "adHocSubProcess": read_sub_process,
}
