"""Numeric built-ins (DMN 1.5 §10.3.4.5): rounding, abs, modulo, sqrt, log, exp, odd, even."""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

from civicflow.feel.builtins._registry import builtin, expect_int, expect_number
from civicflow.feel.errors import FeelEvalError
from civicflow.feel.temporal import DaysTimeDuration, YearsMonthsDuration
from civicflow.feel.values import NUMBER_CONTEXT

_ctx = NUMBER_CONTEXT
_MIN_SCALE, _MAX_SCALE = -6111, 6176  # the exponent range of decimal128


def _round(n: Any, scale: Any, rounding: str) -> Decimal:
    number = expect_number(n, "n")
    places = expect_int(scale, "scale")
    if not _MIN_SCALE <= places <= _MAX_SCALE:
        raise FeelEvalError(f"scale {places} is outside {_MIN_SCALE}..{_MAX_SCALE}")
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent <= places:
        return number  # already has no more digits than asked for
    try:
        return number.quantize(Decimal((0, (1,), -places)), rounding=rounding, context=_ctx)
    except decimal.DecimalException as error:
        raise FeelEvalError(f"cannot round {number} to scale {places}") from error


@builtin("decimal", ("n", "scale"))
def decimal_(n: Any, scale: Any) -> Decimal:
    return _round(n, scale, decimal.ROUND_HALF_EVEN)


@builtin("floor", ("n", "scale"), required=1)
def floor(n: Any, scale: Any = Decimal(0)) -> Decimal:
    return _round(n, scale, decimal.ROUND_FLOOR)


@builtin("ceiling", ("n", "scale"), required=1)
def ceiling(n: Any, scale: Any = Decimal(0)) -> Decimal:
    return _round(n, scale, decimal.ROUND_CEILING)


@builtin("round up", ("n", "scale"), required=1)
def round_up(n: Any, scale: Any = Decimal(0)) -> Decimal:
    return _round(n, scale, decimal.ROUND_UP)


@builtin("round down", ("n", "scale"), required=1)
def round_down(n: Any, scale: Any = Decimal(0)) -> Decimal:
    return _round(n, scale, decimal.ROUND_DOWN)


@builtin("round half up", ("n", "scale"), required=1)
def round_half_up(n: Any, scale: Any = Decimal(0)) -> Decimal:
    return _round(n, scale, decimal.ROUND_HALF_UP)


@builtin("round half down", ("n", "scale"), required=1)
def round_half_down(n: Any, scale: Any = Decimal(0)) -> Decimal:
    return _round(n, scale, decimal.ROUND_HALF_DOWN)


@builtin("abs", ("n",))
def abs_(n: Any) -> Any:
    if type(n) is DaysTimeDuration:
        return DaysTimeDuration(abs(n.seconds))
    if type(n) is YearsMonthsDuration:
        return YearsMonthsDuration(abs(n.months))
    return _ctx.abs(expect_number(n, "n"))


@builtin("modulo", ("dividend", "divisor"))
def modulo(dividend: Any, divisor: Any) -> Decimal:
    """``dividend - divisor * floor(dividend / divisor)``: the result has the divisor's sign."""
    a = expect_number(dividend, "dividend")
    b = expect_number(divisor, "divisor")
    if b == 0:
        raise FeelEvalError("modulo by zero")
    try:
        remainder = _ctx.remainder(a, b)
        if remainder != 0 and (remainder < 0) != (b < 0):
            remainder = _ctx.add(remainder, b)
        return remainder
    except decimal.DecimalException:
        quotient = _ctx.divide(a, b).to_integral_value(rounding=decimal.ROUND_FLOOR)
        return _ctx.subtract(a, _ctx.multiply(b, quotient))


@builtin("sqrt", ("number",))
def sqrt(number: Any) -> Decimal:
    value = expect_number(number, "number")
    if value < 0:
        raise FeelEvalError("square root of a negative number")
    return _ctx.sqrt(value)


@builtin("log", ("number",))
def log(number: Any) -> Decimal:
    value = expect_number(number, "number")
    if value <= 0:
        raise FeelEvalError("logarithm of a number that is not positive")
    return _ctx.ln(value)


@builtin("exp", ("number",))
def exp(number: Any) -> Decimal:
    try:
        return _ctx.exp(expect_number(number, "number"))
    except decimal.DecimalException as error:
        raise FeelEvalError("exp overflows") from error


def _integer(number: Any) -> Decimal:
    value = expect_number(number, "number")
    if value != value.to_integral_value():
        raise FeelEvalError("odd and even need an integer")
    return value


@builtin("odd", ("number",))
def odd(number: Any) -> bool:
    return int(_integer(number)) % 2 != 0


@builtin("even", ("number",))
def even(number: Any) -> bool:
    return int(_integer(number)) % 2 == 0
