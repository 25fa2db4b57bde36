"""Configured bounds raise FeelLimitExceeded quickly instead of hanging or overflowing the stack."""

from __future__ import annotations

import sys
import time
from decimal import Decimal

import pytest

from civicflow import feel
from civicflow.feel import FeelLimitExceeded, FeelLimits, evaluate


def test_expression_length() -> None:
    with pytest.raises(FeelLimitExceeded) as caught:
        feel.compile("1 + 1", limits=FeelLimits(max_expression_length=3))
    assert caught.value.limit == "max_expression_length"


@pytest.mark.parametrize(
    "text",
    [
        "(" * 5000 + "1" + ")" * 5000,
        "[" * 5000 + "]" * 5000,
        "-" * 5000 + "1",
        "{a: " * 3000 + "1" + "}" * 3000,
        "if true then " * 3000 + "1" + " else 2" * 3000,
        " + ".join(["1"] * 5000),
        "f(" * 3000 + ")" * 3000,
    ],
)
def test_nesting_depth_is_checked_while_parsing(text: str) -> None:
    with pytest.raises(FeelLimitExceeded) as caught:
        feel.compile(text)
    assert caught.value.limit == "max_nesting_depth"


def test_nesting_up_to_the_limit_compiles_and_evaluates() -> None:
    depth = 150
    assert evaluate("(" * depth + "1" + ")" * depth).value == Decimal(1)
    assert evaluate(" + ".join(["1"] * depth)).value == Decimal(depth)


def test_a_raised_depth_limit_allows_longer_chains() -> None:
    before = sys.getrecursionlimit()
    try:
        limits = FeelLimits(max_nesting_depth=2000)
        assert feel.compile(" + ".join(["1"] * 1500), limits=limits).evaluate().value == Decimal(1500)
    finally:
        sys.setrecursionlimit(before)  # the deeper limit raised the interpreter's; leave it as found


def test_a_lowered_interpreter_limit_is_a_limit_error_not_a_crash() -> None:
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(250)
    try:
        with pytest.raises(FeelLimitExceeded):
            feel.compile("(" * 150 + "7" + ")" * 150)
    finally:
        sys.setrecursionlimit(before)


def test_huge_ranges_fail_before_allocating() -> None:
    started = time.perf_counter()
    with pytest.raises(FeelLimitExceeded) as caught:
        evaluate("for i in 1..1000000000 return i")
    assert caught.value.limit == "max_collection_size"
    assert time.perf_counter() - started < 1.0


def test_collection_size_is_configurable() -> None:
    limits = FeelLimits(max_collection_size=10)
    assert len(feel.compile("for i in 1..10 return i", limits=limits).evaluate().value) == 10
    with pytest.raises(FeelLimitExceeded):
        feel.compile("for i in 1..11 return i", limits=limits).evaluate()
    with pytest.raises(FeelLimitExceeded):
        feel.compile("for i in 1..5, j in 1..5 return i", limits=limits).evaluate()


def test_step_budget() -> None:
    limits = FeelLimits(max_steps=1000)
    with pytest.raises(FeelLimitExceeded) as caught:
        feel.compile("for i in 1..100, j in 1..100 return i * j", limits=limits).evaluate()
    assert caught.value.limit == "max_steps"


def test_unbounded_recursion_is_a_limit_not_a_crash() -> None:
    with pytest.raises(FeelLimitExceeded):
        evaluate("{f: function(n) f(n + 1), r: f(1)}.r")
