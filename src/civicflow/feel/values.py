"""FEEL values in Python: numbers, ranges, and conversion at the boundary.

A FEEL value is one of ``None``, ``bool``, ``Decimal``, ``str``, ``list``, ``dict[str, Any]``,
a temporal value from :mod:`civicflow.feel.temporal`, a :class:`Range` or a ``FeelFunction``.
"""

from __future__ import annotations

import datetime as _dt
import decimal
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from civicflow.feel.temporal import (
    DaysTimeDuration,
    FeelDate,
    FeelDateTime,
    FeelTime,
    YearsMonthsDuration,
)

__all__ = [
    "NUMBER_CONTEXT",
    "Range",
    "from_feel",
    "is_number",
    "normalize_number",
    "number_or_none",
    "to_feel",
]

NUMBER_CONTEXT = decimal.Context(
    prec=34,
    rounding=decimal.ROUND_HALF_EVEN,
    Emax=6144,
    Emin=-6143,
    traps=[decimal.InvalidOperation, decimal.Overflow, decimal.DivisionByZero],
)
"""IEEE 754 decimal128, as DMN prescribes; invalid, overflowing or divide-by-zero operations trap."""


def is_number(value: object) -> bool:
    """True for a FEEL number (a Decimal; ``bool`` is never a number)."""
    return type(value) is Decimal


def number_or_none(value: Decimal) -> Decimal | None:
    """Map NaN and infinities (which FEEL does not have) to null."""
    return value if value.is_finite() else None


def normalize_number(value: Decimal) -> Decimal | None:
    """Round to the number context; null when the value is not a finite decimal128."""
    if not value.is_finite():
        return None
    try:
        return NUMBER_CONTEXT.plus(value)
    except decimal.DecimalException:
        return None


@dataclass(frozen=True, slots=True)
class Range:
    """A FEEL range; a ``None`` endpoint is unbounded (``< 5`` is ``Range(None, 5, False, False, "<")``).

    ``operator`` records the comparison a unary test such as ``< 5``, ``= 5`` or ``!= 5`` was written with
    (None for an interval literal ``[a..b]``): DMN 1.5 keeps ``(< 10)`` and ``(null..10)`` apart, and
    ``!= 5`` (``start`` = ``end`` = 5) holds for every value except 5.
    """

    start: Any
    end: Any
    start_included: bool
    end_included: bool
    operator: str | None = None

    def __repr__(self) -> str:
        left = "[" if self.start_included else "("
        right = "]" if self.end_included else ")"
        if self.operator is not None:
            return f"Range({self.operator} {self.start if self.end is None else self.end!r})"
        return f"Range{left}{self.start!r}..{self.end!r}{right}"


def to_feel(value: Any) -> Any:
    """Convert a plain Python value (for example decoded JSON) into a FEEL value.

    ints become Decimals, floats go through ``repr`` so that ``0.1`` stays ``0.1``, tuples become lists,
    dict keys become strings, and standard-library temporal values become FEEL temporal values.
    Values that are already FEEL values pass through unchanged.
    """
    if value is None or isinstance(value, bool | str | Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        number = Decimal(repr(value))
        return number if number.is_finite() else None
    if isinstance(value, list | tuple):
        return [to_feel(item) for item in value]
    if isinstance(value, dict):
        return {str(key): to_feel(item) for key, item in value.items()}
    if isinstance(value, _dt.datetime):
        return FeelDateTime.from_python(value)
    if isinstance(value, _dt.date):
        return FeelDate(value.year, value.month, value.day)
    if isinstance(value, _dt.time):
        return FeelTime.from_python(value)
    if isinstance(value, _dt.timedelta):
        seconds = Decimal(value.days * 86400 + value.seconds) + Decimal(value.microseconds).scaleb(-6)
        return DaysTimeDuration(seconds)
    return value


def from_feel(value: Any, *, json_safe: bool = False) -> Any:
    """Convert a FEEL value into plain Python.

    Temporal values and durations become their ISO 8601 text (as ``string()`` prints them).
    Numbers stay Decimal unless ``json_safe``: then integral numbers become ``int`` and the others
    ``float``. Ranges become ``{"start", "end", "start included", "end included"}``; functions become
    their name (or null).
    """
    if value is None or isinstance(value, bool | str):
        return value
    if type(value) is Decimal:
        if not json_safe:
            return value
        if value == value.to_integral_value():
            return int(value)
        return float(value)
    if isinstance(value, list):
        return [from_feel(item, json_safe=json_safe) for item in value]
    if isinstance(value, dict):
        return {key: from_feel(item, json_safe=json_safe) for key, item in value.items()}
    if isinstance(value, FeelDate | FeelTime | FeelDateTime | YearsMonthsDuration | DaysTimeDuration):
        return str(value)
    if isinstance(value, Range):
        return {
            "start": from_feel(value.start, json_safe=json_safe),
            "end": from_feel(value.end, json_safe=json_safe),
            "start included": value.start_included,
            "end included": value.end_included,
        }
    return getattr(value, "name", None)
