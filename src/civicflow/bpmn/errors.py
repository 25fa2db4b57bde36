"""BPMN errors.

    CivicFlowError
    └── BpmnError                base of every BPMN error (civicflow.bpmn, civicflow.engine)
        ├── BpmnParseError       the file is not readable BPMN 2.0 XML, or it is refused
        │                        (DTD/entities, over the size limit, missing ids);
        │                        carries ``file``, ``line`` and ``element_id``
        └── TimerFormatError     an ISO 8601 timer date, duration or cycle does not parse
                                 (also a ValueError); carries ``text``

Validation problems are not exceptions: the validator returns ``Diagnostic`` values.
"""

from __future__ import annotations

from civicflow.errors import CivicFlowError

__all__ = ["BpmnError", "BpmnParseError", "TimerFormatError"]


class BpmnError(CivicFlowError):
    """Base of every BPMN error."""


class BpmnParseError(BpmnError):
    """The input cannot be read as a BPMN 2.0 model."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        element_id: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.element_id = element_id
        where = file or "<bytes>"
        if line is not None:
            where = f"{where}:{line}"
        subject = f" (element {element_id})" if element_id else ""
        super().__init__(f"{where}: {message}{subject}")


class TimerFormatError(BpmnError, ValueError):
    """A timer value is not an ISO 8601 date-time, duration or repeating interval."""

    def __init__(self, message: str, *, text: str) -> None:
        self.text = text
        super().__init__(f"{message}: {text!r}")
