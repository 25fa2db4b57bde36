"""Property: random arithmetic over Decimals evaluates exactly like Python's Decimal in decimal128."""

from __future__ import annotations

import decimal
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from civicflow.feel import NUMBER_CONTEXT, evaluate

# Operands are written as FEEL literals; negative ones in parentheses so that "- -1" stays readable.
_numbers = st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False, allow_infinity=False)


def _literal(d: Decimal, wrapped: bool) -> tuple[str, Decimal]:
    text = f"{d:f}"
    if wrapped:
        # A context lookup hides the value from constant folding, so the run-time path is tested too.
        return f"{{v: {text}}}.v", d
    return (f"({text})" if d < 0 else text), d


_leaves = st.builds(_literal, _numbers, st.booleans())


def _combine(children: st.SearchStrategy[tuple[str, Decimal | None]]) -> st.SearchStrategy[tuple[str, Decimal | None]]:
    return st.tuples(children, st.sampled_from(["+", "-", "*", "/"]), children).map(_apply)


def _apply(parts: tuple[tuple[str, Decimal | None], str, tuple[str, Decimal | None]]) -> tuple[str, Decimal | None]:
    (left_text, left), op, (right_text, right) = parts
    text = f"({left_text} {op} {right_text})"
    if left is None or right is None:
        return text, None
    try:
        with decimal.localcontext(NUMBER_CONTEXT):
            if op == "+":
                return text, left + right
            if op == "-":
                return text, left - right
            if op == "*":
                return text, left * right
            return text, left / right
    except decimal.DecimalException:
        return text, None  # FEEL: division by zero or overflow is null


_expressions = st.recursive(_leaves, _combine, max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(_expressions)
def test_arithmetic_matches_python_decimal(case: tuple[str, Decimal | None]) -> None:
    text, expected = case
    assert evaluate(text).value == expected
