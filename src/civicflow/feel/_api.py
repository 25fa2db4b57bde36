"""Compile once, evaluate many times: the public entry points of :mod:`civicflow.feel`."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

from civicflow.feel import ast
from civicflow.feel.compiler import CompileContext, ExternalResolver, Fn, TestFn, compile_node
from civicflow.feel.compiler import compile_unary_tests as _compile_tests
from civicflow.feel.errors import FeelLimitExceeded
from civicflow.feel.evaluation import DEFAULT_LIMITS, Clock, Evaluation, FeelLimits, FeelWarning
from civicflow.feel.parser import parse_expression, parse_unary_tests
from civicflow.feel.types import FeelType
from civicflow.feel.values import to_feel

__all__ = [
    "CompiledExpression",
    "CompiledUnaryTests",
    "EvaluationResult",
    "compile",
    "compile_unary_tests",
    "evaluate",
]

T = TypeVar("T")

# Frames per nesting level: about five in the parser, two or three while evaluating.
_FRAMES_PER_LEVEL = 8


@dataclass(frozen=True, slots=True)
class EvaluationResult:
    """The value of an evaluation and the warnings met on the way (a semantic error gives null + warning)."""

    value: Any
    warnings: tuple[FeelWarning, ...] = ()


@dataclass(frozen=True, slots=True, eq=False)
class CompiledExpression:
    """A parsed and compiled FEEL expression; ``fn(scope, ev)`` is the raw closure."""

    text: str
    ast: ast.Expr
    fn: Fn
    limits: FeelLimits

    def evaluate(self, context: Mapping[str, Any] | None = None, *, clock: Clock | None = None) -> EvaluationResult:
        """Evaluate with ``context`` (plain Python values are converted with ``to_feel``)."""
        scope = {key: to_feel(value) for key, value in context.items()} if context else {}
        ev = Evaluation(limits=self.limits, clock=clock)
        value = _run(self.fn, scope, ev)
        return EvaluationResult(value, tuple(ev.warnings))


@dataclass(frozen=True, slots=True, eq=False)
class CompiledUnaryTests:
    """Compiled unary tests; ``test(value, scope, ev)`` is the raw closure decision tables call."""

    text: str
    ast: ast.AnyTest | ast.UnaryTests
    test: TestFn
    limits: FeelLimits

    def evaluate(
        self, value: Any, context: Mapping[str, Any] | None = None, *, clock: Clock | None = None
    ) -> EvaluationResult:
        """Whether ``value`` satisfies the tests (true, false or null), with warnings."""
        scope = {key: to_feel(item) for key, item in context.items()} if context else {}
        ev = Evaluation(limits=self.limits, clock=clock)
        test = self.test
        result = _run(lambda s, e: test(to_feel(value), s, e), scope, ev)
        return EvaluationResult(result, tuple(ev.warnings))


def _run(fn: Fn, scope: dict[str, Any], ev: Evaluation) -> Any:
    try:
        return fn(scope, ev)
    except RecursionError:
        # Deep recursion through user-defined functions; the step budget may not have caught it yet.
        raise FeelLimitExceeded("evaluation recursed too deeply", limit="max_nesting_depth") from None


def _ensure_stack(limits: FeelLimits) -> None:
    # Raising the interpreter's limit is safe here: the parser itself stops at max_nesting_depth.
    # Only done at import (default limits) or for limits deeper than the default, so that normal
    # compiling never touches interpreter state (test tools such as Hypothesis watch it).
    needed = limits.max_nesting_depth * _FRAMES_PER_LEVEL + 1000
    if sys.getrecursionlimit() < needed:
        sys.setrecursionlimit(needed)


def _guarded(limits: FeelLimits, build: Callable[[], T]) -> T:
    if limits.max_nesting_depth > DEFAULT_LIMITS.max_nesting_depth:
        _ensure_stack(limits)
    try:
        return build()
    except RecursionError:
        # Someone lowered the interpreter's limit below what max_nesting_depth needs.
        raise FeelLimitExceeded("expression nests too deeply for this interpreter", limit="max_nesting_depth") from None


# Once at import, for the default limits, so that compiling never changes interpreter state mid-run.
_ensure_stack(DEFAULT_LIMITS)


def _types_key(types: Mapping[str, FeelType] | None) -> tuple[tuple[str, FeelType], ...]:
    return tuple(sorted(types.items(), key=lambda item: item[0])) if types else ()


def compile(  # noqa: A001 - the natural name of this API; shadows the builtin only inside this module
    expression: str,
    *,
    names: Iterable[str] = (),
    types: Mapping[str, FeelType] | None = None,
    limits: FeelLimits | None = None,
    externals: ExternalResolver | None = None,
) -> CompiledExpression:
    """Parse and compile a FEEL expression (cached per text, names, types and limits).

    ``names`` are the variables in scope (they may contain spaces and ``? ' . / - + *``); multi-word
    names in the text resolve against them, longest match first. ``types`` maps item definition
    names to FEEL types for ``instance of`` and typed parameters. ``externals`` resolves
    ``function(...) external {...}`` definitions (without it they are null with a warning).
    Raises ``FeelSyntaxError`` for text that is not FEEL and ``FeelLimitExceeded`` for text over
    the configured bounds.
    """
    return _compile_expression(expression, tuple(names), _types_key(types), limits or DEFAULT_LIMITS, externals)


def compile_unary_tests(
    text: str,
    *,
    names: Iterable[str] = (),
    types: Mapping[str, FeelType] | None = None,
    limits: FeelLimits | None = None,
) -> CompiledUnaryTests:
    """Parse and compile unary tests (a decision table input entry such as ``< 18``, ``"A","B"``, ``-``)."""
    return _compile_unary(text, tuple(names), _types_key(types), limits or DEFAULT_LIMITS)


@lru_cache(maxsize=4096)
def _compile_expression(
    text: str,
    names: tuple[str, ...],
    types: tuple[tuple[str, FeelType], ...],
    limits: FeelLimits,
    externals: ExternalResolver | None,
) -> CompiledExpression:
    type_map = dict(types)

    def build() -> CompiledExpression:
        node = parse_expression(text, names=names, limits=limits, type_names=type_map)
        fn = compile_node(node, CompileContext(text, types=type_map or None, externals=externals))
        return CompiledExpression(text, node, fn, limits)

    return _guarded(limits, build)


@lru_cache(maxsize=4096)
def _compile_unary(
    text: str, names: tuple[str, ...], types: tuple[tuple[str, FeelType], ...], limits: FeelLimits
) -> CompiledUnaryTests:
    type_map = dict(types)

    def build() -> CompiledUnaryTests:
        node = parse_unary_tests(text, names=names, limits=limits, type_names=type_map)
        test = _compile_tests(node, CompileContext(text, types=type_map or None))
        return CompiledUnaryTests(text, node, test, limits)

    return _guarded(limits, build)


def evaluate(
    expression: str,
    context: Mapping[str, Any] | None = None,
    *,
    limits: FeelLimits | None = None,
    clock: Clock | None = None,
) -> EvaluationResult:
    """Compile (cached) and evaluate ``expression`` with the variables in ``context``."""
    compiled = compile(expression, names=tuple(context) if context else (), limits=limits)
    return compiled.evaluate(context, clock=clock)
