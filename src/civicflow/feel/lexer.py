"""FEEL lexer: text -> tokens (DMN 1.5 §10.3.1.2, grammar rules 26-39).

Names are lexed word by word: a multi-word name such as ``Monthly Salary`` or ``date and time``
is several NAME tokens that the parser joins against the names in scope (longest match first).
Keywords are NAME tokens too; only the parser knows where a word is a keyword.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from civicflow.feel.errors import FeelSyntaxError

__all__ = ["Token", "TokenKind", "is_name_part_char", "is_name_start_char", "line_column", "tokenize"]


class TokenKind(StrEnum):
    NAME = "name"
    NUMBER = "number"
    STRING = "string"
    AT = "at"  # @"..." temporal literal; text is the decoded string
    OP = "op"
    EOF = "eof"


@dataclass(frozen=True, slots=True)
class Token:
    """One lexeme; ``text`` is the decoded value for strings, the source text otherwise."""

    kind: TokenKind
    text: str
    start: int
    end: int
    space_before: bool = False


# Longest first, so that "**" wins over "*" and ".." over ".".
_OPERATORS = ("..", "**", "<=", ">=", "!=", "->", "=", "<", ">", "+", "-", "*", "/", "(", ")", "[", "]", "{", "}")
_OPERATORS2 = (",", ":", ".", "'")
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}

_START_RANGES = (
    (0xC0, 0xD6),
    (0xD8, 0xF6),
    (0xF8, 0x2FF),
    (0x370, 0x37D),
    (0x37F, 0x1FFF),
    (0x200C, 0x200D),
    (0x2070, 0x218F),
    (0x2C00, 0x2FEF),
    (0x3001, 0xD7FF),
    (0xF900, 0xFDCF),
    (0xFDF0, 0xFFFD),
    (0x10000, 0xEFFFF),
)


def is_name_start_char(c: str) -> bool:
    """Grammar rule 30 (name start char); ``?`` is one, so ``?`` alone is a name."""
    if c.isascii():
        return c.isalpha() or c in "?_"
    code = ord(c)
    return any(lo <= code <= hi for lo, hi in _START_RANGES)


def is_name_part_char(c: str) -> bool:
    """Grammar rule 31 (name part char)."""
    if c.isascii():
        return c.isalnum() or c in "?_"
    code = ord(c)
    return is_name_start_char(c) or code == 0xB7 or 0x300 <= code <= 0x36F or 0x203F <= code <= 0x2040


def line_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of ``position`` in ``text``."""
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return line, column


def syntax_error(text: str, position: int, message: str) -> FeelSyntaxError:
    line, column = line_column(text, position)
    return FeelSyntaxError(message, expression=text, position=position, line=line, column=column)


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens, ending with one EOF token."""
    tokens: list[Token] = []
    pos = 0
    n = len(text)
    space = False
    while pos < n:
        c = text[pos]
        if c.isspace():
            pos += 1
            space = True
            continue
        if c == "/" and text.startswith("//", pos):
            end = text.find("\n", pos)
            pos = n if end < 0 else end
            space = True
            continue
        if c == "/" and text.startswith("/*", pos):
            end = text.find("*/", pos + 2)
            if end < 0:
                raise syntax_error(text, pos, "unterminated comment")
            pos = end + 2
            space = True
            continue
        start = pos
        if c.isdigit() or (c == "." and pos + 1 < n and text[pos + 1].isdigit()):
            pos = _scan_number(text, pos)
            tokens.append(Token(TokenKind.NUMBER, text[start:pos], start, pos, space))
        elif c == '"':
            value, pos = _scan_string(text, pos)
            tokens.append(Token(TokenKind.STRING, value, start, pos, space))
        elif c == "@" and text.startswith('"', pos + 1):
            value, pos = _scan_string(text, pos + 1)
            tokens.append(Token(TokenKind.AT, value, start, pos, space))
        elif is_name_start_char(c):
            pos += 1
            while pos < n and is_name_part_char(text[pos]):
                pos += 1
            tokens.append(Token(TokenKind.NAME, text[start:pos], start, pos, space))
        else:
            op = _match_operator(text, pos)
            if op is None:
                raise syntax_error(text, pos, f"unexpected character {c!r}")
            pos += len(op)
            tokens.append(Token(TokenKind.OP, op, start, pos, space))
        space = False
    tokens.append(Token(TokenKind.EOF, "", n, n, space))
    return tokens


def _match_operator(text: str, pos: int) -> str | None:
    for op in _OPERATORS:
        if text.startswith(op, pos):
            return op
    c = text[pos]
    return c if c in _OPERATORS2 else None


def _scan_number(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos].isdigit():
        pos += 1
    # "1..5" is a range: a dot starts a fraction only when a digit follows it.
    if pos + 1 < n and text[pos] == "." and text[pos + 1].isdigit():
        pos += 1
        while pos < n and text[pos].isdigit():
            pos += 1
    # Exponent (DMN 1.5 accepts 1.23e4): only when digits follow, so "2 else" stays two tokens.
    if pos < n and text[pos] in "eE":
        digits = pos + 2 if pos + 1 < n and text[pos + 1] in "+-" else pos + 1
        if digits < n and text[digits].isdigit():
            pos = digits
            while pos < n and text[pos].isdigit():
                pos += 1
    return pos


def _scan_string(text: str, pos: int) -> tuple[str, int]:
    """Decode the string literal whose opening quote is at ``pos``; return (value, end)."""
    start = pos
    pos += 1
    n = len(text)
    out: list[str] = []
    while pos < n:
        c = text[pos]
        if c == '"':
            return _join_surrogates("".join(out)), pos + 1
        if c != "\\":
            out.append(c)
            pos += 1
            continue
        if pos + 1 >= n:
            break
        e = text[pos + 1]
        if e in _ESCAPES:
            out.append(_ESCAPES[e])
            pos += 2
        elif e in "uU":
            # \u is 4 hex digits; \U is 6 (the TCK writes \U01F40E) or 8.
            width = 4 if e == "u" else (8 if _is_hex(text[pos + 2 : pos + 10]) else 6)
            digits = text[pos + 2 : pos + 2 + width]
            if len(digits) != width or not _is_hex(digits) or int(digits, 16) > 0x10FFFF:
                raise syntax_error(text, pos, f"bad unicode escape \\{e}{digits}")
            out.append(chr(int(digits, 16)))
            pos += 2 + width
        else:
            # Unknown escapes stay as written: regular expressions such as "\d" rely on it.
            out.append("\\" + e)
            pos += 2
    raise syntax_error(text, start, "unterminated string")


def _is_hex(s: str) -> bool:
    return bool(s) and all(c in "0123456789abcdefABCDEF" for c in s)


def _join_surrogates(s: str) -> str:
    """Turn UTF-16 surrogate pairs written as two \\u escapes into one code point."""
    if not any("\ud800" <= c <= "\udfff" for c in s):
        return s
    return s.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
