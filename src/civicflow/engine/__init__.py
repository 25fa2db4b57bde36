"""civicflow.engine: BPMN execution as command -> events -> state.

    >>> graph = compile_graph(civicflow.bpmn.load("permit.bpmn"), FeelEvaluator())
    >>> state = InstanceState()
    >>> events = execute(graph, state, StartInstance(variables={"area": 40}), Context(clock=clock))

``decide`` returns the events of a command without touching the state; ``execute`` applies
them as it goes; ``replay(events)`` rebuilds a state from its history. State serializes with
``dumps_state`` / ``loads_state``, events with ``encode_event`` / ``decode_event`` (format
``EVENT_FORMAT``), variable values with ``encode_value`` / ``decode_value``.
"""

from civicflow.engine.apply import apply, replay
from civicflow.engine.codec import EVENT_FORMAT, EVENT_TYPES, decode_event, encode_event
from civicflow.engine.commands import (
    BroadcastSignal,
    CancelInstance,
    Command,
    CompleteJob,
    CompleteTask,
    CorrelateMessage,
    FailJob,
    FireTimer,
    ModifyInstance,
    ResolveIncident,
    SetVariables,
    StartInstance,
    ThrowBpmnError,
)
from civicflow.engine.compiler import compile_graph
from civicflow.engine.engine import decide, execute
from civicflow.engine.errors import (
    CommandRejectedError,
    EngineError,
    ExpressionError,
    ModelNotExecutableError,
    ScenarioError,
    StateFormatError,
)
from civicflow.engine.events import Event
from civicflow.engine.feel_port import FeelEvaluator
from civicflow.engine.graph import Graph, Node, NodeKind, Trigger
from civicflow.engine.ports import (
    Clock,
    CompiledExpression,
    DecisionEvaluator,
    DecisionOutcome,
    ExpressionEvaluator,
    IdGenerator,
    NoDecisions,
    SequentialIds,
    VirtualClock,
)
from civicflow.engine.processor import Context
from civicflow.engine.serialize import dumps_state, loads_state
from civicflow.engine.state import InstanceState, InstanceStatus
from civicflow.engine.values import decode_value, encode_value, key_text, plain

__all__ = [
    "EVENT_FORMAT",
    "EVENT_TYPES",
    "BroadcastSignal",
    "CancelInstance",
    "Clock",
    "Command",
    "CommandRejectedError",
    "CompiledExpression",
    "CompleteJob",
    "CompleteTask",
    "Context",
    "CorrelateMessage",
    "DecisionEvaluator",
    "DecisionOutcome",
    "EngineError",
    "Event",
    "ExpressionError",
    "ExpressionEvaluator",
    "FailJob",
    "FeelEvaluator",
    "FireTimer",
    "Graph",
    "IdGenerator",
    "InstanceState",
    "InstanceStatus",
    "ModelNotExecutableError",
    "ModifyInstance",
    "NoDecisions",
    "Node",
    "NodeKind",
    "ResolveIncident",
    "ScenarioError",
    "SequentialIds",
    "SetVariables",
    "StartInstance",
    "StateFormatError",
    "ThrowBpmnError",
    "Trigger",
    "VirtualClock",
    "apply",
    "compile_graph",
    "decide",
    "decode_event",
    "decode_value",
    "dumps_state",
    "encode_event",
    "encode_value",
    "execute",
    "key_text",
    "loads_state",
    "plain",
    "replay",
]
