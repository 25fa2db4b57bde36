"""String built-ins (DMN 1.5 §10.3.4.3). Positions count Unicode code points from 1."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from civicflow.feel.builtins._registry import as_list, builtin, expect_int, expect_string
from civicflow.feel.builtins._xpath_regex import compile_xpath, replacement_function
from civicflow.feel.errors import FeelEvalError, FeelLimitExceeded
from civicflow.feel.evaluation import Evaluation

MAX_REGEX_INPUT = 1_000_000  # characters; keeps a backtracking pattern from running for hours


def _flags(flags: Any) -> str:
    return "" if flags is None else expect_string(flags, "flags")


def _regex_input(text: Any, what: str = "input") -> str:
    value = expect_string(text, what)
    if len(value) > MAX_REGEX_INPUT:
        raise FeelEvalError("input too long for a regular expression")
    return value


@builtin("substring", ("string", "start position", "length"), required=2, scalar=True)
def substring(string: Any, start: Any, length: Any = None) -> str:
    text = expect_string(string, "string")
    position = expect_int(start, "start position")
    size = len(text)
    if position > 0:
        index = position - 1
    elif position < 0:
        index = size + position
    else:
        raise FeelEvalError("start position 0 does not exist")
    if index < 0 or index > size:
        raise FeelEvalError("start position is outside the string")
    if length is None:
        return text[index:]
    count = expect_int(length, "length")
    if count < 0:
        raise FeelEvalError("length must not be negative")
    return text[index : index + count]


@builtin("string length", ("string",), scalar=True)
def string_length(string: Any) -> Decimal:
    return Decimal(len(expect_string(string, "string")))


@builtin("upper case", ("string",), scalar=True)
def upper_case(string: Any) -> str:
    return expect_string(string, "string").upper()


@builtin("lower case", ("string",), scalar=True)
def lower_case(string: Any) -> str:
    return expect_string(string, "string").lower()


@builtin("substring before", ("string", "match"), scalar=True)
def substring_before(string: Any, match: Any) -> str:
    text, needle = expect_string(string, "string"), expect_string(match, "match")
    index = text.find(needle)
    return "" if index < 0 else text[:index]


@builtin("substring after", ("string", "match"), scalar=True)
def substring_after(string: Any, match: Any) -> str:
    text, needle = expect_string(string, "string"), expect_string(match, "match")
    index = text.find(needle)
    return "" if index < 0 else text[index + len(needle) :]


@builtin("contains", ("string", "match"), scalar=True)
def contains(string: Any, match: Any) -> bool:
    return expect_string(match, "match") in expect_string(string, "string")


@builtin("starts with", ("string", "match"), scalar=True)
def starts_with(string: Any, match: Any) -> bool:
    return expect_string(string, "string").startswith(expect_string(match, "match"))


@builtin("ends with", ("string", "match"), scalar=True)
def ends_with(string: Any, match: Any) -> bool:
    return expect_string(string, "string").endswith(expect_string(match, "match"))


def _timed_out(ev: Evaluation) -> FeelLimitExceeded:
    seconds = ev.limits.max_regex_seconds
    return FeelLimitExceeded(f"regular expression ran longer than {seconds} s", limit="max_regex_seconds")


@builtin("matches", ("input", "pattern", "flags"), required=2, scalar=True, needs_evaluation=True)
def matches(ev: Evaluation, text: Any, pattern: Any, flags: Any = None) -> bool:
    compiled = compile_xpath(expect_string(pattern, "pattern"), _flags(flags))
    try:
        return compiled.search(_regex_input(text), timeout=ev.limits.max_regex_seconds) is not None
    except TimeoutError:
        raise _timed_out(ev) from None


@builtin("replace", ("input", "pattern", "replacement", "flags"), required=3, scalar=True, needs_evaluation=True)
def replace(ev: Evaluation, text: Any, pattern: Any, replacement: Any, flags: Any = None) -> str:
    flag_text = _flags(flags)
    compiled = compile_xpath(expect_string(pattern, "pattern"), flag_text)
    if compiled.fullmatch("") is not None:
        raise FeelEvalError("the pattern matches the empty string")
    substitute = replacement_function(
        expect_string(replacement, "replacement"), compiled.groups, literal="q" in flag_text
    )
    try:
        return compiled.sub(substitute, _regex_input(text), timeout=ev.limits.max_regex_seconds)
    except TimeoutError:
        raise _timed_out(ev) from None


@builtin("split", ("string", "delimiter"), scalar=True, needs_evaluation=True)
def split(ev: Evaluation, string: Any, delimiter: Any) -> list[Any]:
    compiled = compile_xpath(expect_string(delimiter, "delimiter"))
    if compiled.fullmatch("") is not None:
        raise FeelEvalError("the delimiter matches the empty string")
    try:
        return list(compiled.split(_regex_input(string, "string"), timeout=ev.limits.max_regex_seconds))
    except TimeoutError:
        raise _timed_out(ev) from None


@builtin("string join", ("list", "delimiter"), required=1)
def string_join(items: Any, delimiter: Any = None) -> str:
    parts = as_list(items)
    separator = "" if delimiter is None else expect_string(delimiter, "delimiter")
    for part in parts:
        if part is not None and type(part) is not str:
            raise FeelEvalError("string join needs a list of strings")
    return separator.join(part for part in parts if part is not None)
