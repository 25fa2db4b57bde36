"""List and context built-ins (DMN TCK 0012, 0061-0063, 0094, 1145-1147, 1155)."""

from decimal import Decimal
from typing import Any

import pytest

from civicflow.feel.evaluation import Evaluation

from ._call import call, call_warns

D = Decimal


class _Less:
    """A FEEL function ``function(a, b) a < b``."""

    name = "less"
    parameters = ("a", "b")

    def call(self, ev: Evaluation, args: list[Any], named: Any) -> Any:
        return args[0] < args[1]


class _Greater(_Less):
    def call(self, ev: Evaluation, args: list[Any], named: Any) -> Any:
        return args[0] > args[1]


def test_aggregates() -> None:
    numbers = [D(6), D(14), D(-3)]
    assert call("min", numbers) == D(-3)
    assert call("max", D(1), D(5), D(2)) == D(5)
    assert call("min", []) is None
    assert call("max", ["a", "c"]) == "c"
    assert call("sum", numbers) == D(17)
    assert call("sum", []) is None
    assert call("mean", D(11), D(2), D(10)) == D("7.666666666666666666666666666666667")
    assert call("count", numbers) == D(3)
    assert call("product", [D("2.5"), D(1), D("2.5"), D(3)]) == D("18.75")
    assert call("median", [D(6), D(1), D(2), D(3)]) == D("2.5")
    assert call("median", []) is None
    assert abs(call("stddev", D(2), D(4), D(7), D(5)) - D("2.0816659994661")) < D("1e-12")
    assert call("mode", [D(3), D(6), D(1), D(9), D(6), D(1), D(3)]) == [D(1), D(3), D(6)]
    assert call("mode", []) == []


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("min", [D(1), "a"]),
        ("product", []),
        ("product", [D(1), None]),
        ("stddev", [D(47)]),
        ("median", [D(1), "foo"]),
        ("median", None),
    ],
)
def test_aggregate_errors(name: str, args: Any) -> None:
    assert call_warns(name, args) == (None, 1)


def test_named_list_argument() -> None:
    assert call("median", list=[D(8), D(2), D(5), D(7)]) == D(6)
    assert call_warns("median", l=[D(2)]) == (None, 1)


def test_three_valued_all_and_any() -> None:
    assert call("all", [True, True]) is True
    assert call("all", []) is True
    assert call("all", [True, None]) is None
    assert call("and", False, None) is False
    assert call("any", [False, None]) is None
    assert call("or", [False, True]) is True
    assert call("any", []) is False


def test_list_shaping() -> None:
    letters = ["a", "b", "c"]
    assert call("sublist", letters, D(-1), D(1)) == ["c"]
    assert call("append", letters, "x", "y") == ["a", "b", "c", "x", "y"]
    assert call("concatenate", ["a"], [["b"]]) == ["a", ["b"]]
    assert call("insert before", letters, D(2), "x") == ["a", "x", "b", "c"]
    assert call("remove", letters, D(-1)) == ["a", "b"]
    assert call("reverse", letters) == ["c", "b", "a"]
    assert call("index of", [D(1), D(2), D(1)], D(1)) == [D(1), D(3)]
    assert call("union", [D(1), D(2)], [D("2.0"), D(3)]) == [D(1), D(2), D(3)]
    assert call("distinct values", [D(1), D(1), "a", "a"]) == [D(1), "a"]
    assert call("flatten", [["a", ["b"]], [], "c"]) == ["a", "b", "c"]
    assert call("list contains", [D(1), None], None) is True
    assert call_warns("sublist", letters, D(4)) == (None, 1)
    assert call_warns("remove", letters, D(0)) == (None, 1)


def test_list_replace() -> None:
    assert call("list replace", [D(1), D(2), D(3)], D(-1), D(4)) == [D(1), D(2), D(4)]
    assert call("list replace", [D(1), D(2), D(3)], D("2.5"), D(4)) == [D(1), D(4), D(3)]
    assert call("list replace", [D(2), D(4), D(7), D(8)], _Less(), D(5)) == [D(5), D(5), D(7), D(8)]
    assert call("list replace", D(1), D(1), D(5)) == [D(5)]
    assert call("list replace", match=_Less(), newItem=D(9), list=[D(10), D(1)]) == [D(10), D(9)]
    assert call_warns("list replace", [D(1)], D(2), D(4)) == (None, 1)
    assert call_warns("list replace", [D(1)], "1", D(4)) == (None, 1)


def test_sort() -> None:
    assert call("sort", [D(3), D(1), D(5)], _Greater()) == [D(5), D(3), D(1)]
    assert call("sort", ["10", "8", "A", "a"], _Less()) == ["10", "8", "A", "a"]
    assert call("sort", [D(3), D(1)]) == [D(1), D(3)]
    assert call_warns("sort", [D(3), "a"]) == (None, 1)


def test_context_functions() -> None:
    assert call("get value", {"a": "foo"}, "a") == "foo"
    assert call("get value", key="a", m={"a": "foo"}) == "foo"
    assert call_warns("get value", {"a": "foo"}, D(1)) == (None, 1)
    assert call("get entries", {"a": D(1)}) == [{"key": "a", "value": D(1)}]
    assert call("context", [{"key": "a", "value": D(1), "ignored": "x"}]) == {"a": D(1)}
    assert call("context", {"key": "a", "value": None}) == {"a": None}
    assert call_warns("context", [{"key": "a", "value": 1}, {"key": "a", "value": 2}]) == (None, 1)
    assert call_warns("context", {"value": 1}) == (None, 1)


def test_context_put_and_merge() -> None:
    original = {"x": D(1), "y": {"a": D(0)}}
    assert call("context put", original, ["y", "a"], D(2)) == {"x": D(1), "y": {"a": D(2)}}
    assert original == {"x": D(1), "y": {"a": D(0)}}
    assert call("context put", {"a": D(1), "b": D(2)}, "b", D(3)) == {"a": D(1), "b": D(3)}
    assert call("context put", context={}, keys=["a"], value=D(1)) == {"a": D(1)}
    assert call_warns("context put", original, ["y", "a", "b"], D(2)) == (None, 1)
    assert call_warns("context put", original, [], D(2)) == (None, 1)
    assert call_warns("context put", context=original, key=["y", "a"], value=D(2)) == (None, 1)
    assert call_warns("context put", {}, None, D(1)) == (None, 1)
    assert call("context merge", [{"a": {"aa": D(1)}}, {"a": {"bb": D(2)}}]) == {"a": {"bb": D(2)}}
    assert call("context merge", {"a": D(1)}) == {"a": D(1)}
    assert call_warns("context merge", [{"a": D(1)}, D(2)]) == (None, 1)
