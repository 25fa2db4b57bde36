"""FEEL equality, ordering and string() (expected values from the DMN TCK 0068-feel-equality)."""

from decimal import Decimal

import pytest

from civicflow.feel.operators import compare, equals, range_includes, string_of
from civicflow.feel.temporal import parse_at_literal
from civicflow.feel.values import Range

D = Decimal


def t(text: str) -> object:
    value = parse_at_literal(text)
    assert value is not None, text
    return value


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (None, None, True),
        (True, None, False),
        (False, D(0), None),
        (D("0"), D("0.00"), True),
        (D("12300"), D("1.23E+4"), True),
        (D(100), "100", None),
        ("foo", "Foo", False),
        ([D(1), D(2), D(3)], [D(1), D(2), D(3)], True),
        ([D(1), D(1), D(1)], [D(1), D(1), D(1), D(1)], False),
        ([], [], True),
        ([], None, False),
        ({}, [], None),
        ({"foo": "bar", "bar": "baz"}, {"bar": "baz", "foo": "bar"}, True),
        ([D(1), D(2), {"a": [D(3), D(4)]}], [D(1), D(2), {"a": [D(3), D(4)], "b": "foo"}], False),
    ],
)
def test_equals_plain_values(a: object, b: object, expected: bool | None) -> None:
    assert equals(a, b) is expected


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("10:30:00Z", "10:30:00+00:00", True),
        ("10:30:00.0001", "10:30:00.0002", True),
        ("10:31:00", "10:30:00", False),
        ("2018-12-08T00:00:00@Europe/Paris", "2018-12-08T00:00:00@Asia/Dhaka", False),
        ("2018-10-08T00:00:00+02:00", "2018-10-08T00:00:00@Europe/Paris", True),
        ("2018-02-08T00:00:00+01:00", "2018-02-08T00:00:00@Europe/Paris", True),
        ("2002-04-02T12:00:00@Australia/Melbourne", "2002-04-02T12:00:00@Australia/Sydney", True),
        ("2002-04-02T23:00:00-04:00", "2002-04-03T02:00:00-01:00", True),
        ("P1D", "PT24H", True),
        ("P1Y", "P12M", True),
        ("P0D", "-P0D", True),
        ("P1Y", "P365D", None),
        ("2018-12-08", "2018-12-08T00:00:00", None),
    ],
)
def test_equals_temporal(a: str, b: str, expected: bool | None) -> None:
    assert equals(t(a), t(b)) is expected


def test_equals_ranges_keep_the_operator_apart() -> None:
    assert equals(Range(D(1), D(10), False, True), Range(D(1), D(10), False, True)) is True
    assert equals(Range(None, D(10), False, False, "<"), Range(None, D(10), False, False)) is False
    assert equals(Range(D(10), D(10), True, True, "="), Range(D(10), D(10), True, True)) is False


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        (D(1), D(2), -1),
        ("b", "a", 1),
        (D(1), "a", None),
        (True, False, None),
        (t("2018-12-08"), t("2018-12-07"), 1),
        (t("P1Y"), t("P13M"), -1),
        (t("PT1H"), t("PT60M"), 0),
        (t("10:00:00+01:00"), t("09:30:00Z"), -1),
        (t("10:00:00"), t("09:30:00Z"), None),
        (t("2018-12-08T10:00:00"), t("2018-12-08T10:00:00Z"), None),
        (t("P1Y"), t("P1D"), None),
    ],
)
def test_compare(a: object, b: object, expected: int | None) -> None:
    assert compare(a, b) == expected


def test_range_includes() -> None:
    closed = Range(D(1), D(10), True, False)
    assert range_includes(closed, D(1)) is True
    assert range_includes(closed, D(10)) is False
    assert range_includes(Range(None, D(5), False, False, "<"), D(-100)) is True
    assert range_includes(Range(D(5), D(5), True, True, "!="), D(5)) is False
    assert range_includes(Range(D(5), D(5), True, True, "!="), D(6)) is True
    assert range_includes(closed, "a") is None


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (D("1.23E+4"), "12300"),
        (D("-0.5"), "-0.5"),
        (True, "true"),
        ("abc", "abc"),
        (None, None),
        ([D(1), "a", None], '[1, "a", null]'),
        ({"a": D(1)}, "{a: 1}"),
        (parse_at_literal("-2021-01-01T10:10:10@Australia/Melbourne"), "-2021-01-01T10:10:10@Australia/Melbourne"),
        (Range(D(1), D(2), False, True), "(1..2]"),
        (Range(None, D(2), False, True, "<="), "<= 2"),
    ],
)
def test_string_of(value: object, text: str | None) -> None:
    assert string_of(value) == text
