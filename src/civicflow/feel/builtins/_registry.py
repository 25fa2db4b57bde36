"""The table of built-in functions and the argument checks the families share."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from civicflow.feel.errors import FeelEvalError
from civicflow.feel.functions import BuiltinFunction

__all__ = [
    "BUILTINS",
    "as_list",
    "builtin",
    "expect_int",
    "expect_number",
    "expect_string",
    "variadic_items",
]

BUILTINS: dict[str, BuiltinFunction] = {}

F = TypeVar("F", bound=Callable[..., Any])


def builtin(
    name: str,
    parameters: tuple[str, ...],
    *,
    required: int | None = None,
    variadic: bool = False,
    needs_evaluation: bool = False,
    signatures: tuple[tuple[str, ...], ...] = (),
    named_check: Callable[[dict[str, Any]], bool] | None = None,
    scalar: bool = False,
) -> Callable[[F], F]:
    """Register the decorated implementation as the built-in ``name``."""

    def register(impl: F) -> F:
        BUILTINS[name] = BuiltinFunction(
            name=name,
            parameters=parameters,
            impl=impl,
            required=required,
            variadic=variadic,
            needs_evaluation=needs_evaluation,
            signatures=signatures,
            named_check=named_check,
            scalar=scalar,
        )
        return impl

    return register


def expect_number(value: Any, what: str = "argument") -> Decimal:
    if type(value) is not Decimal:
        raise FeelEvalError(f"{what} must be a number, not {_kind(value)}")
    return value


def expect_int(value: Any, what: str = "argument") -> int:
    """A number used as a count or position; fractions are dropped toward zero (as the TCK expects)."""
    return int(expect_number(value, what))


def expect_string(value: Any, what: str = "argument") -> str:
    if type(value) is not str:
        raise FeelEvalError(f"{what} must be a string, not {_kind(value)}")
    return value


def as_list(value: Any, what: str = "list") -> list[Any]:
    """A list argument; a single non-list value becomes a singleton list (DMN 1.5 §10.3.2.9.4)."""
    if value is None:
        raise FeelEvalError(f"{what} must not be null")
    if isinstance(value, list):
        return value
    return [value]


def variadic_items(items: Any) -> list[Any]:
    """Arguments of ``f(list)`` / ``f(item, item...)`` built-ins such as ``min`` and ``sum``."""
    if isinstance(items, list) and len(items) == 1 and isinstance(items[0], list):
        return items[0]
    if isinstance(items, list) and not (len(items) == 1 and items[0] is None):
        return items
    return as_list(items[0] if isinstance(items, list) else items)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return type(value).__name__
