"""Iteration: ``for ... in ... return`` and ``some`` / ``every ... satisfies`` (DMN 1.5 §10.3.2.4).

Several iteration contexts nest (the first is outermost) and later domains see earlier variables.
A domain ``a..b`` of integers counts up or down; its size is checked against
``max_collection_size`` before a single element is produced. Inside ``for``, ``partial`` is the
list of results so far.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any

from civicflow.feel import ast
from civicflow.feel.compiler._core import CompileContext, Fn, Scope, compile_node, compiles, references
from civicflow.feel.evaluation import Evaluation
from civicflow.feel.values import Range

__all__: list[str] = []

_Domain = tuple[str, Fn, Fn | None, ast.Span]


def _compile_iterations(
    iterations: tuple[ast.Iteration, ...], cx: CompileContext
) -> tuple[list[_Domain], CompileContext]:
    domains: list[_Domain] = []
    for it in iterations:
        end = compile_node(it.end, cx) if it.end is not None else None
        domains.append((it.name, compile_node(it.domain, cx), end, it.span))
        cx = cx.bind(it.name)
    return domains, cx


def _integer_range(
    start: Any, end: Any, ev: Evaluation, *, lo_in: bool = True, hi_in: bool = True
) -> Iterable[Any] | None:
    if type(start) is not Decimal or type(end) is not Decimal:
        return None
    if start != start.to_integral_value() or end != end.to_integral_value():
        return None
    a, b = int(start), int(end)
    step = 1 if b >= a else -1
    if not lo_in:
        a += step
    if not hi_in:
        b -= step
    ev.check_size(abs(b - a) + 1)
    return map(Decimal, range(a, b + step, step))


def _values(domain: _Domain, scope: Scope, ev: Evaluation) -> Iterable[Any] | None:
    _name, start_fn, end_fn, span = domain
    value = start_fn(scope, ev)
    if end_fn is not None:
        values = _integer_range(value, end_fn(scope, ev), ev)
        if values is None:
            ev.warn("type", "an iteration range needs integer bounds", span)
        return values
    if type(value) is list:
        return value
    if type(value) is Range and value.start is not None and value.end is not None and value.operator is None:
        values = _integer_range(value.start, value.end, ev, lo_in=value.start_included, hi_in=value.end_included)
        if values is None:
            ev.warn("type", "only ranges of integers can be iterated", span)
        return values
    if value is None:
        ev.warn("type", "cannot iterate over null", span)
        return None
    return [value]  # a single value is a list of one (singleton list semantics)


def _bindings(domains: list[_Domain], scope: Scope, ev: Evaluation) -> Iterator[Scope] | None:
    """Scopes for every combination of the iteration variables; None when a domain is null."""
    if not domains:
        return iter((scope,))
    first = _values(domains[0], scope, ev)
    if first is None:
        return None
    name = domains[0][0]
    rest = domains[1:]

    def generate() -> Iterator[Scope]:
        for value in first:
            ev.step()
            inner = {**scope, name: value}
            nested = _bindings(rest, inner, ev)
            if nested is None:
                raise _NullDomain
            yield from nested

    return generate()


class _NullDomain(Exception):  # noqa: N818 - control flow inside this module only
    pass


@compiles(ast.ForExpr)
def _for(node: ast.ForExpr, cx: CompileContext) -> Fn:
    domains, inner = _compile_iterations(node.iterations, cx)
    body = compile_node(node.body, inner.bind("partial"))
    uses_partial = references(node.body, "partial")

    def fn(scope: Scope, ev: Evaluation) -> Any:
        bindings = _bindings(domains, scope, ev)
        if bindings is None:
            return None
        results: list[Any] = []
        limit = ev.limits.max_collection_size
        try:
            for local in bindings:
                if uses_partial:
                    local["partial"] = results[:]
                results.append(body(local, ev))
                if len(results) > limit:
                    ev.check_size(len(results))
        except _NullDomain:
            return None
        return results

    return fn


@compiles(ast.Quantified)
def _quantified(node: ast.Quantified, cx: CompileContext) -> Fn:
    domains, inner = _compile_iterations(node.iterations, cx)
    condition = compile_node(node.condition, inner)
    every = node.every

    def fn(scope: Scope, ev: Evaluation) -> Any:
        bindings = _bindings(domains, scope, ev)
        if bindings is None:
            return None
        try:
            for local in bindings:
                satisfied = condition(local, ev) is True
                if satisfied is not every:
                    return satisfied
        except _NullDomain:
            return None
        return every

    return fn
