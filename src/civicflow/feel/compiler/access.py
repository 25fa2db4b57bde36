"""Names, paths (``a.b``) and filters (``list[condition]``, ``list[index]``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from civicflow.feel import ast
from civicflow.feel.compiler._core import MISSING, CompileContext, Fn, Scope, compile_node, compiles, constant
from civicflow.feel.compiler.calls import builtin_function
from civicflow.feel.evaluation import Evaluation
from civicflow.feel.temporal import DaysTimeDuration, FeelDate, FeelDateTime, FeelTime, YearsMonthsDuration
from civicflow.feel.values import Range

__all__ = ["member", "nth"]


@compiles(ast.NameRef)
def _name(node: ast.NameRef, cx: CompileContext) -> Fn:
    name, span = node.name, node.span
    # A built-in is the fallback when no variable of that name is in scope at run time.
    builtin = None if name in cx.local_names else builtin_function(name)

    def fn(scope: Scope, ev: Evaluation) -> Any:
        value = scope.get(name, MISSING)
        if value is not MISSING:
            return value
        if builtin is not None:
            return builtin
        ev.warn("name", f"no variable named {name!r}", span)
        return None

    return fn


@compiles(ast.PathExpr)
def _path(node: ast.PathExpr, cx: CompileContext) -> Fn:
    base = compile_node(node.base, cx)
    name, span = node.name, node.span

    def fn(scope: Scope, ev: Evaluation) -> Any:
        value = base(scope, ev)
        if type(value) is dict:
            result = value.get(name, MISSING)
            if result is MISSING:
                ev.warn("name", f"the context has no entry {name!r}", span)
                return None
            return result
        return member(value, name, ev, span)

    return fn


def member(value: Any, name: str, ev: Evaluation, span: ast.Span | None = None) -> Any:
    """``value.name``: a context entry, a property of a temporal value or range, or mapped over a list."""
    if value is None:
        return None
    if type(value) is dict:
        return value.get(name)
    if type(value) is list:
        return [member(item, name, ev, span) for item in value]
    getter = _PROPERTIES.get((type(value), name))
    if getter is None:
        ev.warn("name", f"no property {name!r}", span)
        return None
    return getter(value)


def _seconds_with_fraction(second: int, nanosecond: int) -> Decimal:
    if not nanosecond:
        return Decimal(second)
    return Decimal(second) + Decimal(nanosecond).scaleb(-9)


def _offset(value: FeelTime | FeelDateTime) -> Any:
    offset = value.utc_offset() if value.zone is not None else value.offset
    return None if offset is None else DaysTimeDuration(Decimal(offset))


def _duration_part(value: DaysTimeDuration, divisor: int, modulo: int | None) -> Decimal:
    whole = int(abs(value.seconds))
    part = whole // divisor if modulo is None else (whole // divisor) % modulo
    return Decimal(-part if value.seconds < 0 else part)


_DATE_PROPERTIES: dict[str, Any] = {
    "year": lambda v: Decimal(v.year),
    "month": lambda v: Decimal(v.month),
    "day": lambda v: Decimal(v.day),
    "weekday": lambda v: Decimal(FeelDate(v.year, v.month, v.day).weekday()),
}
_TIME_PROPERTIES: dict[str, Any] = {
    "hour": lambda v: Decimal(v.hour),
    "minute": lambda v: Decimal(v.minute),
    "second": lambda v: _seconds_with_fraction(v.second, v.nanosecond),
    "time offset": _offset,
    "timezone": lambda v: v.zone,
}
_PROPERTIES: dict[tuple[type, str], Any] = {
    **{(FeelDate, k): f for k, f in _DATE_PROPERTIES.items()},
    **{(FeelDateTime, k): f for k, f in {**_DATE_PROPERTIES, **_TIME_PROPERTIES}.items()},
    **{(FeelTime, k): f for k, f in _TIME_PROPERTIES.items()},
    (YearsMonthsDuration, "years"): lambda v: Decimal(int(v.months / 12)),
    (YearsMonthsDuration, "months"): lambda v: Decimal(-(abs(v.months) % 12) if v.months < 0 else v.months % 12),
    (DaysTimeDuration, "days"): lambda v: _duration_part(v, 86400, None),
    (DaysTimeDuration, "hours"): lambda v: _duration_part(v, 3600, 24),
    (DaysTimeDuration, "minutes"): lambda v: _duration_part(v, 60, 60),
    (DaysTimeDuration, "seconds"): lambda v: _duration_part(v, 1, 60),
    (Range, "start"): lambda v: v.start,
    (Range, "end"): lambda v: v.end,
    (Range, "start included"): lambda v: v.start_included,
    (Range, "end included"): lambda v: v.end_included,
}


def nth(items: list[Any], index: Decimal, ev: Evaluation, span: ast.Span | None = None) -> Any:
    """1-based element (negative counts from the end); null with a warning when out of range."""
    if index != index.to_integral_value():
        ev.warn("index", f"list index {index} is not an integer", span)
        return None
    i = int(index)
    if 0 < i <= len(items):
        return items[i - 1]
    if 0 < -i <= len(items):
        return items[i]
    ev.warn("index", f"list index {i} is out of range", span)
    return None


@compiles(ast.FilterExpr)
def _filter(node: ast.FilterExpr, cx: CompileContext) -> Fn:
    base = compile_node(node.base, cx)
    span = node.span
    is_const, index = constant(node.condition)
    if is_const and type(index) is Decimal:

        def by_index(scope: Scope, ev: Evaluation) -> Any:
            value = base(scope, ev)
            if value is None:
                return None
            return nth(value if type(value) is list else [value], index, ev, span)

        return by_index
    condition = compile_node(node.condition, cx.bind("item"))

    def fn(scope: Scope, ev: Evaluation) -> Any:
        value = base(scope, ev)
        if value is None:
            return None
        items = value if type(value) is list else [value]
        selected: list[Any] = []
        first = True
        for item in items:
            ev.step()
            # The element is ``item``; a context element also brings its entries into scope.
            local = {**scope, "item": item, **item} if type(item) is dict else {**scope, "item": item}
            result = condition(local, ev)
            if result is True:
                selected.append(item)
            elif first and type(result) is Decimal:
                return nth(items, result, ev, span)
            first = False
        return selected

    return fn
