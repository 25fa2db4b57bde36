"""FEEL compiler: AST -> Python closures ``fn(scope, ev)`` (expressions) and ``test(value, scope, ev)``.

One module per concept registers the compilers of its node types; importing this package loads
them all. No ``eval``/``exec``: closures only.
"""

from __future__ import annotations

from civicflow.feel.compiler import access, arithmetic, calls, instance, literals, logic, loops, unary
from civicflow.feel.compiler._core import CompileContext, ExternalResolver, Fn, Scope, TestFn, compile_node
from civicflow.feel.compiler.calls import UserFunction
from civicflow.feel.compiler.unary import compile_unary_tests

__all__ = [
    "CompileContext",
    "ExternalResolver",
    "Fn",
    "Scope",
    "TestFn",
    "UserFunction",
    "access",
    "arithmetic",
    "calls",
    "compile_node",
    "compile_unary_tests",
    "instance",
    "literals",
    "logic",
    "loops",
    "unary",
]
