"""Engine errors.

    CivicFlowError
    └── BpmnError                      (civicflow.bpmn)
        └── EngineError                base of every civicflow.engine error
            ├── ModelNotExecutableError     the model cannot be compiled into an execution graph;
            │                          carries ``element_id``
            ├── CommandRejectedError        a command does not fit the instance state (unknown task,
            │                          finished instance ...); carries ``command``
            ├── ExpressionError       an expression could not be evaluated (caught by the engine
            │                          and turned into an incident); carries ``expression``
            ├── StateFormatError       serialized state that cannot be restored
            └── ScenarioError          a process-test scenario file that cannot be read or run;
                                       carries ``file``

Problems met while running (an unhandled error event, a failed expression, an exhausted step
budget, a job without retries) are not exceptions: they become ``IncidentRaised`` events and the
instance waits for someone to resolve them.
"""

from __future__ import annotations

from civicflow.bpmn.errors import BpmnError

__all__ = [
    "CommandRejectedError",
    "EngineError",
    "ExpressionError",
    "ModelNotExecutableError",
    "ScenarioError",
    "StateFormatError",
]


class EngineError(BpmnError):
    """Base of every engine error."""


class ModelNotExecutableError(EngineError):
    """The model cannot be compiled into an execution graph."""

    def __init__(self, message: str, *, element_id: str | None = None) -> None:
        self.element_id = element_id
        super().__init__(f"{message} (element {element_id})" if element_id else message)


class CommandRejectedError(EngineError):
    """The command does not apply to the instance in its current state."""

    def __init__(self, message: str, *, command: str | None = None) -> None:
        self.command = command
        super().__init__(message)


class ExpressionError(EngineError):
    """An expression could not be evaluated."""

    def __init__(self, message: str, *, expression: str | None = None) -> None:
        self.expression = expression
        super().__init__(f"{message} in expression {expression!r}" if expression else message)


class StateFormatError(EngineError):
    """Serialized instance state that cannot be restored."""


class ScenarioError(EngineError):
    """A scenario file that cannot be read or run."""

    def __init__(self, message: str, *, file: str | None = None) -> None:
        self.file = file
        super().__init__(f"{file}: {message}" if file else message)
