"""Three-valued logic as truth tables, and if-then-else."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from civicflow.feel import evaluate

T, F, N = "true", "false", "null"

AND_TABLE = [
    (T, T, True),
    (T, F, False),
    (T, N, None),
    (F, T, False),
    (F, F, False),
    (F, N, False),
    (N, T, None),
    (N, F, False),
    (N, N, None),
]
OR_TABLE = [
    (T, T, True),
    (T, F, True),
    (T, N, True),
    (F, T, True),
    (F, F, False),
    (F, N, None),
    (N, T, True),
    (N, F, None),
    (N, N, None),
]


@pytest.mark.parametrize(("a", "b", "expected"), AND_TABLE)
def test_and_truth_table(a: str, b: str, expected: bool | None) -> None:
    assert evaluate(f"{a} and {b}").value is expected


@pytest.mark.parametrize(("a", "b", "expected"), OR_TABLE)
def test_or_truth_table(a: str, b: str, expected: bool | None) -> None:
    assert evaluate(f"{a} or {b}").value is expected


@pytest.mark.parametrize(("text", "expected"), [("not(true)", False), ("not(false)", True), ("not(null)", None)])
def test_not_is_the_builtin_function(text: str, expected: bool | None) -> None:
    assert evaluate(text).value is expected


def test_non_booleans_count_as_null() -> None:
    assert evaluate("1 and true").value is None
    assert evaluate('"a" or false').value is None
    assert evaluate("0 and false").value is False


def test_short_circuit_skips_the_right_operand() -> None:
    # The right side would warn about an unknown name if it were evaluated.
    assert evaluate("false and missing").warnings == ()
    assert evaluate("true or missing").warnings == ()


@pytest.mark.parametrize(
    ("condition", "expected"),
    [(True, "yes"), (False, "no"), (None, "no"), (Decimal(1), "no")],
)
def test_if_takes_else_unless_the_condition_is_true(condition: Any, expected: str) -> None:
    assert evaluate('if c then "yes" else "no"', {"c": condition}).value == expected


def test_if_evaluates_only_the_chosen_branch() -> None:
    result = evaluate("if true then 1 else missing")
    assert result.value == Decimal(1)
    assert result.warnings == ()
