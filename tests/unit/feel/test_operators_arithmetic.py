"""FEEL arithmetic over every operand kind (expected values from the DMN TCK 0100-arithmetic)."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from civicflow.feel.operators import add, divide, multiply, negate, power, subtract
from civicflow.feel.temporal import parse_at_literal
from civicflow.feel.values import NUMBER_CONTEXT, Range


def v(text: str) -> object:
    """A FEEL value written the way the TCK writes it: ``@"..."`` contents, or a plain number."""
    if text[0].isdigit() and ":" not in text and text.count("-") < 2 and "T" not in text:
        return Decimal(text)
    value = parse_at_literal(text)
    assert value is not None, text
    return value


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("2021-01-01T10:10:10", "P1Y", "2022-01-01T10:10:10"),
        ("2021-01-01T10:10:10+11:00", "-P1M", "2020-12-01T10:10:10+11:00"),
        ("-2021-01-01T10:10:10+11:00", "-P1M", "-2022-12-01T10:10:10+11:00"),
        ("-2021-01-01T10:10:10@Australia/Melbourne", "P1Y", "-2020-01-01T10:10:10@Australia/Melbourne"),
        ("2021-01-01T24:00:00", "PT1S", "2021-01-02T00:00:01"),
        ("-2021-01-01T10:10:10+11:00", "-P1D", "-2022-12-31T10:10:10+11:00"),
        ("2021-01-01", "PT36H", "2021-01-02"),
        ("10:15:00", "PT1H", "11:15:00"),
        ("10:15:00+11:00", "P1D", "10:15:00+11:00"),
        ("P1Y", "-P2M", "P10M"),
        ("PT24H", "P1D", "P2D"),
        ("2021-01-31", "P1M", "2021-02-28"),
    ],
)
def test_add_temporal(left: str, right: str, expected: str) -> None:
    assert str(add(v(left), v(right))) == expected
    assert str(add(v(right), v(left))) == expected


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("2021-01-02T10:10:10", "2021-01-01T10:10:10", "P1D"),
        ("2021-01-02T10:10:10@Europe/Paris", "2021-01-01T10:10:10@Asia/Dhaka", "P1DT5H"),
        ("2021-01-02T10:10:10+01:00", "2021-01-01T10:10:10@Europe/Paris", "P1D"),
        ("2021-01-02T00:00:00Z", "2021-01-02", "PT0S"),
        ("2021-01-02T10:10:10@Europe/Paris", "1995-01-01", "P9498DT9H10M10S"),
        ("2021-01-02", "2021-01-01T10:10:10+11:00", "P1DT49M50S"),
        ("2021-01-02", "1995-01-01", "P9498D"),
        ("2021-01-02", "PT25H", "2020-12-31"),
        ("2020-03-01", "PT24H", "2020-02-29"),
        ("2021-01-02", "-PT1S", "2021-01-02"),
        ("10:10:10", "11:10:10", "-PT1H"),
        ("10:10:10@Australia/Melbourne", "09:10:10@Australia/Melbourne", "PT1H"),
        ("10:10:10", "P1D", "10:10:10"),
        ("-P1D", "PT2H", "-P1DT2H"),
        ("-P1Y", "-P2M", "-P10M"),
    ],
)
def test_subtract_temporal(left: str, right: str, expected: str) -> None:
    assert str(subtract(v(left), v(right))) == expected


@pytest.mark.parametrize(
    ("left", "right"),
    [
        ("2021-01-02T10:10:10@Europe/Paris", "2021-01-01T10:10:10"),
        ("2021-01-02T10:10:10", "2021-01-01T10:10:10+02:00"),
        ("2021-01-01T00:00:00", "2021-01-02"),
        ("2021-01-02", "2021-01-01T10:10:10"),
    ],
)
def test_subtracting_local_from_zoned_is_null(left: str, right: str) -> None:
    assert subtract(v(left), v(right)) is None


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("1.5", "P4DT1H", "P6DT1H30M"),
        ("2.5", "PT23H", "P2DT9H30M"),
        ("26", "PT1H", "P1DT2H"),
        ("0", "P1D", "PT0S"),
        ("1.5", "P2M", "P3M"),
        ("26", "P1M", "P2Y2M"),
    ],
)
def test_multiply_durations(left: str, right: str, expected: str) -> None:
    assert str(multiply(v(left), v(right))) == expected
    assert str(multiply(v(right), v(left))) == expected


def test_months_scaled_by_fractions_truncate_toward_zero() -> None:
    assert str(multiply(Decimal("-2.5"), v("P1Y11M"))) == "-P4Y9M"
    assert str(divide(v("P10Y11M"), Decimal("-2.5"))) == "-P4Y4M"


@pytest.mark.parametrize(
    ("left", "right", "expected"),
    [
        ("P10Y", "10", "P1Y"),
        ("P10DT23H", "2.5", "P4DT9H12M"),
        ("P10Y", "P5Y", "2"),
        ("P10D", "P5D", "2"),
    ],
)
def test_divide(left: str, right: str, expected: str) -> None:
    result = divide(v(left), v(right))
    assert result is not None
    assert str(result) == expected or result == Decimal(expected)


@pytest.mark.parametrize(
    ("left", "right"),
    [("100", "0"), ("P10Y", "0"), ("P10D", "P0D"), ("P10D", "P0Y"), ("P1D", "P1Y")],
)
def test_divide_by_zero_or_mismatch_is_null(left: str, right: str) -> None:
    assert divide(v(left), v(right)) is None


def test_numbers() -> None:
    assert add(Decimal("1.2345"), Decimal("2.234")) == Decimal("3.4685")
    assert subtract(Decimal("-1.1234"), Decimal("-0.2345")) == Decimal("-0.8889")
    assert power(Decimal(5), Decimal(-2)) == Decimal("0.04")
    assert abs(power(Decimal(5), Decimal("2.55")) - Decimal("60.58617166606")) < Decimal("1e-8")
    assert divide(Decimal(1), Decimal(3)) == Decimal("0.3333333333333333333333333333333333")
    assert negate(v("P1D")) == v("-P1D")


def test_overflow_and_invalid_results_are_null() -> None:
    assert power(Decimal(10), Decimal(10000)) is None
    assert power(Decimal(-8), Decimal("0.5")) is None
    assert multiply(Decimal("9E+6000"), Decimal("9E+6000")) is None
    assert power(Decimal(0), Decimal(-1)) is None


@pytest.mark.parametrize(
    "other",
    ["x", True, None, [Decimal(1)], {"a": Decimal(1)}, Range(Decimal(1), Decimal(2), True, True)],
)
def test_mismatched_operands_are_null(other: object) -> None:
    for operator in (add, subtract, multiply, divide, power):
        assert operator(Decimal(10), other) is None
        assert operator(other, Decimal(10)) is None


def test_string_concatenation_and_time_plus_months() -> None:
    assert add("foo", "bar") == "foobar"
    assert add(v("10:10:10"), v("P1Y")) is None
    assert add(v("2021-01-01"), v("2021-01-01")) is None


_decimals = st.decimals(min_value=Decimal("-1e20"), max_value=Decimal("1e20"), allow_nan=False, places=6)


@given(_decimals, _decimals)
def test_number_arithmetic_matches_decimal128(a: Decimal, b: Decimal) -> None:
    assert add(a, b) == NUMBER_CONTEXT.add(a, b)
    assert subtract(a, b) == NUMBER_CONTEXT.subtract(a, b)
    assert multiply(a, b) == NUMBER_CONTEXT.multiply(a, b)
    if b == 0:
        assert divide(a, b) is None
    else:
        assert divide(a, b) == NUMBER_CONTEXT.divide(a, b)
    assert subtract(add(a, b), b) == NUMBER_CONTEXT.subtract(NUMBER_CONTEXT.add(a, b), b)
