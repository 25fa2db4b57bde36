"""Unary tests (decision table input entries) and the ``in`` operator."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from civicflow.feel import FeelDate, compile_unary_tests, evaluate
from civicflow.feel.evaluation import Evaluation


def check(tests: str, value: Any, context: dict[str, Any] | None = None) -> bool | None:
    result: bool | None = compile_unary_tests(tests, names=tuple(context or ())).evaluate(value, context).value
    return result


@pytest.mark.parametrize(
    ("tests", "value", "expected"),
    [
        ("-", Decimal(1), True),
        ("-", None, True),
        ("", "x", True),
        ("< 18", Decimal(17), True),
        ("< 18", Decimal(18), False),
        ("<= 18", Decimal(18), True),
        ("> 18", Decimal(18), False),
        (">= 18", Decimal(18), True),
        ("= 18", Decimal(18), True),
        ("!= 18", Decimal(18), False),
        ("18", Decimal(18), True),
        ('"A"', "A", True),
        ('"A", "B"', "B", True),
        ('"A", "B"', "C", False),
        ("[10..20]", Decimal(10), True),
        ("(10..20]", Decimal(10), False),
        ("]10..20[", Decimal(20), False),
        ("[10..20)", Decimal("19.99"), True),
        ("not(1, 2)", Decimal(3), True),
        ("not(1, 2)", Decimal(2), False),
        ('not("A")', "A", False),
        ("true", True, True),
        ("false", True, False),
        ("null", None, True),
        ("null", Decimal(1), False),
        ("< 18", None, None),
        ("< 18", "x", None),
        ('@"2020-01-01"', FeelDate(2020, 1, 1), True),
        ('< @"2020-01-01"', FeelDate(2019, 12, 31), True),
        ("[1, 2, 3]", Decimal(2), True),
        ("? > 5", Decimal(6), True),
        ("? > 5", Decimal(5), False),
        ("odd(?)", Decimal(3), True),
        ("< 10, > 20", Decimal(25), True),
        ("< 10, > 20", Decimal(15), False),
    ],
)
def test_unary_tests(tests: str, value: Any, expected: bool | None) -> None:
    assert check(tests, value) is expected


def test_operands_may_be_names_in_scope() -> None:
    context = {"Minimum Age": Decimal(18), "Allowed": ["A", "B"], "Window": [Decimal(1), Decimal(5)]}
    assert check(">= Minimum Age", Decimal(20), context) is True
    assert check("Allowed", "B", context) is True
    assert check("[Window[1]..Window[2]]", Decimal(3), context) is True
    assert check("Minimum Age", Decimal(18), context) is True


def test_a_boolean_expression_without_the_input_decides_by_itself() -> None:
    assert check("x > 3", Decimal(1), {"x": Decimal(4)}) is True


def test_raw_closure_takes_value_scope_and_evaluation() -> None:
    test = compile_unary_tests("< 18, [30..40]").test
    ev = Evaluation()
    assert test(Decimal(35), {}, ev) is True
    assert test(Decimal(20), {}, ev) is False
    assert ev.warnings == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 in [1..10]", True),
        ("5 in (1, 5, 9)", True),
        ("10 in (1, < 5, >= 10)", True),
        ('"a" in ["b", "c", "a"]', True),
        ("1 in [[2..4], [1..3]]", True),
        ("[1, 2, 3] in [[1, 2, 3, 4], [1, 2, 3]]", True),
        ("[1, 2, 3] in [1, 2, 3]", False),
        ("[1, 2, 3] in ([1, 2, 3])", False),
        ("[1, 2, 3] in =[1, 2, 3]", True),
        ("[1, 2, 3] in !=[1, 2, 3]", False),
        ("10 in !=11", True),
        ("1 in 1", True),
        ("null in [1..10]", None),
        ("5 in [null..10]", None),
        ("5 in (null..10]", None),
    ],
)
def test_in_operator(text: str, expected: bool | None) -> None:
    assert evaluate(text).value is expected
