"""Literals, lists, contexts, ranges and @-literals as values."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from civicflow.feel import FeelDate, FeelDateTime, FeelTime, Range, YearsMonthsDuration, evaluate


def value(text: str) -> Any:
    return evaluate(text).value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", Decimal(42)),
        ("-0.5", Decimal("-0.5")),
        ('"a\\tb"', "a\tb"),
        ("true", True),
        ("null", None),
        ('[1, "a", null]', [Decimal(1), "a", None]),
        ("[]", []),
        ('{a: 1, "b c": 2, d: a + 1}', {"a": Decimal(1), "b c": Decimal(2), "d": Decimal(2)}),
        ("{a: {b: 1}}", {"a": {"b": Decimal(1)}}),
        ('@"2020-02-29"', FeelDate(2020, 2, 29)),
        ('@"10:30:00"', FeelTime(10, 30, 0)),
        ('@"2020-01-01T10:00:00Z"', FeelDateTime(2020, 1, 1, 10, 0, 0, 0, 0)),
        ('@"P1Y2M"', YearsMonthsDuration(14)),
    ],
)
def test_literal_values(text: str, expected: Any) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1..10]", Range(Decimal(1), Decimal(10), True, True)),
        ("(1..10)", Range(Decimal(1), Decimal(10), False, False)),
        ("]1..10]", Range(Decimal(1), Decimal(10), False, True)),
        ("[1..10[", Range(Decimal(1), Decimal(10), True, False)),
        ("< 5", Range(None, Decimal(5), False, False, "<")),
        (">= 5", Range(Decimal(5), None, True, False, ">=")),
    ],
)
def test_ranges_as_values(text: str, expected: Range) -> None:
    assert value(text) == expected


def test_range_with_endpoints_of_different_kinds_is_null() -> None:
    result = evaluate('[1..@"2020-01-01"]')
    assert result.value is None
    assert result.warnings[0].kind == "range"


def test_invalid_at_literal_is_null_with_a_warning() -> None:
    result = evaluate('@"not a date"')
    assert result.value is None
    assert result.warnings[0].kind == "literal"


def test_duplicate_context_keys_are_null() -> None:
    result = evaluate('{foo: "bar", foo: "baz"}')
    assert result.value is None
    assert result.warnings


def test_context_entries_do_not_leak_into_the_outer_scope() -> None:
    result = evaluate("{inner: {a: 1}, b: a}")
    assert result.value == {"inner": {"a": Decimal(1)}, "b": None}
