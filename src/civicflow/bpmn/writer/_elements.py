"""Flow elements, artifacts and lanes, in the child order of the BPMN 2.0 XSD."""

from __future__ import annotations

from lxml import etree

from civicflow.bpmn.model import (
    Activity,
    AdHocSubProcess,
    Artifact,
    Association,
    BaseElement,
    BoundaryEvent,
    BusinessRuleTask,
    CallActivity,
    CancelEventDefinition,
    CompensateEventDefinition,
    ComplexGateway,
    ConditionalEventDefinition,
    DataItem,
    DataObject,
    DataObjectReference,
    DataStoreReference,
    ErrorEventDefinition,
    EscalationEventDefinition,
    Event,
    EventBasedGateway,
    EventDefinition,
    ExclusiveGateway,
    FlowElement,
    FlowNode,
    Gateway,
    Group,
    InclusiveGateway,
    IntermediateCatchEvent,
    LaneSet,
    LinkEventDefinition,
    MessageEventDefinition,
    MultiInstanceLoopCharacteristics,
    ReceiveTask,
    ScriptTask,
    SendTask,
    SequenceFlow,
    ServiceTask,
    SignalEventDefinition,
    StandardLoopCharacteristics,
    StartEvent,
    SubProcess,
    TerminateEventDefinition,
    TextAnnotation,
    TimerEventDefinition,
    Transaction,
    UserTask,
)
from civicflow.bpmn.writer._base import Writer

__all__ = ["write_artifact", "write_container", "write_lane_set"]

_DEFINITION_TAGS: dict[type[EventDefinition], str] = {
    MessageEventDefinition: "messageEventDefinition",
    TimerEventDefinition: "timerEventDefinition",
    SignalEventDefinition: "signalEventDefinition",
    ConditionalEventDefinition: "conditionalEventDefinition",
    ErrorEventDefinition: "errorEventDefinition",
    EscalationEventDefinition: "escalationEventDefinition",
    TerminateEventDefinition: "terminateEventDefinition",
    LinkEventDefinition: "linkEventDefinition",
    CompensateEventDefinition: "compensateEventDefinition",
    CancelEventDefinition: "cancelEventDefinition",
}


def _definition(w: Writer, parent: etree._Element, d: EventDefinition) -> None:
    el = w.start(parent, _DEFINITION_TAGS[type(d)], d)
    w.unmodelled(el, d)
    if isinstance(d, MessageEventDefinition):
        w.set(el, "messageRef", d.message_ref)
        w.set(el, "operationRef", d.operation_ref)
    elif isinstance(d, TimerEventDefinition):
        w.expression(el, "timeDate", d.time_date)
        w.expression(el, "timeDuration", d.time_duration)
        w.expression(el, "timeCycle", d.time_cycle)
    elif isinstance(d, SignalEventDefinition):
        w.set(el, "signalRef", d.signal_ref)
    elif isinstance(d, ConditionalEventDefinition):
        w.expression(el, "condition", d.condition)
    elif isinstance(d, ErrorEventDefinition):
        w.set(el, "errorRef", d.error_ref)
    elif isinstance(d, EscalationEventDefinition):
        w.set(el, "escalationRef", d.escalation_ref)
    elif isinstance(d, LinkEventDefinition):
        w.set(el, "name", d.name)
        w.refs(el, "source", d.sources)
        if d.target is not None:
            w.text_child(el, "target", d.target)
    elif isinstance(d, CompensateEventDefinition):
        w.set(el, "activityRef", d.activity_ref)
        w.set_bool(el, "waitForCompletion", d.wait_for_completion)


def _node_start(w: Writer, parent: etree._Element, node: FlowNode) -> etree._Element:
    el = w.start(parent, node.kind.value, node)
    w.set(el, "name", node.name)
    w.refs(el, "incoming", node.incoming)
    w.refs(el, "outgoing", node.outgoing)
    w.unmodelled(el, node)
    return el


