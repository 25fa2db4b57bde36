"""A small emulation of Java static methods for ``functionDefinition kind="Java"``.

DMN lets a model bind a function to a Java class and method signature. A Python engine cannot
load Java classes, so the few side-effect-free methods of ``java.lang`` that models use in
practice (and the TCK tests) are emulated here; any other binding yields null with a warning.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from civicflow.feel.evaluation import Evaluation

__all__ = ["JavaFunction", "java_method"]

_INTEGRAL = frozenset({"int", "long", "short", "byte", "java.lang.Integer", "java.lang.Long"})
_FLOATING = frozenset({"double", "float", "java.lang.Double", "java.lang.Float"})


def _number(value: Any, java_type: str) -> Any:
    if type(value) is not Decimal:
        raise TypeError(java_type)
    if java_type in _INTEGRAL:
        if value != value.to_integral_value():
            raise TypeError(java_type)
        return int(value)
    return float(value)


def _to_java(value: Any, java_type: str) -> Any:
    if java_type in _INTEGRAL or java_type in _FLOATING:
        return _number(value, java_type)
    if java_type == "char":
        if not isinstance(value, str) or len(value) != 1:
            raise TypeError(java_type)
        return value
    if java_type in ("java.lang.String", "String"):
        if not isinstance(value, str):
            raise TypeError(java_type)
        return value
    if java_type == "boolean":
        if type(value) is not bool:
            raise TypeError(java_type)
        return value
    raise TypeError(java_type)


def _to_feel(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return Decimal(repr(value)) if math.isfinite(value) else None
    return None


def _java_round(x: float) -> int:
    return math.floor(x + 0.5)


_MATH: dict[str, Callable[..., Any]] = {
    "max": max,
    "min": min,
    "abs": abs,
    "cos": math.cos,
    "sin": math.sin,
    "tan": math.tan,
    "acos": math.acos,
    "asin": math.asin,
    "atan": math.atan,
    "exp": math.exp,
    "log": math.log,
    "log10": math.log10,
    "sqrt": math.sqrt,
    "pow": math.pow,
    "floor": math.floor,
    "ceil": math.ceil,
    "round": _java_round,
    "signum": lambda x: math.copysign(1.0, x) if x else 0.0,
}

_METHODS: dict[tuple[str, str], Callable[..., Any]] = {
    **{("java.lang.Math", name): fn for name, fn in _MATH.items()},
    ("java.lang.String", "valueOf"): str,
    ("java.lang.Integer", "valueOf"): int,
    ("java.lang.Long", "valueOf"): int,
    ("java.lang.Short", "valueOf"): int,
    ("java.lang.Byte", "valueOf"): int,
    ("java.lang.Double", "valueOf"): float,
    ("java.lang.Float", "valueOf"): float,
}


def java_method(class_name: str, signature: str) -> tuple[Callable[..., Any], tuple[str, ...]] | None:
    """The emulated method and its Java parameter types, or None when it is not emulated."""
    name, _, rest = signature.partition("(")
    params = tuple(p.strip() for p in rest.rstrip().rstrip(")").split(",") if p.strip())
    method = _METHODS.get((class_name.strip(), name.strip()))
    allowed = _INTEGRAL | _FLOATING | {"char", "boolean", "java.lang.String"}
    if class_name.strip() == "java.lang.Math":
        allowed = _INTEGRAL | _FLOATING  # Math has numeric overloads only: max(String, String) does not exist
    if method is None or any(p not in allowed for p in params):
        return None
    return method, params


class JavaFunction:
    """A FEEL function value bound to an emulated Java static method."""

    __slots__ = ("_java_types", "_method", "name", "parameters")

    def __init__(self, *, parameters: tuple[str, ...], method: Callable[..., Any], java_types: tuple[str, ...]) -> None:
        self.name: str | None = None
        self.parameters = parameters
        self._method = method
        self._java_types = java_types

    def call(self, ev: Evaluation, args: list[Any], named: dict[str, Any] | None) -> Any:
        values = [named.get(p) for p in self.parameters] if named is not None else list(args)
        if len(values) != len(self._java_types):
            ev.warn("invocation", f"Java method expects {len(self._java_types)} arguments; result is null")
            return None
        try:
            java_args = [_to_java(v, t) for v, t in zip(values, self._java_types, strict=True)]
            return _to_feel(self._method(*java_args))
        except (TypeError, ValueError, OverflowError) as exc:
            ev.warn("invocation", f"Java method cannot take these arguments ({exc}); result is null")
            return None
