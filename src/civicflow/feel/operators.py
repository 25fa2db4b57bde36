"""FEEL operators over values (DMN 1.5 §10.3.2.3, tables 54-59).

Every operator returns the FEEL result or None (null) when the operand types do not combine or the
number leaves decimal128; none of them raises for a semantic error. The compiler attaches warnings.
"""

from __future__ import annotations

import decimal
from decimal import Decimal
from typing import Any

from civicflow.feel._temporal_arith import (
    add_days_time,
    add_months,
    compare_times,
    subtract_date_times,
    subtract_times,
)
from civicflow.feel.temporal import (
    DaysTimeDuration,
    FeelDate,
    FeelDateTime,
    FeelTime,
    YearsMonthsDuration,
)
from civicflow.feel.values import NUMBER_CONTEXT, Range

__all__ = [
    "add",
    "compare",
    "divide",
    "equals",
    "multiply",
    "negate",
    "power",
    "range_includes",
    "string_of",
    "subtract",
]

_ctx = NUMBER_CONTEXT
_DecimalError = decimal.DecimalException
_NANOSECOND = Decimal("1E-9")
_DATE_LIKE = (FeelDate, FeelDateTime)
_MILLIS = 1_000_000  # equality and order of times ignore digits below the millisecond, like the TCK


def _dt_duration(seconds: Decimal) -> DaysTimeDuration:
    if seconds.as_tuple().exponent < -9:  # type: ignore[operator]  # finite values have int exponents
        seconds = seconds.quantize(_NANOSECOND, context=_ctx)
    return DaysTimeDuration(seconds)


def add(a: Any, b: Any) -> Any:
    """``a + b``: numbers, strings, durations, and temporal value plus duration (either order)."""
    ta, tb = type(a), type(b)
    if ta is Decimal and tb is Decimal:
        try:
            return _ctx.add(a, b)
        except _DecimalError:
            return None
    if ta is str and tb is str:
        return a + b
    if ta is DaysTimeDuration:
        if tb is DaysTimeDuration:
            return DaysTimeDuration(_ctx.add(a.seconds, b.seconds))
        a, b, ta, tb = b, a, tb, ta
    elif ta is YearsMonthsDuration:
        if tb is YearsMonthsDuration:
            return YearsMonthsDuration(a.months + b.months)
        a, b, ta, tb = b, a, tb, ta
    if tb is DaysTimeDuration and ta in (FeelDate, FeelDateTime, FeelTime):
        return add_days_time(a, b)
    if tb is YearsMonthsDuration and ta in _DATE_LIKE:
        return add_months(a, b.months)
    return None


def subtract(a: Any, b: Any) -> Any:
    """``a - b``: numbers, durations, temporal minus duration, and differences of temporal values."""
    ta, tb = type(a), type(b)
    if ta is Decimal and tb is Decimal:
        try:
            return _ctx.subtract(a, b)
        except _DecimalError:
            return None
    if ta in _DATE_LIKE:
        if tb in _DATE_LIKE:
            return subtract_date_times(a, b)
        if tb is DaysTimeDuration:
            return add_days_time(a, b, -1)
        if tb is YearsMonthsDuration:
            return add_months(a, -b.months)
        return None
    if ta is FeelTime:
        if tb is FeelTime:
            return subtract_times(a, b)
        if tb is DaysTimeDuration:
            return add_days_time(a, b, -1)
        return None
    if ta is DaysTimeDuration and tb is DaysTimeDuration:
        return DaysTimeDuration(_ctx.subtract(a.seconds, b.seconds))
    if ta is YearsMonthsDuration and tb is YearsMonthsDuration:
        return YearsMonthsDuration(a.months - b.months)
    return None


def _scale_months(months: int, factor: Decimal, *, divide: bool) -> YearsMonthsDuration | None:
    try:
        value = _ctx.divide(Decimal(months), factor) if divide else _ctx.multiply(Decimal(months), factor)
        # Fractions of a month are dropped toward zero (the TCK's -P1Y11M * 2.5 = -P4Y9M).
        return YearsMonthsDuration(int(value.to_integral_value(rounding=decimal.ROUND_DOWN)))
    except _DecimalError:
        return None


def multiply(a: Any, b: Any) -> Any:
    """``a * b``: numbers, and a duration scaled by a number (either order)."""
    ta, tb = type(a), type(b)
    if ta is Decimal and tb is Decimal:
        try:
            return _ctx.multiply(a, b)
        except _DecimalError:
            return None
    if ta is Decimal:
        a, b, ta, tb = b, a, tb, ta
    if tb is not Decimal:
        return None
    try:
        if ta is DaysTimeDuration:
            return _dt_duration(_ctx.multiply(a.seconds, b))
    except _DecimalError:
        return None
    if ta is YearsMonthsDuration:
        return _scale_months(a.months, b, divide=False)
    return None


def divide(a: Any, b: Any) -> Any:
    """``a / b``: numbers, duration by number, and duration by duration of the same kind (a number)."""
    ta, tb = type(a), type(b)
    try:
        if ta is Decimal and tb is Decimal:
            return _ctx.divide(a, b)
        if ta is DaysTimeDuration:
            if tb is Decimal:
                return _dt_duration(_ctx.divide(a.seconds, b))
            if tb is DaysTimeDuration:
                return _ctx.divide(a.seconds, b.seconds)
        elif ta is YearsMonthsDuration:
            if tb is Decimal:
                return _scale_months(a.months, b, divide=True)
            if tb is YearsMonthsDuration:
                return _ctx.divide(Decimal(a.months), Decimal(b.months))
    except _DecimalError:
        return None
    return None


