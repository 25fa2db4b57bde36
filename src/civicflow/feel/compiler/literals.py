"""Literals and constructors: numbers, strings, booleans, null, ``@"..."``, lists, contexts, ranges."""

from __future__ import annotations

from typing import Any

from civicflow.feel import ast
from civicflow.feel.compiler._core import CompileContext, Fn, Scope, compile_node, compiles, constant
from civicflow.feel.evaluation import Evaluation
from civicflow.feel.operators import compare
from civicflow.feel.temporal import parse_at_literal
from civicflow.feel.values import Range

__all__ = ["constant_fn", "make_range"]


def constant_fn(value: Any) -> Fn:
    def fn(scope: Scope, ev: Evaluation) -> Any:
        return value

    return fn


def _literal(node: ast.Node, cx: CompileContext) -> Fn:
    return constant_fn(constant(node)[1])


for _literal_type in (ast.NumberLit, ast.StringLit, ast.BooleanLit, ast.NullLit):
    compiles(_literal_type)(_literal)


@compiles(ast.TemporalLit)
def _temporal(node: ast.TemporalLit, cx: CompileContext) -> Fn:
    value = parse_at_literal(node.text)
    if value is not None:
        return constant_fn(value)
    message = f"@{node.text!r} is not a date, time, date and time or duration"
    span = node.span

    def invalid(scope: Scope, ev: Evaluation) -> Any:
        ev.warn("literal", message, span)

    return invalid


@compiles(ast.ListLit)
def _list(node: ast.ListLit, cx: CompileContext) -> Fn:
    items = tuple(compile_node(item, cx) for item in node.items)
    count = len(items)

    def fn(scope: Scope, ev: Evaluation) -> Any:
        ev.step(count)
        return [item(scope, ev) for item in items]

    return fn


@compiles(ast.ContextLit)
def _context(node: ast.ContextLit, cx: CompileContext) -> Fn:
    keys = [entry.key for entry in node.entries]
    if len(set(keys)) != len(keys):
        duplicate = next(key for key in keys if keys.count(key) > 1)
        message, span = f"context has two entries named {duplicate!r}", node.span

        def invalid(scope: Scope, ev: Evaluation) -> Any:
            ev.warn("context", message, span)

        return invalid
    inner = cx.bind(*keys)
    entries = tuple((entry.key, compile_node(entry.value, inner)) for entry in node.entries)
    count = len(entries)

    def fn(scope: Scope, ev: Evaluation) -> Any:
        ev.step(count)
        # Later entries see earlier ones; a function entry captures ``local`` and so sees itself.
        local = dict(scope)
        result: dict[str, Any] = {}
        for key, value_fn in entries:
            value = value_fn(local, ev)
            local[key] = value
            result[key] = value
        return result

    return fn


def make_range(
    start: Any, end: Any, *, start_included: bool, end_included: bool, ev: Evaluation, span: ast.Span
) -> Any:
    """A range value; null with a warning when the endpoints are of kinds that cannot be ordered together."""
    if start is not None and end is not None and compare(start, end) is None:
        ev.warn("range", "range endpoints are not comparable", span)
        return None
    return Range(start=start, end=end, start_included=start_included, end_included=end_included)


@compiles(ast.RangeLit)
def _range(node: ast.RangeLit, cx: CompileContext) -> Fn:
    start_fn = compile_node(node.start, cx)
    end_fn = compile_node(node.end, cx)
    start_included, end_included, span = node.start_included, node.end_included, node.span

    def fn(scope: Scope, ev: Evaluation) -> Any:
        return make_range(
            start_fn(scope, ev),
            end_fn(scope, ev),
            start_included=start_included,
            end_included=end_included,
            ev=ev,
            span=span,
        )

    return fn


@compiles(ast.UnaryComparison)
def _unary_comparison_value(node: ast.UnaryComparison, cx: CompileContext) -> Fn:
    """``< 5`` used as a value is the range it describes (DMN 1.5 range literals)."""
    operand = compile_node(node.operand, cx)
    op = node.op

    def fn(scope: Scope, ev: Evaluation) -> Any:
        value = operand(scope, ev)
        if value is None:
            return None
        if op in ("<", "<="):
            return Range(start=None, end=value, start_included=False, end_included=op == "<=", operator=op)
        if op in (">", ">="):
            return Range(start=value, end=None, start_included=op == ">=", end_included=False, operator=op)
        return Range(start=value, end=value, start_included=True, end_included=True, operator=op)

    return fn
