"""Compiled arithmetic and comparison: values, null propagation and warnings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from civicflow.feel import DaysTimeDuration, FeelDate, evaluate


def value(text: str, context: dict[str, Any] | None = None) -> Any:
    return evaluate(text, context).value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 + 2 * 3", Decimal(7)),
        ("(1 + 2) * 3", Decimal(9)),
        ("10 / 4", Decimal("2.5")),
        ("1 / 3 * 3", Decimal("0.9999999999999999999999999999999999")),
        ("2 ** 10", Decimal(1024)),
        ("-3 ** 2", Decimal(9)),
        ("3 ** 4 ** 5", Decimal(3486784401)),
        ("--10", Decimal(10)),
        (".5 + .5", Decimal(1)),
        ("1.23e4", Decimal(12300)),
        ('"a" + "b"', "ab"),
        ('@"2020-01-01" + @"P1D"', FeelDate(2020, 1, 2)),
        ('@"P1D" * 2', DaysTimeDuration(Decimal(172800))),
    ],
)
def test_arithmetic(text: str, expected: Any) -> None:
    assert value(text) == expected


def test_variables_use_the_fast_path_and_the_general_path() -> None:
    assert value("x * y + 1", {"x": 6, "y": 7}) == Decimal(43)
    assert value("x - 1", {"x": "text"}) is None


@pytest.mark.parametrize("text", ["1 + null", "null * 2", "-null", "null ** 2"])
def test_null_propagates_without_warning(text: str) -> None:
    result = evaluate(text)
    assert result.value is None
    assert result.warnings == ()


@pytest.mark.parametrize("text", ['1 + "a"', "1 / 0", '-"10"', "true ** 4", '"foo" ** 4'])
def test_type_errors_are_null_with_a_warning(text: str) -> None:
    result = evaluate(text)
    assert result.value is None
    assert result.warnings
    assert result.warnings[0].span is not None


def test_the_warning_points_at_the_operator_expression() -> None:
    result = evaluate('1 + (2 * "x")')
    assert result.value is None
    assert [w.span for w in result.warnings] == [(5, 12)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 < 2", True),
        ("2 <= 2", True),
        ("3 > 4", False),
        ("3 >= 4", False),
        ("1 = 1.0", True),
        ("1 != 2", True),
        ('"a" < "b"', True),
        ('"a" = "a"', True),
        ("null = null", True),
        ("1 = null", False),
        ("null != 1", True),
        ("[1, 2] = [1, 2]", True),
        ("{a: 1} = {a: 1}", True),
        ('@"2020-01-01" < @"2020-01-02"', True),
        ("5 between 1 and 10", True),
        ("5 between 6 and 10", False),
        ('"b" between "a" and "c"', True),
    ],
)
def test_comparisons(text: str, expected: bool) -> None:
    assert value(text) is expected


@pytest.mark.parametrize("text", ['1 = "1"', '1 < "2"', "true > false", 'x > 5 and "a" < 1'])
def test_incomparable_values_are_null_with_a_warning(text: str) -> None:
    result = evaluate(text, {"x": 10})
    assert result.value is None
    assert result.warnings


def test_comparison_with_a_constant_on_either_type() -> None:
    for x, expected in ((Decimal(7), True), (Decimal(3), False), (None, None), ("7", None)):
        assert value("x > 5", {"x": x}) is expected
    assert value('x = "A"', {"x": "A"}) is True
    assert value('x != "A"', {"x": "B"}) is True
    assert value("x = 5", {"x": None}) is False


def test_between_is_a_three_valued_conjunction() -> None:
    assert value("0 between 1 and null") is False
    assert value("5 between 1 and null") is None
