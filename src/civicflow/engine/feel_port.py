"""The expression port implemented with civicflow.feel (the only expression language)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from civicflow.engine.errors import ExpressionError
from civicflow.engine.ports import Clock
from civicflow.feel import Evaluation, FeelError

__all__ = ["FeelEvaluator", "FeelExpression"]


class FeelExpression:
    """A compiled FEEL expression; calling it evaluates, raising ExpressionError on null-with-warning."""

    __slots__ = ("_clock", "_fn", "_limits", "_local", "text")

    def __init__(self, text: str, fn: Any, limits: Any, clock: Clock | None, local: threading.local) -> None:
        self.text = text
        self._fn = fn
        self._limits = limits
        self._clock = clock
        self._local = local

    def __call__(self, variables: Mapping[str, Any]) -> Any:
        # One Evaluation per thread, reset for each call: creating one costs as much as a
        # small expression's evaluation.
        ev = getattr(self._local, "ev", None)
        if ev is None or ev.limits is not self._limits:
            ev = self._local.ev = Evaluation(limits=self._limits, clock=self._clock)
        else:
            ev.steps = 0
            if ev.warnings:
                ev.warnings = []
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
    _local: threading.local = field(default_factory=threading.local, repr=False, compare=False)

    def compile(self, text: str) -> FeelExpression:
        from civicflow.feel import compile as feel_compile

        try:
            compiled = feel_compile(text)
        except FeelError as exc:
            raise ExpressionError(f"FEEL syntax error: {exc}", expression=text) from exc
        return FeelExpression(text, compiled.fn, compiled.limits, self.clock, self._local)
