"""Events, event definitions and gateways."""

from __future__ import annotations

from typing import Any, TypeVar

from lxml import etree

from civicflow.bpmn.model import (
    BaseElement,
    BoundaryEvent,
    CancelEventDefinition,
    CompensateEventDefinition,
    ComplexGateway,
    ConditionalEventDefinition,
    EndEvent,
    ErrorEventDefinition,
    EscalationEventDefinition,
    EventBasedGateway,
    EventBasedGatewayType,
    EventDefinition,
    ExclusiveGateway,
    GatewayDirection,
    InclusiveGateway,
    IntermediateCatchEvent,
    IntermediateThrowEvent,
    LinkEventDefinition,
    MessageEventDefinition,
    ParallelGateway,
    SignalEventDefinition,
    StartEvent,
    TerminateEventDefinition,
    TimerEventDefinition,
)
from civicflow.bpmn.namespaces import BPMN
from civicflow.bpmn.reader._base import Context, ElementReader
from civicflow.bpmn.reader._extensions import read_extensions

__all__ = ["NODE_READERS", "finish", "flow_node_fields"]

T = TypeVar("T", bound=BaseElement)


def finish(r: ElementReader, cls: type[T], **fields: Any) -> T:
    """Build ``cls`` from the typed ``fields`` plus extensions and the kept remainder."""
    ext, unknown = read_extensions(r)
    return cls(**fields, **r.common(ext, unknown))


def flow_node_fields(r: ElementReader) -> dict[str, Any]:
    r.require_id()
    return {"name": r.attr("name"), "incoming": r.child_refs("incoming"), "outgoing": r.child_refs("outgoing")}


def _definition(ctx: Context, el: etree._Element) -> EventDefinition | None:
    r = ElementReader(ctx, el)
    local = r.local_name
    if local == "messageEventDefinition":
        return finish(r, MessageEventDefinition, message_ref=r.ref("messageRef"), operation_ref=r.ref("operationRef"))
    if local == "timerEventDefinition":
        return finish(
            r,
            TimerEventDefinition,
            time_date=r.expression_child("timeDate"),
            time_duration=r.expression_child("timeDuration"),
            time_cycle=r.expression_child("timeCycle"),
        )
    if local == "signalEventDefinition":
        return finish(r, SignalEventDefinition, signal_ref=r.ref("signalRef"))
    if local == "conditionalEventDefinition":
        return finish(r, ConditionalEventDefinition, condition=r.expression_child("condition"))
    if local == "errorEventDefinition":
        return finish(r, ErrorEventDefinition, error_ref=r.ref("errorRef"))
    if local == "escalationEventDefinition":
        return finish(r, EscalationEventDefinition, escalation_ref=r.ref("escalationRef"))
    if local == "terminateEventDefinition":
        return finish(r, TerminateEventDefinition)
    if local == "linkEventDefinition":
        return finish(
            r,
            LinkEventDefinition,
            name=r.attr("name"),
            sources=r.child_refs("source"),
            target=(r.child_refs("target") or (None,))[0],
        )
    if local == "compensateEventDefinition":
        return finish(
            r,
            CompensateEventDefinition,
            activity_ref=r.ref("activityRef"),
            wait_for_completion=r.opt_bool("waitForCompletion"),
        )
    if local == "cancelEventDefinition":
        return finish(r, CancelEventDefinition)
    return None


def _event_fields(r: ElementReader) -> dict[str, Any]:
    fields = flow_node_fields(r)
    definitions = []
    for child in r.el:
        if isinstance(child.tag, str) and etree.QName(child).namespace == BPMN:
            definition = _definition(r.ctx, child)
            if definition is not None:
                r.mark(child)
                definitions.append(definition)
    fields["event_definitions"] = tuple(definitions)
    return fields


def read_start_event(ctx: Context, el: etree._Element) -> StartEvent:
    r = ElementReader(ctx, el)
    return finish(
        r,
        StartEvent,
        **_event_fields(r),
        is_interrupting=r.bool_attr("isInterrupting", default=True),
        parallel_multiple=r.bool_attr("parallelMultiple", default=False),
    )


def read_end_event(ctx: Context, el: etree._Element) -> EndEvent:
    r = ElementReader(ctx, el)
    return finish(r, EndEvent, **_event_fields(r))


def read_catch_event(ctx: Context, el: etree._Element) -> IntermediateCatchEvent:
    r = ElementReader(ctx, el)
    return finish(
        r, IntermediateCatchEvent, **_event_fields(r), parallel_multiple=r.bool_attr("parallelMultiple", default=False)
    )


def read_throw_event(ctx: Context, el: etree._Element) -> IntermediateThrowEvent:
    r = ElementReader(ctx, el)
    return finish(r, IntermediateThrowEvent, **_event_fields(r))


def read_boundary_event(ctx: Context, el: etree._Element) -> BoundaryEvent:
    r = ElementReader(ctx, el)
    return finish(
        r,
        BoundaryEvent,
        **_event_fields(r),
        attached_to_ref=r.ref("attachedToRef") or "",
        cancel_activity=r.bool_attr("cancelActivity", default=True),
        parallel_multiple=r.bool_attr("parallelMultiple", default=False),
    )


def _direction(r: ElementReader) -> GatewayDirection | None:
    value = r.attr("gatewayDirection")
    if value is None:
        return None
    try:
        return GatewayDirection(value)
    except ValueError:
        raise r.ctx.error(f"unknown gatewayDirection {value!r}", r.el, r.el.get("id")) from None


def read_exclusive(ctx: Context, el: etree._Element) -> ExclusiveGateway:
    r = ElementReader(ctx, el)
    return finish(r, ExclusiveGateway, **flow_node_fields(r), direction=_direction(r), default=r.ref("default"))


def read_inclusive(ctx: Context, el: etree._Element) -> InclusiveGateway:
    r = ElementReader(ctx, el)
    return finish(r, InclusiveGateway, **flow_node_fields(r), direction=_direction(r), default=r.ref("default"))


def read_parallel(ctx: Context, el: etree._Element) -> ParallelGateway:
    r = ElementReader(ctx, el)
    return finish(r, ParallelGateway, **flow_node_fields(r), direction=_direction(r))


def read_complex(ctx: Context, el: etree._Element) -> ComplexGateway:
    r = ElementReader(ctx, el)
    return finish(
        r,
        ComplexGateway,
        **flow_node_fields(r),
        direction=_direction(r),
        default=r.ref("default"),
        activation_condition=r.expression_child("activationCondition"),
    )


def read_event_based(ctx: Context, el: etree._Element) -> EventBasedGateway:
    r = ElementReader(ctx, el)
    kind = r.attr("eventGatewayType") or "Exclusive"
    try:
        gateway_type = EventBasedGatewayType(kind)
    except ValueError:
        raise ctx.error(f"unknown eventGatewayType {kind!r}", el, el.get("id")) from None
    return finish(
        r,
        EventBasedGateway,
        **flow_node_fields(r),
        direction=_direction(r),
        instantiate=r.bool_attr("instantiate", default=False),
        event_gateway_type=gateway_type,
    )


NODE_READERS = {
    "startEvent": read_start_event,
    "endEvent": read_end_event,
    "intermediateCatchEvent": read_catch_event,
    "intermediateThrowEvent": read_throw_event,
    "boundaryEvent": read_boundary_event,
    "exclusiveGateway": read_exclusive,
    "inclusiveGateway": read_inclusive,
    "parallelGateway": read_parallel,
    "complexGateway": read_complex,
    "eventBasedGateway": read_event_based,
}
