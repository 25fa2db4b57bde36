"""FEEL types: instance of, conformance and type names (DMN TCK 0070-feel-instance-of)."""

from decimal import Decimal

import pytest

from civicflow.feel.temporal import DaysTimeDuration, FeelDate, FeelDateTime, YearsMonthsDuration
from civicflow.feel.types import (
    ANY,
    BOOLEAN,
    DATE,
    DATE_TIME,
    DT_DURATION,
    NULL,
    NUMBER,
    STRING,
    YM_DURATION,
    ContextType,
    FunctionType,
    ListType,
    RangeType,
    conforms_to,
    is_instance,
    parse_type_name,
    type_of,
)
from civicflow.feel.values import Range


class _Fn:
    name = "f"
    parameters = ("a",)

    def call(self, ev: object, args: list[object], named: object) -> object:
        return None


@pytest.mark.parametrize(
    ("value", "feel_type", "expected"),
    [
        (None, ANY, False),
        (None, NULL, True),
        (Decimal("123.01"), NUMBER, True),
        (Decimal("123.01"), BOOLEAN, False),
        ("foo", ANY, True),
        (FeelDate(2018, 12, 8), DATE, True),
        (FeelDate(2018, 12, 8), DATE_TIME, False),
        (FeelDateTime(2018, 12, 8, 0, 0, 0), DATE, False),
        (YearsMonthsDuration(12), YM_DURATION, True),
        (YearsMonthsDuration(12), DT_DURATION, False),
        ([Decimal(1), Decimal(2)], ListType(ANY), True),
        ([Decimal(1), "2"], ListType(NUMBER), False),
        ([Decimal(1)], NUMBER, False),
        ({"a": "foo", "b": Decimal(1)}, ContextType((("a", STRING),)), True),
        ({"a": None}, ContextType((("a", STRING),)), True),
        ({"a": "foo"}, ContextType((("a", STRING), ("b", STRING))), False),
        ({"a": {"b": Decimal(1)}}, ContextType((("a", ContextType((("b", STRING),))),)), False),
        (Range(Decimal(1), Decimal(3), True, True), RangeType(NUMBER), True),
        (Range("a", "c", True, True), RangeType(NUMBER), False),
        (_Fn(), FunctionType((ANY,), ANY), True),
        (_Fn(), FunctionType((), ANY), False),
        ({"a": 1}, FunctionType((), ANY), False),
    ],
)
def test_is_instance(value: object, feel_type: object, expected: bool) -> None:
    assert is_instance(value, feel_type) is expected  # type: ignore[arg-type]


def test_type_of() -> None:
    assert type_of(Decimal(1)) == NUMBER
    assert type_of(DaysTimeDuration(Decimal(1))) == DT_DURATION
    assert type_of([Decimal(1), None, Decimal(2)]) == ListType(NUMBER)
    assert type_of([Decimal(1), "a"]) == ListType(ANY)
    assert type_of({"a": "x"}) == ContextType((("a", STRING),))
    assert type_of(None) == NULL


def test_conforms_to() -> None:
    assert conforms_to(NUMBER, ANY)
    assert conforms_to(NULL, DATE)
    assert not conforms_to(DATE, DATE_TIME)
    assert conforms_to(ListType(NUMBER), ListType(ANY))
    assert conforms_to(ContextType((("a", NUMBER), ("b", STRING))), ContextType((("a", ANY),)))
    assert not conforms_to(ContextType((("a", NUMBER),)), ContextType((("b", ANY),)))
    assert conforms_to(FunctionType((ANY,), NUMBER), FunctionType((STRING,), ANY))
    assert not conforms_to(FunctionType((NUMBER,), NUMBER), FunctionType((ANY,), NUMBER))


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("number", NUMBER),
        ("feel:date and time", DATE_TIME),
        ("dateTime", DATE_TIME),
        ("dayTimeDuration", DT_DURATION),
        ("Any", ANY),
        ("list<number>", ListType(NUMBER)),
        ("list < context<a: string, b: list<Any>> >", ListType(ContextType((("a", STRING), ("b", ListType(ANY)))))),
        ("function<string, number> -> boolean", FunctionType((STRING, NUMBER), BOOLEAN)),
        ("range<date>", RangeType(DATE)),
        ("tNumberList", None),
        ("list<number", None),
    ],
)
def test_parse_type_name(name: str, expected: object) -> None:
    assert parse_type_name(name) == expected
