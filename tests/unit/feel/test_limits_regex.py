"""Regular expressions in matches/replace/split are bounded by a time limit, never a hang."""

from __future__ import annotations

import pytest

from civicflow import feel
from civicflow.feel import FeelLimitExceeded, FeelLimits


def test_classic_catastrophic_pattern_answers_quickly() -> None:
    # (a+)+$ takes minutes in Python's `re` on this input; the regex engine answers at once.
    result = feel.compile('matches("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "(a+)+$")').evaluate({})
    assert result.value is False


@pytest.mark.parametrize(
    "expression",
    [
        'matches(s, "(a|b)*c")',
        'replace(s, "(a|b)*c", "x")',
        'split(s, "(a|b)*c")',
    ],
)
def test_a_regex_past_its_time_limit_is_an_error(expression: str) -> None:
    limits = FeelLimits(max_regex_seconds=1e-6)
    compiled = feel.compile(expression, names=("s",), limits=limits)
    with pytest.raises(FeelLimitExceeded) as raised:
        compiled.evaluate({"s": "ab" * 200_000})
    assert raised.value.limit == "max_regex_seconds"
