"""FEEL's `function(...) external {java: ...}` binds to the emulated java.lang methods."""

from __future__ import annotations

from decimal import Decimal

from civicflow.dmn._feel import compile_expression
from civicflow.feel.evaluation import Evaluation


def _run(text: str) -> object:
    return compile_expression(text, names=())({}, Evaluation())


def test_math_max_binds_and_runs() -> None:
    text = (
        '{f: function(a, b) external {java: {class: "java.lang.Math", method signature: "max(int, int)"}}, '
        "r: f(123, 456)}.r"
    )
    assert _run(text) == Decimal(456)


def test_math_has_no_string_overload() -> None:
    text = (
        '{f: function(a, b) external {java: {class: "java.lang.Math", '
        'method signature: "max(java.lang.String, java.lang.String)"}}, r: f("1", "2")}.r'
    )
    assert _run(text) is None


def test_unknown_class_is_null() -> None:
    text = (
        '{f: function(a) external {java: {class: "java.lang.Runtime", method signature: "exec(java.lang.String)"}}, '
        'r: f("ls")}.r'
    )
    assert _run(text) is None
