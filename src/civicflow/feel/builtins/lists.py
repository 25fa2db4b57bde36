"""List built-ins (DMN 1.5 §10.3.4.4). Positions are 1-based; negative positions count from the end."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from civicflow.feel.builtins._registry import as_list, builtin, expect_int, expect_number, variadic_items
from civicflow.feel.errors import FeelEvalError
from civicflow.feel.evaluation import Evaluation
from civicflow.feel.functions import is_function
from civicflow.feel.operators import add, compare, equals
from civicflow.feel.values import NUMBER_CONTEXT

_ctx = NUMBER_CONTEXT


def _index(items: list[Any], position: Any, *, allow_end: bool = False) -> int:
    """Zero-based index of a FEEL position; raise when it is outside the list."""
    at = expect_int(position, "position")
    size = len(items) + (1 if allow_end else 0)
    if 1 <= at <= size:
        return at - 1
    if -len(items) <= at <= -1:
        return len(items) + at
    raise FeelEvalError(f"position {at} is outside the list")


def _contains(items: list[Any], value: Any) -> bool:
    return any(equals(item, value) for item in items)


def _distinct(items: list[Any]) -> list[Any]:
    result: list[Any] = []
    for item in items:
        if not _contains(result, item):
            result.append(item)
    return result


@builtin("list contains", ("list", "element"))
def list_contains(items: Any, element: Any) -> bool:
    return _contains(as_list(items), element)


@builtin("count", ("list",))
def count(items: Any) -> Decimal:
    return Decimal(len(as_list(items)))


def _extreme(items: Any, sign: int) -> Any:
    values = variadic_items(items)
    if not values:
        return None
    best = values[0]
    for value in values[1:]:
        order = compare(value, best)
        if order is None:
            raise FeelEvalError("list items cannot be compared")
        if order == sign:
            best = value
    if len(values) == 1 and compare(best, best) is None:
        raise FeelEvalError("list items cannot be compared")
    return best


@builtin("min", ("list",), variadic=True)
def min_(items: Any) -> Any:
    return _extreme(items, -1)


@builtin("max", ("list",), variadic=True)
def max_(items: Any) -> Any:
    return _extreme(items, 1)


def _numbers(items: Any) -> list[Decimal]:
    return [expect_number(value, "list item") for value in variadic_items(items)]


@builtin("sum", ("list",), variadic=True)
def sum_(items: Any) -> Any:
    values = variadic_items(items)
    if not values:
        return None
    total = values[0]
    for value in values[1:]:
        total = add(total, value)
        if total is None:
            raise FeelEvalError("list items cannot be added")
    if type(total) is not Decimal and len(values) == 1:
        expect_number(total, "list item")
    return total


@builtin("mean", ("list",), variadic=True)
def mean(items: Any) -> Decimal | None:
    values = _numbers(items)
    if not values:
        return None
    total = functools.reduce(_ctx.add, values, Decimal(0))
    return _ctx.divide(total, Decimal(len(values)))


@builtin("product", ("list",), variadic=True)
def product(items: Any) -> Decimal:
    values = _numbers(items)
    if not values:
        raise FeelEvalError("product of an empty list")
    return functools.reduce(_ctx.multiply, values, Decimal(1))


@builtin("median", ("list",), variadic=True)
def median(items: Any) -> Decimal | None:
    values = sorted(_numbers(items))
    if not values:
        return None
    middle = len(values) // 2
    if len(values) % 2:
        return values[middle]
    return _ctx.divide(_ctx.add(values[middle - 1], values[middle]), Decimal(2))


@builtin("stddev", ("list",), variadic=True)
def stddev(items: Any) -> Decimal:
    """Sample standard deviation (divides by n - 1)."""
    values = _numbers(items)
    if len(values) < 2:
        raise FeelEvalError("stddev needs at least two numbers")
    average = _ctx.divide(functools.reduce(_ctx.add, values, Decimal(0)), Decimal(len(values)))
    squares = functools.reduce(_ctx.add, (_ctx.power(_ctx.subtract(v, average), 2) for v in values), Decimal(0))
    return _ctx.sqrt(_ctx.divide(squares, Decimal(len(values) - 1)))


@builtin("mode", ("list",), variadic=True)
def mode(items: Any) -> list[Any]:
    values = _numbers(items)
    counts: dict[Decimal, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    if not counts:
        return []
    top = max(counts.values())
    return sorted(value for value, seen in counts.items() if seen == top)


def _all(items: Any) -> bool | None:
    result: bool | None = True
    for value in variadic_items(items):
        if value is False:
            return False
        if value is not True:
            result = None
    return result


def _any(items: Any) -> bool | None:
    result: bool | None = False
    for value in variadic_items(items):
        if value is True:
            return True
        if value is not False:
            result = None
    return result


builtin("all", ("list",), variadic=True)(_all)
builtin("and", ("list",), variadic=True)(_all)
builtin("any", ("list",), variadic=True)(_any)
builtin("or", ("list",), variadic=True)(_any)


@builtin("sublist", ("list", "start position", "length"), required=2)
def sublist(items: Any, start: Any, length: Any = None) -> list[Any]:
    values = as_list(items)
    index = _index(values, start)
    if length is None:
        return values[index:]
    size = expect_int(length, "length")
    if size < 0 or index + size > len(values):
        raise FeelEvalError("length reaches past the end of the list")
    return values[index : index + size]


@builtin("append", ("list", "item"), variadic=True)
def append(items: Any, more: list[Any]) -> list[Any]:
    return [*as_list(items), *more]


@builtin("concatenate", ("lists",), variadic=True)
def concatenate(lists: list[Any]) -> list[Any]:
    result: list[Any] = []
    for value in lists:
        if not isinstance(value, list):
            raise FeelEvalError("concatenate needs lists")
        result.extend(value)
    return result


@builtin("insert before", ("list", "position", "newItem"))
def insert_before(items: Any, position: Any, new_item: Any) -> list[Any]:
    values = as_list(items)
    index = _index(values, position)
    return [*values[:index], new_item, *values[index:]]


@builtin("remove", ("list", "position"))
def remove(items: Any, position: Any) -> list[Any]:
    values = as_list(items)
    index = _index(values, position)
    return [*values[:index], *values[index + 1 :]]


@builtin("reverse", ("list",))
def reverse(items: Any) -> list[Any]:
    return list(reversed(as_list(items)))


@builtin("index of", ("list", "match"))
def index_of(items: Any, match: Any) -> list[Decimal]:
    return [Decimal(i) for i, item in enumerate(as_list(items), 1) if equals(item, match)]


@builtin("union", ("lists",), variadic=True)
def union(lists: list[Any]) -> list[Any]:
    return _distinct(concatenate(lists))


@builtin("distinct values", ("list",))
def distinct_values(items: Any) -> list[Any]:
    return _distinct(as_list(items))


def _flatten(items: list[Any], into: list[Any]) -> list[Any]:
    for item in items:
        if isinstance(item, list):
            _flatten(item, into)
        else:
            into.append(item)
    return into


@builtin("flatten", ("list",))
def flatten(items: Any) -> list[Any]:
    return _flatten(as_list(items), [])


def _call_boolean(ev: Evaluation, function: Any, args: list[Any]) -> bool:
    result = function.call(ev, args, None)
    if type(result) is not bool:
        raise FeelEvalError("the function must return true or false")
    return result


@builtin(
    "list replace", ("list", "position", "newItem"), needs_evaluation=True, signatures=(("list", "match", "newItem"),)
)
def list_replace(ev: Evaluation, items: Any, position: Any, new_item: Any) -> list[Any]:
    values = as_list(items)
    if is_function(position):
        if len(position.parameters) != 2:
            raise FeelEvalError("the match function must take two parameters")
        return [new_item if _call_boolean(ev, position, [item, new_item]) else item for item in values]
    index = _index(values, position)
    return [*values[:index], new_item, *values[index + 1 :]]


@builtin("sort", ("list", "precedes"), required=1, needs_evaluation=True)
def sort(ev: Evaluation, items: Any, precedes: Any = None) -> list[Any]:
    values = as_list(items)
    if precedes is None:

        def order(a: Any, b: Any) -> int:
            result = compare(a, b)
            if result is None:
                raise FeelEvalError("list items cannot be compared")
            return result
    elif is_function(precedes):

        def order(a: Any, b: Any) -> int:
            return -1 if _call_boolean(ev, precedes, [a, b]) else 1
    else:
        raise FeelEvalError("precedes must be a function")
    return sorted(values, key=functools.cmp_to_key(order))