def power(a: Any, b: Any) -> Any:
    """``a ** b`` for numbers; null when the result is not a finite decimal128."""
    if type(a) is not Decimal or type(b) is not Decimal:
        return None
    try:
        if b == b.to_integral_value() and abs(b) > 999_999_999:
            return None  # decimal refuses exponents this large; no finite FEEL result exists anyway
        result = _ctx.power(a, b)
    except _DecimalError:
        return None
    return result if result.is_finite() else None  # 0 ** -1 is Infinity without a trap


def negate(a: Any) -> Any:
    """Unary minus for numbers and durations."""
    ta = type(a)
    if ta is Decimal:
        return _ctx.minus(a)
    if ta is DaysTimeDuration:
        return DaysTimeDuration(-a.seconds)
    if ta is YearsMonthsDuration:
        return YearsMonthsDuration(-a.months)
    return None


# ---------------------------------------------------------------------------------------------------
# Equality and order


def _time_key(value: FeelTime) -> tuple[int, bool]:
    offset = value.utc_offset()
    return (value.nanos_of_day() - (offset or 0) * 1_000_000_000) // _MILLIS, offset is None


def equals(a: Any, b: Any) -> bool | None:
    """FEEL ``=``: deep equality; null when the two values are of different kinds."""
    ta = type(a)
    if ta is type(b):
        if ta is Decimal or ta is str or ta is bool or ta is FeelDate:
            return bool(a == b)
        if a is None:
            return True
        if ta is list:
            return _lists_equal(a, b)
        if ta is dict:
            return _contexts_equal(a, b)
        if ta is FeelDateTime:
            if a.has_timezone() != b.has_timezone():
                return False
            return bool(a.epoch_nanos() // _MILLIS == b.epoch_nanos() // _MILLIS)
        if ta is FeelTime:
            return _time_key(a) == _time_key(b)
        if ta is DaysTimeDuration or ta is YearsMonthsDuration:
            return bool(a == b)
        if ta is Range:
            return _ranges_equal(a, b)
        return a is b
    if a is None or b is None:
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return _contexts_equal(a, b)
    if isinstance(a, list) and isinstance(b, list):
        return _lists_equal(a, b)
    if hasattr(a, "call") and hasattr(b, "call"):
        return a is b
    return None


def _lists_equal(a: list[Any], b: list[Any]) -> bool | None:
    if len(a) != len(b):
        return False
    result: bool | None = True
    for x, y in zip(a, b, strict=True):
        same = equals(x, y)
        if same is False:
            return False
        if same is None:
            result = None
    return result


def _contexts_equal(a: dict[str, Any], b: dict[str, Any]) -> bool | None:
    if a.keys() != b.keys():
        return False
    result: bool | None = True
    for key, value in a.items():
        same = equals(value, b[key])
        if same is False:
            return False
        if same is None:
            result = None
    return result


def _ranges_equal(a: Range, b: Range) -> bool | None:
    if (a.start_included, a.end_included, a.operator) != (b.start_included, b.end_included, b.operator):
        return False
    start = equals(a.start, b.start)
    end = equals(a.end, b.end)
    if start is False or end is False:
        return False
    return None if start is None or end is None else True


def compare(a: Any, b: Any) -> int | None:
    """-1, 0 or 1 for ordered values of one kind; None when FEEL does not order them."""
    ta = type(a)
    if ta is not type(b):
        return None
    if ta is Decimal or ta is str or ta is FeelDate or ta is DaysTimeDuration or ta is YearsMonthsDuration:
        return int((a > b) - (a < b))
    if ta is FeelDateTime:
        if a.has_timezone() != b.has_timezone():
            return None
        x: int = a.epoch_nanos() // _MILLIS
        y: int = b.epoch_nanos() // _MILLIS
        return (x > y) - (x < y)
    if ta is FeelTime:
        return compare_times(a, b)
    return None


def range_includes(r: Range, value: Any) -> bool | None:
    """Whether ``value`` lies in the range; null when it cannot be compared with an endpoint."""
    if r.operator == "!=":
        same = equals(value, r.start)
        return None if same is None else not same
    if r.start is not None:
        order = compare(value, r.start)
        if order is None:
            return None
        if order < 0 or (order == 0 and not r.start_included):
            return False
    if r.end is not None:
        order = compare(value, r.end)
        if order is None:
            return None
        if order > 0 or (order == 0 and not r.end_included):
            return False
    return True


# ---------------------------------------------------------------------------------------------------
# string()


def format_number(value: Decimal) -> str:
    """Plain decimal text without exponent (``1.23E+4`` prints as ``12300``)."""
    text = f"{value:f}"
    return "0" if text in ("-0", "0") else text


def string_of(value: Any) -> str | None:
    """The FEEL ``string()`` conversion; null for null."""
    t = type(value)
    if t is str:
        return value  # type: ignore[no-any-return]
    if value is None:
        return None
    if t is Decimal:
        return format_number(value)
    if t is bool:
        return "true" if value else "false"
    if t in (FeelDate, FeelTime, FeelDateTime, DaysTimeDuration, YearsMonthsDuration):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_nested_string(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{key}: {_nested_string(item)}" for key, item in value.items()) + "}"
    if isinstance(value, Range):
        return _range_string(value)
    name = getattr(value, "name", None)
    return f"function {name}" if name else "function"


def _nested_string(value: Any) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    text = string_of(value)
    return "null" if text is None else text


def _range_string(r: Range) -> str:
    if r.operator is not None:
        bound = r.start if r.operator in (">", ">=", "=", "!=") else r.end
        return f"{r.operator} {_nested_string(bound)}"
    left = "[" if r.start_included else "("
    right = "]" if r.end_included else ")"
    return f"{left}{_nested_string(r.start)}..{_nested_string(r.end)}{right}"
