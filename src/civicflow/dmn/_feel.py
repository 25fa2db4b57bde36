"""The thin seam between DMN and FEEL: compile texts to closures, once, at model load.

A FEEL syntax error in a model does not stop the model from loading: the expression compiles to
a closure that yields null with a warning, as the TCK expects of invalid expressions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from civicflow import feel
from civicflow.dmn._java import JavaFunction, java_method
from civicflow.feel.errors import FeelSyntaxError
from civicflow.feel.evaluation import Evaluation
from civicflow.feel.types import FeelType

__all__ = ["Closure", "DmnEvaluation", "UnaryTest", "compile_expression", "compile_tests"]

Closure = Callable[[dict[str, Any], Evaluation], Any]
UnaryTest = Callable[[Any, dict[str, Any], Evaluation], "bool | None"]


@dataclass(slots=True)
class DmnEvaluation(Evaluation):
    """FEEL's evaluation state plus what DMN records along the way (the explanation)."""

    explanation: list[Any] | None = None  # tables evaluated, in order (None: not explaining)
    decided: list[Any] = field(default_factory=list)  # decisions evaluated, in order
    decision: str | None = None
    cache: dict[Any, Any] = field(default_factory=dict)


def _resolve_external(mapping: Any, parameters: tuple[str, ...]) -> Any:
    """Bind ``function(...) external {java: {class: ..., method signature: ...}}`` to the emulation."""
    java = mapping.get("java") if isinstance(mapping, dict) else None
    if not isinstance(java, dict):
        return None
    found = java_method(str(java.get("class")), str(java.get("method signature")))
    if found is None:
        return None
    return JavaFunction(parameters=parameters, method=found[0], java_types=found[1])


def _failed(text: str, exc: FeelSyntaxError) -> Closure:
    message = f"FEEL syntax error in {text!r}: {exc}"

    def fail(scope: dict[str, Any], ev: Evaluation) -> Any:
        ev.warn("syntax", message)
        return None

    return fail


def compile_expression(text: str, names: Iterable[str], types: Mapping[str, FeelType] | None = None) -> Closure:
    """Compile a FEEL expression against the names (and item definition types) in scope.

    Never raises for bad syntax: see the module docstring.
    """
    try:
        compiled = feel.compile(text, names=tuple(names), types=types, externals=_resolve_external)
    except FeelSyntaxError as exc:
        return _failed(text, exc)
    return compiled.fn


def compile_tests(text: str, names: Iterable[str], types: Mapping[str, FeelType] | None = None) -> UnaryTest:
    """Compile unary tests (a decision table input entry, allowed values)."""
    try:
        compiled = feel.compile_unary_tests(text, names=tuple(names), types=types)
    except FeelSyntaxError as exc:
        message = f"FEEL syntax error in unary tests {text!r}: {exc}"

        def fail(value: Any, scope: dict[str, Any], ev: Evaluation) -> bool | None:
            ev.warn("syntax", message)
            return None

        return fail
    return compiled.test
