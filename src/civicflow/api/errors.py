"""Errors raised by the REST API itself (the runtime, DMN, BPMN and FEEL bring their own).

    CivicFlowError
    └── ApiError                    base of every civicflow.api error
        ├── LockLostError           an external task's lock is held by another worker (409)
        ├── LockExpiredError        an external task's lock expired before the call (410)
        └── RequestTooLargeError    a request body over the configured limit (413)

:mod:`civicflow.api.problems` maps these, and every other error, to RFC 9457 problem documents.
"""

from __future__ import annotations

from civicflow.errors import CivicFlowError

__all__ = ["ApiError", "LockExpiredError", "LockLostError", "RequestTooLargeError"]


class ApiError(CivicFlowError):
    """Base of the API's own errors."""


class LockLostError(ApiError):
    """Another worker holds the lock of the external task."""

    def __init__(self, message: str, *, task_id: int, worker_id: str) -> None:
        self.task_id = task_id
        self.worker_id = worker_id
        super().__init__(message)


class LockExpiredError(ApiError):
    """The worker's lock on the external task ran out; another worker may fetch it now."""

    def __init__(self, message: str, *, task_id: int, worker_id: str) -> None:
        self.task_id = task_id
        self.worker_id = worker_id
        super().__init__(message)


class RequestTooLargeError(ApiError):
    """The request body is larger than ``CIVICFLOW_API_MAX_BODY_BYTES``."""

    def __init__(self, message: str, *, size: int, limit: int) -> None:
        self.size = size
        self.limit = limit
        super().__init__(message)