def _event(w: Writer, parent: etree._Element, event: Event) -> None:
    el = _node_start(w, parent, event)
    if isinstance(event, StartEvent):
        w.set_bool(el, "isInterrupting", event.is_interrupting, default=True)
    if isinstance(event, BoundaryEvent):
        el.set("attachedToRef", event.attached_to_ref)
        w.set_bool(el, "cancelActivity", event.cancel_activity, default=True)
    if isinstance(event, StartEvent | BoundaryEvent | IntermediateCatchEvent):
        w.set_bool(el, "parallelMultiple", event.parallel_multiple, default=False)
    for d in event.event_definitions:
        _definition(w, el, d)


def _gateway(w: Writer, parent: etree._Element, gateway: Gateway) -> None:
    el = _node_start(w, parent, gateway)
    w.set(el, "gatewayDirection", None if gateway.direction is None else gateway.direction.value)
    if isinstance(gateway, ExclusiveGateway | InclusiveGateway | ComplexGateway):
        w.set(el, "default", gateway.default)
    if isinstance(gateway, ComplexGateway):
        w.expression(el, "activationCondition", gateway.activation_condition)
    if isinstance(gateway, EventBasedGateway):
        w.set_bool(el, "instantiate", gateway.instantiate, default=False)
        el.set("eventGatewayType", gateway.event_gateway_type.value)


def _data_item(w: Writer, parent: etree._Element, local: str, item: DataItem | None) -> None:
    if item is None:
        return
    el = w.start(parent, local, item)
    w.set(el, "name", item.name)
    w.set(el, "itemSubjectRef", item.item_subject_ref)
    w.unmodelled(el, item)


def _loop(w: Writer, parent: etree._Element, activity: Activity) -> None:
    loop = activity.loop_characteristics
    if isinstance(loop, MultiInstanceLoopCharacteristics):
        el = w.start(parent, "multiInstanceLoopCharacteristics", loop)
        w.set_bool(el, "isSequential", loop.is_sequential, default=False)
        w.set(el, "behavior", loop.behavior)
        w.set(el, "oneBehaviorEventRef", loop.one_behavior_event_ref)
        w.set(el, "noneBehaviorEventRef", loop.none_behavior_event_ref)
        w.expression(el, "loopCardinality", loop.loop_cardinality)
        if loop.loop_data_input_ref is not None:
            w.text_child(el, "loopDataInputRef", loop.loop_data_input_ref)
        if loop.loop_data_output_ref is not None:
            w.text_child(el, "loopDataOutputRef", loop.loop_data_output_ref)
        _data_item(w, el, "inputDataItem", loop.input_data_item)
        _data_item(w, el, "outputDataItem", loop.output_data_item)
        w.unmodelled(el, loop)
        w.expression(el, "completionCondition", loop.completion_condition)
    elif isinstance(loop, StandardLoopCharacteristics):
        el = w.start(parent, "standardLoopCharacteristics", loop)
        w.set_bool(el, "testBefore", loop.test_before, default=False)
        w.set(el, "loopMaximum", None if loop.loop_maximum is None else str(loop.loop_maximum))
        w.expression(el, "loopCondition", loop.loop_condition)
        w.unmodelled(el, loop)


def _activity(w: Writer, parent: etree._Element, activity: Activity) -> None:
    el = _node_start(w, parent, activity)
    w.set_bool(el, "isForCompensation", activity.is_for_compensation, default=False)
    w.set(el, "default", activity.default)
    _loop(w, el, activity)
    if isinstance(activity, UserTask | BusinessRuleTask):
        w.set(el, "implementation", activity.implementation)
    elif isinstance(activity, ServiceTask):
        w.set(el, "implementation", activity.implementation)
        w.set(el, "operationRef", activity.operation_ref)
    elif isinstance(activity, SendTask | ReceiveTask):
        w.set(el, "messageRef", activity.message_ref)
        w.set(el, "implementation", activity.implementation)
        w.set(el, "operationRef", activity.operation_ref)
        if isinstance(activity, ReceiveTask):
            w.set_bool(el, "instantiate", activity.instantiate, default=False)
    elif isinstance(activity, ScriptTask):
        w.set(el, "scriptFormat", activity.script_format)
        if activity.script is not None:
            w.text_child(el, "script", activity.script)
    elif isinstance(activity, CallActivity):
        w.set(el, "calledElement", activity.called_element)
    elif isinstance(activity, SubProcess):
        w.set_bool(el, "triggeredByEvent", activity.triggered_by_event, default=False)
        write_container(w, el, activity.lane_sets, activity.flow_elements, activity.artifacts)
        if isinstance(activity, Transaction):
            w.set(el, "method", activity.method)
        if isinstance(activity, AdHocSubProcess):
            w.expression(el, "completionCondition", activity.completion_condition)
            w.set(el, "ordering", None if activity.ordering is None else activity.ordering.value)
            w.set_bool(el, "cancelRemainingInstances", activity.cancel_remaining_instances)


