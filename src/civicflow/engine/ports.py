"""Ports: what the engine needs from outside (time, ids, expressions, decisions) and simple fakes."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

__all__ = [
    "Clock",
    "CompiledExpression",
    "DecisionEvaluator",
    "DecisionOutcome",
    "ExpressionEvaluator",
    "IdGenerator",
    "NoDecisions",
    "SequentialIds",
    "VirtualClock",
]


class Clock(Protocol):
    """Source of the current instant (aware datetime)."""

    def now(self) -> datetime: ...


class IdGenerator(Protocol):
    """Source of instance ids."""

    def new_id(self) -> str: ...


class CompiledExpression(Protocol):
    """An expression compiled once per deployment.

    Calling it evaluates against ``variables``; it raises
    :class:`~civicflow.engine.errors.ExpressionError` when the value cannot be computed.
    """

    @property
    def text(self) -> str: ...

    def __call__(self, variables: Mapping[str, Any]) -> Any: ...


class ExpressionEvaluator(Protocol):
    """Compiles expression texts (FEEL without the leading ``=``)."""

    def compile(self, text: str) -> CompiledExpression:
        """Compile ``text``; raise :class:`~civicflow.engine.errors.ExpressionError` on a syntax error."""
        ...


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionOutcome:
    """A decision's result and what the history may keep of how it was reached.

    ``decision`` is the id of the decision evaluated (a task may name it by its name), ``version``
    its deployed version if any, and ``explanation`` the evaluation's references without values
    (:func:`civicflow.dmn.explanation_references`): the engine copies it into ``DecisionEvaluated``.
    """

    value: Any
    decision: str
    version: int | None = None
    explanation: list[Any] | None = None


class DecisionEvaluator(Protocol):
    """Evaluates a DMN decision for a business rule task."""

    def evaluate(self, decision_id: str, variables: Mapping[str, Any]) -> DecisionOutcome:
        """Return the decision's outcome; raise ExpressionError when it cannot be evaluated."""
        ...


@dataclass(slots=True)
class VirtualClock:
    """A clock that moves only when told to."""

    current: datetime

    def now(self) -> datetime:
        return self.current

    def advance(self, delta: timedelta) -> None:
        self.current = self.current + delta

    def set(self, instant: datetime) -> None:
        self.current = instant


@dataclass(slots=True)
class SequentialIds:
    """Deterministic ids ``prefix-1``, ``prefix-2`` ..."""

    prefix: str = "instance"
    counter: int = 0

    def new_id(self) -> str:
        self.counter += 1
        return f"{self.prefix}-{self.counter}"


@dataclass(frozen=True, slots=True)
class NoDecisions:
    """The decision port when no DMN models are deployed: every evaluation fails."""

    reason: str = "no DMN decisions are deployed"

    def evaluate(self, decision_id: str, variables: Mapping[str, Any]) -> DecisionOutcome:
        from civicflow.engine.errors import ExpressionError

        raise ExpressionError(f"decision {decision_id!r} cannot be evaluated: {self.reason}")
