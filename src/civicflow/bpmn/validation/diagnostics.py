"""Diagnostics and the table of stable codes (documented in docs/bpmn-elements.md)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CODES", "Diagnostic", "Severity"]


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


# code -> (severity, short title). Codes are stable: never renumber, only add.
CODES: dict[str, tuple[Severity, str]] = {
    "BPMN001": (Severity.ERROR, "duplicate id"),
    "BPMN002": (Severity.ERROR, "sequence flow refers to a missing element or crosses a scope"),
    "BPMN003": (Severity.ERROR, "boundary event attached to a missing element or a non-activity"),
    "BPMN004": (Severity.ERROR, "executable process without a start event"),
    "BPMN005": (Severity.WARNING, "element unreachable from any start"),
    "BPMN006": (Severity.ERROR, "gateway flow without a condition that is not the default"),
    "BPMN007": (Severity.ERROR, "default flow is not an outgoing flow of the element"),
    "BPMN008": (Severity.ERROR, "call activity without a called element"),
    "BPMN009": (Severity.ERROR, "business rule task without a decision or implementation"),
    "BPMN010": (Severity.WARNING, "service or send task without a type or implementation"),
    "BPMN011": (Severity.ERROR, "FEEL syntax error"),
    "BPMN012": (Severity.ERROR, "timer value does not parse"),
    "BPMN013": (Severity.ERROR, "link throw event without a matching catch"),
    "BPMN014": (Severity.ERROR, "event-based gateway followed by something other than a catch event or receive task"),
    "BPMN015": (Severity.ERROR, "message reference unresolved"),
    "BPMN016": (Severity.ERROR, "signal reference unresolved"),
    "BPMN017": (Severity.WARNING, "error reference unresolved (Flowable reads it as the error code)"),
    "BPMN018": (Severity.WARNING, "escalation reference unresolved (read as the escalation code)"),
    "BPMN019": (Severity.ERROR, "message flow refers to a missing element"),
    "BPMN020": (Severity.WARNING, "expression is not FEEL (JUEL or another language); it will not be evaluated"),
    "BPMN021": (Severity.WARNING, "script is not FEEL; it will not be run"),
    "BPMN022": (Severity.ERROR, "boundary event without an event definition"),
    "BPMN023": (Severity.ERROR, "conditional event without a condition"),
    "BPMN024": (Severity.ERROR, "link catch event name is not unique in its scope"),
    "BPMN025": (Severity.WARNING, "participant refers to a missing process"),
    "BPMN026": (Severity.WARNING, "FEEL check skipped: civicflow.feel.compile is not available"),
    "BPMN027": (Severity.ERROR, "compensation association refers to a missing handler or one not for compensation"),
    "BPMN028": (Severity.WARNING, "diagram element refers to a missing model element"),
    "BPMN100": (Severity.WARNING, "unknown Camunda/Zeebe extension kept but ignored"),
    "BPMN101": (Severity.WARNING, "vendor extensions kept but ignored"),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Diagnostic:
    """One finding: a stable ``code``, its severity, where, and a message for people."""

    code: str
    severity: Severity
    message: str
    element_id: str | None = None
    line: int | None = None

    def to_json(self) -> dict[str, str | int | None]:
        return {
            "code": self.code,
            "severity": self.severity.value,
            "element_id": self.element_id,
            "line": self.line,
            "message": self.message,
        }
