"""Conversion built-ins (DMN 1.5 §10.3.4.1): date, time, date and time, durations, number, string."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from civicflow.feel._temporal_arith import months_between
from civicflow.feel.builtins._registry import builtin, expect_int, expect_number, expect_string
from civicflow.feel.errors import FeelEvalError
from civicflow.feel.operators import string_of
from civicflow.feel.temporal import (
    DaysTimeDuration,
    FeelDate,
    FeelDateTime,
    FeelTime,
    YearsMonthsDuration,
    make_date,
    make_time,
    parse_date,
    parse_date_time,
    parse_duration,
    parse_time,
)
from civicflow.feel.values import NUMBER_CONTEXT


@builtin("date", ("from",), signatures=(("year", "month", "day"),))
def date(*args: Any) -> FeelDate:
    """``date(from)`` for a string, date or date and time; ``date(year, month, day)``."""
    if len(args) == 3:
        year, month, day = (expect_int(a, name) for a, name in zip(args, ("year", "month", "day"), strict=True))
        result = make_date(year, month, day)
        if result is None:
            raise FeelEvalError(f"no such date {year}-{month}-{day}")
        return result
    if len(args) != 1:
        raise FeelEvalError("date takes 1 or 3 arguments")
    value = args[0]
    if isinstance(value, str):
        parsed = parse_date(value)
        if parsed is None:
            raise FeelEvalError(f"not a date: {value!r}")
        return parsed
    if isinstance(value, FeelDate):
        return value
    if isinstance(value, FeelDateTime):
        return value.date_part()
    raise FeelEvalError("date needs a string, date or date and time")


@builtin("time", ("from",), signatures=(("hour", "minute", "second", "offset"),))
def time(*args: Any) -> FeelTime:
    """``time(from)`` for a string, time, date or date and time; ``time(hour, minute, second[, offset])``."""
    if len(args) in (3, 4):
        return _time_of_fields(*args)
    if len(args) != 1:
        raise FeelEvalError("time takes 1, 3 or 4 arguments")
    value = args[0]
    if isinstance(value, str):
        parsed = parse_time(value)
        if parsed is None:
            raise FeelEvalError(f"not a time: {value!r}")
        return parsed
    if isinstance(value, FeelTime):
        return value
    if isinstance(value, FeelDateTime):
        return value.time_part()
    if isinstance(value, FeelDate):
        return FeelTime(0, 0, 0, 0, 0)  # a date is midnight UTC
    raise FeelEvalError("time needs a string, time, date or date and time")


def _time_of_fields(hour: Any, minute: Any, second: Any, offset: Any = None) -> FeelTime:
    h, m = expect_int(hour, "hour"), expect_int(minute, "minute")
    seconds = expect_number(second, "second")
    whole = int(seconds)
    nanos = int((seconds - whole).scaleb(9))
    offset_seconds: int | None = None
    if offset is not None:
        if not isinstance(offset, DaysTimeDuration):
            raise FeelEvalError("offset must be a days and time duration")
        offset_seconds = int(offset.seconds)
    result = make_time(h, m, whole, nanos, offset=offset_seconds)
    if result is None:
        raise FeelEvalError("time fields out of range")
    return result


@builtin("date and time", ("from",), signatures=(("date", "time"),))
def date_and_time(*args: Any) -> FeelDateTime:
    """``date and time(from)`` for a string or date; ``date and time(date, time)``."""
    if len(args) == 2:
        day, clock = args
        if isinstance(day, FeelDateTime):
            day = day.date_part()
        if not isinstance(day, FeelDate) or not isinstance(clock, FeelTime):
            raise FeelEvalError("date and time(date, time) needs a date and a time")
        return FeelDateTime.combine(day, clock)
    if len(args) != 1:
        raise FeelEvalError("date and time takes 1 or 2 arguments")
    value = args[0]
    if isinstance(value, str):
        parsed = parse_date_time(value) if "T" in value else _midnight(parse_date(value))
        if parsed is None:
            raise FeelEvalError(f"not a date and time: {value!r}")
        return parsed
    if isinstance(value, FeelDateTime):
        return value
    if isinstance(value, FeelDate):
        return FeelDateTime(value.year, value.month, value.day, 0, 0, 0)
    raise FeelEvalError("date and time needs a string, date or date and time")


def _midnight(value: FeelDate | None) -> FeelDateTime | None:
    return None if value is None else FeelDateTime(value.year, value.month, value.day, 0, 0, 0)


@builtin("duration", ("from",))
def duration(text: Any) -> YearsMonthsDuration | DaysTimeDuration:
    parsed = parse_duration(expect_string(text, "from"))
    if parsed is None:
        raise FeelEvalError(f"not a duration: {text!r}")
    return parsed


@builtin("years and months duration", ("from", "to"))
def years_and_months_duration(start: Any, end: Any) -> YearsMonthsDuration:
    kinds = (FeelDate, FeelDateTime)
    if not isinstance(start, kinds) or not isinstance(end, kinds):
        raise FeelEvalError("years and months duration needs two dates or date and time values")
    return months_between(start, end)


_NUMBER_RE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
_GROUPING = (" ", ",", ".")
_DECIMAL = (",", ".")


@builtin("number", ("from", "grouping separator", "decimal separator"), required=1)
def number(text: Any, grouping: Any = None, decimal_separator: Any = None) -> Decimal:
    """Parse a number, optionally with a grouping separator (space, comma, period) and decimal separator."""
    value = expect_string(text, "from")
    if grouping is not None and grouping not in _GROUPING:
        raise FeelEvalError("grouping separator must be space, comma or period")
    if decimal_separator is not None and decimal_separator not in _DECIMAL:
        raise FeelEvalError("decimal separator must be comma or period")
    if grouping is not None and grouping == decimal_separator:
        raise FeelEvalError("grouping and decimal separators must differ")
    if grouping is not None:
        value = value.replace(grouping, "")
    if decimal_separator is not None and decimal_separator != ".":
        value = value.replace(decimal_separator, ".")
    if not _NUMBER_RE.fullmatch(value):
        raise FeelEvalError(f"not a number: {text!r}")
    try:
        return NUMBER_CONTEXT.plus(Decimal(value))
    except InvalidOperation as error:
        raise FeelEvalError(f"not a number: {text!r}") from error


@builtin("string", ("from",))
def string(value: Any) -> str | None:
    return string_of(value)
