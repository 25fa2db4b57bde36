"""Runtime service errors.

    CivicFlowError
    └── RuntimeServiceError            base of every civicflow.runtime error
        ├── DeploymentError            files that cannot be deployed; carries ``file`` and ``diagnostics``
        ├── NotFoundError              an unknown definition, instance, task or incident; ``kind``, ``key``
        ├── CommandRefusedError        the engine refused the command in the instance's state;
        │                              carries ``instance_id`` and ``command``
        ├── ConcurrencyError           the optimistic lock kept failing after the bounded retries;
        │                              carries ``instance_id``
        ├── MessageNotCorrelatedError  no subscription (and no time to live): ``name``, ``correlation_key``
        ├── TaskOwnershipError         a task claimed by someone else; ``task_id``, ``assignee``
        └── MigrationRefusedError      an unsafe migration mapping; ``reasons`` lists every problem

Every context field is keyword-only; the REST API maps these to RFC 9457 problem documents.
"""

from __future__ import annotations

from collections.abc import Sequence

from civicflow.errors import CivicFlowError

__all__ = [
    "CommandRefusedError",
    "ConcurrencyError",
    "DeploymentError",
    "MessageNotCorrelatedError",
    "MigrationRefusedError",
    "NotFoundError",
    "RuntimeServiceError",
    "TaskOwnershipError",
]


class RuntimeServiceError(CivicFlowError):
    """Base of every runtime error."""


class DeploymentError(RuntimeServiceError):
    """A file of a deployment cannot be read, validated or compiled; nothing was stored."""

    def __init__(self, message: str, *, file: str | None = None, diagnostics: Sequence[str] = ()) -> None:
        self.file = file
        self.diagnostics = tuple(diagnostics)
        text = f"{file}: {message}" if file else message
        if self.diagnostics:
            text = f"{text}: " + "; ".join(self.diagnostics)
        super().__init__(text)


class NotFoundError(RuntimeServiceError):
    """Nothing of ``kind`` is known under ``key``."""

    def __init__(self, message: str, *, kind: str, key: object) -> None:
        self.kind = kind
        self.key = key
        super().__init__(message)


class CommandRefusedError(RuntimeServiceError):
    """The engine refused a command in the instance's current state."""

    def __init__(self, message: str, *, instance_id: str | None = None, command: str | None = None) -> None:
        self.instance_id = instance_id
        self.command = command
        super().__init__(message)


class ConcurrencyError(RuntimeServiceError):
    """The instance kept changing under the command; the bounded retries ran out."""

    def __init__(self, message: str, *, instance_id: str) -> None:
        self.instance_id = instance_id
        super().__init__(message)


class MessageNotCorrelatedError(RuntimeServiceError):
    """No subscription waits for the message, and it had no time to live to wait for one."""

    def __init__(self, message: str, *, name: str, correlation_key: str | None) -> None:
        self.name = name
        self.correlation_key = correlation_key
        super().__init__(message)


class TaskOwnershipError(RuntimeServiceError):
    """The task is claimed by someone else."""

    def __init__(self, message: str, *, task_id: int, assignee: str | None) -> None:
        self.task_id = task_id
        self.assignee = assignee
        super().__init__(message)


class MigrationRefusedError(RuntimeServiceError):
    """A migration mapping is unsafe; ``reasons`` lists every problem found."""

    def __init__(self, message: str, *, reasons: Sequence[str]) -> None:
        self.reasons = tuple(reasons)
        super().__init__(f"{message}: " + "; ".join(self.reasons) if self.reasons else message)