def _simple(w: Writer, parent: etree._Element, element: BaseElement, local: str, **attrs: str | None) -> etree._Element:
    el = w.start(parent, local, element)
    for name, value in attrs.items():
        w.set(el, name, value)
    w.unmodelled(el, element)
    return el


def _flow_element(w: Writer, parent: etree._Element, element: FlowElement) -> None:
    if isinstance(element, Event):
        _event(w, parent, element)
    elif isinstance(element, Gateway):
        _gateway(w, parent, element)
    elif isinstance(element, Activity):
        _activity(w, parent, element)
    elif isinstance(element, SequenceFlow):
        el = _simple(
            w,
            parent,
            element,
            "sequenceFlow",
            name=element.name,
            sourceRef=element.source_ref,
            targetRef=element.target_ref,
        )
        w.set_bool(el, "isImmediate", element.is_immediate)
        w.expression(el, "conditionExpression", element.condition_expression)
    elif isinstance(element, DataObject):
        el = _simple(w, parent, element, "dataObject", name=element.name, itemSubjectRef=element.item_subject_ref)
        w.set_bool(el, "isCollection", element.is_collection, default=False)
    elif isinstance(element, DataObjectReference):
        _simple(
            w,
            parent,
            element,
            "dataObjectReference",
            name=element.name,
            dataObjectRef=element.data_object_ref,
            itemSubjectRef=element.item_subject_ref,
        )
    elif isinstance(element, DataStoreReference):
        _simple(
            w,
            parent,
            element,
            "dataStoreReference",
            name=element.name,
            dataStoreRef=element.data_store_ref,
            itemSubjectRef=element.item_subject_ref,
        )
    else:  # pragma: no cover - FlowNode subclasses are all handled above
        raise TypeError(f"cannot write {type(element).__name__}")


def write_artifact(w: Writer, parent: etree._Element, artifact: Artifact) -> None:
    if isinstance(artifact, TextAnnotation):
        el = _simple(w, parent, artifact, "textAnnotation", textFormat=artifact.text_format)
        if artifact.text is not None:
            w.text_child(el, "text", artifact.text)
    elif isinstance(artifact, Association):
        _simple(
            w,
            parent,
            artifact,
            "association",
            sourceRef=artifact.source_ref,
            targetRef=artifact.target_ref,
            associationDirection=artifact.association_direction,
        )
    elif isinstance(artifact, Group):
        _simple(w, parent, artifact, "group", categoryValueRef=artifact.category_value_ref)


def write_lane_set(w: Writer, parent: etree._Element, lane_set: LaneSet, local: str = "laneSet") -> None:
    el = _simple(w, parent, lane_set, local, name=lane_set.name)
    for lane in lane_set.lanes:
        lane_el = _simple(w, el, lane, "lane", name=lane.name, partitionElementRef=lane.partition_element_ref)
        w.refs(lane_el, "flowNodeRef", lane.flow_node_refs)
        if lane.child_lane_set is not None:
            write_lane_set(w, lane_el, lane.child_lane_set, "childLaneSet")


def write_container(
    w: Writer,
    el: etree._Element,
    lane_sets: tuple[LaneSet, ...],
    elements: tuple[FlowElement, ...],
    artifacts: tuple[Artifact, ...],
) -> None:
    for lane_set in lane_sets:
        write_lane_set(w, el, lane_set)
    for element in elements:
        _flow_element(w, el, element)
    for artifact in artifacts:
        write_artifact(w, el, artifact)
