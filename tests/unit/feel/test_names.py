"""Multi-word names: resolved against the names in scope, built-ins and expression-local names."""

from __future__ import annotations

from decimal import Decimal

import pytest

from civicflow.feel import evaluate
from civicflow.feel.lexer import tokenize
from civicflow.feel.names import NameTable
from civicflow.feel.parser import parse_expression
from support.feel_ast_text import sexpr


def p(text: str, *names: str) -> str:
    return sexpr(parse_expression(text, names=names))


@pytest.mark.parametrize(
    ("text", "names", "tree"),
    [
        ("Monthly Salary * 12", ("Monthly Salary",), "(* Monthly Salary 12)"),
        ("Monthly  Salary * 12", ("Monthly Salary",), "(* Monthly Salary 12)"),
        ("Loan/Income > 0.3", ("Loan/Income",), "(> Loan/Income 0.3)"),
        ("Loan / Income", ("Loan/Income", "Loan", "Income"), "(/ Loan Income)"),
        ("a-b + 1", ("a-b",), "(+ a-b 1)"),
        ("a-b + 1", (), "(+ (- a b) 1)"),
        ("Customer's Age >= 18", ("Customer's Age",), "(>= Customer's Age 18)"),
        ("Is Eligible? = true", ("Is Eligible?",), "(= Is Eligible? true)"),
        ("Applicant.Name", ("Applicant.Name", "Applicant"), "Applicant.Name"),
        ("Applicant.Name", ("Applicant",), "(. Applicant Name)"),
        ("Net+Tax", ("Net+Tax",), "Net+Tax"),
        ("Rate*Amount", ("Rate*Amount",), "Rate*Amount"),
        ("Age Group and x", ("Age", "Age Group"), "(and Age Group x)"),
        ("Unknown Multi Word", (), "Unknown Multi Word"),
        ("Age Group", ("Age",), "Age Group"),
    ],
)
def test_longest_known_name_wins(text: str, names: tuple[str, ...], tree: str) -> None:
    assert p(text, *names) == tree


def test_builtin_names_with_spaces_and_keywords() -> None:
    assert p('date and time("2020-01-01T10:00:00")') == "(call date and time '2020-01-01T10:00:00')"
    assert p('string length("abc") + 1') == "(+ (call string length 'abc') 1)"
    assert p("years and months duration(a, b)") == "(call years and months duration a b)"


def test_names_introduced_by_the_expression_are_known_inside_it() -> None:
    assert p("{Total Amount: 10, Net Amount: Total Amount - 2}") == (
        "{Total Amount: 10, Net Amount: (- Total Amount 2)}"
    )
    assert p("for Line Item in items return Line Item * 2") == "(for [Line Item items] (* Line Item 2))"
    assert p("function(Unit Price, Qty) Unit Price * Qty") == "(function (Unit Price Qty) (* Unit Price Qty))"


def test_local_names_go_out_of_scope() -> None:
    # "Sub-Total" is only known inside the context; after it, "Sub-Total" is a subtraction again.
    tree = p("{Sub-Total: 1}.Sub-Total + Sub-Total", "Sub", "Total")
    assert tree == "(- (+ (. {Sub-Total: 1} Sub-Total) Sub) Total)"


def test_evaluation_with_names_containing_operators() -> None:
    context = {"Loan/Income": Decimal("0.25"), "Full Name": "Ann Lee", "Customer's Age": 30}
    assert evaluate("Loan/Income * 4", context).value == Decimal("1.00")
    assert evaluate('"Hello " + Full Name', context).value == "Hello Ann Lee"
    assert evaluate("Customer's Age - 1", context).value == Decimal(29)


def test_name_table_matches_on_tokens_and_spacing() -> None:
    table = NameTable(["a b c", "a b"])
    tokens = tokenize("a b c d")
    assert table.match(tokens, 0) == ("a b c", 3)
    assert table.match(tokenize("a b+"), 0) == ("a b", 2)
    assert table.match(tokenize("ab"), 0) is None
    table.push(["a b c d"])
    assert table.match(tokens, 0) == ("a b c d", 4)
    table.pop()
    assert table.match(tokens, 0) == ("a b c", 3)
