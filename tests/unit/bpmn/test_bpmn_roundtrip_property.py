"""Property: any small generated model -> XML -> model gives an equal model."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicflow.bpmn import Expression, load, write
from civicflow.bpmn.model import (
    Assignment,
    BoundaryEvent,
    Bounds,
    CallActivity,
    CalledElement,
    Definitions,
    Diagram,
    DiagramEdge,
    DiagramShape,
    Dialect,
    EndEvent,
    ErrorEventDefinition,
    EventBasedGateway,
    EventBasedGatewayType,
    ExclusiveGateway,
    Extensions,
    FlowNode,
    InclusiveGateway,
    IoMapping,
    IoParameter,
    Message,
    MessageEventDefinition,
    MultiInstanceLoopCharacteristics,
    ParallelGateway,
    Plane,
    Point,
    Process,
    SequenceFlow,
    ServiceTask,
    StartEvent,
    SubProcess,
    TaskDefinition,
    TimerEventDefinition,
    UserTask,
    XmlNode,
)

IDS = st.from_regex(r"[A-Za-z_][A-Za-z0-9_.-]{0,8}", fullmatch=True)
# Control characters are not allowed in XML 1.0; everything else must survive.
TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=12)
NAMES = st.none() | TEXT
EXPR = st.builds(Expression, raw=TEXT, language=st.none() | st.sampled_from(["feel", "javascript"]))
NUMBERS = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 3))


def _zeebe_ext() -> st.SearchStrategy[Extensions]:
    return st.builds(
        Extensions,
        task_definition=st.none()
        | st.builds(
            TaskDefinition, dialect=st.just(Dialect.ZEEBE), type=st.none() | EXPR.map(_plain), retries=st.none()
        ),
        io_mapping=st.none()
        | st.builds(
            IoMapping,
            dialect=st.just(Dialect.ZEEBE),
            inputs=st.lists(st.builds(IoParameter, target=IDS, source=st.none() | EXPR.map(_plain)), max_size=2).map(
                tuple
            ),
        ),
    )


def _camunda_ext() -> st.SearchStrategy[Extensions]:
    assignment = st.builds(
        Assignment,
        dialect=st.just(Dialect.CAMUNDA),
        assignee=EXPR.map(_plain),
        candidate_groups=st.none() | EXPR.map(_plain),
    )
    # The reader records which Camunda 7 namespace the attributes came from.
    return st.builds(Extensions, assignment=assignment, c7_dialect=st.just(Dialect.CAMUNDA))


def _plain(expression: Expression) -> Expression:
    """Extension attributes carry no language."""
    return Expression(raw=expression.raw)


EXTENSIONS = st.just(Extensions()) | _zeebe_ext() | _camunda_ext()


def _node_kwargs(draw: st.DrawFn, node_id: str) -> dict[str, Any]:
    return {
        "id": node_id,
        "name": draw(NAMES),
        "documentation": tuple(draw(st.lists(TEXT, max_size=1))),
        "ext": draw(EXTENSIONS),
        "outgoing": tuple(draw(st.lists(IDS, max_size=2))),
    }


@st.composite
def flow_nodes(draw: st.DrawFn, node_id: str, depth: int = 0) -> FlowNode:
    kinds = ["start", "end", "xor", "or", "and", "event", "user", "service", "call", "boundary"]
    if depth == 0:
        kinds.append("sub")
    kind = draw(st.sampled_from(kinds))
    kw = _node_kwargs(draw, node_id)
    if kind == "start":
        timer = st.builds(TimerEventDefinition, time_duration=st.none() | EXPR)
        message = st.builds(MessageEventDefinition, message_ref=st.none() | IDS)
        defs = tuple(draw(st.lists(timer | message, max_size=1)))
        return StartEvent(**kw, event_definitions=defs, is_interrupting=draw(st.booleans()))
    if kind == "end":
        error = st.builds(ErrorEventDefinition, error_ref=st.none() | IDS)
        return EndEvent(**kw, event_definitions=tuple(draw(st.lists(error, max_size=1))))
    if kind == "xor":
        return ExclusiveGateway(**kw, default=draw(st.none() | IDS))
    if kind == "or":
        return InclusiveGateway(**kw, default=draw(st.none() | IDS))
    if kind == "and":
        return ParallelGateway(**kw)
    if kind == "event":
        return EventBasedGateway(
            **kw, instantiate=draw(st.booleans()), event_gateway_type=draw(st.sampled_from(EventBasedGatewayType))
        )
    if kind == "user":
        loop = st.builds(
            MultiInstanceLoopCharacteristics,
            is_sequential=st.booleans(),
            loop_cardinality=st.none() | EXPR,
            completion_condition=st.none() | EXPR,
        )
        return UserTask(**kw, loop_characteristics=draw(st.none() | loop))
    if kind == "service":
        vendor = st.builds(
            XmlNode,
            tag=st.just("{urn:vendor}meta"),
            attributes=st.lists(st.tuples(st.just("level"), TEXT), max_size=1).map(tuple),
        )
        return ServiceTask(**kw, extension_elements=tuple(draw(st.lists(vendor, max_size=1))))
    if kind == "call":
        called = st.builds(CalledElement, dialect=st.just(Dialect.ZEEBE), process_id=EXPR.map(_plain))
        kw["ext"] = Extensions(called_element=draw(called))
        return CallActivity(**kw, called_element=draw(st.none() | IDS))
    if kind == "boundary":
        timer = st.builds(TimerEventDefinition, time_cycle=EXPR)
        return BoundaryEvent(
            **kw, attached_to_ref=draw(IDS), cancel_activity=draw(st.booleans()), event_definitions=(draw(timer),)
        )
    ids = draw(st.lists(IDS, min_size=1, max_size=3, unique=True).map(lambda xs: [f"{node_id}_{x}" for x in xs]))
    inner = tuple(draw(flow_nodes(i, depth + 1)) for i in ids)
    return SubProcess(**kw, triggered_by_event=draw(st.booleans()), flow_elements=inner)


@st.composite
def definitions(draw: st.DrawFn) -> Definitions:
    ids = draw(st.lists(IDS, min_size=1, max_size=6, unique=True))
    nodes = [draw(flow_nodes(f"n_{i}")) for i in ids]
    flows = [
        SequenceFlow(
            id=f"f_{k}",
            name=draw(NAMES),
            source_ref=draw(st.sampled_from(nodes)).id,
            target_ref=draw(st.sampled_from(nodes)).id,
            condition_expression=draw(st.none() | EXPR),
        )
        for k in range(draw(st.integers(0, 3)))
    ]
    shapes = tuple(
        DiagramShape(
            id=f"{n.id}_di",
            element_ref=n.id,
            bounds=Bounds(x=draw(NUMBERS), y=draw(NUMBERS), width=36.0, height=36.0),
            is_expanded=draw(st.none() | st.booleans()),
        )
        for n in nodes
    )
    edges = tuple(
        DiagramEdge(
            id=f"{f.id}_di",
            element_ref=f.id,
            waypoints=tuple(Point(x=draw(NUMBERS), y=draw(NUMBERS)) for _ in range(2)),
        )
        for f in flows
    )
    process = Process(
        id="process",
        name=draw(NAMES),
        is_executable=draw(st.none() | st.booleans()),
        flow_elements=(*nodes, *flows),
    )
    return Definitions(
        id="defs",
        target_namespace="urn:test",
        messages=tuple(draw(st.lists(st.builds(Message, id=IDS.map(lambda s: f"m_{s}"), name=NAMES), max_size=1))),
        processes=(process,),
        diagrams=(Diagram(id="dia", plane=Plane(id="plane", element_ref="process", shapes=shapes, edges=edges)),),
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(definitions())
def test_generated_models_round_trip(model: Definitions) -> None:
    assert load(write(model)) == model
