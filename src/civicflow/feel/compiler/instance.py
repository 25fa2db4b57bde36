"""``instance of`` and the type syntax (``list<T>``, ``context<k: T>``, ``range<T>``, ``function<T>->T``)."""

from __future__ import annotations

from typing import Any

from civicflow.feel import ast
from civicflow.feel.compiler._core import CompileContext, Fn, Scope, compile_node, compiles
from civicflow.feel.evaluation import Evaluation
from civicflow.feel.types import (
    ContextType,
    FeelType,
    FunctionType,
    ListType,
    RangeType,
    is_instance,
    parse_type_name,
)

__all__ = ["resolve_type"]


def resolve_type(node: ast.TypeNode, cx: CompileContext) -> FeelType | None:
    """The FEEL type a type node names; None when a name is neither built in nor given at compile time."""
    if isinstance(node, ast.NamedType):
        if cx.types is not None and node.name in cx.types:
            return cx.types[node.name]
        return parse_type_name(node.name)
    if isinstance(node, ast.ListTypeNode | ast.RangeTypeNode):
        element = resolve_type(node.element, cx)
        if element is None:
            return None
        return ListType(element) if isinstance(node, ast.ListTypeNode) else RangeType(element)
    if isinstance(node, ast.ContextTypeNode):
        fields: list[tuple[str, FeelType]] = []
        for name, field in node.fields:
            field_type = resolve_type(field, cx)
            if field_type is None:
                return None
            fields.append((name, field_type))
        return ContextType(tuple(fields))
    parameters = [resolve_type(p, cx) for p in node.parameters]
    result = resolve_type(node.result, cx)
    if result is None or any(p is None for p in parameters):
        return None
    return FunctionType(tuple(p for p in parameters if p is not None), result)


@compiles(ast.InstanceOf)
def _instance_of(node: ast.InstanceOf, cx: CompileContext) -> Fn:
    value_fn = compile_node(node.value, cx)
    target = resolve_type(node.type, cx)
    span = node.span
    if target is None:
        message = f"unknown type {cx.source(node.type)!r}"

        def unknown(scope: Scope, ev: Evaluation) -> Any:
            ev.warn("type", message, span)

        return unknown

    def fn(scope: Scope, ev: Evaluation) -> Any:
        return is_instance(value_fn(scope, ev), target)

    return fn
