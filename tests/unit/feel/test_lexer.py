"""FEEL lexer: tokens, literals, escapes, comments and positions."""

from __future__ import annotations

import pytest

from civicflow.feel import FeelSyntaxError
from civicflow.feel.lexer import Token, TokenKind, line_column, tokenize


def kinds_and_texts(text: str) -> list[tuple[str, str]]:
    return [(t.kind.value, t.text) for t in tokenize(text)[:-1]]


def test_operators_take_the_longest_match() -> None:
    assert kinds_and_texts("a**2 <= b != c .. ->") == [
        ("name", "a"),
        ("op", "**"),
        ("number", "2"),
        ("op", "<="),
        ("name", "b"),
        ("op", "!="),
        ("name", "c"),
        ("op", ".."),
        ("op", "->"),
    ]


def test_numbers_with_leading_dot_fraction_and_exponent() -> None:
    assert kinds_and_texts(".5 1.25 1.23e4 1.23e-4 2E+3") == [
        ("number", ".5"),
        ("number", "1.25"),
        ("number", "1.23e4"),
        ("number", "1.23e-4"),
        ("number", "2E+3"),
    ]


def test_a_range_is_not_a_fraction() -> None:
    assert kinds_and_texts("1..10") == [("number", "1"), ("op", ".."), ("number", "10")]


def test_a_number_followed_by_a_keyword_starting_with_e() -> None:
    assert kinds_and_texts("2 else") == [("number", "2"), ("name", "else")]


@pytest.mark.parametrize(
    ("source", "value"),
    [
        (r'"a\"b"', 'a"b'),
        (r'"line\nbreak"', "line\nbreak"),
        (r'"\u0041"', "A"),
        (r'"\U01F40E"', "🐎"),
        (r'"\U0001F600"', "😀"),
        (r'"\uD83D\uDE00"', "😀"),
        (r'"\\u0009"', "\\u0009"),
        (r'"\d{3}"', "\\d{3}"),
    ],
)
def test_string_escapes(source: str, value: str) -> None:
    (token,) = tokenize(source)[:-1]
    assert token.kind is TokenKind.STRING
    assert token.text == value


def test_at_literal_keeps_the_decoded_text() -> None:
    (token,) = tokenize('@"2020-01-01"')[:-1]
    assert token == Token(TokenKind.AT, "2020-01-01", 0, 13, space_before=False)


def test_comments_are_whitespace() -> None:
    assert kinds_and_texts("1 + /* 1 + */ 1 // rest\n+ 2") == [
        ("number", "1"),
        ("op", "+"),
        ("number", "1"),
        ("op", "+"),
        ("number", "2"),
    ]


def test_names_accept_unicode_question_mark_and_apostrophe_parts() -> None:
    assert kinds_and_texts("Eligible? 🐎 Customer's") == [
        ("name", "Eligible?"),
        ("name", "🐎"),
        ("name", "Customer"),
        ("op", "'"),
        ("name", "s"),
    ]


def test_space_before_is_recorded() -> None:
    tokens = tokenize("a-b c")
    assert [t.space_before for t in tokens[:4]] == [False, False, False, True]


@pytest.mark.parametrize(("source", "column"), [('"open', 1), ("1 /* never closed", 3), ("1 # 2", 3)])
def test_errors_carry_the_position(source: str, column: int) -> None:
    with pytest.raises(FeelSyntaxError) as caught:
        tokenize(source)
    assert caught.value.line == 1
    assert caught.value.column == column


def test_line_and_column_count_from_one() -> None:
    assert line_column("ab\ncd", 4) == (2, 2)
    with pytest.raises(FeelSyntaxError) as caught:
        tokenize("1 +\n  $")
    assert (caught.value.line, caught.value.column) == (2, 3)
