"""DMN errors.

CivicFlowError
└── DmnError
    ├── DmnParseError        the file is not a readable, safe DMN document (malformed XML, DTDs,
    │                        entities, unknown namespace, too large, broken references)
    ├── DmnUnknownDecision   no decision, BKM or decision service has the given name or id
    ├── DmnInputError        the inputs are not a mapping of names to values
    └── DmnImportError       an imported model (by namespace) was not supplied

Semantic problems met while evaluating (a FEEL type mismatch, no rule matched a UNIQUE table,
a value outside the allowed values) never raise: they yield null plus a warning.
"""

from __future__ import annotations

from civicflow.errors import CivicFlowError

__all__ = ["DmnError", "DmnImportError", "DmnInputError", "DmnParseError", "DmnUnknownDecision"]


class DmnError(CivicFlowError):
    """Base of every DMN error."""


class DmnParseError(DmnError):
    """The document cannot be read as a DMN model."""

    def __init__(self, message: str, *, source: str | None = None, element_id: str | None = None) -> None:
        self.message = message
        self.source = source
        self.element_id = element_id
        where = f"{source}: " if source else ""
        what = f" (element {element_id})" if element_id else ""
        super().__init__(f"{where}{message}{what}")


class DmnUnknownDecision(DmnError):  # noqa: N818 - named after the situation, like DmnParseError's siblings
    """No invocable element has the requested name or id."""

    def __init__(self, name: str, *, model: str, available: tuple[str, ...] = ()) -> None:
        self.name = name
        self.model = model
        self.available = available
        hint = f"; available: {', '.join(available[:10])}" if available else ""
        more = ", ..." if len(available) > 10 else ""
        super().__init__(f"model {model!r} has no decision, BKM or decision service {name!r}{hint}{more}")


class DmnInputError(DmnError):
    """The supplied inputs cannot be used (not a mapping, bad key)."""

    def __init__(self, message: str, *, name: str | None = None) -> None:
        self.name = name
        super().__init__(message)


class DmnImportError(DmnError):
    """A model imports a namespace that was not supplied."""

    def __init__(self, message: str, *, namespace: str) -> None:
        self.namespace = namespace
        super().__init__(message)
