"""Three-valued logic (DMN 1.5 §10.3.2.6) and ``if then else``.

``and`` / ``or`` follow the truth tables; any non-boolean operand counts as null. The right operand
is evaluated only when the left one does not decide the result.

    and   | true  false null        or    | true  false null
    true  | true  false null        true  | true  true  true
    false | false false false       false | true  false null
    null  | null  false null        null  | true  null  null
"""

from __future__ import annotations

from typing import Any

from civicflow.feel import ast
from civicflow.feel.compiler._core import CompileContext, Fn, Scope, compile_node, compiles
from civicflow.feel.evaluation import Evaluation

__all__: list[str] = []


@compiles(ast.Conjunction)
def _conjunction(node: ast.Conjunction, cx: CompileContext) -> Fn:
    left = compile_node(node.left, cx)
    right = compile_node(node.right, cx)

    def fn(scope: Scope, ev: Evaluation) -> Any:
        a = left(scope, ev)
        if a is False:
            return False
        b = right(scope, ev)
        if b is False:
            return False
        return True if a is True and b is True else None

    return fn


@compiles(ast.Disjunction)
def _disjunction(node: ast.Disjunction, cx: CompileContext) -> Fn:
    left = compile_node(node.left, cx)
    right = compile_node(node.right, cx)

    def fn(scope: Scope, ev: Evaluation) -> Any:
        a = left(scope, ev)
        if a is True:
            return True
        b = right(scope, ev)
        if b is True:
            return True
        return False if a is False and b is False else None

    return fn


@compiles(ast.IfExpr)
def _if(node: ast.IfExpr, cx: CompileContext) -> Fn:
    condition = compile_node(node.condition, cx)
    then = compile_node(node.then, cx)
    otherwise = compile_node(node.otherwise, cx)

    def fn(scope: Scope, ev: Evaluation) -> Any:
        # A null or non-boolean condition selects the else branch (DMN 1.5 §10.3.2.5).
        if condition(scope, ev) is True:
            return then(scope, ev)
        return otherwise(scope, ev)

    return fn
