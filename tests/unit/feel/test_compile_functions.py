"""User-defined functions, invocation with positional and named arguments, built-ins, externals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from civicflow import feel
from civicflow.feel import evaluate, is_function


def value(text: str, context: dict[str, Any] | None = None) -> Any:
    return evaluate(text, context).value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("(function(a, b) a - b)(5, 3)", Decimal(2)),
        ("(function(a, b) a - b)(b: 5, a: 3)", Decimal(-2)),
        ("{f: function(x) x * 2, r: f(21)}.r", Decimal(42)),
        ("{fact: function(n) if n <= 1 then 1 else n * fact(n - 1), r: fact(10)}.r", Decimal(3628800)),
        ("{k: 10, add: function(x) x + k, r: add(1)}.r", Decimal(11)),
        ("(function() 7)()", Decimal(7)),
        ("(function(a: number) a + 1)(1)", Decimal(2)),
        ('string length("abc")', Decimal(3)),
        ('substring(string: "abcdef", start position: 3, length: 2)', "cd"),
        ('upper case("x")', "X"),
        ("sort([3, 1, 2], function(a, b) a < b)", [Decimal(1), Decimal(2), Decimal(3)]),
    ],
)
def test_invocation(text: str, expected: Any) -> None:
    assert value(text) == expected


def test_a_function_value_is_a_feel_function() -> None:
    function = value("function(a) a")
    assert is_function(function)
    assert function.parameters == ("a",)


def test_variables_shadow_builtins() -> None:
    assert value("abs(-2)") == Decimal(2)
    assert value("abs", {"abs": Decimal(5)}) == Decimal(5)


@pytest.mark.parametrize(
    "text",
    [
        "(function(a, b) a)(1)",
        "(function(a) a)(1, 2)",
        "(function(a) a)(b: 1)",
        '(function(a: number) a)("x")',
        "1(2)",
        "missing(1)",
    ],
)
def test_bad_invocations_are_null_with_a_warning(text: str) -> None:
    result = evaluate(text)
    assert result.value is None
    assert result.warnings


def test_external_functions_are_null_with_a_warning() -> None:
    result = evaluate('function(x) external {java: {class: "java.lang.Math", method signature: "max(int)"}}')
    assert result.value is None
    assert "external" in result.warnings[0].message


def test_an_external_resolver_supplies_the_function() -> None:
    def resolve(mapping: Any, parameters: tuple[str, ...]) -> Any:
        if mapping == {"python": {"name": "double"}}:
            return value("function(x) x * 2")
        return None

    text = '{d: function(n) external {python: {name: "double"}}, r: d(21)}.r'
    assert feel.compile(text, externals=resolve).evaluate().value == Decimal(42)
    unsupported = feel.compile('(function(n) external {python: {name: "other"}})(1)', externals=resolve).evaluate()
    assert unsupported.value is None
    assert unsupported.warnings
