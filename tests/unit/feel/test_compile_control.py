"""for / some / every, filters, paths and temporal properties."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from civicflow.feel import DaysTimeDuration, evaluate


def value(text: str, context: dict[str, Any] | None = None) -> Any:
    return evaluate(text, context).value


def numbers(*items: int) -> list[Decimal]:
    return [Decimal(i) for i in items]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("for i in 1..3 return i * 2", numbers(2, 4, 6)),
        ("for i in 3..1 return i", numbers(3, 2, 1)),
        ("for i in [10, 20] return i + 1", numbers(11, 21)),
        ("for i in [1, 2], j in [10, 20] return i * j", numbers(10, 20, 20, 40)),
        ("for i in 1..3, j in 1..i return j", numbers(1, 1, 2, 1, 2, 3)),
        ("for i in [1..3] return i", numbers(1, 2, 3)),
        ("for i in (1..3] return i", numbers(2, 3)),
        ("for i in 0..4 return if i = 0 then 1 else i * partial[-1]", numbers(1, 1, 2, 6, 24)),
        ("for x in [] return x", []),
        ("for x in 5 return x", numbers(5)),
    ],
)
def test_for(text: str, expected: list[Any]) -> None:
    assert value(text) == expected


def test_for_over_null_is_null_with_a_warning() -> None:
    result = evaluate("for x in null return x")
    assert result.value is None
    assert result.warnings


def test_functions_built_in_a_loop_capture_their_own_iteration() -> None:
    assert value("for f in (for i in 1..3 return function() i) return f()") == numbers(1, 2, 3)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("some x in [1, 2, 3] satisfies x > 2", True),
        ("some x in [1, 2, 3] satisfies x > 3", False),
        ("every x in [1, 2, 3] satisfies x > 0", True),
        ("every x in [1, 2, 3] satisfies x > 1", False),
        ("every x in [] satisfies false", True),
        ("some x in [] satisfies true", False),
        ("some x in [1, 2], y in [2, 3] satisfies x * y = 6", True),
        ("every x in [1, null] satisfies x > 0", False),
    ],
)
def test_quantified(text: str, expected: bool) -> None:
    assert value(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[1, 2, 3, 4][item > 2]", numbers(3, 4)),
        ("[1, 2, 3][1]", Decimal(1)),
        ("[1, 2, 3][-1]", Decimal(3)),
        ("[1, 2, 3][4]", None),
        ("[1, 2, 3][0]", None),
        ("[{a: 1}, {a: 2}][a > 1]", [{"a": Decimal(2)}]),
        ("[{a: 1}, {a: 2}][item.a = 1].a", numbers(1)),
        ("[1, 2, 3][i]", Decimal(2)),
        ("5[item > 1]", numbers(5)),
        ("null[item > 1]", None),
    ],
)
def test_filter(text: str, expected: Any) -> None:
    assert value(text, {"i": 2}) == expected


def test_filter_index_out_of_range_warns() -> None:
    result = evaluate("[1, 2][3]")
    assert result.value is None
    assert result.warnings[0].kind == "index"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{a: {b: 1}}.a.b", Decimal(1)),
        ("[{a: 1}, {a: 2}].a", numbers(1, 2)),
        ('@"2021-03-04".year', Decimal(2021)),
        ('@"2021-03-04".weekday', Decimal(4)),
        ('@"2021-03-04T10:11:12.5+01:00".second', Decimal("12.5")),
        ('@"2021-03-04T10:11:12+01:00".time offset', DaysTimeDuration(Decimal(3600))),
        ('@"10:11:12@Europe/Paris".timezone', "Europe/Paris"),
        ('@"P1Y14M".years', Decimal(2)),
        ('@"P1Y14M".months', Decimal(2)),
        ('@"-P1Y2M".months', Decimal(-2)),
        ('@"P2DT3H4M5S".hours', Decimal(3)),
        ('@"P2DT3H4M5S".days', Decimal(2)),
        ("[1..10[.start included", True),
        ("[1..10[.end included", False),
        ("(< 5).end", Decimal(5)),
    ],
)
def test_paths_and_properties(text: str, expected: Any) -> None:
    assert value(text) == expected


def test_missing_context_entry_is_null_with_a_warning() -> None:
    result = evaluate("{a: 1}.b")
    assert result.value is None
    assert result.warnings[0].kind == "name"
