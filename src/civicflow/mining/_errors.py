"""Errors of the process-mining core.

    CivicFlowError
    └── EventLogError        (a log cannot be read, written or mapped)

Context is keyword-only so that messages name the place: file, line, column (an XML column or a
table column name) and, for tables, the row.
"""

from __future__ import annotations

from civicflow.errors import CivicFlowError

__all__ = ["EventLogError"]


class EventLogError(CivicFlowError):
    """An event log is malformed, truncated or does not match the given mapping."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | str | None = None,
        row: int | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.column = column
        self.row = row
        super().__init__(self._render())

    def _render(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message
