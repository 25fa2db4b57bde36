"""Resolution of multi-word FEEL names against the names in scope (DMN 1.5 §10.3.1.2).

A name such as ``Monthly Salary`` or ``date and time`` reaches the parser as several tokens. The
parser asks a :class:`NameTable` for the longest known name starting at a token; the table holds
the names given at compile time, the built-in function and type names, and names the expression
itself introduces (context entries, ``for`` variables, parameters), which are pushed and popped.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache

from civicflow.feel.errors import FeelSyntaxError
from civicflow.feel.lexer import Token, TokenKind, tokenize

__all__ = ["BUILTIN_TYPE_NAMES", "KEYWORDS", "NameTable", "normalize_name"]

KEYWORDS = frozenset(
    {
        "and",
        "between",
        "else",
        "every",
        "external",
        "false",
        "for",
        "function",
        "if",
        "in",
        "instance",
        "null",
        "of",
        "or",
        "return",
        "satisfies",
        "some",
        "then",
        "true",
    }
)

BUILTIN_TYPE_NAMES = (
    "Any",
    "Null",
    "boolean",
    "context",
    "date",
    "date and time",
    "days and time duration",
    "function",
    "list",
    "number",
    "range",
    "string",
    "time",
    "years and months duration",
)

# Pattern of one known name: token texts and, between consecutive tokens, whether whitespace separates them.
_Pattern = tuple[str, tuple[str, ...], tuple[bool, ...]]
_Index = dict[str, list[_Pattern]]


def normalize_name(text: str) -> str:
    """Collapse whitespace runs, as names compare regardless of the spacing they were written with."""
    return " ".join(text.split())


def _pattern(name: str) -> _Pattern | None:
    try:
        tokens = tokenize(name)[:-1]
    except FeelSyntaxError:
        return None
    if not tokens or any(t.kind in (TokenKind.STRING, TokenKind.AT) for t in tokens):
        return None
    return name, tuple(t.text for t in tokens), tuple(t.space_before for t in tokens[1:])


@lru_cache(maxsize=256)
def _base_index(names: tuple[str, ...]) -> _Index:
    index: _Index = {}
    for name in names:
        pattern = _pattern(name)
        # Single-token names need no table: the parser takes one token anyway.
        if pattern is not None and len(pattern[1]) > 1:
            index.setdefault(pattern[1][0], []).append(pattern)
    for patterns in index.values():
        patterns.sort(key=lambda p: -len(p[1]))
    return index


class NameTable:
    """Known names indexed by their first token, with a stack of expression-local names."""

    __slots__ = ("_base", "_local", "_marks")

    def __init__(self, names: Iterable[str] = ()) -> None:
        self._base = _base_index(tuple(sorted(set(names))))
        self._local: list[_Pattern] = []
        self._marks: list[int] = []

    def push(self, names: Iterable[str] = ()) -> None:
        """Open a scope (context, iteration, function body) with ``names``."""
        self._marks.append(len(self._local))
        for name in names:
            self.add(name)

    def add(self, name: str) -> None:
        """Add a name to the innermost scope."""
        pattern = _pattern(name)
        if pattern is not None and len(pattern[1]) > 1:
            self._local.append(pattern)

    def pop(self) -> None:
        del self._local[self._marks.pop() :]

    def match(self, tokens: Sequence[Token], i: int) -> tuple[str, int] | None:
        """Longest known multi-token name starting at ``tokens[i]``: (name, token count)."""
        first = tokens[i].text
        best: tuple[str, int] | None = None
        candidates = self._base.get(first, [])
        if self._local:
            candidates = candidates + [p for p in self._local if p[1][0] == first]
        for name, texts, gaps in candidates:
            count = len(texts)
            if best is not None and count <= best[1]:
                continue
            if _matches(tokens, i, texts, gaps):
                best = (name, count)
        return best


def _matches(tokens: Sequence[Token], i: int, texts: tuple[str, ...], gaps: tuple[bool, ...]) -> bool:
    if i + len(texts) >= len(tokens):  # the last token is EOF, never part of a name
        return False
    for j, text in enumerate(texts):
        token = tokens[i + j]
        if token.text != text or token.kind in (TokenKind.STRING, TokenKind.AT, TokenKind.EOF):
            return False
        if j and token.space_before != gaps[j - 1]:
            return False
    return True
