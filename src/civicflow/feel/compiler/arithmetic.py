"""Arithmetic (``+ - * / **``, unary ``-``), comparison (``= != < <= > >=``) and ``between``.

Each operator is specialised when an operand is a literal number or string: the common decision
logic ``x > 5`` then costs one type check and one native comparison. The general case goes through
:mod:`civicflow.feel.operators`; a null result from non-null operands is reported as a warning.
"""

from __future__ import annotations

import decimal
import operator
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from civicflow.feel import ast
from civicflow.feel.compiler._core import CompileContext, Fn, Scope, compile_node, compiles, constant, describe
from civicflow.feel.compiler.literals import constant_fn
from civicflow.feel.evaluation import Evaluation
from civicflow.feel.operators import add, compare, divide, equals, multiply, negate, power, subtract
from civicflow.feel.values import NUMBER_CONTEXT

__all__ = ["NATIVE_ORDER", "compare_op", "equals_op"]

_ARITHMETIC: dict[str, Callable[[Any, Any], Any]] = {
    "+": add,
    "-": subtract,
    "*": multiply,
    "/": divide,
    "**": power,
}
_DECIMAL_FAST: dict[str, Callable[[Decimal, Decimal], Decimal]] = {
    "+": NUMBER_CONTEXT.add,
    "-": NUMBER_CONTEXT.subtract,
    "*": NUMBER_CONTEXT.multiply,
}
_ORDER: dict[str, Callable[[int], bool]] = {
    "<": lambda c: c < 0,
    "<=": lambda c: c <= 0,
    ">": lambda c: c > 0,
    ">=": lambda c: c >= 0,
}
NATIVE_ORDER: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
# Types whose Python order and equality are FEEL's (times and dates with zones are not).
_NATIVE_TYPES = (Decimal, str)


def equals_op(a: Any, b: Any) -> bool | None:
    """FEEL ``=``."""
    return equals(a, b)


def compare_op(op: str, a: Any, b: Any) -> bool | None:
    """FEEL ``op`` for an ordering operator; None when the operands are not comparable."""
    order = compare(a, b)
    return None if order is None else _ORDER[op](order)


@compiles(ast.Arithmetic)
def _arithmetic(node: ast.Arithmetic, cx: CompileContext) -> Fn:
    general = _ARITHMETIC[node.op]
    left_const, a_value = constant(node.left)
    right_const, b_value = constant(node.right)
    if left_const and right_const:
        folded = general(a_value, b_value)
        if folded is not None:
            return constant_fn(folded)
    left = compile_node(node.left, cx)
    right = compile_node(node.right, cx)
    symbol, span = node.op, node.span
    fast = _DECIMAL_FAST.get(node.op)

    def slow(a: Any, b: Any, ev: Evaluation) -> Any:
        result = general(a, b)
        if result is None and a is not None and b is not None:
            ev.warn("type", f"cannot apply {symbol} to {describe(a)} and {describe(b)}", span)
        return result

    if fast is None:

        def fn(scope: Scope, ev: Evaluation) -> Any:
            return slow(left(scope, ev), right(scope, ev), ev)

        return fn

    def fast_fn(scope: Scope, ev: Evaluation) -> Any:
        a = left(scope, ev)
        b = right(scope, ev)
        if type(a) is Decimal and type(b) is Decimal:
            try:
                return fast(a, b)
            except decimal.DecimalException:
                pass
        return slow(a, b, ev)

    return fast_fn


@compiles(ast.Negation)
def _negation(node: ast.Negation, cx: CompileContext) -> Fn:
    operand = compile_node(node.operand, cx)
    span = node.span

    def fn(scope: Scope, ev: Evaluation) -> Any:
        value = operand(scope, ev)
        result = negate(value)
        if result is None and value is not None:
            ev.warn("type", f"cannot negate {describe(value)}", span)
        return result

    return fn


@compiles(ast.Comparison)
def _comparison(node: ast.Comparison, cx: CompileContext) -> Fn:
    op, span = node.op, node.span
    left = compile_node(node.left, cx)
    is_const, c = constant(node.right)
    if is_const and type(c) in _NATIVE_TYPES:
        return _compare_constant(op, left, c, span)
    right = compile_node(node.right, cx)

    def fn(scope: Scope, ev: Evaluation) -> Any:
        return _general_compare(op, left(scope, ev), right(scope, ev), ev, span)

    return fn


def _general_compare(op: str, a: Any, b: Any, ev: Evaluation, span: ast.Span) -> bool | None:
    if op in {"=", "!="}:
        same = equals(a, b)
        if same is None:
            ev.warn("type", f"cannot compare {describe(a)} and {describe(b)}", span)
            return None
        return same if op == "=" else not same
    result = compare_op(op, a, b)
    if result is None and a is not None and b is not None:
        ev.warn("type", f"cannot compare {describe(a)} and {describe(b)}", span)
    return result


def _compare_constant(op: str, left: Fn, c: Any, span: ast.Span) -> Fn:
    kind = type(c)
    if op == "=":

        def eq(scope: Scope, ev: Evaluation) -> Any:
            a = left(scope, ev)
            if type(a) is kind:
                return a == c
            return _general_compare(op, a, c, ev, span)

        return eq
    if op == "!=":

        def ne(scope: Scope, ev: Evaluation) -> Any:
            a = left(scope, ev)
            if type(a) is kind:
                return a != c
            return _general_compare(op, a, c, ev, span)

        return ne
    native = NATIVE_ORDER[op]

    def order(scope: Scope, ev: Evaluation) -> Any:
        a = left(scope, ev)
        if type(a) is kind:
            return native(a, c)
        return _general_compare(op, a, c, ev, span)

    return order


@compiles(ast.Between)
def _between(node: ast.Between, cx: CompileContext) -> Fn:
    value_fn = compile_node(node.value, cx)
    low_fn = compile_node(node.low, cx)
    high_fn = compile_node(node.high, cx)
    span = node.span

    def fn(scope: Scope, ev: Evaluation) -> Any:
        # ``a between b and c`` is ``b <= a and a <= c`` with three-valued ``and``.
        value = value_fn(scope, ev)
        low = compare(value, low_fn(scope, ev))
        high = compare(value, high_fn(scope, ev))
        if (low is not None and low < 0) or (high is not None and high > 0):
            return False
        if low is None or high is None:
            ev.warn("type", "between: operands are not comparable", span)
            return None
        return True

    return fn
