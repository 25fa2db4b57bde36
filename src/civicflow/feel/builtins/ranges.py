"""Range built-ins (DMN 1.5 §10.3.4.9): before, after, meets ... coincides, and range(from)."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from civicflow.feel.builtins._registry import builtin, expect_string
from civicflow.feel.errors import FeelEvalError
from civicflow.feel.operators import compare
from civicflow.feel.temporal import parse_at_literal, parse_date, parse_date_time, parse_duration, parse_time
from civicflow.feel.values import Range

# The point and range variants share one name; named calls may use any of these spellings.
_PAIRS = (("point", "range"), ("range", "point"), ("range1", "range2"))


def _cmp(a: Any, b: Any) -> int:
    order = compare(a, b)
    if order is None:
        raise FeelEvalError("values cannot be compared")
    return order


_MINUS_INFINITY, _PLUS_INFINITY = -1, 1


def _order(a: Any, a_unbounded: int, b: Any, b_unbounded: int) -> int:
    """Compare two endpoints; a None endpoint stands for the given infinity."""
    if a is None or b is None:
        left = a_unbounded if a is None else 0
        right = b_unbounded if b is None else 0
        if a is None and b is None:
            return (left > right) - (left < right)
        return left - right if a is None else -right
    return _cmp(a, b)


def _starts_cmp(a: Range, b: Range) -> int:
    return _order(a.start, _MINUS_INFINITY, b.start, _MINUS_INFINITY)


def _ends_cmp(a: Range, b: Range) -> int:
    return _order(a.end, _PLUS_INFINITY, b.end, _PLUS_INFINITY)


def _end_start_cmp(a: Range, b: Range) -> int:
    """Compare a's end with b's start."""
    return _order(a.end, _PLUS_INFINITY, b.start, _MINUS_INFINITY)


def _check(value: Any) -> Any:
    if value is None:
        raise FeelEvalError("argument must not be null")
    return value


def _point_range(point: Any) -> Range:
    return Range(point, point, start_included=True, end_included=True)


def _before(a: Any, b: Any) -> bool:
    a, b = _check(a), _check(b)
    if not isinstance(a, Range) and not isinstance(b, Range):
        return _cmp(a, b) < 0
    r1 = a if isinstance(a, Range) else _point_range(a)
    r2 = b if isinstance(b, Range) else _point_range(b)
    order = _end_start_cmp(r1, r2)
    return order < 0 or (order == 0 and not (r1.end_included and r2.start_included))


def _includes(a: Any, b: Any) -> bool:
    r1, r2 = _check(a), _check(b)
    if not isinstance(r1, Range):
        raise FeelEvalError("the first argument must be a range")
    if not isinstance(r2, Range):
        r2 = _point_range(r2)
    starts, ends = _starts_cmp(r1, r2), _ends_cmp(r1, r2)
    starts_ok = starts < 0 or (starts == 0 and (r1.start_included or not r2.start_included))
    ends_ok = ends > 0 or (ends == 0 and (r1.end_included or not r2.end_included))
    return starts_ok and ends_ok


def _starts(a: Any, b: Any) -> bool:
    a, r2 = _check(a), _check(b)
    if not isinstance(r2, Range):
        raise FeelEvalError("the second argument must be a range")
    if not isinstance(a, Range):
        return r2.start_included and r2.start is not None and _cmp(a, r2.start) == 0
    ends = _ends_cmp(a, r2)
    return (
        _starts_cmp(a, r2) == 0
        and a.start_included == r2.start_included
        and (ends < 0 or (ends == 0 and (not a.end_included or r2.end_included)))
    )


def _finishes(a: Any, b: Any) -> bool:
    a, r2 = _check(a), _check(b)
    if not isinstance(r2, Range):
        raise FeelEvalError("the second argument must be a range")
    if not isinstance(a, Range):
        return r2.end_included and r2.end is not None and _cmp(a, r2.end) == 0
    starts = _starts_cmp(a, r2)
    return (
        _ends_cmp(a, r2) == 0
        and a.end_included == r2.end_included
        and (starts > 0 or (starts == 0 and (not a.start_included or r2.start_included)))
    )


def _ranges(a: Any, b: Any) -> tuple[Range, Range]:
    if not isinstance(_check(a), Range) or not isinstance(_check(b), Range):
        raise FeelEvalError("both arguments must be ranges")
    return a, b


def _meets(a: Any, b: Any) -> bool:
    r1, r2 = _ranges(a, b)
    return r1.end_included and r2.start_included and r1.end is not None and _end_start_cmp(r1, r2) == 0


def _overlaps(a: Any, b: Any) -> bool:
    r1, r2 = _ranges(a, b)
    reach = _end_start_cmp(r1, r2)
    back = _end_start_cmp(r2, r1)
    return (reach > 0 or (reach == 0 and r1.end_included and r2.start_included)) and (
        back > 0 or (back == 0 and r2.end_included and r1.start_included)
    )


def _overlaps_before(a: Any, b: Any) -> bool:
    r1, r2 = _ranges(a, b)
    starts, ends, reach = _starts_cmp(r1, r2), _ends_cmp(r1, r2), _end_start_cmp(r1, r2)
    return (
        (starts < 0 or (starts == 0 and r1.start_included and not r2.start_included))
        and (reach > 0 or (reach == 0 and r1.end_included and r2.start_included))
        and (ends < 0 or (ends == 0 and (not r1.end_included or r2.end_included)))
    )


def _coincides(a: Any, b: Any) -> bool:
    a, b = _check(a), _check(b)
    if isinstance(a, Range) and isinstance(b, Range):
        return (
            _starts_cmp(a, b) == 0
            and _ends_cmp(a, b) == 0
            and (a.start_included, a.end_included) == (b.start_included, b.end_included)
        )
    if isinstance(a, Range) or isinstance(b, Range):
        raise FeelEvalError("coincides needs two points or two ranges")
    return _cmp(a, b) == 0


def _register(name: str, first: tuple[str, str], test: Any, *, swap: bool = False) -> None:
    def impl(a: Any, b: Any) -> bool:
        return bool(test(b, a) if swap else test(a, b))

    builtin(name, first, signatures=_PAIRS)(impl)


_register("before", ("point1", "point2"), _before)
_register("after", ("point1", "point2"), _before, swap=True)
_register("meets", ("range1", "range2"), _meets)
_register("met by", ("range1", "range2"), _meets, swap=True)
_register("overlaps", ("range1", "range2"), _overlaps)
_register("overlaps before", ("range1", "range2"), _overlaps_before)
_register("overlaps after", ("range1", "range2"), _overlaps_before, swap=True)
_register("finishes", ("point", "range"), _finishes)
_register("finished by", ("range", "point"), _finishes, swap=True)
_register("includes", ("range", "point"), _includes)
_register("during", ("point", "range"), _includes, swap=True)
_register("starts", ("point", "range"), _starts)
_register("started by", ("range", "point"), _starts, swap=True)
_register("coincides", ("point1", "point2"), _coincides)


# ---------------------------------------------------------------------------------------------------
# range(from): the text of a range literal whose endpoints are literals

_RANGE_RE = re.compile(r"\s*([\[\(\]])(.*)\.\.(.*)([\]\)\[])\s*", re.DOTALL)
_NUMBER_RE = re.compile(r"-?(?:[0-9]+(?:\.[0-9]+)?|\.[0-9]+)")
_STRING = r'"((?:[^"\\]|\\.)*)"'
_CALL_RE = re.compile(r"(date and time|date|time|duration)\s*\(\s*" + _STRING + r"\s*\)")
_PARSERS = {"date and time": parse_date_time, "date": parse_date, "time": parse_time, "duration": parse_duration}


def _endpoint(text: str) -> Any:
    text = text.strip()
    if _NUMBER_RE.fullmatch(text):
        return Decimal(text)
    string = re.fullmatch(_STRING, text)
    if string:
        return string.group(1).encode("utf-8").decode("unicode_escape") if "\\" in text else string.group(1)
    at = re.fullmatch("@" + _STRING, text)
    if at:
        return parse_at_literal(at.group(1))
    call = _CALL_RE.fullmatch(text)
    if call:
        return _PARSERS[call.group(1)](call.group(2))
    raise FeelEvalError(f"range endpoint {text!r} is not a literal")


@builtin("range", ("from",))
def range_(text: Any) -> Range:
    match = _RANGE_RE.fullmatch(expect_string(text, "from"))
    if match is None:
        raise FeelEvalError("not a range literal")
    open_, start_text, end_text, close = match.groups()
    start, end = _endpoint(start_text), _endpoint(end_text)
    if start is None or end is None:
        raise FeelEvalError("range endpoints must be literal values")
    if _cmp(start, end) > 0:
        raise FeelEvalError("range endpoints are not in order")
    return Range(start, end, open_ == "[", close == "]")
