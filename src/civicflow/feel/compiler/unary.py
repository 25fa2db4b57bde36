"""Unary tests (decision table input entries) and the ``in`` operator (DMN 1.5 §10.3.2.9.1).

A compiled test is ``test(value, scope, ev) -> bool | None``. A positive unary test is

- a comparison ``< e``, ``<= e``, ``> e``, ``>= e``, ``= e``, ``!= e`` against the input;
- an interval ``[a..b]``, ``(a..b)``, ``]a..b[`` containing the input (null if an endpoint is null);
- any other expression ``e``: true when ``e`` mentions ``?`` and is true with ``?`` bound to the
  input; otherwise, if ``e`` is a list, when one element equals (or, for a range, contains) the
  input; if a range, when it contains the input; if a boolean while the input is not, ``e`` itself;
  else when the input equals ``e``.

Literal operands are specialised so that ``< 18``, ``"A"`` or ``[10..20]`` cost about one native
comparison.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from civicflow.feel import ast
from civicflow.feel.compiler._core import (
    CompileContext,
    Fn,
    Scope,
    TestFn,
    compile_node,
    compiles,
    constant,
    references,
)
from civicflow.feel.compiler.arithmetic import NATIVE_ORDER, compare_op
from civicflow.feel.evaluation import Evaluation
from civicflow.feel.operators import compare, equals, range_includes
from civicflow.feel.values import Range

__all__ = ["compile_test", "compile_unary_tests", "matches"]

_NATIVE_TYPES = (Decimal, str)


def _always(value: Any, scope: Scope, ev: Evaluation) -> bool | None:
    return True


def compile_unary_tests(node: ast.AnyTest | ast.UnaryTests, cx: CompileContext) -> TestFn:
    """Compile a whole unary-tests text: ``-``, a list of tests, or ``not(...)`` of one."""
    if isinstance(node, ast.AnyTest):
        return _always
    test = _any_of(tuple(compile_test(t, cx) for t in node.tests))
    if not node.negated:
        return test

    def negated(value: Any, scope: Scope, ev: Evaluation) -> bool | None:
        result = test(value, scope, ev)
        return None if result is None else not result

    return negated


def _any_of(tests: tuple[TestFn, ...]) -> TestFn:
    if len(tests) == 1:
        return tests[0]

    def any_of(value: Any, scope: Scope, ev: Evaluation) -> bool | None:
        result: bool | None = False
        for test in tests:
            outcome = test(value, scope, ev)
            if outcome is True:
                return True
            if outcome is None:
                result = None
        return result

    return any_of


def compile_test(node: ast.Expr, cx: CompileContext) -> TestFn:
    """Compile one positive unary test."""
    if isinstance(node, ast.UnaryComparison):
        return _comparison_test(node, cx)
    if isinstance(node, ast.RangeLit):
        return _interval_test(node, cx)
    is_const, c = constant(node)
    if is_const and (c is None or type(c) in _NATIVE_TYPES or type(c) is bool):
        return _equality_test(c)
    expr = compile_node(node, cx.bind("?"))
    if references(node, "?"):

        def with_input(value: Any, scope: Scope, ev: Evaluation) -> bool | None:
            result = expr({**scope, "?": value}, ev)
            if type(result) is bool:
                return result
            return matches(value, result)

        return with_input

    def expression(value: Any, scope: Scope, ev: Evaluation) -> bool | None:
        return matches(value, expr(scope, ev))

    return expression


def matches(value: Any, test_value: Any) -> bool | None:
    """Whether the input ``value`` satisfies the computed value of an expression test."""
    kind = type(test_value)
    if kind is list:
        for item in test_value:
            outcome = range_includes(item, value) if type(item) is Range else equals(value, item)
            if outcome is True:
                return True
        return False
    if kind is Range:
        return range_includes(test_value, value)
    if kind is bool and type(value) is not bool:
        return bool(test_value)
    return equals(value, test_value)


def _equality_test(c: Any) -> TestFn:
    if c is None:

        def is_null(value: Any, scope: Scope, ev: Evaluation) -> bool | None:
            return value is None

        return is_null
    kind = type(c)

    def equal(value: Any, scope: Scope, ev: Evaluation) -> bool | None:
        if type(value) is kind:
            return bool(value == c)
        return equals(value, c)

    return equal


def _comparison_test(node: ast.UnaryComparison, cx: CompileContext) -> TestFn:
    op = node.op
    is_const, c = constant(node.operand)
    if op in {"=", "!="}:
        want = op == "="
        operand = compile_node(node.operand, cx)

        def equality(value: Any, scope: Scope, ev: Evaluation) -> bool | None:
            same = equals(value, operand(scope, ev))
            return None if same is None else same is want

        if is_const and type(c) in _NATIVE_TYPES:
            kind = type(c)

            def equality_const(value: Any, scope: Scope, ev: Evaluation) -> bool | None:
                if type(value) is kind:
                    return (value == c) is want
                return equality(value, scope, ev)

            return equality_const
        return equality
    if is_const and type(c) in _NATIVE_TYPES:
        kind = type(c)
        native = NATIVE_ORDER[op]

        def order_const(value: Any, scope: Scope, ev: Evaluation) -> bool | None:
            if type(value) is kind:
                return native(value, c)
            return compare_op(op, value, c)

        return order_const
    operand = compile_node(node.operand, cx)

    def order(value: Any, scope: Scope, ev: Evaluation) -> bool | None:
        return compare_op(op, value, operand(scope, ev))

    return order


def _interval_test(node: ast.RangeLit, cx: CompileContext) -> TestFn:
    lo_const, lo = constant(node.start)
    hi_const, hi = constant(node.end)
    lo_in, hi_in = node.start_included, node.end_included
    if lo_const and hi_const and type(lo) in _NATIVE_TYPES and type(hi) is type(lo):
        return _native_interval(lo, hi, lo_in, hi_in)
    start_fn = compile_node(node.start, cx)
    end_fn = compile_node(node.end, cx)

    def interval(value: Any, scope: Scope, ev: Evaluation) -> bool | None:
        return _in_interval(value, start_fn(scope, ev), end_fn(scope, ev), lo_in, hi_in)

    return interval


def _in_interval(value: Any, lo: Any, hi: Any, lo_in: bool, hi_in: bool) -> bool | None:
    if lo is None or hi is None:
        return None
    low = compare(value, lo)
    high = compare(value, hi)
    if low is None or high is None:
        return None
    return (low > 0 or (lo_in and low == 0)) and (high < 0 or (hi_in and high == 0))


def _native_interval(lo: Any, hi: Any, lo_in: bool, hi_in: bool) -> TestFn:
    kind = type(lo)

    def slow(value: Any) -> bool | None:
        return _in_interval(value, lo, hi, lo_in, hi_in)

    if lo_in and hi_in:

        def closed(value: Any, scope: Scope, ev: Evaluation) -> bool | None:
            return bool(lo <= value <= hi) if type(value) is kind else slow(value)

        return closed
    if lo_in:

        def closed_open(value: Any, scope: Scope, ev: Evaluation) -> bool | None:
            return bool(lo <= value < hi) if type(value) is kind else slow(value)

        return closed_open
    if hi_in:

        def open_closed(value: Any, scope: Scope, ev: Evaluation) -> bool | None:
            return bool(lo < value <= hi) if type(value) is kind else slow(value)

        return open_closed

    def open_interval(value: Any, scope: Scope, ev: Evaluation) -> bool | None:
        return bool(lo < value < hi) if type(value) is kind else slow(value)

    return open_interval


@compiles(ast.InTest)
def _in(node: ast.InTest, cx: CompileContext) -> Fn:
    value_fn = compile_node(node.value, cx)
    test = _any_of(tuple(compile_test(t, cx) for t in node.tests))

    def fn(scope: Scope, ev: Evaluation) -> Any:
        return test(value_fn(scope, ev), scope, ev)

    return fn
