"""Expressions as written in the model, with their normalized FEEL text."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Expression"]

_JUEL = re.compile(r"^\s*[$#]\{.*\}\s*$", re.DOTALL)
_FEEL_LANGUAGES = frozenset(
    {
        "feel",
        "http://www.omg.org/spec/FEEL/20140401",
        "https://www.omg.org/spec/DMN/20191111/FEEL/",
        "http://www.omg.org/spec/DMN/20180521/FEEL/",
        "https://www.omg.org/spec/DMN/20240513/FEEL/",
        "https://www.omg.org/spec/DMN/20230324/FEEL/",
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Expression:
    """An expression or static value exactly as written, and how to read it as FEEL.

    Zeebe marks expressions with a leading ``=``; in its attributes a value without ``=``
    is a static string (``is_static``). Conditions are expressions either way.
    """

    raw: str
    language: str | None = None

    @property
    def is_juel(self) -> bool:
        """``${...}`` / ``#{...}``: a Camunda 7 / Flowable JUEL expression, not FEEL."""
        return bool(_JUEL.match(self.raw))

    @property
    def is_static(self) -> bool:
        """True when a Zeebe attribute value is a literal string (no leading ``=``)."""
        return not self.raw.lstrip().startswith("=")

    @property
    def is_feel(self) -> bool:
        """True when the text is meant as FEEL (no foreign language, not JUEL)."""
        if self.language is not None and self.language.strip().lower() not in _FEEL_LANGUAGES:
            return False
        return not self.is_juel

    @property
    def feel(self) -> str | None:
        """The FEEL text: stripped, without the leading ``=``; None when not FEEL."""
        if not self.is_feel:
            return None
        text = self.raw.strip()
        if text.startswith("="):
            text = text[1:].strip()
        return text
