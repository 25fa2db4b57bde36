"""What the compiler's parts share: the deployment's tables, the nodes so far, the problems found."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from civicflow.bpmn import model as m
from civicflow.bpmn.expressions import Expression
from civicflow.engine.errors import ExpressionError
from civicflow.engine.graph import Node
from civicflow.engine.ports import CompiledExpression, ExpressionEvaluator

__all__ = ["CompileContext", "Constant"]


@dataclass(frozen=True, slots=True)
class Constant:
    """A static value standing where an expression may be (Zeebe values without ``=``)."""

    text: str
    value: Any

    def __call__(self, variables: Mapping[str, Any]) -> Any:
        return self.value


class CompileContext:
    """One compilation: the nodes compiled so far and what cannot run (``problems``, by owner)."""

    __slots__ = ("errors", "escalations", "evaluator", "handlers", "messages", "nodes", "problems", "signals")

    def __init__(self, definitions: Iterable[m.Definitions], evaluator: ExpressionEvaluator) -> None:
        self.evaluator = evaluator
        self.nodes: dict[str, Node] = {}
        self.problems: dict[str, str] = {}
        self.messages: dict[str, m.Message] = {}
        self.errors: dict[str, str] = {}
        self.escalations: dict[str, str] = {}
        self.signals: dict[str, str] = {}
        self.handlers: dict[str, str] = {}  # compensation boundary event -> handler activity
        for d in definitions:
            for msg in d.messages:
                self.messages[msg.id] = msg
            self.errors.update({e.id: e.error_code or e.name or e.id for e in d.errors})
            self.escalations.update({e.id: e.escalation_code or e.name or e.id for e in d.escalations})
            self.signals.update({s.id: s.name or s.id for s in d.signals})

    def expr(self, owner: str, expression: Expression | None, *, static: bool = False) -> CompiledExpression | None:
        """Compile an expression; ``static`` allows a Zeebe literal (no leading ``=``)."""
        if expression is None:
            return None
        if static and expression.is_static and not expression.is_juel:
            return Constant(expression.raw, expression.raw.strip())
        text = expression.feel
        if text is None:
            self.problems.setdefault(owner, f"expression {expression.raw!r} is not FEEL")
            return None
        return self.text(owner, text)

    def text(self, owner: str, text: str) -> CompiledExpression | None:
        try:
            return self.evaluator.compile(text)
        except ExpressionError as exc:
            self.problems.setdefault(owner, str(exc))
            return None
