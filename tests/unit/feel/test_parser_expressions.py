"""FEEL parser: precedence, associativity and every expression form of DMN 1.5 §10.3.1."""

from __future__ import annotations

import pytest

from civicflow.feel import FeelSyntaxError
from civicflow.feel.ast import NumberLit
from civicflow.feel.parser import parse_expression
from support.feel_ast_text import sexpr


def p(text: str, *names: str) -> str:
    return sexpr(parse_expression(text, names=names))


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
        ("10 - 4 - 3", "(- (- 10 4) 3)"),
        ("8 / 4 / 2", "(/ (/ 8 4) 2)"),
        ("3 ** 4 ** 5", "(** (** 3 4) 5)"),
        ("-3 ** 2", "(** -3 2)"),
        ("-x ** 2", "(** (neg x) 2)"),
        ("--10", "10"),
        ("2 * -x", "(* 2 (neg x))"),
        ("a + b > c * d", "(> (+ a b) (* c d))"),
        ("a or b and c", "(or a (and b c))"),
        ("a and b or c", "(or (and a b) c)"),
        ("a = b and c != d", "(and (= a b) (!= c d))"),
        ("x between 1 + 1 and 5", "(between x (+ 1 1) 5)"),
        ("x between 1 and 5 and y", "(and (between x 1 5) y)"),
    ],
)
def test_precedence_and_associativity(text: str, tree: str) -> None:
    assert p(text) == tree


def test_unary_minus_on_a_literal_folds_into_the_number() -> None:
    node = parse_expression("-1.5")
    assert isinstance(node, NumberLit)
    assert str(node.value) == "-1.5"


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("x in [1..10]", "(in x [1..10])"),
        ("x in (1..10]", "(in x (1..10])"),
        ("x in ]1..10[", "(in x (1..10))"),
        ("x in [1..10[", "(in x [1..10))"),
        ("x in (1, < 5, >= 10)", "(in x 1 (< 5) (>= 10))"),
        ("x in < 5", "(in x (< 5))"),
        ('x in ["a", "b"]', "(in x ['a' 'b'])"),
        ("x in (=10)", "(in x (= 10))"),
        ("x in y and z", "(and (in x y) z)"),
        ("[1..10) = [1..10[", "(= [1..10) [1..10))"),
    ],
)
def test_in_and_ranges(text: str, tree: str) -> None:
    assert p(text) == tree


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("a.b.c", "(. (. a b) c)"),
        ("a.b c", "(. a b c)"),
        ("list[item > 2]", "(filter list (> item 2))"),
        ("list[1]", "(filter list 1)"),
        ("list[-1].name", "(. (filter list -1) name)"),
        ("f(1, 2)", "(call f 1 2)"),
        ("f()", "(call f)"),
        ('substring(string: "abc", start position: 2)', "(call substring string='abc' start position=2)"),
        ("(function(a) a)(10)", "(call (function (a) a) 10)"),
        ("{a: 1}.a", "(. {a: 1} a)"),
        ("[1..10[.start included", "(. [1..10) start included)"),
        ("date(x).year", "(. (call date x) year)"),
    ],
)
def test_postfix_path_filter_and_invocation(text: str, tree: str) -> None:
    assert p(text) == tree


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("if a then 1 else 2", "(if a 1 2)"),
        ("if a then 1 else if b then 2 else 3", "(if a 1 (if b 2 3))"),
        ("1 + if a then 1 else 2", "(+ 1 (if a 1 2))"),
        ("for i in 1..3 return i", "(for [i 1..3] i)"),
        ("for i in [1,2], j in 1..i return i * j", "(for [i [1 2]] [j 1..i] (* i j))"),
        ("for i in 1..3 return partial", "(for [i 1..3] partial)"),
        ("some x in xs satisfies x > 1", "(some [x xs] (> x 1))"),
        ("every x in xs, y in ys satisfies x < y", "(every [x xs] [y ys] (< x y))"),
        ("function(a, b) a + b", "(function (a b) (+ a b))"),
        ("function(a: number, b: list<string>) a", "(function (a:number b:list<string>) a)"),
        ('function(x) external {java: {class: "C"}}', "(external function (x) {java: {class: 'C'}})"),
    ],
)
def test_textual_forms(text: str, tree: str) -> None:
    assert p(text) == tree


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ('{a: 1, "b c": 2, d: a + 1}', "{a: 1, b c: 2, d: (+ a 1)}"),
        ("{Full Name: 1, x: Full Name}", "{Full Name: 1, x: Full Name}"),
        ("{}", "{}"),
        ("[]", "[]"),
        ("[1, [2, 3]]", "[1 [2 3]]"),
        ("{🐎: 1}", "{🐎: 1}"),
        ("< 5", "(< 5)"),
        ('@"2020-01-01"', "@2020-01-01"),
        ("true and not(false)", "(and true (call not false))"),
        ("null", "null"),
    ],
)
def test_literals_contexts_and_lists(text: str, tree: str) -> None:
    assert p(text) == tree


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("x instance of number", "(instance x number)"),
        ("x instance of date and time", "(instance x date and time)"),
        ("x instance of days and time duration", "(instance x days and time duration)"),
        ("x instance of list<context<a: string, b: number>>", "(instance x list<context<a: string, b: number>>)"),
        ("x instance of context<>", "(instance x context<>)"),
        ("x instance of range<date>", "(instance x range<date>)"),
        ("f instance of function<string, number>->boolean", "(instance f function<string, number>->boolean)"),
        ("f instance of function<>->Any", "(instance f function<>->Any)"),
        ("x instance of ns.tType", "(instance x ns.tType)"),
        ("x instance of number and y", "(and (instance x number) y)"),
    ],
)
def test_instance_of_types(text: str, tree: str) -> None:
    assert p(text) == tree


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("1 +", 4),
        ("(1 + 2", 7),
        ("if a then b", 12),
        ("[1, 2", 6),
        ("{a 1}", 5),
        ("1 2 3", 3),
        ("f(1,)", 5),
        ("x in", 5),
    ],
)
def test_syntax_errors_report_the_column(text: str, column: int) -> None:
    with pytest.raises(FeelSyntaxError) as caught:
        parse_expression(text)
    assert caught.value.column == column
    assert caught.value.expression == text


def test_spans_cover_the_source() -> None:
    node = parse_expression("  a + b * 2")
    assert node.span == (2, 11)
