"""The expression port implemented with civicflow.feel (the only expression language)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from civicflow.engine.errors import ExpressionError
from civicflow.engine.ports import Clock

__all__ = ["FeelEvaluator", "FeelExpression"]


class FeelExpression:
    """A compiled FEEL expression; calling it evaluates, raising ExpressionError on null-with-warning."""

    __slots__ = ("_clock", "_fn", "_limits", "text")

    def __init__(self, text: str, fn: Any, limits: Any, clock: Clock | None) -> None:
        self.text = text
        self._fn = fn
        self._limits = limits
        self._clock = clock

    def __call__(self, variables: Mapping[str, Any]) -> Any:
        from civicflow.feel import Evaluation, FeelError

        ev = Evaluation(limits=self._limits, clock=self._clock)
        try:
            value = self._fn(variables, ev)
        except FeelError as exc:
            raise ExpressionError(str(exc), expression=self.text) from exc
        if value is None and ev.warnings:
            raise ExpressionError(ev.warnings[0].message, expression=self.text)
        return value

    def __repr__(self) -> str:
        return f"FeelExpression({self.text!r})"


@dataclass(frozen=True, slots=True)
class FeelEvaluator:
    """Compiles FEEL texts for the engine; ``clock`` serves FEEL's ``now()`` and ``today()``."""

    clock: Clock | None = None

    def compile(self, text: str) -> FeelExpression:
        from civicflow.feel import FeelError
        from civicflow.feel import compile as feel_compile

        try:
            compiled = feel_compile(text)
        except FeelError as exc:
            raise ExpressionError(f"FEEL syntax error: {exc}", expression=text) from exc
        return FeelExpression(text, compiled.fn, compiled.limits, self.clock)
