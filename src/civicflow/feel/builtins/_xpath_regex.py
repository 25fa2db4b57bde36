"""Translate XML Schema / XPath 3.1 regular expressions (DMN 1.5 §10.3.4.3) to Python ``re``.

Differences handled here: flags ``s m i x q``; ``.`` never matches CR or LF without ``s``; ``$``
matches only at the very end without ``m``; character class subtraction ``[a-z-[aeiou]]``;
``\\p{IsBlock}`` / ``\\p{Lu}`` escapes; back-references to groups not yet closed are errors;
``$N`` references in replacement strings.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import regex

from civicflow.feel.errors import FeelEvalError

__all__ = ["MAX_PATTERN_LENGTH", "compile_xpath", "replacement_function"]

MAX_PATTERN_LENGTH = 10_000  # longer patterns are refused: they only serve to burn CPU

_BLOCKS: dict[str, tuple[int, int]] = {
    "BasicLatin": (0x0000, 0x007F),
    "Latin-1Supplement": (0x0080, 0x00FF),
    "LatinExtended-A": (0x0100, 0x017F),
    "LatinExtended-B": (0x0180, 0x024F),
    "IPAExtensions": (0x0250, 0x02AF),
    "Greek": (0x0370, 0x03FF),
    "GreekandCoptic": (0x0370, 0x03FF),
    "Cyrillic": (0x0400, 0x04FF),
    "Hebrew": (0x0590, 0x05FF),
    "Arabic": (0x0600, 0x06FF),
    "GeneralPunctuation": (0x2000, 0x206F),
    "CurrencySymbols": (0x20A0, 0x20CF),
    "LetterlikeSymbols": (0x2100, 0x214F),
    "Arrows": (0x2190, 0x21FF),
    "MathematicalOperators": (0x2200, 0x22FF),
    "Hiragana": (0x3040, 0x309F),
    "Katakana": (0x30A0, 0x30FF),
    "CJKUnifiedIdeographs": (0x4E00, 0x9FFF),
}


@lru_cache(maxsize=64)
def _category_class(name: str) -> str:
    """Character-class body for a Unicode general category (``L``) or one of its parts (``Lu``)."""
    ranges: list[tuple[int, int]] = []
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code)).startswith(name):
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
    if not ranges:
        raise FeelEvalError(f"unknown character property \\p{{{name}}}")
    return "".join(_range_text(low, high) for low, high in ranges)


def _range_text(low: int, high: int) -> str:
    if low == high:
        return f"\\U{low:08x}"
    return f"\\U{low:08x}-\\U{high:08x}"


def _property_body(name: str) -> str:
    if name.startswith("Is"):
        block = _BLOCKS.get(name[2:])
        if block is None:
            raise FeelEvalError(f"unknown block \\p{{{name}}}")
        return _range_text(*block)
    if not re.fullmatch(r"[LMNPZSC][a-z]?", name):
        raise FeelEvalError(f"unknown character property \\p{{{name}}}")
    return _category_class(name)


class _Translator:
    __slots__ = ("closed_groups", "dotall", "extended", "multiline", "open_groups", "out", "pattern", "pos")

    def __init__(self, pattern: str, flags: str) -> None:
        self.pattern = pattern
        self.pos = 0
        self.out: list[str] = []
        self.dotall = "s" in flags
        self.multiline = "m" in flags
        self.extended = "x" in flags
        self.open_groups: list[bool] = []
        self.closed_groups = 0

    def translate(self) -> str:
        p = self.pattern
        while self.pos < len(p):
            c = p[self.pos]
            if self.extended and c in " \t\n\r":
                self.pos += 1
            elif c == "\\":
                self.out.append(self._escape(in_class=False))
            elif c == "[":
                self.out.append(self._char_class())
            elif c == ".":
                self.out.append("(?s:.)" if self.dotall else "[^\\n\\r]")
                self.pos += 1
            elif c == "$":
                self.out.append("$" if self.multiline else "(?!(?s:.))")
                self.pos += 1
            elif c == "(":
                capturing = not p.startswith("(?", self.pos)
                if not capturing and not p.startswith("(?:", self.pos):
                    raise FeelEvalError("only (?: groups are allowed")
                self.open_groups.append(capturing)
                self.out.append("(" if capturing else "(?:")
                self.pos += 1 if capturing else 3
            elif c == ")":
                if not self.open_groups:
                    raise FeelEvalError("unbalanced parenthesis")
                if self.open_groups.pop():
                    self.closed_groups += 1
                self.out.append(")")
                self.pos += 1
            else:
                self.out.append(c)
                self.pos += 1
        if self.open_groups:
            raise FeelEvalError("unbalanced parenthesis")
        return "".join(self.out)

    def _escape(self, *, in_class: bool) -> str:
        p = self.pattern
        self.pos += 1
        if self.extended and not in_class:
            # With the x flag whitespace goes before escapes are read: "\ s" is "\s".
            while self.pos < len(p) and p[self.pos] in " \t\n\r":
                self.pos += 1
        if self.pos >= len(p):
            raise FeelEvalError("pattern ends with a backslash")
        c = p[self.pos]
        self.pos += 1
        if c.isdigit():
            if in_class or c == "0":
                raise FeelEvalError("back-reference not allowed here")
            digits = c
            while self.pos < len(p) and p[self.pos].isdigit() and int(digits + p[self.pos]) <= self.closed_groups:
                digits += p[self.pos]
                self.pos += 1
            if int(digits) > self.closed_groups:
                raise FeelEvalError(f"back-reference \\{digits} to a group that is not closed")
            return f"(?:\\{digits})"
        if c in "pP":
            body = _property_body(self._property_name())
            if c == "P":
                if in_class:
                    raise FeelEvalError("\\P inside a character class is not supported")
                return f"[^{body}]"
            return body if in_class else f"[{body}]"
        if c == "i":
            return "A-Za-z_:" if in_class else "[A-Za-z_:]"
        if c == "c":
            return "\\-.0-9A-Za-z_:" if in_class else "[\\-.0-9A-Za-z_:]"
        if c in "nrtdDwWsS\\|.-^?*+{}()[]$":
            return "\\" + c
        raise FeelEvalError(f"unknown escape \\{c}")

    def _property_name(self) -> str:
        p = self.pattern
        if self.pos >= len(p) or p[self.pos] != "{":
            raise FeelEvalError("\\p needs {name}")
        end = p.find("}", self.pos)
        if end < 0:
            raise FeelEvalError("\\p{ is not closed")
        name = p[self.pos + 1 : end]
        self.pos = end + 1
        if self.extended:
            name = re.sub(r"\s+", "", name)
        return name

    def _char_class(self) -> str:
        """Translate ``[...]`` starting at ``[``, including a trailing ``-[...]`` subtraction."""
        p = self.pattern
        self.pos += 1
        parts: list[str] = []
        if p.startswith("^", self.pos):
            parts.append("^")
            self.pos += 1
        subtraction: str | None = None
        first = True
        while True:
            if self.pos >= len(p):
                raise FeelEvalError("character class is not closed")
            c = p[self.pos]
            if c == "]" and not first:
                self.pos += 1
                break
            if c == "-" and p.startswith("-[", self.pos):
                self.pos += 1
                subtraction = self._char_class()
                if not p.startswith("]", self.pos):
                    raise FeelEvalError("subtraction must end the character class")
                self.pos += 1
                break
            if c == "\\":
                parts.append(self._escape(in_class=True))
            else:
                # Escape what Python would read as set operations or nested sets.
                parts.append("\\" + c if c in "[&~|" else c)
                self.pos += 1
            first = False
        base = "[" + "".join(parts) + "]"
        if subtraction is None:
            return base
        return f"(?:(?!{subtraction}){base})"


@lru_cache(maxsize=256)
def compile_xpath(pattern: str, flags: str = "") -> regex.Pattern[str]:
    """Compile an XPath regular expression; raise FeelEvalError when it or its flags are invalid."""
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise FeelEvalError("pattern too long")
    if any(flag not in "smixq" for flag in flags):
        raise FeelEvalError(f"invalid regular expression flags {flags!r}")
    if "q" in flags:
        translated = re.escape(pattern)
    else:
        translated = _Translator(pattern, flags).translate()
    # The `regex` engine (not `re`) because its matching methods take a timeout: a backtracking
    # pattern such as (a+)+$ must not hang an evaluation (see run_bounded in strings.py).
    options = regex.IGNORECASE if "i" in flags else 0
    if "m" in flags:
        options |= regex.MULTILINE
    try:
        return regex.compile(translated, options)
    except regex.error as error:
        raise FeelEvalError(f"invalid regular expression: {error}") from error


def replacement_function(template: str, groups: int, *, literal: bool) -> Callable[[regex.Match[str]], str]:
    """A ``re.sub`` callback for an XPath replacement string (``$N`` group references, ``\\$`` and ``\\\\``)."""
    if literal:
        return lambda _match: template
    pieces: list[str | int] = []
    i = 0
    while i < len(template):
        c = template[i]
        if c == "\\":
            if i + 1 >= len(template) or template[i + 1] not in "\\$":
                raise FeelEvalError("invalid backslash in replacement")
            pieces.append(template[i + 1])
            i += 2
        elif c == "$":
            j = i + 1
            if j >= len(template) or not template[j].isdigit():
                raise FeelEvalError("$ must be followed by a group number in a replacement")
            number = int(template[j])
            j += 1
            while j < len(template) and template[j].isdigit() and int(template[i + 1 : j + 1]) <= groups:
                number = int(template[i + 1 : j + 1])
                j += 1
            pieces.append(number)
            i = j
        else:
            pieces.append(c)
            i += 1

    def substitute(match: regex.Match[str]) -> str:
        return "".join(
            piece if isinstance(piece, str) else (match.group(piece) or "" if piece <= groups else "")
            for piece in pieces
        )

    return substitute
