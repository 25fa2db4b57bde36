"""FEEL errors.

CivicFlowError
└── FeelError
    ├── FeelSyntaxError      the text is not FEEL; carries the position
    ├── FeelLimitExceeded    a configured bound was hit (length, depth, size, steps)
    └── FeelEvalError        raised inside built-ins only; never escapes an evaluation:
                             it becomes null plus a warning (STYLE.md 6)
"""

from __future__ import annotations

from civicflow.errors import CivicFlowError

__all__ = ["FeelError", "FeelEvalError", "FeelLimitExceeded", "FeelSyntaxError"]


class FeelError(CivicFlowError):
    """Base of every FEEL error."""


class FeelSyntaxError(FeelError):
    """The expression text is not valid FEEL."""

    def __init__(self, message: str, *, expression: str, position: int, line: int = 1, column: int = 0) -> None:
        self.message = message
        self.expression = expression
        self.position = position
        self.line = line
        self.column = column if column else position + 1
        super().__init__(f"{message} at line {self.line}, column {self.column}")


class FeelLimitExceeded(FeelError):  # noqa: N818 - named after what happened, like the spec's wording
    """A configured evaluation or compilation limit was reached."""

    def __init__(self, message: str, *, limit: str) -> None:
        self.limit = limit
        super().__init__(message)


class FeelEvalError(FeelError):
    """A semantic error inside a built-in: the call yields null plus a warning."""
