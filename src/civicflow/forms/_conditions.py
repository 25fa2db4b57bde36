"""FEEL in forms: ``conditional.hide``, readonly/disabled/multiple flags, dynamic bounds and option lists.

form-js evaluates these against the form's data plus the variables the form was opened with.
A condition that does not evaluate to a boolean counts as false (form-js does the same): a broken
condition shows a field rather than hiding it, so nothing disappears silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from civicflow.feel import FeelError, from_feel
from civicflow.feel import compile as feel_compile

__all__ = ["evaluate", "flag", "is_true"]


def evaluate(expression: str, context: Mapping[str, Any]) -> Any:
    """The value of ``expression`` in ``context`` (plain Python), or None when it cannot be evaluated."""
    try:
        return from_feel(feel_compile(expression).evaluate(context).value)
    except FeelError:
        # Only a configured bound can raise here (the loader already parsed the text).
        return None


def is_true(expression: str | None, context: Mapping[str, Any]) -> bool:
    """Whether ``expression`` is true; no expression is false."""
    return expression is not None and evaluate(expression, context) is True


def flag(value: bool | str, context: Mapping[str, Any]) -> bool:
    """A form-js attribute that is either a boolean or a FEEL expression."""
    if isinstance(value, bool):
        return value
    return is_true(value, context)
