"""Property: the specialised unary-test closures agree with the general FEEL operators."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from civicflow.feel import FeelDate, compile_unary_tests, evaluate

_values = st.one_of(
    st.none(),
    st.booleans(),
    st.decimals(min_value=-100, max_value=100, places=2, allow_nan=False, allow_infinity=False),
    st.text(alphabet="abc", max_size=3),
    st.builds(FeelDate, st.integers(2000, 2002), st.integers(1, 12), st.integers(1, 28)),
)
_constants = st.one_of(
    st.decimals(min_value=-100, max_value=100, places=1, allow_nan=False, allow_infinity=False).map(lambda d: f"{d:f}"),
    st.text(alphabet="abc", max_size=3).map(lambda s: f'"{s}"'),
    st.sampled_from(['@"2001-06-15"', "true", "null"]),
)


@settings(max_examples=300, deadline=None)
@given(_values, st.sampled_from(["<", "<=", ">", ">=", "=", "!="]), _constants)
def test_comparison_test_matches_the_comparison_expression(value: Any, op: str, constant: str) -> None:
    as_test = compile_unary_tests(f"{op} {constant}").evaluate(value).value
    as_expression = evaluate(f"x {op} {constant}", {"x": value}).value
    assert as_test == as_expression


@settings(max_examples=300, deadline=None)
@given(
    _values,
    st.decimals(min_value=-50, max_value=50, places=0, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=0, max_value=50, places=0, allow_nan=False, allow_infinity=False),
    st.sampled_from(["[", "(", "]"]),
    st.sampled_from(["]", ")", "["]),
)
def test_interval_test_matches_between_comparisons(
    value: Any, low: Decimal, width: Decimal, opening: str, closing: str
) -> None:
    high = low + width
    text = f"{opening}{low}..{high}{closing}"
    lower = ">=" if opening == "[" else ">"
    upper = "<=" if closing == "]" else "<"
    expected = evaluate(f"x {lower} {low} and x {upper} {high}", {"x": value}).value
    assert compile_unary_tests(text).evaluate(value).value == expected
