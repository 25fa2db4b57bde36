"""Public API: compile (cached), evaluate, EvaluationResult, compile_unary_tests, types for instance of."""

from __future__ import annotations

from decimal import Decimal

import pytest

import civicflow.feel as feel
from civicflow.feel import (
    EvaluationResult,
    FeelSyntaxError,
    FeelWarning,
    compile_unary_tests,
    evaluate,
)
from civicflow.feel.evaluation import Evaluation
from civicflow.feel.types import NUMBER, ContextType, ListType


def test_all_is_sorted_and_complete() -> None:
    # ruff's order (RUF022): constants, then classes, then functions, each alphabetical.
    assert feel.__all__ == sorted(feel.__all__, key=lambda n: (not n.isupper(), not n[0].isupper(), n))
    assert all(hasattr(feel, name) for name in feel.__all__)


def test_compile_is_cached_per_text_names_and_limits() -> None:
    assert feel.compile("a + 1", names=["a"]) is feel.compile("a + 1", names=["a"])
    assert feel.compile("a + 1", names=["a"]) is not feel.compile("a + 1", names=["b"])


def test_compiled_expression_evaluates_with_plain_python_values() -> None:
    compiled = feel.compile("Monthly Salary * 12 + bonus", names=["Monthly Salary", "bonus"])
    result = compiled.evaluate({"Monthly Salary": 1000, "bonus": 0.5})
    assert result == EvaluationResult(Decimal("12000.5"), ())


def test_raw_closure_takes_a_scope_and_an_evaluation() -> None:
    fn = feel.compile("x * 2", names=["x"]).fn
    ev = Evaluation()
    assert fn({"x": Decimal(21)}, ev) == Decimal(42)
    assert ev.warnings == []


def test_warnings_come_back_with_kind_message_and_span() -> None:
    result = evaluate("y + 1")
    assert result.value is None
    assert result.warnings == (FeelWarning(kind="name", message="no variable named 'y'", span=(0, 1)),)


def test_syntax_errors_raise_with_position() -> None:
    with pytest.raises(FeelSyntaxError) as caught:
        feel.compile("1 +\n * 2")
    assert (caught.value.line, caught.value.column) == (2, 2)


def test_evaluate_derives_names_from_the_context() -> None:
    assert evaluate("Full Name", {"Full Name": "Ada"}).value == "Ada"


def test_types_resolve_item_definition_names() -> None:
    types = {"tScores": ListType(NUMBER), "tPerson": ContextType((("age", NUMBER),))}
    assert feel.compile("[1, 2] instance of tScores", types=types).evaluate().value is True
    assert feel.compile('["a"] instance of tScores', types=types).evaluate().value is False
    assert feel.compile("{age: 3} instance of tPerson", types=types).evaluate().value is True
    unknown = feel.compile("1 instance of tUnknown").evaluate()
    assert unknown.value is None
    assert unknown.warnings[0].kind == "type"


def test_compile_unary_tests_with_names() -> None:
    tests = compile_unary_tests(">= Minimum Age", names=["Minimum Age"])
    assert tests.evaluate(Decimal(20), {"Minimum Age": 18}).value is True
    assert tests.evaluate(10, {"Minimum Age": 18}).value is False
